import type { ProcStat } from './procfs';
import { type RunRecord, recordedMembers } from './process-run-records';

const RECORD: RunRecord = { attemptId: 'a-1', pgid: 100, pid: 100, startTime: 5000, labels: {} };

function proc(pid: number, startTime: number): ProcStat {
  return { pid, pgrp: 100, zombie: false, ticks: 0, startTime };
}

describe(recordedMembers.name, () => {
  it.each<[string, ProcStat[], number[]]>([
    ['the leader with its recorded start: the whole group', [proc(100, 5000), proc(101, 4000)], [100, 101]],
    ['the leader with another start: a later group took the number', [proc(100, 9000), proc(101, 9001)], []],
    ['the leader gone: members that started after it', [proc(101, 5001), proc(102, 4999)], [101]],
    ['nothing living', [], []],
  ])('%s', (_case, members, expected) => {
    expect(recordedMembers(RECORD, members).map((m) => m.pid)).toEqual(expected);
  });
});
