import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import pRetry, { AbortError } from 'p-retry';
import { secretMasker, type ResultEntry } from '@hivemind/contracts';
import type { ExecuteTaskRequest__Output } from '@hivemind/contracts/grpc';
import { LABELS, MissingImageError } from '../docker/docker-executor';
import {
  FencedOffError,
  isTransient,
  isUnauthenticated,
  refOf,
  type AttemptRef,
  type Completion,
  type PoolClient,
} from '../pool/pool-client';
import type { CreatedRun, Executor, LeftoverRun, RunHandle, RunResult, RunSpec } from './executor';
import { type FinishedAttempt, type LogTail } from './attempt-history';
import { LogSpool } from './log-spool';
import { resultDigest } from './result-digest';
import { quotaBytes, quotaFailure, quotaMb } from './storage-quota';
import { UnsafeArchiveError, handOverTree, ownerOf } from './workspace';
import { extractZipSafely } from './workspace-input';
import { zipOutputs } from './workspace-output';
import type { WorkspaceQuota } from './workspace-quota.repository';

/** What the runner keeps on disk (attempt.json) so a restarted worker can take the attempt back. */
export interface SavedAttempt {
  request: ExecuteTaskRequest__Output;
  phase: 'preparing' | 'running' | 'reporting';
  receivedAt: string;
  startedAt?: string;
  runId?: string;
  completion?: Completion;
}

export type AttemptStatus =
  'preparing' | 'downloading' | 'starting' | 'running' | 'uploading' | 'reporting' | 'stopping' | 'done';

/** Who asked an attempt to stop, and why. */
interface StopReason {
  by: 'pool' | 'operator' | 'timeout' | 'quota';
  reason: string;
}

/** What a runner needs from the worker around it. */
export interface RunnerContext {
  nodeName: string;
  pool: PoolClient;
  executor: Executor;
  /** Folder under which each attempt has its own (WORK_DIR/attempts). */
  attemptsDir: string;
  runtimeImage: string;
  pidsLimit: number;
  /** uid:gid the workspace is handed to when the worker runs as root. */
  taskUser: string;
  inputLimits: { maxFiles: number; maxBytes: number };
  stopGraceS: number;
  /** Makes each workspace a file system of storage_mb (or walks it): see storage-quota.ts. */
  quota: WorkspaceQuota;
  /** Seconds between ReportRunningStatus calls while the attempt runs. */
  runningReportS: number;
  /** Aborted when the worker shuts down: retries stop, running containers are left to a restart. */
  shutdown: AbortSignal;
  /** Current machine use, sent with running reports. */
  usage(): { cpuPercent: number; memoryPercent: number };
  /** Where the attempt's output tail goes for the worker console (none in unit tests). */
  logTail?(attemptId: string, taskId: string): LogTail;
  /** STOP_SETTLE_MS unless given (tests shorten it). */
  stopSettleMs?: number;
}

const FILES = {
  state: 'attempt.json',
  logs: 'logs.jsonl',
  input: 'input.zip',
  output: 'output.zip',
  ws: 'ws',
};

/**
 * After a stop's grace period, how long the run may take to be seen ended before the runner gives
 * up on it: removes it by force and ends the attempt anyway. A stop always ends an attempt.
 */
const STOP_SETTLE_MS = 20_000;
/** Longest the runner waits for the engine to remove a run before it goes on without it. */
const REMOVE_TIMEOUT_MS = 30_000;

