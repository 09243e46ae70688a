import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';

// What the process executor learns about processes from /proc: a process's state, group, CPU time
// and start time (/proc/<pid>/stat), its memory and owner (/proc/<pid>/status). Without a cgroup
// this is how a task's process group is found, measured and told from a later one with its number.

export interface ProcStat {
  pid: number;
  pgrp: number;
  zombie: boolean;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
  /** Field 22: tells this process from a later one with the same pid. */
  startTime: number;
}

/** The `/proc/<pid>/stat` line `text` of process `pid`. */
export function parseProcStat(pid: number, text: string): ProcStat {
  // field 2 (comm) may hold spaces and parentheses: field 3 starts after the last ')'
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  return {
    pid,
    pgrp: field(5),
    zombie: fields[0] === 'Z' || fields[0] === 'X',
    ticks: field(14) + field(15) + field(16) + field(17),
    startTime: field(22),
  };
}

/** Synchronous on purpose: the caller reads it before anything awaits (see ProcessExecutor.track). */
export function startTimeOf(pid: number): number {
  return parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8')).startTime;
}

/** Living (not zombie) processes whose process group is `pgid`. */
export async function groupMembers(pgid: number): Promise<ProcStat[]> {
  const stats = await Promise.all(
    (await allPids()).map(async (pid) => {
      const text = await procFile(pid, 'stat');
      return text === undefined ? undefined : parseProcStat(pid, text);
    }),
  );
  return stats.filter((s) => s !== undefined && s.pgrp === pgid && !s.zombie) as ProcStat[];
}

/**
 * CPU time (clock ticks) and resident memory (KiB) of the living members of group `pgid` now.
 * cutime/cstime hold the children each member already reaped, so finished work still counts.
 */
export async function groupUsage(pgid: number): Promise<{ ticks: number; rssKb: number }> {
  const members = await groupMembers(pgid);
  return {
    ticks: sum(members.map((m) => m.ticks)),
    rssKb: sum(await Promise.all(members.map((m) => rssKbOf(m.pid)))),
  };
}

/** Threads (what RLIMIT_NPROC counts) whose real uid is `uid`. */
export async function tasksOwnedBy(uid: number): Promise<number> {
  const counts = await Promise.all(
    (await allPids()).map(async (pid) => {
      const status = (await procFile(pid, 'status')) ?? '';
      if (/^Uid:\s+(\d+)/m.exec(status)?.[1] !== String(uid)) return 0;
      return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }),
  );
  return sum(counts);
}

/** Signals every process of group `pgid`; a group already gone is no error. */
export function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** A catch handler: `fallback` when the file (or process) is gone, otherwise rethrow. */
export function ifMissing<T>(fallback: T): (error: NodeJS.ErrnoException) => T {
  return (error) => {
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return fallback;
    throw error;
  };
}

async function rssKbOf(pid: number): Promise<number> {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec((await procFile(pid, 'status')) ?? '');
  return match ? Number(match[1]) : 0;
}

async function procFile(pid: number, name: string): Promise<string | undefined> {
  // a process may end between listing /proc and reading it
  return readFile(`/proc/${pid}/${name}`, 'utf8').catch(ifMissing(undefined));
}

async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
