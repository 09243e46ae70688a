import { readFileSync, readdirSync } from 'node:fs';
import { type Exit, type RunningProcess, sleep } from './child-process';

/** One process as /proc shows it; `startTicks` tells it apart from a later process with its pid. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  startTicks: number;
  command: string;
  /** R, S, D, Z (a zombie: ended, waiting for its parent to collect it), … */
  state: string;
}

/** Parses /proc/<pid>/stat (the command may hold spaces and parentheses: fields follow the last ")"). */
export function parseStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const info = {
    pid: Number(text.slice(0, open).trim()),
    ppid: Number(fields[1]),
    startTicks: Number(fields[19]),
    command: text.slice(open + 1, close),
    state: fields[0] ?? '',
  };
  return Number.isInteger(info.pid) && Number.isInteger(info.ppid) && Number.isFinite(info.startTicks)
    ? info
    : undefined;
}

export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone, or not Linux
  }
}

/** Every process on the machine (Linux /proc; empty elsewhere). */
export function listProcesses(): ProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    const info = readProcess(Number(entry));
    return info ? [info] : [];
  });
}

/** The processes below `root` in the parent→child tree (not `root` itself). */
export function descendantsOf(root: number, processes: ProcessInfo[]): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** True when `process` still runs (the same process, not a later one that reuses its pid; not a zombie). */
export function isRunning(process: Pick<ProcessInfo, 'pid' | 'startTicks'>): boolean {
  const now = readProcess(process.pid);
  return now !== undefined && now.startTicks === process.startTicks && now.state !== 'Z';
}

/** True when the process's environment holds `key=value` (false when it cannot be read). */
export function hasEnv(pid: number, key: string, value: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${key}=${value}`);
  } catch {
    return false;
  }
}

const keyOf = (p: ProcessInfo): string => `${p.pid}:${p.startTicks}`;

/**
 * Remembers every process that ran below us, so none outlives the stack: a process whose parent
 * died (a task of a worker killed with -9) is re-parented to init and leaves our tree, but not this
 * list. Processes that carry `marker` in their environment (everything we start, and what inherits
 * its environment) are found wherever they are.
 */
export class ProcessTracker {
  private readonly seen = new Map<string, ProcessInfo>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly marker: { key: string; value: string },
    private readonly root = process.pid,
  ) {}

  /** Looks at the tree now (and every `intervalMs` until `stopWatching`). */
  watch(intervalMs = 2000): void {
    this.snapshot();
    this.timer ??= setInterval(() => this.snapshot(), intervalMs).unref();
  }

  stopWatching(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  snapshot(): void {
    for (const p of descendantsOf(this.root, listProcesses())) this.seen.set(keyOf(p), p);
    for (const [key, p] of this.seen) if (!isRunning(p)) this.seen.delete(key);
  }

  /** What still runs of everything seen, plus every process carrying the marker. */
  survivors(): ProcessInfo[] {
    const all = listProcesses();
    const found = new Map<string, ProcessInfo>();
    for (const p of descendantsOf(this.root, all)) found.set(keyOf(p), p);
    for (const p of this.seen.values()) if (isRunning(p)) found.set(keyOf(p), p);
    for (const p of all) {
      if (p.pid !== this.root && hasEnv(p.pid, this.marker.key, this.marker.value)) found.set(keyOf(p), p);
    }
    return [...found.values()].filter((p) => p.state !== 'Z');
  }

  /** Ends every survivor: SIGTERM, then SIGKILL after `graceMs`. Returns what it had to end. */
  async sweep(graceMs = 5000): Promise<ProcessInfo[]> {
    const left = this.survivors();
    const signal = (sig: NodeJS.Signals): void => {
      for (const p of left) {
        if (!isRunning(p)) continue;
        try {
          process.kill(p.pid, sig);
        } catch {
          // gone meanwhile
        }
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (left.some(isRunning) && Date.now() < deadline) await sleep(100);
    signal('SIGKILL');
    while (left.some(isRunning) && Date.now() < deadline + 2000) await sleep(50);
    return left;
  }
}

/**
 * A running process that is not our child (we cannot wait for it), as a RunningProcess: its end is
 * noticed by polling /proc, and stop() signals it, then SIGKILL after `graceMs`.
 */
export function adoptProcess(pid: number, stopSignal: NodeJS.Signals, graceMs: number): RunningProcess {
  const info = readProcess(pid);
  if (!info || !isRunning(info)) throw new Error(`process ${pid} is not running`);
  const exited = new Promise<Exit>((resolve) => {
    const timer = setInterval(() => {
      if (isRunning(info)) return;
      clearInterval(timer);
      resolve({ code: null, signal: null });
    }, 250).unref();
  });
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (isRunning(info)) process.kill(pid, sig);
    } catch {
      // gone meanwhile
    }
  };
  return {
    pid,
    exited,
    stop: async () => {
      signal(stopSignal);
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
