import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type RunningAttemptView } from '@hivemind/contracts';
import type { ExecuteTaskRequest__Output, StopTaskExecutionRequest__Output } from '@hivemind/contracts/grpc';
import { WorkerConfig } from '../config/worker.config';
import { MachineMonitor } from '../machine/machine-monitor';
import { PoolClient } from '../pool/pool-client';
import { AttemptHistory } from './attempt-history';
import { AttemptRunner, type RunnerContext } from './attempt-runner';
import { EXECUTOR, type Executor } from './executor';
import { slotDecision } from './slots';
import { WorkspaceQuota } from './workspace-quota.repository';

/**
 * Seconds between ReportRunningStatus calls of a running attempt (its CPT so far; stops come on the
 * push stream at once, this is the fallback). Heartbeats, not these, keep the node alive.
 */
const RUNNING_REPORT_S = 30;

/** One attempt as the local status API shows it. */
export type AttemptView = RunningAttemptView;

/** Attempts whose end the pool has, remembered so that a late copy of their push is not run again. */
const ENDED_MEMORY = 1024;

/**
 * The attempts this node runs: starts a runner for each pushed attempt, stops them on the pool's or
 * the operator's word, and after a restart takes back what an earlier process left (containers by
 * label, attempt folders) before the node reconnects, so that the pool hears which attempts still
 * run here.
 *
 * Never more than MAX_CONCURRENT_TASKS runs at once: an attempt holds a slot until its container and
 * workspace are gone (see AttemptRunner). The pool frees a slot when it takes an attempt's report —
 * after the runner let it go — or at once when it stops an attempt (a cancel, a loss); an attempt
 * pushed while a stopped one is still being killed waits here for that slot, and is listed in the
 * heartbeats meanwhile like any other.
 */
