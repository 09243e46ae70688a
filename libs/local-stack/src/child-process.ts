import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** Spawns a long-running server whose output goes to a log file. */
export function spawnLogged(
  command: string,
  args: string[],
  logFile: string,
  options: SpawnOptions = {},
): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    return spawn(command, args, { ...options, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

/** The last lines of a log file, for an error message a person can act on. */
export function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** How a process ended: an exit code, or the signal that ended it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function describeExit({ code, signal }: Exit): string {
  if (signal) return `was killed by ${signal}`;
  return code === null ? 'ended' : `exited with code ${code}`; // null, null: an adopted process
}

/** Settles once the child has exited (at once when it already has). */
export function exitOf(child: ChildProcess): Promise<Exit> {
  if (hasExited(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * A process we are responsible for: our child, or a server we adopted (see PostgresServer.adopt).
 * The supervisor watches `exited` and ends it with `stop()`.
 */
export interface RunningProcess {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  stop(): Promise<void>;
}

/** Signals a child and waits for it to exit, escalating to SIGKILL after `graceMs`. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 15000,
): Promise<void> {
  if (hasExited(child)) return;
  const exited = exitOf(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A child as a RunningProcess, stopped with `signal` (then SIGKILL after `graceMs`). */
export function runningChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): RunningProcess {
  if (child.pid === undefined) throw new Error(`${child.spawnfile} did not start`);
  return { pid: child.pid, exited: exitOf(child), stop: () => stopChild(child, signal, graceMs) };
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Polls `probe` until it resolves true, failing early when `child` exits, when `signal` is
 * aborted, and after `timeoutMs`. `describe` turns the failure into a message naming what did not
 * come up and why.
 */
export async function waitUntil(
  probe: () => Promise<boolean>,
  {
    timeoutMs,
    child,
    signal,
    describe,
  }: { timeoutMs: number; child?: ChildProcess; signal?: AbortSignal; describe: () => string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (child && hasExited(child))
      throw new Error(`${describe()} (the process exited with ${child.exitCode ?? child.signalCode})`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${describe()} (not ready after ${Math.round(timeoutMs / 1000)} s)`);
    await sleep(100, signal);
  }
}

/** Runs `ready` for a process just started; stops the process when it never gets ready. */
export async function readyOrStopped<T extends RunningProcess>(
  started: T,
  ready: () => Promise<void>,
): Promise<T> {
  try {
    await ready();
    return started;
  } catch (error) {
    await started.stop().catch(() => undefined);
    throw error;
  }
}
