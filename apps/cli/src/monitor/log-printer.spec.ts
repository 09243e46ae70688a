import { createColors } from 'picocolors';
import { LogPrinter } from './log-printer';

describe(LogPrinter.name, () => {
  const chunk = (id: number, data: string, shard = 0, stream = 'stdout') => ({
    id,
    shard_index: shard,
    stream,
    data,
  });

  it('joins lines split across chunks and prints the rest at the end', () => {
    const lines: string[] = [];
    const printer = new LogPrinter((l) => lines.push(l), createColors(false), false);
    printer.push(chunk(1, 'hel'));
    printer.push(chunk(2, 'lo\nwor'));
    printer.push(chunk(3, 'ld\r\nlast'));
    expect(lines).toEqual(['hello', 'world']);
    printer.flush();
    expect(lines).toEqual(['hello', 'world', 'last']);
  });

  it('keeps shards apart and prefixes them when the task is sharded', () => {
    const lines: string[] = [];
    const printer = new LogPrinter((l) => lines.push(l), createColors(false), true);
    printer.push(chunk(1, 'a', 0));
    printer.push(chunk(2, 'b\n', 1));
    printer.push(chunk(3, 'c\n', 0));
    expect(lines).toEqual(['[shard 1] b', '[shard 0] ac']);
  });

  it('colours stderr red and system lines dim on a terminal', () => {
    const lines: string[] = [];
    const printer = new LogPrinter((l) => lines.push(l), createColors(true), false);
    printer.push(chunk(1, 'oops\n', 0, 'stderr'));
    printer.push(chunk(2, 'pulling\n', 0, 'system'));
    expect(lines).toEqual(['\x1b[31moops\x1b[39m', '\x1b[2mpulling\x1b[22m']);
  });
});