/** `promise`, or its signal's reason as soon as `signal` aborts (the promise is left to settle). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A bounded wait: `promise`, or `undefined` after `ms` (the promise is left to settle on its own). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One attempt on this node, from the pushed ExecuteTaskRequest to the acknowledged TaskCompleted:
 * fetch input → extract safely → run (executor) while logs stream → enforce timeout / stop → collect
 * and upload outputs → free the container and workspace → report → clean up. Each step's outcome is
 * saved in attempt.json before the next, so a restarted worker resumes where it was and never
 * reports a result twice.
 *
 * Slots: the runner holds one of the node's MAX_CONCURRENT_TASKS slots until its run's container
 * and workspace are gone (`slotReleased`). Their removal runs beside the TaskCompleted report — the
 * moment the pool frees the slot on its side — so an attempt the pool pushes into that slot waits
 * for the removal here (never two runs beyond the limit), and the result is not held up by it.
 *
 * Stops end an attempt in bounded time whatever it is doing: downloads, uploads and retries are
 * aborted, a start in progress is not waited for, and a run not seen ended within its grace period
 * plus STOP_SETTLE_MS of its stop is removed by force.
 */
export class AttemptRunner {
  private readonly logger: Logger;
  readonly dir: string;
  status: AttemptStatus = 'preparing';
  cptReward = '0';
  /** True once the pool has the attempt's end: its report was taken, or the pool stopped it. */
  acknowledged = false;
  /** Resolves once the attempt no longer holds one of the node's slots. */
  readonly slotReleased: Promise<void>;
  private releaseSlotNow!: () => void;
  private slotHeld = true;
  private handle?: RunHandle;
  /** The run being created beside the workspace (runFresh), until start() takes it. */
  private created?: Promise<{ run: CreatedRun; hasInput: boolean } | { failed: Error }>;
  private spool?: LogSpool;
  private stoppedBy?: StopReason;
  private timers: NodeJS.Timeout[] = [];
  private finished!: Promise<void>;
  /** Aborted by a stop of the pool or the operator: downloads, uploads and their retries end. */
  private readonly cancel = new AbortController();
  /** Aborted by a stop of the pool only: the pool wants no report either. */
  private readonly poolStop = new AbortController();
  /** Resolves with the stop's grace period (s) when a stop comes. */
  private readonly stopRequested: Promise<number>;
  private stopNow!: (graceS: number) => void;

  private constructor(
    private readonly ctx: RunnerContext,
    private state: SavedAttempt,
  ) {
    this.dir = join(ctx.attemptsDir, state.request.attempt_id);
    this.logger = new Logger(`attempt ${state.request.attempt_id.slice(0, 8)}`);
    this.slotReleased = new Promise((resolve) => (this.releaseSlotNow = resolve));
    this.stopRequested = new Promise((resolve) => (this.stopNow = resolve));
  }

  private get settleMs(): number {
    return this.ctx.stopSettleMs ?? STOP_SETTLE_MS;
  }

  /** Whether the attempt still occupies one of the node's slots (its run or workspace exists). */
  get holdsSlot(): boolean {
    return this.slotHeld;
  }

  /** Stopped by the pool or cleaning up: the pool has already counted its slot free. */
  get finishing(): boolean {
    return this.stoppedBy?.by === 'pool' || this.status === 'done';
  }

  /**
   * Its slot is free at the pool, or will be the moment the pool takes the report in flight, while
   * the run and workspace may still be being removed here: an attempt pushed into it waits.
   */
  get leavingSlot(): boolean {
    return this.finishing || this.status === 'reporting';
  }

  get request(): ExecuteTaskRequest__Output {
    return this.state.request;
  }

  get ref(): AttemptRef {
    return refOf(this.state.request);
  }

  get startedAt(): string | undefined {
    return this.state.startedAt;
  }

  get receivedAt(): string {
    return this.state.receivedAt;
  }

  /** How the attempt ended, for the console's history (once `done` has resolved). */
  get outcome(): { status: FinishedAttempt['status']; exitCode: number | null; error?: string } {
    if (this.stoppedBy?.by === 'pool')
      return { status: 'cancelled', exitCode: null, error: this.stoppedBy.reason };
    const c = this.state.completion;
    if (this.stoppedBy?.by === 'operator')
      return { status: 'stopped', exitCode: c?.exitCode ?? null, error: this.stoppedBy.reason };
    if (!c) return { status: 'failed', exitCode: null, error: 'ended without a result' };
    const ok = c.exitCode === 0 && !c.oomKilled && !c.error;
    return {
      status: ok ? 'completed' : 'failed',
      exitCode: c.exitCode,
      ...(c.error ? { error: c.error } : c.oomKilled ? { error: 'killed: out of memory' } : {}),
    };
  }