@Injectable()
export class Supervisor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(Supervisor.name);
  private readonly runners = new Map<string, AttemptRunner>();
  /** Pushed attempts waiting for a slot, in the order they came. */
  private readonly waiting = new Map<string, { request: ExecuteTaskRequest__Output; receivedAt: string }>();
  private readonly ended = new Set<string>();
  private readonly shutdown = new AbortController();
  private readonly ctx: RunnerContext;
  /** Finished attempts and output tails, for the worker console. */
  readonly history = new AttemptHistory();

  constructor(
    private readonly config: WorkerConfig,
    pool: PoolClient,
    @Inject(EXECUTOR) readonly executor: Executor,
    monitor: MachineMonitor,
    readonly quota: WorkspaceQuota,
  ) {
    const t = config.tasks;
    this.ctx = {
      nodeName: config.nodeId,
      pool,
      executor,
      attemptsDir: join(config.workDir, 'attempts'),
      runtimeImage: t.runtimeImage,
      pidsLimit: t.pidsLimit,
      taskUser: t.user,
      inputLimits: { maxFiles: t.inputMaxFiles, maxBytes: t.inputMaxBytes },
      stopGraceS: t.stopGraceS,
      quota,
      runningReportS: RUNNING_REPORT_S,
      shutdown: this.shutdown.signal,
      logTail: (attemptId, taskId) => this.history.tailOf(attemptId, taskId),
      usage: () => {
        const now = monitor.current();
        return { cpuPercent: now.cpu_percent, memoryPercent: now.memory_percent };
      },
    };
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.ctx.attemptsDir, { recursive: true });
    await this.recover();
  }

  onApplicationShutdown(): void {
    // runs keep going; the next start of this worker takes them back (see recover)
    this.shutdown.abort();
  }

  /** What the node runs (or holds waiting for a slot), for heartbeats and for Connect. */
  runningAttemptIds(): string[] {
    return [...this.runners.keys(), ...this.waiting.keys()];
  }

  get running(): number {
    return this.runners.size + this.waiting.size;
  }

  /** Slots in use: runs (or their workspaces) that exist now. */
  slotsInUse(): number {
    let n = 0;
    for (const runner of this.runners.values()) if (runner.holdsSlot) n++;
    return n;
  }

  execute(request: ExecuteTaskRequest__Output): void {
    const id = request.attempt_id;
    // re-sent on reconnect or by the reconciler: already ours, or already ended and reported
    if (this.runners.has(id) || this.waiting.has(id) || this.ended.has(id)) return;
    const max = this.config.limits.concurrentTasks;
    const inUse = this.slotsInUse();
    const finishing = [...this.runners.values()].filter((r) => r.holdsSlot && r.leavingSlot).length;
    const decision = slotDecision({ max, inUse, finishing, waiting: this.waiting.size });
    if (decision === 'start') {
      this.begin(request);
      return;
    }
    if (decision === 'beyond') {
      this.logger.warn(
        `attempt ${id} pushed beyond MAX_CONCURRENT_TASKS (${max}): it waits for a slot (${inUse} in use)`,
      );
    } else if (decision === 'wait') {
      this.logger.debug(
        `attempt ${id} waits for a slot: ${finishing} ended or stopped attempt(s) still being removed`,
      );
    }
    this.waiting.set(id, { request, receivedAt: new Date().toISOString() });
    this.startWaiting();
  }

  stop(command: StopTaskExecutionRequest__Output): void {
    const id = command.attempt_id;
    const reason = command.reason || 'the pool asked';
    if (this.waiting.delete(id)) {
      this.logger.log(`attempt ${id}: stop before it started (${reason})`);
      return;
    }
    const runner = this.runners.get(id);
    // not (or no longer) here: nothing to do, and the heartbeats, which do not list it, say so
    if (!runner) {
      this.logger.debug(`attempt ${id}: stop for an attempt this node does not run (${reason})`);
      return;
    }
    if (runner.finishing) return; // already stopping: the first stop ends it in bounded time
    this.logger.log(`attempt ${id}: stop (${reason})`);
    runner.stopByPool(reason);
  }

  /** The operator's stop (local API), by attempt id or task id; false when nothing matches. */
  stopLocally(id: string): boolean {
    const matching = [...this.runners.values()].filter(
      (r) => r.request.attempt_id === id || r.request.task_id === id,
    );
    for (const runner of matching) runner.stopByOperator();
    // one that has not started yet starts now and ends at once, reported as the node's failure
    const queued = [...this.waiting.values()].filter(
      (w) => w.request.attempt_id === id || w.request.task_id === id,
    );
    for (const { request } of queued) {
      this.waiting.delete(request.attempt_id);
      this.begin(request).stopByOperator();
    }
    return matching.length + queued.length > 0;
  }

  list(): AttemptView[] {
    const now = Date.now();
    const queued = [...this.waiting.values()].map(({ request, receivedAt }): AttemptView => ({
      attempt_id: request.attempt_id,
      task_id: request.task_id,
      shard_index: request.shard_index,
      status: 'waiting for a slot',
      image: request.image || this.ctx.runtimeImage,
      received_at: receivedAt,
      start_time: null,
      elapsed: 0,
      cpt_reward: '0',
      resources: {
        cpu_millicores: request.cpu_millicores,
        memory_mb: request.memory_mb,
        storage_mb: request.storage_mb,
      },
    }));
    const runs = [...this.runners.values()].map((r): AttemptView => ({
      attempt_id: r.request.attempt_id,
      task_id: r.request.task_id,
      shard_index: r.request.shard_index,
      status: r.status,
      image: r.request.image || this.ctx.runtimeImage,
      received_at: r.receivedAt,
      start_time: r.startedAt ?? null,
      elapsed: r.startedAt ? Math.round((now - Date.parse(r.startedAt)) / 1000) : 0,
      cpt_reward: r.cptReward,
      resources: {
        cpu_millicores: r.request.cpu_millicores,
        memory_mb: r.request.memory_mb,
        storage_mb: r.request.storage_mb,
      },
    }));
    return [...runs, ...queued];
  }

  /** Resources the running attempts hold. */
  held(): { cpuMillicores: number; memoryMb: number } {
    let cpuMillicores = 0;
    let memoryMb = 0;
    for (const r of this.runners.values()) {
      cpuMillicores += r.request.cpu_millicores;
      memoryMb += r.request.memory_mb;
    }
    return { cpuMillicores, memoryMb };
  }

  private begin(request: ExecuteTaskRequest__Output): AttemptRunner {
    this.logger.log(
      `attempt ${request.attempt_id} of task ${request.task_id} (shard ${request.shard_index})`,
    );
    const runner = AttemptRunner.begin(this.ctx, request);
    this.track(runner);
    return runner;
  }

  private track(runner: AttemptRunner): void {
    const id = runner.request.attempt_id;
    this.runners.set(id, runner);
    void runner.slotReleased.then(() => this.startWaiting());
    void runner.done.finally(() => {
      if (this.runners.get(id) === runner) this.runners.delete(id);
      // a shutdown leaves the attempt to the next start: it has not finished
      if (!this.shutdown.signal.aborted) {
        const { status, exitCode, error } = runner.outcome;
        this.history.finish({
          attempt_id: id,
          task_id: runner.request.task_id,
          status,
          exit_code: exitCode,
          started_at: runner.startedAt ?? null,
          finished_at: new Date().toISOString(),
          ...(error ? { error } : {}),
        });
      }
      if (runner.acknowledged) this.remember(id);
      this.startWaiting();
    });
  }

  /** Starts waiting attempts while slots are free (a slot was let go). */
  private startWaiting(): void {
    if (this.shutdown.signal.aborted) return;
    for (const [id, { request }] of this.waiting) {
      if (this.slotsInUse() >= this.config.limits.concurrentTasks) return;
      this.waiting.delete(id);
      this.begin(request);
    }
  }

  private remember(id: string): void {
    this.ended.add(id);
    if (this.ended.size > ENDED_MEMORY) this.ended.delete(this.ended.values().next().value!);
  }

  private async recover(): Promise<void> {
    const leftovers = new Map(
      (await this.executor.leftovers(this.config.nodeId)).map((l) => [l.attemptId, l] as const),
    );
    for (const name of await readdir(this.ctx.attemptsDir)) {
      const dir = join(this.ctx.attemptsDir, name);
      const state = await AttemptRunner.readState(dir);
      const leftover = leftovers.get(name);
      leftovers.delete(name);
      if (!state || state.phase === 'preparing') {
        // nothing ran yet: the pool re-sends it (or declares it lost); start from scratch then
        if (leftover) await this.executor.discard(leftover);
        await this.quota.release(AttemptRunner.workspaceOf(dir)); // unmounted before rm goes into it
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      this.logger.log(
        `taking back attempt ${name} (${state.phase}${leftover ? `, run ${leftover.id.slice(0, 12)}` : ''})`,
      );
      this.track(await AttemptRunner.recover(this.ctx, dir, leftover));
    }
    // workspace file systems whose attempt is not taken back (a crash between mount and state)
    const kept = new Set([...this.runners.values()].map((r) => AttemptRunner.workspaceOf(r.dir)));
    for (const mount of await this.quota.sweep(this.ctx.attemptsDir, kept))
      this.logger.log(`unmounted ${mount}: no attempt takes it back`);
    for (const stray of leftovers.values()) {
      this.logger.log(
        `removing run ${stray.id.slice(0, 12)} of attempt ${stray.attemptId || '?'}: no record of it`,
      );
      await this.executor.discard(stray);
    }
  }
}
