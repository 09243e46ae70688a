import { parseProcStat } from './procfs';

/** A /proc/<pid>/stat line: pid (comm) state ppid pgrp … with the fields this reads set. */
function statLine(comm: string, state: string, pgrp: number, ticks: number[], startTime: number): string {
  const fields = [state, '1', String(pgrp), '0', '0', '0', '0', '0', '0', '0', '0'];
  fields.push(...ticks.map(String), '20', '0', '1', '0', String(startTime), '1000', '100');
  return `4242 (${comm}) ${fields.join(' ')}\n`;
}

describe(parseProcStat.name, () => {
  it.each([
    ['a plain name', 'python3', 'S', false],
    ['spaces and parentheses in the name', 'a) b (c', 'R', false],
    ['a zombie', 'sh', 'Z', true],
    ['a dead process', 'sh', 'X', true],
  ])('reads %s', (_case, comm, state, zombie) => {
    const stat = parseProcStat(4242, statLine(comm, state, 4200, [10, 20, 3, 4], 987654));

    expect(stat).toEqual({ pid: 4242, pgrp: 4200, zombie, ticks: 37, startTime: 987654 });
  });
});
