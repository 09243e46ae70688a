// Measuring helpers for the benchmarks (npm run bench:scheduler): percentiles, CPU time per process
// family read from /proc, the machine's description, and a plain padded table. Not used by the app.
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** The p-th percentile (0–100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** 12345.6 → "12,346"; small numbers keep `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** CPU seconds used between start() and stop(), by process family, and the machine's busy share. */
export interface CpuUsage {
  wallS: number;
  /** This process (node pool and benchmark driver) and its child node processes (more replicas). */
  nodeS: number;
  postgresS: number;
  redisS: number;
  /** Every CPU of the machine, busy seconds (includes other users of the machine). */
  machineBusyS: number;
  cores: number;
}

interface CpuSnapshot {
  at: number;
  node: NodeJS.CpuUsage;
  ticks: Map<number, { comm: string; ticks: number }>;
  machineBusy: number;
}

const CLOCK_TICKS_PER_S = 100;

/**
 * Reads the CPU time of this process and of its descendant PostgreSQL and Redis processes (the
 * local stack's children) from /proc, so a benchmark can say where the time went. Linux only: on
 * another system the PostgreSQL and Redis figures stay 0.
 */
export class CpuMeter {
  private begin?: CpuSnapshot;

  start(): void {
    this.begin = snapshot();
  }

  stop(): CpuUsage {
    const begin = this.begin ?? snapshot();
    const end = snapshot();
    const family = (matches: (comm: string) => boolean) => {
      let ticks = 0;
      for (const [pid, p] of end.ticks) {
        if (!matches(p.comm)) continue;
        ticks += p.ticks - (begin.ticks.get(pid)?.ticks ?? 0);
      }
      return ticks / CLOCK_TICKS_PER_S;
    };
    const isPostgres = (comm: string) => comm.startsWith('postgres');
    const isRedis = (comm: string) => comm.startsWith('redis-server');
    return {
      wallS: (end.at - begin.at) / 1000,
      nodeS:
        (end.node.user + end.node.system - begin.node.user - begin.node.system) / 1_000_000 +
        family((comm) => !isPostgres(comm) && !isRedis(comm)), // forked replicas (Node names its thread MainThread)
      postgresS: family(isPostgres),
      redisS: family(isRedis),
      machineBusyS: (end.machineBusy - begin.machineBusy) / CLOCK_TICKS_PER_S,
      cores: cpus().length,
    };
  }
}

function snapshot(): CpuSnapshot {
  return {
    at: performance.now(),
    node: process.cpuUsage(),
    ticks: descendantTicks(process.pid),
    machineBusy: machineBusyTicks(),
  };
}

/** utime + stime (clock ticks) of every descendant of `root`, by pid. */
function descendantTicks(root: number): Map<number, { comm: string; ticks: number }> {
  const all = new Map<number, { ppid: number; comm: string; ticks: number }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return new Map();
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid … utime stime …": comm may hold spaces, so split after the last ')'
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      all.set(Number(pid), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while we looked
    }
  }
  const children = new Map<number, number[]>();
  for (const [pid, p] of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const found = new Map<number, { comm: string; ticks: number }>();
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    const p = all.get(pid)!;
    found.set(pid, { comm: p.comm, ticks: p.ticks });
    stack.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Busy clock ticks of the whole machine (all CPUs) since boot. */
function machineBusyTicks(): number {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu.split(/\s+/).slice(1).map(Number);
    void idle;
    void iowait;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return 0;
  }
}

/** "node 1.9 s · PostgreSQL 0.8 s · Redis 0.2 s · machine 3.1 of 2×2.0 s" */
export function describeCpu(u: CpuUsage): string {
  const others = Math.max(0, u.machineBusyS - u.nodeS - u.postgresS - u.redisS);
  return (
    `CPU s over ${fmt(u.wallS, 1)} s wall: node ${fmt(u.nodeS, 1)}, PostgreSQL ${fmt(u.postgresS, 1)}, ` +
    `Redis ${fmt(u.redisS, 1)}, other processes ${fmt(others, 1)} (machine ${fmt(u.cores)} cores: ` +
    `${fmt((100 * u.machineBusyS) / (u.wallS * u.cores))} % busy)`
  );
}

/** What the figures ran on. */
export function machineDescription(): Record<string, string> {
  const model =
    /model name\s*:\s*(.+)/.exec(safeRead('/proc/cpuinfo'))?.[1]?.trim() ?? cpus()[0]?.model ?? '?';
  return {
    cpus: `${cpus().length} × ${model}`,
    memory: `${fmt(totalmem() / 1024 ** 3, 1)} GiB`,
    node: process.version,
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A plain text table: a header, a rule, and the rows, columns padded (numbers to the right). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^[\d,.–%×/ -]*$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
