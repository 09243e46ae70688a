import { Logger } from '@nestjs/common';
import type { ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogSink, LogStream, RunHandle, RunResult } from './executor';
import { groupMembers, groupUsage, signalGroup } from './procfs';

// A task the process executor started: its process group (signalled as a whole, ended as a whole
// once the main process exits, as a container's would be), its two output pipes and its usage.

export type TaskProcess = ChildProcessByStdio<null, Readable, Readable> & { pid: number };

const SAMPLE_MS = 500;
const POLL_MS = 100;
// /proc reports CPU time in USER_HZ, which Linux fixes at 100 on every architecture Node runs on.
const CLOCK_TICKS_PER_S = 100;

const logger = new Logger('ProcessExecutor');

/** A started task: its process group, its output pipes and its usage. */
export class ProcessRun implements RunHandle {
  readonly id: string;
  readonly done: Promise<RunResult>;
  private readonly pgid: number;
  private readonly problems: string[] = [];
  private groupGone = false;
  private finished = false;
  private stopping?: Promise<void>;

  constructor(
    child: TaskProcess,
    sink: LogSink,
    private readonly killGraceS: number,
    private readonly forget: () => Promise<void>,
  ) {
    this.pgid = child.pid;
    this.id = String(child.pid);
    const report = (problem: string) => this.problems.push(problem);
    // not events.once: it rejects on 'error', which a started child emits only when signalling fails
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    child.on('error', (error) => report(error.message));
    const pipes = [
      new OutputPipe(child.stdout, 'stdout', sink, report),
      new OutputPipe(child.stderr, 'stderr', sink, report),
    ];
    this.done = this.follow(exited, pipes).finally(() => {
      this.finished = true;
    });
  }

  stop(graceS: number): Promise<void> {
    this.stopping ??= this.terminate(graceS);
    return this.stopping;
  }

  async remove(): Promise<void> {
    if (!this.finished) {
      this.signal('SIGKILL');
      await this.done;
    }
    await this.forget();
  }

  private async terminate(graceS: number): Promise<void> {
    this.signal('SIGTERM');
    const kill = setTimeout(() => this.signal('SIGKILL'), graceS * 1000);
    try {
      await this.done;
    } finally {
      clearTimeout(kill);
    }
  }

  private async follow(
    exited: Promise<[number | null, NodeJS.Signals | null]>,
    pipes: OutputPipe[],
  ): Promise<RunResult> {
    const startedAt = Date.now();
    const usage = new UsageSampler(this.pgid);
    const [code, signal] = await exited;
    try {
      await this.endStragglers();
      await this.drain(pipes);
    } catch (error) {
      this.problems.push(`ending the run: ${(error as Error).message}`);
    }
    return {
      exitCode: code ?? 128 + (signal ? osConstants.signals[signal] : 0),
      oomKilled: false,
      durationMs: Date.now() - startedAt,
      ...usage.stop(),
      ...(this.problems.length > 0 ? { error: this.problems.join('; ') } : {}),
    };
  }

  /** Like a container whose main process ended: what is left of the group is stopped too. */
  private async endStragglers(): Promise<void> {
    const deadline = Date.now() + this.killGraceS * 1000;
    let signalled = false;
    while ((await groupMembers(this.pgid)).length > 0) {
      if (!signalled) this.signal('SIGTERM');
      if (Date.now() >= deadline) this.signal('SIGKILL');
      signalled = true;
      await sleep(POLL_MS);
    }
    this.groupGone = true;
  }

  /**
   * Waits for both pipes to end. Once the group is gone only a process that left it (setsid) can
   * still hold them open; when they stay open with nothing waiting on the sink, stop reading.
   */
  private async drain(pipes: OutputPipe[]): Promise<void> {
    const ended = Promise.all(pipes.map((p) => p.ended));
    for (;;) {
      if (await settlesWithin(ended, this.killGraceS * 1000)) return;
      if (pipes.some((p) => p.waitingForSink)) continue;
      this.problems.push(
        "a process that left the task's process group kept its output open; stopped reading it",
      );
      for (const pipe of pipes) pipe.abandon();
      await ended;
      return;
    }
  }

  private signal(sig: NodeJS.Signals): void {
    // once the group is gone its number may be reused by someone else's group
    if (!this.groupGone) signalGroup(this.pgid, sig);
  }
}

/** One output pipe into the sink, paused while the sink is saturated. */
class OutputPipe {
  readonly ended: Promise<void>;
  private waiting = false;

  constructor(
    private readonly stream: Readable,
    name: LogStream,
    private readonly sink: LogSink,
    private readonly report: (problem: string) => void,
  ) {
    this.ended = new Promise((resolve) => stream.once('close', () => resolve()));
    stream.on('error', (error: Error) => report(`reading ${name}: ${error.message}`));
    stream.on('data', (chunk: Buffer) => {
      sink.write(name, chunk);
      if (sink.saturated && !this.waiting) this.holdUntilDrained();
    });
  }

  get waitingForSink(): boolean {
    return this.waiting;
  }

  abandon(): void {
    this.stream.destroy();
  }

  private holdUntilDrained(): void {
    this.waiting = true;
    this.stream.pause();
    void this.sink
      .waitDrain()
      .catch((error: Error) => this.report(`log sink: ${error.message}`))
      .finally(() => {
        this.waiting = false;
        this.stream.resume();
      });
  }
}

/** CPU ticks of this process's reaped children (cutime + cstime of /proc/self/stat). */
function reapedChildTicks(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ", field 3 (state) is index 0: cutime is field 16, cstime field 17
    return Number(fields[13]) + Number(fields[14]) || 0;
  } catch {
    return 0;
  }
}

/** Samplers of runs in progress; a run that overlapped another cannot tell its reaped CPU from theirs. */
const activeSamplers = new Set<UsageSampler>();

/**
 * CPU time and memory of the whole group, sampled from /proc (best effort: no cgroup here). The
 * last half second before the group ends falls between samples (more under load), so a run that
 * had the worker to itself also counts what the kernel adds to our reaped children's CPU time once
 * its processes are reaped, and reports the larger of the two.
 */
class UsageSampler {
  private peakTicks = 0;
  private peakRssKb = 0;
  private sampling = false;
  private overlapped = activeSamplers.size > 0;
  private readonly reapedAtStart = reapedChildTicks();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pgid: number) {
    for (const other of activeSamplers) other.overlapped = true;
    activeSamplers.add(this);
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
    void this.sample();
  }

  stop(): { cpuSeconds: number; peakMemoryMb: number } {
    clearInterval(this.timer);
    activeSamplers.delete(this);
    const reaped = this.overlapped ? 0 : reapedChildTicks() - this.reapedAtStart;
    return {
      cpuSeconds: Math.max(this.peakTicks, reaped) / CLOCK_TICKS_PER_S,
      peakMemoryMb: Math.round((this.peakRssKb / 1024) * 10) / 10,
    };
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const { ticks, rssKb } = await groupUsage(this.pgid);
      this.peakTicks = Math.max(this.peakTicks, ticks);
      this.peakRssKb = Math.max(this.peakRssKb, rssKb);
    } catch (error) {
      logger.warn(`usage of process group ${this.pgid}: ${(error as Error).message}`);
    } finally {
      this.sampling = false;
    }
  }
}

/** True when `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
