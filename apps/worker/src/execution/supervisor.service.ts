import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ExecuteTaskRequest__Output, StopTaskExecutionRequest__Output } from '@hivemind/contracts/grpc';
import { WorkerConfig } from '../config/worker.config';
import { MachineMonitor } from '../machine/machine-monitor';
import { PoolClient } from '../pool/pool-client';
import { AttemptRunner, type RunnerContext } from './attempt-runner';
import { EXECUTOR, type Executor } from './executor';
import { WorkspaceQuota } from './workspace-quota.repository';

/**
 * Seconds between ReportRunningStatus calls of a running attempt (its CPT so far; stops come on the
 * push stream at once, this is the fallback). Heartbeats, not these, keep the node alive.
 */
const RUNNING_REPORT_S = 30;

/** One attempt as the local status API shows it. */
export interface AttemptView {
  attempt_id: string;
  task_id: string;
  shard_index: number;
  status: string;
  image: string;
  received_at: string;
  start_time: string | null;
  elapsed: number;
  cpt_reward: string;
  resources: { cpu_millicores: number; memory_mb: number; storage_mb: number };
}

/**
 * The attempts this node runs: starts a runner for each pushed attempt, stops them on the pool's or
 * the operator's word, and after a restart takes back what an earlier process left (containers by
 * label, attempt folders) before the node reconnects, so that the pool hears which attempts still
 * run here.
 */
@Injectable()
export class Supervisor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(Supervisor.name);
  private readonly runners = new Map<string, AttemptRunner>();
  private readonly shutdown = new AbortController();
  private readonly ctx: RunnerContext;

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

  /** What the node runs, for heartbeats and for Connect. */
  runningAttemptIds(): string[] {
    return [...this.runners.keys()];
  }

  get running(): number {
    return this.runners.size;
  }

  execute(request: ExecuteTaskRequest__Output): void {
    if (this.runners.has(request.attempt_id)) return; // re-sent on reconnect: already ours
    if (this.runners.size >= this.config.limits.concurrentTasks) {
      this.logger.warn(
        `attempt ${request.attempt_id} pushed beyond MAX_CONCURRENT_TASKS (${this.config.limits.concurrentTasks}): running it, the pool's accounting is the truth`,
      );
    }
    this.logger.log(
      `attempt ${request.attempt_id} of task ${request.task_id} (shard ${request.shard_index})`,
    );
    this.track(AttemptRunner.begin(this.ctx, request));
  }

  stop(command: StopTaskExecutionRequest__Output): void {
    const runner = this.runners.get(command.attempt_id);
    if (!runner) return;
    this.logger.log(`attempt ${command.attempt_id}: stop (${command.reason || 'the pool asked'})`);
    runner.stopByPool(command.reason || 'the pool asked');
  }

  /** The operator's stop (local API), by attempt id or task id; false when nothing matches. */
  stopLocally(id: string): boolean {
    const matching = [...this.runners.values()].filter(
      (r) => r.request.attempt_id === id || r.request.task_id === id,
    );
    for (const runner of matching) runner.stopByOperator();
    return matching.length > 0;
  }

  list(): AttemptView[] {
    const now = Date.now();
    return [...this.runners.values()].map((r) => ({
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

  private track(runner: AttemptRunner): void {
    const id = runner.request.attempt_id;
    this.runners.set(id, runner);
    void runner.done.finally(() => {
      if (this.runners.get(id) === runner) this.runners.delete(id);
    });
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
