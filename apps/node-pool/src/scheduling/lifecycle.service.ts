import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  AttemptState,
  ShardState,
  TaskStatus,
  UserRole,
  costOf,
  ratePerMinute,
  splitCharge,
} from '@hivemind/contracts';
import { type AuthUser } from '../accounts/auth-user';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { inTransaction, updateReturning } from '../common/transaction';
import { PLATFORM, userAccount } from '../ledger/ledger-accounts';
import { LedgerService } from '../ledger/ledger.service';
import { PostProcessingJob, QueueName } from '../queues/queue-names';
import { TelemetryService } from '../telemetry/telemetry.service';
import { type TaskTelemetryEvent } from '../telemetry/telemetry-events';
import { DispatchService } from './dispatch.service';
import { PlacementTrigger } from './placement-trigger';

/** How an attempt ended, as the life cycle records it. */
export interface AttemptOutcome {
  state: AttemptState.Completed | AttemptState.Failed | AttemptState.Lost | AttemptState.Cancelled;
  /** Who is to blame for a failure: `node` failures are retried and cost the user nothing. */
  cause?: 'node' | 'task' | 'platform' | 'user';
  exitCode?: number | null;
  oomKilled?: boolean;
  error?: string | null;
  durationMs?: number | null;
  cpuSeconds?: number | null;
  peakMemoryMb?: number | null;
  outputSha256?: string | null;
}

/** The attempt row a report is checked against (its fencing token and where it stands). */
export interface FencedAttempt {
  id: string;
  shard_id: string;
  task_id: string;
  node_id: string;
  state: AttemptState;
  fencing_token: string;
  started_at: Date | null;
  assigned_at: Date;
  user_id: string;
  shard_index: number;
}

interface LockedAttempt extends FencedAttempt {
  alloc_cpu_millicores: number;
  alloc_memory_mb: number;
  alloc_storage_mb: number;
  alloc_gpu_memory_mb: number;
  owner_id: string;
  req_cpu_millicores: number;
  req_memory_mb: number;
  req_storage_mb: number;
  req_gpu_score: number;
  req_gpu_memory_mb: number;
  req_gpu_name: string | null;
  timeout_s: number;
  max_attempts: number;
  attempts_count: number;
  is_aggregate: boolean;
}

/** Something to do once the transaction has committed. */
type Effect = () => void | Promise<void>;

export const LIVE_ATTEMPT_STATES = [AttemptState.Assigned, AttemptState.Running];
const CREDIT_COMPLETED = 2;
const CREDIT_NODE_FAILURE = -5;

/**
 * The attempt life cycle (DESIGN.md "Work model", "CPT economy"): an attempt ends COMPLETED, FAILED,
 * CANCELLED or LOST; its node gets its resources back and its credit score moves; its shard completes,
 * fails, or goes back to the queue (node failures, until max attempts); the task's counters, status and
 * money follow — all in one transaction per attempt, locking shard → attempt → node → task → ledger
 * (the scheduler locks shards → nodes → tasks, so the two cannot deadlock).
 */
@Injectable()
export class LifecycleService {
  private readonly logger = new Logger(LifecycleService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly dispatch: DispatchService,
    private readonly placement: PlacementTrigger,
    private readonly telemetry: TelemetryService,
    @InjectQueue(QueueName.PostProcessing) private readonly postProcessing: Queue,
  ) {}

  /** The attempt, if `nodeId` still holds it under this fencing token; why not otherwise. */
  async fence(
    nodeId: string,
    attemptId: string,
    fencingToken: string,
  ): Promise<{ attempt: FencedAttempt } | { refused: string }> {
    if (!isUuid(attemptId)) return { refused: `no attempt ${attemptId}` };
    const [a] = await this.db.query<FencedAttempt[]>(
      `SELECT a.id, a.shard_id, a.task_id, a.node_id, a.state, a.fencing_token, a.started_at, a.assigned_at,
         t.user_id, s.shard_index
       FROM attempts a JOIN tasks t ON t.id = a.task_id JOIN shards s ON s.id = a.shard_id WHERE a.id = $1`,
      [attemptId],
    );
    if (!a || a.node_id !== nodeId) return { refused: `attempt ${attemptId} is not this node's` };
    if (a.fencing_token !== String(fencingToken)) {
      return {
        refused: `attempt ${attemptId}: stale fencing token ${fencingToken} (current ${a.fencing_token})`,
      };
    }
    if (a.state === AttemptState.Lost)
      return { refused: `attempt ${attemptId} was declared LOST and reassigned` };
    if (a.state === AttemptState.Cancelled) return { refused: `attempt ${attemptId} was cancelled` };
    return { attempt: a };
  }

