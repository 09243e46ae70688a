import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type PricedDemand, type TaskStatus } from '@hivemind/contracts';
import { updateReturning } from '../common/transaction';
import { type TaskCounters, type TaskDelta } from './settlement';

/** A task's state as telemetry events carry it. */
export interface TaskProgressRow {
  user_id: string;
  status: TaskStatus;
  shards_completed: number;
  shards_total: number;
}

/** The columns of `tasks` a price is made of. */
export interface PricingColumns {
  req_cpu_millicores: number;
  req_memory_mb: number;
  req_gpu_score: number;
  req_gpu_name: string | null;
}

export function pricingOf(t: PricingColumns): PricedDemand {
  return {
    cpuMillicores: t.req_cpu_millicores,
    memoryMb: t.req_memory_mb,
    gpuScore: t.req_gpu_score,
    gpuName: t.req_gpu_name,
  };
}

const TERMINAL = `('COMPLETED', 'FAILED', 'CANCELLED')`;

/**
 * The scheduling's reads and writes of `tasks`: status, shard counters, cost and error as its
 * shards are placed and end. (Submission and the users' queries are the tasks module's.) A task row
 * is locked after its shards, attempts and nodes (docs/scheduling.md), here by the UPDATE itself.
 */
@Injectable()
export class TaskStateRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** QUEUED → RUNNING for tasks whose first shards were just placed. */
  async markStarted(m: EntityManager, taskIds: readonly string[]): Promise<void> {
    await m.query(
      `UPDATE tasks SET status = 'RUNNING', started_at = coalesce(started_at, now()), updated_at = now()
       WHERE id = ANY($1::uuid[]) AND status = 'QUEUED'`,
      [taskIds],
    );
  }

  /**
   * Adds a shard's end to the task's counters and cost (and its error, if the task has none yet);
   * answers the counters as they now stand, with the task's state for its events, or undefined when
   * the task is gone.
   */
  async addShardEnd(
    m: EntityManager,
    taskId: string,
    d: TaskDelta,
  ): Promise<{ counters: TaskCounters; state: TaskProgressRow } | undefined> {
    const [t] = await updateReturning<TaskProgressRow & { shards_failed: number; aggregate: unknown }>(
      m,
      `UPDATE tasks SET shards_completed = shards_completed + $2, shards_failed = shards_failed + $3,
         cost = cost + $4, updated_at = now(),
         error = CASE WHEN $3 = 1 AND error IS NULL THEN $5 ELSE error END
       WHERE id = $1
       RETURNING user_id, status, shards_completed, shards_failed, shards_total, aggregate`,
      [taskId, d.completed, d.failed, d.cost, d.error],
    );
    return t
      ? {
          counters: {
            completed: t.shards_completed,
            failed: t.shards_failed,
            total: t.shards_total,
            hasAggregate: Boolean(t.aggregate),
          },
          state: {
            user_id: t.user_id,
            status: t.status,
            shards_completed: t.shards_completed,
            shards_total: t.shards_total,
          },
        }
      : undefined;
  }

  /** Ends the task with `status` unless it has ended already; true when this call ended it. */
  async end(m: EntityManager, taskId: string, status: TaskStatus): Promise<boolean> {
    const rows = await updateReturning<{ id: string }>(
      m,
      `UPDATE tasks SET status = $2, finished_at = now(), updated_at = now()
       WHERE id = $1 AND status NOT IN ${TERMINAL} RETURNING id`,
      [taskId, status],
    );
    return rows.length > 0;
  }

  /** The task's owner and status, for a cancel to check (not locked: its shards are, next). */
  async findForCancel(
    m: EntityManager,
    taskId: string,
  ): Promise<{ id: string; user_id: string; status: TaskStatus } | undefined> {
    const [task] = await m.query<{ id: string; user_id: string; status: TaskStatus }[]>(
      `SELECT id, user_id, status FROM tasks WHERE id = $1`,
      [taskId],
    );
    return task;
  }

  async markCancelled(m: EntityManager, taskId: string, error: string): Promise<void> {
    await m.query(
      `UPDATE tasks SET status = 'CANCELLED', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
      [taskId, error],
    );
  }

  /** The task's price inputs and timeout (what a running attempt has earned so far). */
  async pricingOf(taskId: string): Promise<{ pricing: PricedDemand; timeoutS: number } | undefined> {
    const [t] = await this.db.query<(PricingColumns & { timeout_s: number })[]>(
      `SELECT req_cpu_millicores, req_memory_mb, req_gpu_score, req_gpu_name, timeout_s FROM tasks WHERE id = $1`,
      [taskId],
    );
    return t && { pricing: pricingOf(t), timeoutS: t.timeout_s };
  }

  async progressOf(taskId: string): Promise<TaskProgressRow | undefined> {
    const [t] = await this.db.query<TaskProgressRow[]>(
      `SELECT user_id, status, shards_completed, shards_total FROM tasks WHERE id = $1`,
      [taskId],
    );
    return t;
  }

  /** An unfinished task that has an aggregate step: what queuing the step needs. */
  async aggregatingTask(
    taskId: string,
  ): Promise<{ user_id: string; priority: number; status: TaskStatus } | undefined> {
    const [task] = await this.db.query<{ user_id: string; priority: number; status: TaskStatus }[]>(
      `SELECT user_id, priority, status FROM tasks WHERE id = $1 AND aggregate IS NOT NULL`,
      [taskId],
    );
    return task;
  }

  /** Tasks whose shards have all ended but which were left open (a crash between the two). */
  endedButOpen(): Promise<{ id: string; failed: number }[]> {
    return this.db.query(
      `SELECT t.id, t.shards_failed AS failed FROM tasks t
       WHERE t.status IN ('QUEUED', 'RUNNING')
         AND NOT EXISTS (SELECT 1 FROM shards s WHERE s.task_id = t.id AND s.state IN ('QUEUED', 'ASSIGNED', 'RUNNING'))
         AND (t.shards_failed > 0 OR t.shards_completed >= t.shards_total)`,
    );
  }
}
