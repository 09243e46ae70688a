// How the worker learns that a container has ended. The engine's `wait` is the fast path, but it can
// miss an exit: a wait with `condition: next-exit` that reaches the engine after a short-lived
// container has already exited waits for the *next* exit, which never comes (two HTTP connections,
// no ordering between them; seen under load about once in a hundred `true` runs, and the cause of an
// attempt that stayed RUNNING for minutes). So the watch also inspects the container every few
// seconds, and at once when something hints at an end (the log stream ended, a stop was answered):
// whichever notices first wins, and a vanished container counts as ended.

/** What an inspection of the container says, reduced to what the watch decides on. */
export type InspectedState =
  { found: false } | { found: true; running: boolean; status: string; exitCode: number };

/** The watch's verdict on one inspection. */
export type ExitVerdict = 'running' | 'exited' | 'gone';

/**
 * Running, ended, or gone. `paused` and `restarting` still hold the slot; `created` after a start
 * means the process never ran (or the engine reset it) and `removing` / `dead` are on their way out:
 * all ended, so nothing waits for an exit that will not come.
 */
export function verdictOf(state: InspectedState): ExitVerdict {
  if (!state.found) return 'gone';
  if (
    state.running ||
    state.status === 'running' ||
    state.status === 'paused' ||
    state.status === 'restarting'
  )
    return 'running';
  return 'exited';
}

/** How the end was noticed, for the run's result and the log. */
export interface ExitSeen {
  how: 'wait' | 'inspect' | 'gone';
  /** From the engine (wait or inspection); undefined when the container vanished. */
  exitCode?: number;
}

/** The container calls the watch makes (a dockerode Container fits). */
export interface WatchedContainer {
  wait(options: { condition: 'not-running' }): Promise<unknown>;
  inspect(): Promise<{ State: { Running: boolean; Status: string; ExitCode: number } }>;
}

export interface ExitWatchOptions {
  /** Between two inspections while nothing else has noticed the end. */
  pollMs: number;
  /** Longest an inspection may take before it counts as unanswered (tried again next time). */
  inspectTimeoutMs: number;
  /**
   * Told when the engine's wait missed the end: it failed, or it had still not answered
   * `waitGraceMs` after an inspection found the container ended (an inspection prompted by the end
   * of the log stream often answers a moment before the wait: that is no miss).
   */
  onMissedWait?: (seen: ExitSeen, waitError?: string) => void;
  waitGraceMs?: number;
}

const WAIT_GRACE_MS = 5000;

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/** Watches one started container until it has ended; `exited` resolves once, and never rejects. */
export class ExitWatch {
  readonly exited: Promise<ExitSeen>;
  private resolve!: (seen: ExitSeen) => void;
  private settled = false;
  private timer?: NodeJS.Timeout;
  private inspecting = false;
  private again = false;
  private waitError?: string;
  private waitAnswered = false;

  constructor(
    private readonly container: WatchedContainer,
    private readonly opts: ExitWatchOptions,
  ) {
    this.exited = new Promise((resolve) => (this.resolve = resolve));
    // `not-running` answers at once for a container that has already ended, so (unlike next-exit)
    // it cannot miss an exit that happened before the request arrived
    container.wait({ condition: 'not-running' }).then(
      (answer) => {
        this.waitAnswered = true;
        const code = (answer as { StatusCode?: number } | undefined)?.StatusCode;
        this.settle({ how: 'wait', ...(typeof code === 'number' ? { exitCode: code } : {}) });
      },
      (error: Error) => {
        // the wait's connection broke or the engine refused it: inspection carries on alone
        this.waitError = error.message;
        this.poke();
      },
    );
    this.schedule();
  }

  /** Inspects now (something suggests the container has ended). */
  poke(): void {
    if (this.settled) return;
    if (this.inspecting) {
      this.again = true;
      return;
    }
    void this.inspect();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.settled) return;
    this.timer = setTimeout(() => this.poke(), this.opts.pollMs);
    this.timer.unref(); // a worker shutting down leaves its containers (and their watches) behind
  }

  private async inspect(): Promise<void> {
    this.inspecting = true;
    try {
      const state = await this.inspected();
      if (!state) return;
      const verdict = verdictOf(state);
      if (verdict === 'running') return;
      const seen: ExitSeen =
        verdict === 'gone'
          ? { how: 'gone' }
          : { how: 'inspect', exitCode: state.found ? state.exitCode : undefined };
      if (!this.settled) this.watchTheWait(seen);
      this.settle(seen);
    } finally {
      this.inspecting = false;
      if (this.again) {
        this.again = false;
        this.poke();
      } else this.schedule();
    }
  }

  /** The container's state; undefined when the engine did not answer in time (tried again later). */
  private async inspected(): Promise<InspectedState | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const info = await Promise.race([
        this.container.inspect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('inspect timed out')), this.opts.inspectTimeoutMs);
        }),
      ]);
      return {
        found: true,
        running: info.State.Running,
        status: info.State.Status,
        exitCode: info.State.ExitCode,
      };
    } catch (error) {
      return statusOf(error) === 404 ? { found: false } : undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** After an end found by inspection: whether the engine's wait follows (no miss) or not. */
  private watchTheWait(seen: ExitSeen): void {
    const missed = this.opts.onMissedWait;
    if (!missed) return;
    if (this.waitError !== undefined) return missed(seen, this.waitError);
    const timer = setTimeout(() => {
      if (!this.waitAnswered) missed(seen, this.waitError);
    }, this.opts.waitGraceMs ?? WAIT_GRACE_MS);
    timer.unref();
  }

  private settle(seen: ExitSeen): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(seen);
  }
}
