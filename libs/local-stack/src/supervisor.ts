import pRetry from 'p-retry';
import { type RunningProcess, describeExit, sleep } from './child-process';

/** How a supervisor restarts what crashed (docs/ARCHITECTURE.md, "The local stack"). */
export interface RestartPolicy {
  /** The wait before the first restart; each further one waits twice as long … */
  firstDelayMs: number;
  /** … up to this. */
  maxDelayMs: number;
  /** A restart that stays up this long has healed: its next crash starts the backoff over. */
  stableMs: number;
  /** Restarts in a row that each crash within `stableMs` before the supervisor gives up. */
  maxRestarts: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 30000,
  stableMs: 30000,
  maxRestarts: 5,
};

export interface Supervised<T extends RunningProcess> {
  /** Names the process in every line: "worker", "PostgreSQL". */
  name: string;
  /**
   * Starts it and resolves once it is ready; rejects (having stopped what it started) when it does
   * not get ready or `signal` is aborted. `restart` is false for the first start.
   */
  start(signal: AbortSignal, restart: boolean): Promise<T>;
}

/** One crash of a restarted process, as the message of the line that reports it. */
class Crash extends Error {}

const seconds = (ms: number): string =>
  ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;

/**
 * Keeps one process running: when it exits it is restarted with exponential backoff (p-retry),
 * with a line naming it, how it ended and when the next try is. After `maxRestarts` quick crashes
 * in a row it gives up: `onGiveUp` gets one line saying why.
 */
export class Supervisor<T extends RunningProcess> {
  /** Every pid it ran, restarts included. */
  readonly pids: number[] = [];
  private current?: T;
  /** When `current` started. */
  private since = 0;
  private starting?: Promise<T>;
  private watching?: Promise<void>;
  private readonly halted = new AbortController();

  constructor(
    private readonly spec: Supervised<T>,
    private readonly log: (line: string) => void,
    private readonly onGiveUp: (line: string) => void,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** What runs now (undefined between a crash and its restart). */
  get running(): T | undefined {
    return this.current;
  }

  /** The first start: a failure here is not retried, the caller reports it. */
  async start(): Promise<T> {
    this.halted.signal.throwIfAborted();
    this.starting = this.spec.start(this.halted.signal, false);
    const first = await this.starting;
    this.took(first);
    this.log(`${this.name} is up (pid ${first.pid})`);
    this.watching = this.watch(first);
    return first;
  }

  /** No more restarts (a pending one is abandoned); what runs keeps running until stop(). */
  halt(): void {
    this.halted.abort(new Error(`${this.name}: stopping`));
  }

  async stop(): Promise<void> {
    this.halt();
    await this.starting?.catch(() => undefined); // an aborted start stops what it started
    await this.watching;
    await this.current?.stop();
  }

  private took(process: T): void {
    this.current = process;
    this.since = Date.now();
    this.pids.push(process.pid);
  }

  private async watch(first: T): Promise<void> {
    const halted = this.halted.signal;
    const { firstDelayMs, maxDelayMs, maxRestarts, stableMs } = this.policy;
    let running = first;
    for (;;) {
      const exit = await Promise.race([running.exited, sleepUntilAborted(halted)]);
      if (halted.aborted || !exit) return;
      this.current = undefined;
      this.log(
        `${this.name} (pid ${running.pid}) ${describeExit(exit)} after ${seconds(Date.now() - this.since)}; restarting it in ${seconds(firstDelayMs)}`,
      );
      let last = '';
      try {
        await sleep(firstDelayMs, halted);
        running = await pRetry(() => this.restart(halted), {
          retries: maxRestarts - 1,
          minTimeout: firstDelayMs * 2,
          factor: 2,
          maxTimeout: maxDelayMs,
          signal: halted,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft, retryDelay }) => {
            last = error.message;
            if (retriesLeft > 0)
              this.log(
                `${error.message}; next try in ${seconds(retryDelay)} (restart ${attemptNumber + 1} of ${maxRestarts})`,
              );
          },
        });
      } catch {
        if (halted.aborted) return;
        this.onGiveUp(
          `${this.name} crashed ${maxRestarts} times in a row, each within ${seconds(stableMs)} of its restart (last: ${last}): giving up on it`,
        );
        return;
      }
    }
  }

  /** One restart: it counts as healed once it has stayed up for `stableMs`. */
  private async restart(halted: AbortSignal): Promise<T> {
    let next: T;
    try {
      next = await this.spec.start(halted, true);
    } catch (error) {
      halted.throwIfAborted();
      throw new Crash(`${this.name} did not start again: ${(error as Error).message}`);
    }
    this.took(next);
    this.log(`${this.name} restarted (pid ${next.pid})`);
    const early = await Promise.race([
      next.exited,
      sleep(this.policy.stableMs, halted).then(() => undefined),
    ]);
    if (early) {
      this.current = undefined;
      throw new Crash(
        `${this.name} (pid ${next.pid}) ${describeExit(early)} ${seconds(Date.now() - this.since)} after its restart`,
      );
    }
    return next;
  }
}

/** Never resolves with a value; resolves undefined once `signal` is aborted. */
function sleepUntilAborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(undefined);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}
