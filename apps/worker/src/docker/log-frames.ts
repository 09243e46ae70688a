import { Writable } from 'node:stream';
import type { LogSink, LogStream } from '../execution/executor';

/** The engine's timestamp before each piece of output when logs are read with `timestamps: true`. */
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) /;

/** Orders engine timestamps (RFC 3339, nanoseconds, always UTC): compares as text once padded. */
export function tsKey(ts: string): string {
  const [whole, fraction = ''] = ts.replace(/Z$/, '').split('.');
  return `${whole}.${fraction.padEnd(9, '0')}`;
}

/** `since` for the logs API (Unix seconds with nanoseconds) from an engine timestamp. */
export function sinceOf(ts: string): string {
  const [, fraction = ''] = ts.replace(/Z$/, '').split('.');
  const seconds = Math.floor(Date.parse(ts) / 1000);
  return `${seconds}.${fraction.padEnd(9, '0')}`;
}

/**
 * Splits the engine's multiplexed log stream (8-byte frame headers: stream type, 3 zero bytes, a
 * big-endian length) into frames, strips each frame's timestamp, skips frames at or before `after`
 * (already spooled: before a restart, or by the follow stream a catch-up read completes) and writes the rest to the sink. Its `write` callback waits
 * while the sink is saturated, so the engine's stream is back-pressured instead of buffered here.
 */
export class LogFrames extends Writable {
  private buffered: Buffer = Buffer.alloc(0);
  /** Timestamp of the last frame handed to the sink. */
  last?: string;
  private readonly afterKey?: string;
  private lastKey?: string;

  constructor(
    private readonly sink: LogSink,
    after?: string,
  ) {
    super();
    this.afterKey = after ? tsKey(after) : undefined;
    this.last = after;
    this.lastKey = this.afterKey;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4);
      if (this.buffered.length < 8 + length) break;
      const type = this.buffered[0];
      const payload = this.buffered.subarray(8, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      this.frame(type === 2 ? 'stderr' : 'stdout', payload);
    }
    if (this.sink.saturated) void this.sink.waitDrain().then(() => done());
    else done();
  }

  private frame(stream: LogStream, payload: Buffer): void {
    const head = payload.subarray(0, 40).toString('latin1');
    const match = TIMESTAMP.exec(head);
    if (!match) {
      this.sink.write(stream, payload);
      return;
    }
    const ts = match[1];
    const key = tsKey(ts);
    if (this.afterKey && key <= this.afterKey) return;
    if (!this.lastKey || key > this.lastKey) {
      this.last = ts;
      this.lastKey = key;
    }
    this.sink.write(stream, payload.subarray(match[0].length), ts);
  }
}
