import { type LogChunk, LogBuffer, splitLines } from './log-buffer';

const chunk = (id: number, data: string, stream = 'stdout', shard = 0): LogChunk => ({
  id,
  shard_index: shard,
  stream,
  data,
});
const texts = (buffer: LogBuffer) => buffer.snapshot().map((l) => l.text);

describe(LogBuffer.name, () => {
  it('keeps each chunk once, whether it came over REST or live', () => {
    const buffer = new LogBuffer();
    expect(buffer.add([chunk(1, 'a\n'), chunk(2, 'b\n')])).toBe(true);
    expect(buffer.add([chunk(2, 'b\n')])).toBe(false);
    expect(buffer.add([chunk(3, 'c\n'), chunk(1, 'a\n')])).toBe(true);
    expect(texts(buffer)).toEqual(['a', 'b', 'c']);
    expect(buffer.lastId).toBe(3);
  });

  it('puts chunks in the order the pool stored them, though a live one came before the REST pages', () => {
    const buffer = new LogBuffer();
    buffer.add([chunk(5, 'live\n')]);
    buffer.add([chunk(1, 'one\n'), chunk(2, 'two\n')]);
    buffer.add([chunk(4, 'four\n'), chunk(3, 'three\n')]);
    expect(texts(buffer)).toEqual(['one', 'two', 'three', 'four', 'live']);
    expect(buffer.lastId).toBe(5);
  });

  it('keeps the stream and shard of every line', () => {
    const buffer = new LogBuffer();
    buffer.add([chunk(1, 'out\n'), chunk(2, 'err1\nerr2\n', 'stderr', 3)]);
    expect(buffer.snapshot().map((l) => [l.stream, l.shard, l.text])).toEqual([
      ['stdout', 0, 'out'],
      ['stderr', 3, 'err1'],
      ['stderr', 3, 'err2'],
    ]);
  });

  it('keeps only the latest lines, and ignores a late copy of a dropped chunk', () => {
    const buffer = new LogBuffer(3);
    buffer.add([chunk(1, '1a\n1b\n'), chunk(2, '2a\n'), chunk(3, '3a\n3b\n')]);
    expect(texts(buffer)).toEqual(['2a', '3a', '3b']);
    expect(buffer.dropped).toBe(2);
    expect(buffer.add([chunk(1, '1a\n1b\n')])).toBe(false);
    buffer.add([chunk(4, '4a\n')]);
    expect(texts(buffer)).toEqual(['3a', '3b', '4a']);
    expect(buffer.add([chunk(2, '2a\n')])).toBe(false);
    expect(texts(buffer)).toEqual(['3a', '3b', '4a']);
  });

  it('gives every line a unique key', () => {
    const buffer = new LogBuffer();
    buffer.add([chunk(1, 'x\nx\n'), chunk(2, 'x\n')]);
    const keys = buffer.snapshot().map((l) => l.key);
    expect(new Set(keys).size).toBe(3);
  });
});

describe(splitLines.name, () => {
  it.each([
    ['a\nb\n', ['a', 'b']],
    ['a\nb', ['a', 'b']],
    ['a\r\nb\r\n', ['a', 'b']],
    ['\n', ['']],
    ['', []],
  ])('%j → %j', (data, lines) => {
    expect(splitLines(chunk(1, data)).map((l) => l.text)).toEqual(lines);
  });
});
