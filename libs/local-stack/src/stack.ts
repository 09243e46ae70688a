import { randomBytes } from 'node:crypto';
import { type RunningProcess } from './child-process';
import { ProcessTracker } from './process-tree';
import { DEFAULT_RESTART_POLICY, type RestartPolicy, type Supervised, Supervisor } from './supervisor';

/** Every process the stack starts carries this variable; the final sweep finds them by it. */
export const STACK_ID_ENV = 'HIVEMIND_STACK_ID';

/**
 * What `npm run up` runs: supervised processes (restarted when they crash, see Supervisor) and
 * other things to undo, stopped in the reverse order of their start. Stopping ends with a sweep:
 * any process that ever ran below us, or carries our STACK_ID_ENV, and still runs is ended, so
 * nothing of the stack outlives it (a database restarted by hand, a task of a killed worker).
 */
export class Stack {
  readonly id = randomBytes(8).toString('hex');
  private readonly stops: Array<() => Promise<void>> = [];
  private readonly supervisors: Supervisor<RunningProcess>[] = [];
  private readonly tracker: ProcessTracker;
  private stopping?: Promise<void>;

  constructor(
    private readonly log: (line: string) => void,
    /** A supervisor gave up: by default, one line and the whole stack stops (exit code 1). */
    private readonly onGiveUp: (line: string, stack: Stack) => void = (line, stack) => {
      log(`${line}; stopping the stack`);
      void stack.stop().then(() => process.exit(1));
    },
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {
    // inherited by every child (they get process.env) and by their own children
    process.env[STACK_ID_ENV] = this.id;
    this.tracker = new ProcessTracker({ key: STACK_ID_ENV, value: this.id });
    this.tracker.watch();
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Runs `stop` when the stack stops (before what was registered earlier). */
  onStop(stop: () => Promise<void>): void {
    this.stops.unshift(stop);
  }

  /** Starts `spec` under a supervisor and resolves once it is ready; stopped with the stack. */
  async supervise<T extends RunningProcess>(spec: Supervised<T>): Promise<T> {
    if (this.stopping) throw new Error(`not starting ${spec.name}: the stack is stopping`);
    const supervisor = new Supervisor<T>(spec, this.log, (line) => this.onGiveUp(line, this), this.policy);
    this.supervisors.push(supervisor);
    this.onStop(() => supervisor.stop());
    return supervisor.start();
  }

  /** The pids each supervised process has had, restarts included. */
  pids(): Record<string, number[]> {
    return Object.fromEntries(this.supervisors.map((s) => [s.name, [...s.pids]]));
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    for (const supervisor of this.supervisors) supervisor.halt(); // no restart while we stop
    this.tracker.snapshot();
    // what registers while we stop (a start that was under way) is stopped too
    for (let stop = this.stops.shift(); stop; stop = this.stops.shift()) {
      await stop().catch((error: Error) => this.log(`while stopping: ${error.message}`));
    }
    this.tracker.stopWatching();
    const left = await this.tracker.sweep();
    if (left.length) {
      this.log(
        `ended ${left.length} process(es) left behind: ${left.map((p) => `${p.command} (pid ${p.pid})`).join(', ')}`,
      );
    }
  }
}