  /** Resolves when the runner is done with the attempt (reported, stopped, or shut down). */
  get done(): Promise<void> {
    return this.finished;
  }

  /** A freshly pushed attempt. */
  static begin(ctx: RunnerContext, request: ExecuteTaskRequest__Output): AttemptRunner {
    const runner = new AttemptRunner(ctx, {
      request,
      phase: 'preparing',
      receivedAt: new Date().toISOString(),
    });
    runner.finished = runner.runFresh();
    return runner;
  }

  /** An attempt a previous process of this worker left in `dir`, with its run if one survives. */
  static async recover(ctx: RunnerContext, dir: string, leftover?: LeftoverRun): Promise<AttemptRunner> {
    const state = JSON.parse(await readFile(join(dir, FILES.state), 'utf8')) as SavedAttempt;
    const runner = new AttemptRunner(ctx, state);
    runner.finished = runner.runRecovered(leftover);
    return runner;
  }

  /** The workspace folder of the attempt in `dir` (a file system of its own in loop mode). */
  static workspaceOf(dir: string): string {
    return join(dir, FILES.ws);
  }

  static readState(dir: string): Promise<SavedAttempt | undefined> {
    return readFile(join(dir, FILES.state), 'utf8').then(
      (text) => JSON.parse(text) as SavedAttempt,
      () => undefined,
    );
  }

  /** The pool stopped the attempt (cancelled, lost, reassigned): kill it fast, report nothing. */
  stopByPool(reason: string): void {
    this.stop({ by: 'pool', reason }, 2);
  }

  /** The node's operator stopped it (local API): reported as the node's failure, retried elsewhere. */
  stopByOperator(): void {
    this.stop({ by: 'operator', reason: "stopped by the node's operator" }, this.ctx.stopGraceS);
  }

  private stop(why: StopReason, graceS: number): void {
    if (this.stoppedBy?.by === 'pool' || this.status === 'done') return;
    // once the result is being reported, only the pool can still call the attempt off
    if (this.status === 'reporting' && why.by !== 'pool') return;
    this.stoppedBy = why;
    this.status = 'stopping';
    if (why.by === 'pool') {
      this.spool?.stop();
      // no more running reports: each would be refused and answered with yet another stop
      for (const timer of this.timers.splice(0)) clearTimeout(timer);
      this.poolStop.abort(new Error(why.reason));
    }
    // the pool's and the operator's stops drop the work in flight; a timeout keeps the outputs the
    // task left (uploaded as usual)
    if (why.by === 'pool' || why.by === 'operator') this.cancel.abort(new Error(why.reason));
    this.stopNow(graceS);
    void this.handle?.stop(graceS).catch((error: Error) => this.logger.warn(`stop: ${error.message}`));
  }

  private async runFresh(): Promise<void> {
    await this.guard(async () => {
      await mkdir(this.dir, { recursive: true });
      await this.save();
      this.spool = await this.openSpool();
      const ws = join(this.dir, FILES.ws);
      await mkdir(ws, { recursive: true });
      // the engine creates the container while the workspace is made and the input fetched: its
      // bind mount of the workspace is resolved only at the start (see Executor.create)
      const hasInput = Boolean(this.state.request.input_sha256);
      this.created = this.ctx.executor.create?.(this.spec(hasInput)).then(
        (run) => ({ run, hasInput }),
        (error: Error) => ({ failed: error }),
      );
      await this.ctx.quota.prepare(ws, this.state.request.storage_mb);
      await mkdir(join(this.dir, FILES.ws, 'output'), { recursive: true });
      let prepared: Awaited<ReturnType<AttemptRunner['prepare']>>;
      try {
        prepared = await this.prepare();
      } catch (error) {
        if (this.stoppedBy && !(error instanceof FencedOffError)) return this.afterRun(undefined);
        throw error;
      }
      if (!prepared) return; // refused and reported by prepare()
      if (this.stoppedBy) return this.afterRun(undefined);
      this.status = 'starting';
      const started = await this.start(prepared.hasInput);
      if ('failed' in started) {
        const error = started.failed;
        const message = error.message;
        this.spool.system(`hivemind: ${message}`);
        return this.complete(this.failure(message, error instanceof MissingImageError ? 'task' : 'node'));
      }
      if ('stopped' in started) return this.afterRun(undefined);
      const handle = started.handle;
      this.state.startedAt = new Date().toISOString();
      this.state.runId = handle.id;
      this.state.phase = 'running';
      await this.save();
      await this.supervise(handle);
    });
  }