  /** ASSIGNED → RUNNING on the first report of a started attempt. */
  async markRunning(a: FencedAttempt): Promise<void> {
    if (a.state !== AttemptState.Assigned) return;
    const updated = await inTransaction(this.db, async (m) => {
      // the shard first, as lock() does: a completion arriving at the same moment would otherwise
      // deadlock with this (found by bench:e2e: PostgreSQL breaks it after deadlock_timeout, 1 s)
      await m.query(`SELECT id FROM shards WHERE id = $1 FOR UPDATE`, [a.shard_id]);
      const rows = await updateReturning<{ id: string }>(
        m,
        `UPDATE attempts SET state = 'RUNNING', started_at = coalesce(started_at, now()), last_report_at = now()
         WHERE id = $1 AND state = 'ASSIGNED' RETURNING id`,
        [a.id],
      );
      if (rows.length) {
        await m.query(
          `UPDATE shards SET state = 'RUNNING', updated_at = now() WHERE id = $1 AND state = 'ASSIGNED'`,
          [a.shard_id],
        );
      }
      return rows.length > 0;
    });
    if (updated) {
      a.state = AttemptState.Running;
      this.publishTask(a.task_id, 'attempt', {
        attemptId: a.id,
        attemptState: AttemptState.Running,
        nodeId: a.node_id,
      });
    }
  }

  /** What the node's owner has earned on a running attempt so far (ReportRunningStatus's cpt_reward). */
  async accruedReward(a: FencedAttempt): Promise<number> {
    const [t] = await this.db.query<
      {
        req_cpu_millicores: number;
        req_memory_mb: number;
        req_gpu_score: number;
        req_gpu_name: string | null;
        timeout_s: number;
      }[]
    >(
      `SELECT req_cpu_millicores, req_memory_mb, req_gpu_score, req_gpu_name, timeout_s FROM tasks WHERE id = $1`,
      [a.task_id],
    );
    if (!t || !a.started_at) return 0;
    const rate = rateOf(t);
    const elapsed = Math.min(Date.now() - a.started_at.getTime(), t.timeout_s * 1000);
    return splitCharge(costOf(rate, elapsed)).reward;
  }

  /** Records the end of an attempt reported by its node (TaskCompleted). Idempotent. */
  async complete(
    a: Pick<FencedAttempt, 'id'>,
    outcome: AttemptOutcome,
  ): Promise<{ recorded: boolean; message: string }> {
    const effects: Effect[] = [];
    const result = await inTransaction(this.db, async (m) => {
      effects.length = 0;
      const locked = await this.lock(m, a.id);
      if (!locked) return { recorded: false, message: `no attempt ${a.id}` };
      if (!LIVE_ATTEMPT_STATES.includes(locked.state)) {
        return { recorded: false, message: `attempt ${a.id} was already recorded as ${locked.state}` };
      }
      await this.finish(m, locked, outcome, effects);
      return { recorded: true, message: `attempt ${a.id} recorded as ${outcome.state}` };
    });
    await runEffects(effects, this.logger);
    return result;
  }

  /** Nodes that stopped heartbeating: their live attempts are LOST, their shards go back to the queue. */
  async nodesLost(nodeIds: readonly string[], why = 'the node stopped heartbeating'): Promise<number> {
    if (nodeIds.length === 0) return 0;
    const live = await this.db.query<{ id: string }[]>(
      `SELECT id FROM attempts WHERE node_id = ANY($1::uuid[]) AND state IN ('ASSIGNED', 'RUNNING')`,
      [nodeIds],
    );
    return this.loseAttempts(
      live.map((r) => r.id),
      why,
    );
  }

  /** Declares live attempts LOST (a node fault): each in its own transaction, re-queued if it may. */
  async loseAttempts(attemptIds: readonly string[], why: string): Promise<number> {
    let lost = 0;
    for (const id of attemptIds) {
      const effects: Effect[] = [];
      const done = await inTransaction(this.db, async (m) => {
        effects.length = 0;
        const locked = await this.lock(m, id);
        if (!locked || !LIVE_ATTEMPT_STATES.includes(locked.state)) return false;
        await this.finish(m, locked, { state: AttemptState.Lost, cause: 'node', error: why }, effects);
        return true;
      });
      await runEffects(effects, this.logger);
      if (done) lost++;
    }
    if (lost) this.logger.warn(`${lost} attempt(s) LOST: ${why}`);
    return lost;
  }

