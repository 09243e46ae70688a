import type { LogSink, LogStream } from '../execution/executor';
import { LogFrames, sinceOf, tsKey } from './log-frames';

const frame = (type: 1 | 2, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

class Collect implements LogSink {
  readonly got: [LogStream, string, string | undefined][] = [];
  saturated = false;
  release?: () => void;
  write(stream: LogStream, data: Buffer, ts?: string): void {
    this.got.push([stream, data.toString(), ts]);
  }
  waitDrain(): Promise<void> {
    return new Promise((resolve) => (this.release = resolve));
  }
}

const write = (frames: LogFrames, data: Buffer) =>
  new Promise<void>((resolve) => frames.write(data, () => resolve()));

describe(LogFrames.name, () => {
  const T1 = '2026-11-23T10:00:00.100000000Z';
  const T2 = '2026-11-23T10:00:00.2Z';

  it('splits frames across chunk boundaries, strips timestamps, keeps the stream', async () => {
    const sink = new Collect();
    const frames = new LogFrames(sink);
    const bytes = Buffer.concat([frame(1, `${T1} out\n`), frame(2, `${T2} err\n`)]);
    await write(frames, bytes.subarray(0, 5));
    await write(frames, bytes.subarray(5, 30));
    await write(frames, bytes.subarray(30));
    expect(sink.got).toEqual([
      ['stdout', 'out\n', T1],
      ['stderr', 'err\n', T2],
    ]);
    expect(frames.last).toBe(T2);
  });

  it('skips what was spooled before (at or before `after`)', async () => {
    const sink = new Collect();
    const frames = new LogFrames(sink, T1);
    await write(frames, Buffer.concat([frame(1, `${T1} old\n`), frame(1, `${T2} new\n`)]));
    expect(sink.got.map((g) => g[1])).toEqual(['new\n']);
  });

  it('holds the engine stream while the sink is saturated', async () => {
    const sink = new Collect();
    sink.saturated = true;
    const frames = new LogFrames(sink);
    let written = false;
    frames.write(frame(1, `${T1} x\n`), () => (written = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(written).toBe(false);
    sink.release!();
    await new Promise((r) => setTimeout(r, 0));
    expect(written).toBe(true);
  });

  it('orders timestamps with and without trailing zeros and turns them into `since`', () => {
    expect(tsKey('2026-11-23T10:00:00.2Z') > tsKey('2026-11-23T10:00:00.100000000Z')).toBe(true);
    expect(sinceOf(T1)).toBe(`${Math.floor(Date.parse(T1) / 1000)}.100000000`);
  });
});
