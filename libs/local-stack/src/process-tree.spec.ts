import { type ProcessInfo, descendantsOf, parseStat } from './process-tree';

const stat = (pid: number, command: string, ppid: number, start: number, state = 'S'): string =>
  `${pid} (${command}) ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 ${start} 1000 10 18446744073709551615`;

describe('parseStat', () => {
  it.each([
    [
      'a plain command',
      stat(42, 'postgres', 1, 777),
      { pid: 42, ppid: 1, startTicks: 777, command: 'postgres', state: 'S' },
    ],
    [
      'spaces and parentheses in the command',
      stat(7, 'node (x) y', 3, 9, 'Z'),
      { pid: 7, ppid: 3, startTicks: 9, command: 'node (x) y', state: 'Z' },
    ],
  ])('reads %s', (_what, text, expected) => {
    expect(parseStat(text)).toEqual(expected);
  });

  it.each([['garbage'], [''], ['12 (x']])('refuses %j', (text) => {
    expect(parseStat(text)).toBeUndefined();
  });
});

describe('descendantsOf', () => {
  const p = (pid: number, ppid: number): ProcessInfo => ({
    pid,
    ppid,
    startTicks: pid,
    command: 'x',
    state: 'S',
  });
  const tree = [p(1, 0), p(10, 1), p(11, 10), p(12, 10), p(13, 12), p(20, 1), p(21, 20)];

  it.each([
    [10, [11, 12, 13]],
    [12, [13]],
    [13, []],
    [99, []],
  ])('below %i: %j', (root, expected) => {
    expect(
      descendantsOf(root, tree)
        .map((d) => d.pid)
        .sort((a, b) => a - b),
    ).toEqual(expected);
  });
});