  /** Cancels a task: its live attempts are stopped, its queued shards dropped, its hold refunded. */
  async cancel(user: AuthUser, taskId: string): Promise<{ status: TaskStatus; refunded: number }> {
    if (!isUuid(taskId)) throw new DomainError('not_found', `no task ${taskId.slice(0, 64)}`);
    const effects: Effect[] = [];
    const result = await inTransaction(this.db, async (m) => {
      effects.length = 0;
      const [task] = await m.query<{ id: string; user_id: string; status: TaskStatus }[]>(
        `SELECT id, user_id, status FROM tasks WHERE id = $1`,
        [taskId],
      );
      if (!task || (task.user_id !== user.id && user.role !== UserRole.Admin)) {
        throw new DomainError('not_found', `no task ${taskId}`);
      }
      if (TERMINAL_TASK.includes(task.status)) {
        throw new DomainError('conflict', `task ${taskId} has already ended (${task.status})`);
      }
      // shards first (the lock order), then each live attempt
      await m.query(`SELECT id FROM shards WHERE task_id = $1 ORDER BY id FOR UPDATE`, [taskId]);
      const live = await m.query<{ id: string }[]>(
        `SELECT id FROM attempts WHERE task_id = $1 AND state IN ('ASSIGNED', 'RUNNING') ORDER BY id`,
        [taskId],
      );
      for (const { id } of live) {
        const locked = await this.lock(m, id);
        if (locked) {
          await this.finish(
            m,
            locked,
            { state: AttemptState.Cancelled, cause: 'user', error: `cancelled by ${user.username}` },
            effects,
            {
              settleTask: false,
            },
          );
        }
      }
      await m.query(
        `UPDATE shards SET state = 'CANCELLED', updated_at = now(), finished_at = now()
         WHERE task_id = $1 AND state IN ('QUEUED', 'ASSIGNED', 'RUNNING')`,
        [taskId],
      );
      await m.query(
        `UPDATE tasks SET status = 'CANCELLED', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
        [taskId, `cancelled by ${user.username}`],
      );
      const { refunded } = await this.releaseIfHeld(m, taskId);
      effects.push(() => {
        this.placement.request('task cancelled');
        this.publishTask(taskId, 'cancelled');
      });
      return { status: TaskStatus.Cancelled, refunded };
    });
    await runEffects(effects, this.logger);
    return result;
  }

  /**
   * Ends a locked live attempt and moves everything that follows from it: node, shard, task, money.
   * Queues post-commit effects (stop the container, ask for a placement pass, telemetry).
   */
  async finish(
    m: EntityManager,
    a: LockedAttempt,
    outcome: AttemptOutcome,
    effects: Effect[],
    opts: { settleTask?: boolean } = {},
  ): Promise<void> {
    const completed = outcome.state === AttemptState.Completed;
    const nodeFault = outcome.cause === 'node' || outcome.state === AttemptState.Lost;
    const startedMs = a.started_at?.getTime();
    const durationMs = outcome.durationMs ?? (startedMs ? Date.now() - startedMs : 0);
    // the user pays for attempts that finish the shard (completed, or failed by the task itself)
    const billable =
      outcome.state === AttemptState.Completed || (outcome.state === AttemptState.Failed && !nodeFault);
    const rate = rateOf(a);
    const cost = billable ? Math.min(costOf(rate, durationMs), costOf(rate, a.timeout_s * 1000)) : 0;
    const { reward, fee } = splitCharge(cost);

    await m.query(
      `UPDATE attempts SET state = $2, exit_code = $3, oom_killed = $4, failure_cause = $5, error = $6,
         duration_ms = $7, cpu_seconds = $8, peak_memory_mb = $9, output_sha256 = coalesce($10, output_sha256),
         cost = $11, reward = $12, finished_at = now(), last_report_at = now()
       WHERE id = $1`,
      [
        a.id,
        outcome.state,
        outcome.exitCode ?? null,
        outcome.oomKilled ?? false,
        completed ? null : (outcome.cause ?? (outcome.state === AttemptState.Lost ? 'node' : 'task')),
        outcome.error?.slice(0, 4000) ?? null,
        durationMs,
        outcome.cpuSeconds ?? null,
        outcome.peakMemoryMb ?? null,
        outcome.outputSha256 || null,
        cost,
        reward,
      ],
    );
    const credit = completed ? CREDIT_COMPLETED : nodeFault ? CREDIT_NODE_FAILURE : 0;
    await m.query(
      `UPDATE nodes SET avail_cpu_millicores = avail_cpu_millicores + $2, avail_memory_mb = avail_memory_mb + $3,
         avail_storage_mb = avail_storage_mb + $4, avail_gpu_memory_mb = avail_gpu_memory_mb + $5,
         running_attempts = greatest(running_attempts - 1, 0), credit_score = greatest(credit_score + $6, 0),
         updated_at = now()
       WHERE id = $1`,
      [
        a.node_id,
        a.alloc_cpu_millicores,
        a.alloc_memory_mb,
        a.alloc_storage_mb,
        a.alloc_gpu_memory_mb,
        credit,
      ],
    );
    if (outcome.state !== AttemptState.Completed && outcome.state !== AttemptState.Failed) {
      const token = a.fencing_token;
      effects.push(() =>
        this.dispatch.sendStop(a.node_id, {
          attemptId: a.id,
          taskId: a.task_id,
          fencingToken: token,
          reason: outcome.error ?? outcome.state,
        }),
      );
    }
    effects.push(() => {
      this.placement.request(`attempt ${outcome.state.toLowerCase()}`);
      this.publishTask(a.task_id, 'attempt', {
        attemptId: a.id,
        attemptState: outcome.state,
        nodeId: a.node_id,
        shardIndex: a.shard_index,
      });
    });
    if (cost > 0) {
      if (reward > 0) await this.ledger.chargeWithin(m, a.task_id, reward, userAccount(a.owner_id), a.id);
      if (fee > 0) await this.ledger.chargeWithin(m, a.task_id, fee, PLATFORM, `${a.id}:fee`);
    }
    if (opts.settleTask === false) return;

    // the shard
    let shardState: ShardState;
    if (completed) shardState = ShardState.Completed;
    else if (nodeFault && a.attempts_count < a.max_attempts) shardState = ShardState.Queued;
    else shardState = ShardState.Failed;
    if (shardState === ShardState.Queued) {
      await m.query(
        `UPDATE shards SET state = 'QUEUED', wait_reason = $2, updated_at = now() WHERE id = $1`,
        [
          a.shard_id,
          `re-queued: attempt ${a.attempts_count} of ${a.max_attempts} ${outcome.state === AttemptState.Lost ? 'was lost' : 'failed on its node'}`,
        ],
      );
    } else {
      await m.query(
        `UPDATE shards SET state = $2::text, exit_code = $3, updated_at = now(), finished_at = now(),
           output_file_id = CASE WHEN $2::text = 'COMPLETED'
             THEN (SELECT id FROM files WHERE attempt_id = $4 AND kind = 'output' ORDER BY created_at DESC LIMIT 1)
             ELSE output_file_id END
         WHERE id = $1`,
        [a.shard_id, shardState, outcome.exitCode ?? null, a.id],
      );
    }
    // the task's counters, then maybe its end
    const [t] = await updateReturning<{
      shards_completed: number;
      shards_failed: number;
      shards_total: number;
      aggregate: unknown;
      status: TaskStatus;
    }>(
      m,
      `UPDATE tasks SET shards_completed = shards_completed + $2, shards_failed = shards_failed + $3,
         cost = cost + $4, updated_at = now(),
         error = CASE WHEN $3 = 1 AND error IS NULL THEN $5 ELSE error END
       WHERE id = $1
       RETURNING shards_completed, shards_failed, shards_total, aggregate, status`,
      [
        a.task_id,
        shardState === ShardState.Completed ? 1 : 0,
        shardState === ShardState.Failed ? 1 : 0,
        cost,
        shardState === ShardState.Failed
          ? `shard ${a.shard_index} failed: ${outcome.oomKilled ? 'killed: out of memory' : (outcome.error ?? `exit code ${outcome.exitCode ?? '?'}`)}`.slice(
              0,
              4000,
            )
          : null,
      ],
    );
    if (!t) return;
    if (t.shards_completed + t.shards_failed >= t.shards_total) {
      await this.finalize(
        m,
        a.task_id,
        t.shards_failed > 0 ? TaskStatus.Failed : TaskStatus.Completed,
        effects,
      );
    } else if (
      t.aggregate &&
      !a.is_aggregate &&
      t.shards_failed === 0 &&
      t.shards_completed === t.shards_total - 1
    ) {
      // every shard is done: the aggregate step's input is built after this commits
      effects.push(async () => {
        await this.postProcessing.add(
          PostProcessingJob.PrepareAggregate,
          { taskId: a.task_id },
          { jobId: `aggregate:${a.task_id}` },
        );
      });
    } else if (t.aggregate && t.shards_failed > 0 && !a.is_aggregate) {
      // the aggregate step cannot run: count it as failed once the other shards end
      const [open] = await m.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM shards WHERE task_id = $1 AND state IN ('QUEUED', 'ASSIGNED', 'RUNNING')`,
        [a.task_id],
      );
      if (open && open.n === 0) await this.finalize(m, a.task_id, TaskStatus.Failed, effects);
    }
  }

  /** Ends a task (status, time, refund of the unused hold). */
  async finalize(
    m: EntityManager,
    taskId: string,
    status: TaskStatus,
    effects: (() => void | Promise<void>)[],
  ): Promise<void> {
    const rows = await updateReturning<{ id: string }>(
      m,
      `UPDATE tasks SET status = $2, finished_at = now(), updated_at = now()
       WHERE id = $1 AND status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED') RETURNING id`,
      [taskId, status],
    );
    if (!rows.length) return;
    await this.releaseIfHeld(m, taskId);
    effects.push(() => this.publishTask(taskId, 'finished'));
  }

  private async releaseIfHeld(m: EntityManager, taskId: string): Promise<{ refunded: number }> {
    const [hold] = await m.query<{ task_id: string }[]>(
      `SELECT task_id FROM ledger_holds WHERE task_id = $1`,
      [taskId],
    );
    return hold ? this.ledger.releaseWithin(m, taskId) : { refunded: 0 };
  }

  /** Locks the attempt's shard, then the attempt (the lock order), and reads what settling needs. */
  async lock(m: EntityManager, attemptId: string): Promise<LockedAttempt | undefined> {
    const [ref] = await m.query<{ shard_id: string }[]>(`SELECT shard_id FROM attempts WHERE id = $1`, [
      attemptId,
    ]);
    if (!ref) return undefined;
    await m.query(`SELECT id FROM shards WHERE id = $1 FOR UPDATE`, [ref.shard_id]);
    const [a] = await m.query<LockedAttempt[]>(
      `SELECT a.id, a.shard_id, a.task_id, a.node_id, a.state, a.fencing_token, a.started_at, a.assigned_at,
         a.alloc_cpu_millicores, a.alloc_memory_mb, a.alloc_storage_mb, a.alloc_gpu_memory_mb,
         n.owner_id, t.user_id, t.req_cpu_millicores, t.req_memory_mb, t.req_storage_mb, t.req_gpu_score,
         t.req_gpu_memory_mb, t.req_gpu_name, t.timeout_s, t.max_attempts, s.attempts_count, s.shard_index,
         s.is_aggregate
       FROM attempts a JOIN nodes n ON n.id = a.node_id JOIN tasks t ON t.id = a.task_id
         JOIN shards s ON s.id = a.shard_id
       WHERE a.id = $1 FOR UPDATE OF a`,
      [attemptId],
    );
    return a;
  }

  publishTask(
    taskId: string,
    event: TaskTelemetryEvent['event'],
    extra: { attemptId?: string; attemptState?: string; nodeId?: string; shardIndex?: number } = {},
  ): void {
    void this.db
      .query<{ user_id: string; status: string; shards_completed: number; shards_total: number }[]>(
        `SELECT user_id, status, shards_completed, shards_total FROM tasks WHERE id = $1`,
        [taskId],
      )
      .then(([t]) => {
        if (!t) return;
        this.telemetry.publish({
          type: 'task',
          event,
          taskId,
          userId: t.user_id,
          status: t.status,
          progress: t.shards_total ? Math.floor((t.shards_completed * 100) / t.shards_total) : 0,
          ...extra,
          at: new Date().toISOString(),
        });
      })
      .catch((error: Error) => this.logger.debug(`telemetry for task ${taskId}: ${error.message}`));
  }
}

export const TERMINAL_TASK: readonly TaskStatus[] = [
  TaskStatus.Completed,
  TaskStatus.Failed,
  TaskStatus.Cancelled,
];

function rateOf(t: {
  req_cpu_millicores: number;
  req_memory_mb: number;
  req_gpu_score: number;
  req_gpu_name: string | null;
}): number {
  return ratePerMinute({
    cpuMillicores: t.req_cpu_millicores,
    memoryMb: t.req_memory_mb,
    gpuScore: t.req_gpu_score,
    gpuName: t.req_gpu_name,
  });
}

async function runEffects(effects: Effect[], logger: Logger): Promise<void> {
  for (const effect of effects) {
    try {
      await effect();
    } catch (error) {
      logger.warn(`after-commit step failed: ${(error as Error).message}`);
    }
  }
}