  /**
   * Starts the run, unless a stop comes first: then a start still in progress is not waited for
   * beyond STOP_SETTLE_MS; whatever it starts is removed as soon as it exists.
   */
  private async start(
    hasInput: boolean,
  ): Promise<{ handle: RunHandle } | { failed: Error } | { stopped: true }> {
    const created = this.created;
    this.created = undefined;
    const starting = (
      created
        ? created.then(async (outcome) => {
            if ('failed' in outcome) throw outcome.failed;
            if (outcome.hasInput === hasInput) return outcome.run.start(this.spool!);
            await outcome.run.discard(); // made for another workspace: not expected
            return this.ctx.executor.start(this.spec(hasInput), this.spool!);
          })
        : this.ctx.executor.start(this.spec(hasInput), this.spool!)
    ).then(
      (handle) => ({ handle }),
      (error: Error) => ({ failed: error }),
    );
    const first = await Promise.race([starting, this.stopRequested.then(() => ({ stopped: true as const }))]);
    if (!('stopped' in first)) return first;
    const dispose = starting.then(async (outcome) => {
      if (!('handle' in outcome)) return;
      await outcome.handle.stop(0).catch(() => undefined);
      await outcome.handle.remove().catch((error: Error) => this.logger.warn(`remove: ${error.message}`));
    });
    await within(dispose, this.settleMs);
    return first;
  }

  private async runRecovered(leftover?: LeftoverRun): Promise<void> {
    await this.guard(async () => {
      this.spool = await this.openSpool();
      if (this.state.phase === 'reporting' && this.state.completion) {
        if (leftover) await this.ctx.executor.discard(leftover);
        return this.report();
      }
      if (this.state.phase === 'running' && leftover && this.ctx.executor.resume) {
        this.logger.log('re-attached after a restart');
        await this.ctx.quota.reattach(join(this.dir, FILES.ws)); // mounted again after a reboot
        const handle = await this.ctx.executor.resume(leftover, this.spool, this.spool.lastTs);
        return this.supervise(handle);
      }
      if (leftover) await this.ctx.executor.discard(leftover);
      return this.complete(this.failure('the worker restarted and could not take the run back', 'node'));
    });
  }

  /** Runs `body`; anything unexpected becomes a node failure report rather than a crash. */
  private async guard(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (error instanceof FencedOffError || this.stoppedBy?.by === 'pool') {
        await this.cleanUp(`fenced off: ${(error as Error).message}`);
        return;
      }
      if (this.ctx.shutdown.aborted) return; // left as is for the next start to take back
      this.logger.error(`failed: ${(error as Error).message}`);
      try {
        this.spool?.system(`hivemind: the worker failed to run this attempt: ${(error as Error).message}`);
        await this.complete(this.failure((error as Error).message, 'node'));
      } catch (reportError) {
        if (!this.ctx.shutdown.aborted) await this.cleanUp(`unreported: ${(reportError as Error).message}`);
      }
    }
  }

  private openSpool(): Promise<LogSpool> {
    const r = this.state.request;
    const tail = this.ctx.logTail?.(r.attempt_id, r.task_id);
    return LogSpool.open(join(this.dir, FILES.logs), {
      ...(tail
        ? { observe: (record) => tail.add(record.stream, record.data, record.ts ?? new Date().toISOString()) }
        : {}),
      send: (record) => this.ctx.pool.log(this.ref, record),
      // the values the submitter marked secret never leave this node in a log
      mask: secretMasker((r.secret_env_keys ?? []).flatMap((k) => (k in r.env ? [r.env[k]] : []))),
      isFatal: (error) => error instanceof FencedOffError,
      onFatal: (error) => this.stopByPool(error.message),
    });
  }

  /** Downloads and extracts the input; false when the attempt ended here (reported already). */
  private async prepare(): Promise<{ hasInput: boolean } | false> {
    const r = this.state.request;
    const ws = join(this.dir, FILES.ws);
    let hasInput = false;
    if (r.input_sha256) {
      this.status = 'downloading';
      const zip = join(this.dir, FILES.input);
      await this.retrying(
        'download the input',
        async (signal) => {
          try {
            await this.ctx.pool.download(this.ref, zip, r.input_sha256, signal);
          } catch (error) {
            // a corrupt partial download is started again rather than resumed
            if ((error as Error).message.includes('sha256')) await rm(zip, { force: true });
            throw error;
          }
        },
        this.cancel.signal,
      );
      // the input counts towards the quota: it is on the node's disk for as long as the task runs
      const limits = {
        ...this.ctx.inputLimits,
        maxBytes: Math.min(this.ctx.inputLimits.maxBytes, quotaBytes(r.storage_mb)),
      };
      try {
        await extractZipSafely(zip, join(ws, 'input'), limits);
      } catch (error) {
        const refusal =
          error instanceof UnsafeArchiveError
            ? error.message
            : this.ctx.quota.mode === 'loop' && (error as NodeJS.ErrnoException).code === 'ENOSPC'
              ? `the input does not fit in the task's storage_gb (${quotaMb(r.storage_mb)} MB)`
              : undefined;
        if (refusal === undefined) throw error;
        this.spool!.system(`hivemind: input refused: ${refusal}`);
        await this.complete(this.failure(`input refused: ${refusal}`, 'task'));
        return false;
      }
      await rm(zip, { force: true });
      hasInput = true;
    }
    await this.handOver(ws);
    return { hasInput };
  }

  /**
   * The workspace must be writable by the task's user inside the container (the process executor
   * hands it to its own task user itself).
   */
  private async handOver(ws: string): Promise<void> {
    if (this.ctx.executor.kind !== 'docker') return;
    await handOverTree(ws, process.getuid?.() === 0 ? ownerOf(this.ctx.taskUser) : 'everyone');
  }

  private spec(hasInput: boolean): RunSpec {
    const r = this.state.request;
    return {
      attemptId: r.attempt_id,
      taskId: r.task_id,
      image: r.image || this.ctx.runtimeImage,
      command: r.command,
      env: {
        ...r.env,
        HIVEMIND_TASK_ID: r.task_id,
        HIVEMIND_ATTEMPT_ID: r.attempt_id,
        HIVEMIND_ATTEMPT_NUMBER: String(r.attempt_number),
        HIVEMIND_SHARD_INDEX: String(r.shard_index),
        HIVEMIND_SHARD_COUNT: String(r.shard_count),
        HIVEMIND_SHARD_PARAMS: r.shard_params_json || '{}',
        HIVEMIND_WORKSPACE: '/workspace',
        HIVEMIND_TASK_DIR: '/workspace/input',
        HIVEMIND_OUTPUT_DIR: '/workspace/output',
      },
      workspace: join(this.dir, FILES.ws),
      hasInput,
      cpuMillicores: r.cpu_millicores || 1000,
      memoryMb: r.memory_mb || 512,
      pidsLimit: this.ctx.pidsLimit,
      // a loop workspace bounds the total (the task meets ENOSPC); accounting bounds each file too,
      // so that one write between two walks cannot go far past the quota
      storageMb: this.ctx.quota.mode === 'loop' ? 0 : quotaMb(r.storage_mb),
      networkAllowed: r.network_allowed,
      gpu: r.gpu > 0 || r.gpu_memory_gb > 0,
      labels: {
        [LABELS.node]: this.ctx.nodeName,
        [LABELS.attempt]: r.attempt_id,
        [LABELS.task]: r.task_id,
        [LABELS.shard]: String(r.shard_index),
        [LABELS.fencingToken]: r.fencing_token,
      },
    };
  }

  /** While the run lasts: running reports (which also carry the pool's stop), and the timeout. */
  private async supervise(handle: RunHandle): Promise<void> {
    this.handle = handle;
    this.status = 'running';
    if (this.stoppedBy) void handle.stop(this.stoppedBy.by === 'pool' ? 2 : this.ctx.stopGraceS);
    const reportRunning = () =>
      this.ctx.pool.running(this.ref, this.ctx.usage()).then(
        (reward) => (this.cptReward = reward),
        (error: unknown) => {
          if (error instanceof FencedOffError) this.stopByPool(error.message);
        },
      );
    void reportRunning();
    this.timers.push(setInterval(() => void reportRunning(), this.ctx.runningReportS * 1000));
    const timeoutS = this.state.request.timeout_s;
    if (timeoutS > 0) {
      const elapsed = Date.now() - Date.parse(this.state.startedAt ?? new Date().toISOString());
      this.timers.push(
        setTimeout(
          () => this.stop({ by: 'timeout', reason: `timed out after ${timeoutS} s` }, this.ctx.stopGraceS),
          Math.max(0, timeoutS * 1000 - elapsed),
        ),
      );
    }
    const storageMb = this.state.request.storage_mb;
    const quota = this.ctx.quota.watch(join(this.dir, FILES.ws), storageMb, (reason) =>
      this.stop({ by: 'quota', reason }, 0),
    );
    // the workspace's last look as soon as the run's processes have ended, beside the reads of
    // the end's figures (at the latest once the run is done)
    let last: Promise<boolean> | undefined;
    void handle.exited?.then(() => (last ??= quota.stop()));
    const result = await this.untilEnded(handle);
    const full = await (last ??= quota.stop());
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    const reason =
      this.stoppedBy || !result ? undefined : quotaFailure({ exitCode: result.exitCode, full }, storageMb);
    if (reason) this.stoppedBy = { by: 'quota', reason };
    await this.afterRun(result);
  }

  /**
   * The run's result, or undefined when it was stopped and still not seen ended STOP_SETTLE_MS
   * after its grace period: then it is removed by force and the attempt ends without a result.
   */
  private async untilEnded(handle: RunHandle): Promise<RunResult | undefined> {
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const overdue = this.stopRequested.then(
      (graceS) =>
        new Promise<'overdue'>((resolve) => {
          if (!ended) timer = setTimeout(() => resolve('overdue'), graceS * 1000 + this.settleMs);
        }),
    );
    let first: RunResult | 'overdue';
    try {
      first = await Promise.race([handle.done, overdue]);
    } finally {
      ended = true;
      clearTimeout(timer);
    }
    if (first !== 'overdue') return first;
    this.logger.warn(`the run was stopped but not seen ending: removing it by force`);
    const removed = await within(
      handle.remove().then(
        () => true,
        (error: Error) => this.logger.warn(`remove: ${error.message}`),
      ),
      REMOVE_TIMEOUT_MS,
    );
    if (removed === undefined) this.logger.warn('the run could not be removed in time: left behind');
    return undefined;
  }

  private async afterRun(result: RunResult | undefined): Promise<void> {
    const why = this.stoppedBy;
    if (why?.by === 'pool') return this.cleanUp(`stopped by the pool: ${why.reason}`);
    if (!result) {
      // stopped before anything ran, or a stopped run that would not end
      this.spool!.system(`hivemind: ${why?.reason ?? 'not run'}`);
      return this.complete(this.failure(why?.reason ?? 'not run', why?.by === 'operator' ? 'node' : 'task'));
    }
    if (why) this.spool!.system(`hivemind: ${why.reason}`);
    if (result.oomKilled) this.spool!.system('hivemind: the task ran out of memory (OOM-killed)');
    this.status = 'uploading';
    let uploaded: Awaited<ReturnType<AttemptRunner['uploadOutputs']>>;
    try {
      uploaded = await this.uploadOutputs();
    } catch (error) {
      if (error instanceof FencedOffError) throw error;
      const late = this.stoppedBy;
      if (late?.by === 'pool') return this.cleanUp(`stopped by the pool: ${late.reason}`);
      if (late?.by === 'operator') {
        // stopped while the outputs went up: the node's failure, run again elsewhere
        this.spool!.system(`hivemind: ${late.reason}`);
        return this.complete({ ...this.resultOf(result, late), error: late.reason, failureCause: 'node' });
      }
      this.spool!.system(`hivemind: outputs not kept: ${(error as Error).message}`);
      return this.complete({
        ...this.resultOf(result, why),
        // the stop's reason (a timeout, the quota) stays first: it is why the outputs are as they are
        error: `${why ? `${why.reason}; ` : ''}outputs: ${(error as Error).message}`,
        failureCause: 'task',
      });
    }
    await this.complete({
      ...this.resultOf(result, why),
      outputSha256: uploaded.sha256,
      // over exactly what the pool holds: the files that went into the uploaded zip
      resultDigest: resultDigest(result.exitCode, uploaded.entries),
    });
  }

  private resultOf(result: RunResult, why: AttemptRunner['stoppedBy']): Completion {
    return {
      exitCode: result.exitCode,
      oomKilled: result.oomKilled,
      durationMs: result.durationMs,
      cpuSeconds: result.cpuSeconds,
      peakMemoryMb: result.peakMemoryMb,
      error: why?.reason ?? result.error ?? '',
      failureCause:
        why?.by === 'operator' || result.lost
          ? 'node'
          : result.exitCode === 0 && !result.oomKilled && !why
            ? ''
            : 'task',
      outputSha256: '',
      resultDigest: '',
    };
  }

  private failure(error: string, cause: 'task' | 'node'): Completion {
    return {
      exitCode: -1,
      oomKilled: false,
      durationMs: 0,
      cpuSeconds: 0,
      peakMemoryMb: 0,
      error,
      failureCause: cause,
      outputSha256: '',
      resultDigest: '',
    };
  }

  /**
   * Zips /workspace/output and uploads it: the zip's sha256 ('' when the task left no output) and
   * the files that went in.
   */
  private async uploadOutputs(): Promise<{ sha256: string; entries: ResultEntry[] }> {
    const zip = await zipOutputs(join(this.dir, FILES.ws, 'output'), join(this.dir, FILES.output), {
      maxBytes: quotaBytes(this.state.request.storage_mb),
    });
    if (!zip) return { sha256: '', entries: [] };
    for (const skipped of zip.skipped) this.spool!.system(`hivemind: output ${skipped}`);
    await this.retrying(
      'upload the outputs',
      (signal) =>
        this.ctx.pool.upload(
          this.ref,
          { path: zip.path, name: 'output.zip', size: zip.size, sha256: zip.sha256 },
          signal,
        ),
      this.cancel.signal,
    );
    return { sha256: zip.sha256, entries: zip.entries };
  }

  /** Saves the result, then reports it once every log batch is stored. */
  private async complete(completion: Completion): Promise<void> {
    this.state.completion = completion;
    this.state.phase = 'reporting';
    await this.save();
    await this.report();
  }

  private async report(): Promise<void> {
    this.status = 'reporting';
    const completion = this.state.completion!;
    // The run has ended: its CPU and memory are free. Its container and workspace are removed
    // beside the report rather than before it, so the result is not held up by the engine; the
    // slot stays taken here until they are gone, and an attempt the pool pushes into it meanwhile
    // waits for it (see `finishing` and slots.ts).
    const freed = this.freeResources()
      .catch((error: Error) => this.logger.warn(`clean-up before the report: ${error.message}`))
      .finally(() => this.releaseSlot());
    this.spool!.close();
    await this.spool!.flushed();
    await this.retrying(
      'report the result',
      () => this.ctx.pool.completed(this.ref, completion),
      this.poolStop.signal,
    );
    this.acknowledged = true;
    this.logger.log(
      `reported: exit ${completion.exitCode}${completion.oomKilled ? ', OOM-killed' : ''}${completion.error ? `, ${completion.error}` : ''}`,
    );
    await freed;
    await this.cleanUp();
  }

  /**
   * Retries `what` while the pool is away; a refusal, a fence, the worker's shutdown or `until`
   * (a stop) ends it at once — `call` gets the signal to abort what it has in flight.
   */
  private retrying<T>(
    what: string,
    call: (signal: AbortSignal) => Promise<T>,
    until: AbortSignal,
  ): Promise<T> {
    const signal = AbortSignal.any([this.ctx.shutdown, until]);
    return pRetry(
      async () => {
        try {
          // a call in flight does not hold a stop up, whether or not it can be cancelled
          return await abortable(call(signal), signal);
        } catch (error) {
          if (isTransient(error) || isUnauthenticated(error)) throw error;
          throw new AbortError(error as Error);
        }
      },
      {
        retries: Infinity,
        minTimeout: 250,
        maxTimeout: 10_000,
        randomize: true,
        signal,
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (attemptNumber === 1 || attemptNumber % 10 === 0)
            this.logger.warn(`cannot ${what} yet (try ${attemptNumber}): ${error.message}`);
        },
      },
    );
  }

  private async cleanUp(why?: string): Promise<void> {
    this.status = 'done';
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    this.spool?.stop();
    if (why) this.logger.log(why);
    if (this.stoppedBy?.by === 'pool') this.acknowledged = true;
    try {
      if (this.handle) await this.handle.stop(0).catch(() => undefined);
      await this.removeRun();
      await this.ctx.quota.release(join(this.dir, FILES.ws)); // before rm, which would go into it
      await rm(this.dir, { recursive: true, force: true });
    } finally {
      this.releaseSlot();
    }
  }

  /** The run and the workspace go; attempt.json and the log spool stay until the report is taken. */
  private async freeResources(): Promise<void> {
    await this.removeRun();
    await this.ctx.quota.release(join(this.dir, FILES.ws)); // before rm, which would go into it
    for (const name of [FILES.ws, FILES.input, FILES.output])
      await rm(join(this.dir, name), { recursive: true, force: true });
  }

  private async removeRun(): Promise<void> {
    await this.discardCreated();
    if (!this.handle) return;
    const removed = await within(
      this.handle.remove().then(
        () => true,
        (error: Error) => this.logger.warn(`remove: ${error.message}`),
      ),
      REMOVE_TIMEOUT_MS,
    );
    if (removed === undefined)
      this.logger.warn(`the run was not removed within ${REMOVE_TIMEOUT_MS / 1000} s`);
  }

  /** The run created beside the workspace and never started (the attempt ended first) goes. */
  private async discardCreated(): Promise<void> {
    const created = this.created;
    this.created = undefined;
    const outcome = await created;
    if (outcome && 'run' in outcome)
      await outcome.run.discard().catch((error: Error) => this.logger.warn(`remove: ${error.message}`));
  }

  private releaseSlot(): void {
    if (!this.slotHeld) return;
    this.slotHeld = false;
    this.releaseSlotNow();
  }

  private async save(): Promise<void> {
    const file = join(this.dir, FILES.state);
    await writeFile(`${file}.tmp`, JSON.stringify(this.state));
    await rename(`${file}.tmp`, file);
  }
}
