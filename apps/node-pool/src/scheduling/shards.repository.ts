import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type AttemptPurpose, ShardState, type ValidationMode } from '@hivemind/contracts';
import { type ShardEnd } from './settlement';
import { updateReturning } from '../common/transaction';

/** A queued shard with its task's request and its user's trust, as a placement batch reads it. */
/** What a task asks of a node, as the `tasks` table's columns hold it (each shard asks the same). */
export interface TaskDemandColumns {
  req_cpu_millicores: number;
  req_memory_mb: number;
  req_storage_mb: number;
  req_cpu_score: number;
  req_gpu_score: number;
  req_gpu_memory_mb: number;
  req_gpu_name: string | null;
  location: string | null;
}

export interface QueuedShardRow extends TaskDemandColumns {
  id: string;
  task_id: string;
  priority: number;
  queued_at: Date;
  wait_reason: string | null;
  target_node_id: string | null;
  trust_score: number;
  /** The task's owner (replicas and trust are judged against them). */
  user_id: string;
  network_allowed: boolean;
  has_secrets: boolean;
  validation: ValidationMode;
  /** The shard's quorum (0: adaptive, to decide now) and the task's. */
  quorum: number;
  task_quorum: number;
  replicas_wanted: number;
  attempts_count: number;
}

/** A shard's replication as placement decided it: the quorum (adaptive) and the results it waits for. */
export interface ShardPlacement {
  id: string;
  /** Attempts placed now. */
  placed: number;
  quorum: number;
  wanted: number;
  /** Every wanted replica is placed or in: the shard leaves the queue. */
  complete: boolean;
  /** It has results in already (it then waits as VALIDATING, not ASSIGNED). */
  hasResults: boolean;
  waitReason: string | null;
}

/** A position in the queue's order: priority (high first), then FIFO, then id. */
export interface QueueCursor {
  priority: number;
  queuedAt: Date;
  id: string;
}

/**
 * A new shard's quorum and wanted results from its task's policy (`t`): none accepts one result,
 * quorum waits for `quorum` from the start, adaptive decides at the first placement (quorum 0).
 */
export const SHARD_QUORUM_OF_TASK = `CASE t.validation WHEN 'none' THEN 1 WHEN 'quorum' THEN t.quorum ELSE 0 END`;
export const SHARD_WANTED_OF_TASK = `CASE t.validation WHEN 'quorum' THEN t.quorum ELSE 1 END`;

const OPEN = `('QUEUED', 'ASSIGNED', 'RUNNING', 'VALIDATING')`;

/**
 * The SQL of `shards`: the queue (read in its order with `FOR UPDATE SKIP LOCKED`, so replicas
 * never take the same shard), the shard's state through its attempts, and the aggregate step. A
 * shard is the first row every scheduling transaction locks (docs/scheduling.md: shard → attempt
 * → node → task → ledger).
 */
@Injectable()
export class ShardsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async lock(m: EntityManager, shardId: string): Promise<void> {
    await m.query(`SELECT id FROM shards WHERE id = $1 FOR UPDATE`, [shardId]);
  }

  /** Locks the shard of an attempt (an attempt's shard never changes); false when there is no such attempt. */
  async lockOfAttempt(m: EntityManager, attemptId: string): Promise<boolean> {
    const rows = await m.query<{ id: string }[]>(
      `SELECT id FROM shards WHERE id = (SELECT shard_id FROM attempts WHERE id = $1) FOR UPDATE`,
      [attemptId],
    );
    return rows.length > 0;
  }

  /** Locks every shard of a task, in id order. */
  async lockOfTask(m: EntityManager, taskId: string): Promise<void> {
    await m.query(`SELECT id FROM shards WHERE task_id = $1 ORDER BY id FOR UPDATE`, [taskId]);
  }

  /**
   * Up to `limit` queued shards after `cursor` in the queue's order (idx_shards_queue), locked;
   * shards another pass holds are skipped, not waited for.
   */
  lockQueued(m: EntityManager, limit: number, cursor?: QueueCursor): Promise<QueuedShardRow[]> {
    return m.query<QueuedShardRow[]>(
      `SELECT s.id, s.task_id, s.priority, s.queued_at, s.wait_reason, t.req_cpu_millicores, t.req_memory_mb,
         t.req_storage_mb, t.req_cpu_score, t.req_gpu_score, t.req_gpu_memory_mb, t.req_gpu_name, t.location,
         t.target_node_id, u.trust_score, t.user_id, t.network_allowed, t.secret_env_sealed IS NOT NULL AS has_secrets, t.validation,
         s.quorum, t.quorum AS task_quorum, s.replicas_wanted, s.attempts_count
       FROM shards s JOIN tasks t ON t.id = s.task_id JOIN users u ON u.id = t.user_id
       WHERE s.state = 'QUEUED'
         ${cursor ? `AND (s.priority < $2 OR (s.priority = $2 AND (s.queued_at, s.id) > ($3, $4)))` : ''}
       ORDER BY s.priority DESC, s.queued_at, s.id
       LIMIT $1
       FOR UPDATE OF s SKIP LOCKED`,
      cursor ? [limit, cursor.priority, cursor.queuedAt, cursor.id] : [limit],
    );
  }

  /** Why each of these (locked) shards still waits. */
  async setWaitReasons(m: EntityManager, reasons: ReadonlyMap<string, string>): Promise<void> {
    if (reasons.size === 0) return;
    await m.query(
      `UPDATE shards s SET wait_reason = d.reason FROM unnest($1::uuid[], $2::text[]) AS d(id, reason)
       WHERE s.id = d.id`,
      [[...reasons.keys()], [...reasons.values()]],
    );
  }

  /**
   * The shards a batch placed replicas of: attempts counted (the attempts are inserted next), the
   * quorum adaptive validation decided, and the state — out of the queue (ASSIGNED, or VALIDATING
   * when results are in) once every wanted replica is placed, still QUEUED with its reason otherwise.
   */
  async markPlaced(m: EntityManager, placed: readonly ShardPlacement[]): Promise<void> {
    if (placed.length === 0) return;
    await m.query(
      `UPDATE shards s SET attempts_count = s.attempts_count + d.placed, quorum = d.quorum,
         replicas_wanted = d.wanted,
         state = CASE WHEN NOT d.complete THEN 'QUEUED' WHEN d.has_results THEN 'VALIDATING' ELSE 'ASSIGNED' END,
         wait_reason = d.reason, updated_at = now()
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::bool[], $6::bool[], $7::text[])
         AS d(id, placed, quorum, wanted, complete, has_results, reason)
       WHERE s.id = d.id`,
      [
        placed.map((p) => p.id),
        placed.map((p) => p.placed),
        placed.map((p) => p.quorum),
        placed.map((p) => p.wanted),
        placed.map((p) => p.complete),
        placed.map((p) => p.hasResults),
        placed.map((p) => p.waitReason),
      ],
    );
  }

  /** ASSIGNED → RUNNING with its attempt's first report. */
  async markRunning(m: EntityManager, shardId: string): Promise<void> {
    await m.query(
      `UPDATE shards SET state = 'RUNNING', updated_at = now() WHERE id = $1 AND state = 'ASSIGNED'`,
      [shardId],
    );
  }

  /**
   * The shard after an attempt ended: back in the queue (maybe wanting more replicas, or its
   * adaptive quorum undecided again), waiting for its other replicas, or ended — with its canonical
   * result's output when completed.
   */
  async settle(m: EntityManager, shardId: string, end: ShardEnd): Promise<void> {
    if (end.state === ShardState.Queued || end.state === ShardState.Validating) {
      const wanted = end.state === ShardState.Queued ? (end.wanted ?? null) : null;
      const quorum = end.state === ShardState.Queued ? (end.quorum ?? null) : null;
      await m.query(
        `UPDATE shards SET state = $2::text, wait_reason = $3, replicas_wanted = coalesce($4, replicas_wanted),
           quorum = coalesce($5, quorum), updated_at = now() WHERE id = $1`,
        [shardId, end.state, end.waitReason.slice(0, 255), wanted, quorum],
      );
      return;
    }
    const canonical = end.state === ShardState.Completed ? end.outputOfAttempt : end.canonicalAttemptId;
    await m.query(
      `UPDATE shards SET state = $2::text, exit_code = $3, updated_at = now(), finished_at = now(),
         wait_reason = NULL, canonical_attempt_id = $4,
         output_file_id = CASE WHEN $2::text = 'COMPLETED'
           THEN (SELECT id FROM files WHERE attempt_id = $4 AND kind = 'output' ORDER BY created_at DESC LIMIT 1)
           ELSE output_file_id END
       WHERE id = $1`,
      [shardId, end.state, end.exitCode, canonical],
    );
  }

  /**
   * Gives a shard's disagreeing results to the task's validator: its input, and `quorum` validating
   * attempts to place (after the results it holds). False when the shard is no longer waiting for it.
   */
  async askValidator(m: EntityManager, shardId: string, inputFileId: string): Promise<boolean> {
    const rows = await updateReturning<{ id: string }>(
      m,
      `UPDATE shards s SET validator_input_file_id = $2, state = 'QUEUED', updated_at = now(),
         replicas_wanted = (SELECT count(*) FROM attempts a WHERE a.shard_id = s.id AND a.validation = 'PENDING')
           + greatest(s.quorum, 1),
         wait_reason = 'the validator compares the results: placing its runs'
       WHERE s.id = $1 AND s.state = 'VALIDATING' AND s.validator_input_file_id IS NULL
       RETURNING s.id`,
      [shardId, inputFileId],
    );
    return rows.length > 0;
  }

  /** A shard waiting for its validator's input: its task's owner, priority and status. */
  async awaitingValidator(
    shardId: string,
  ): Promise<{ task_id: string; user_id: string; status: string; shard_index: number } | undefined> {
    const [row] = await this.db.query<
      { task_id: string; user_id: string; status: string; shard_index: number }[]
    >(
      `SELECT s.task_id, t.user_id, t.status, s.shard_index FROM shards s JOIN tasks t ON t.id = s.task_id
       WHERE s.id = $1 AND s.state = 'VALIDATING' AND s.validator_input_file_id IS NULL
         AND t.validator IS NOT NULL`,
      [shardId],
    );
    return row;
  }

  /** Cancels a task's shards that have not ended. */
  async cancelOpen(m: EntityManager, taskId: string): Promise<void> {
    await m.query(
      `UPDATE shards SET state = 'CANCELLED', updated_at = now(), finished_at = now()
       WHERE task_id = $1 AND state IN ${OPEN}`,
      [taskId],
    );
  }

  /** How many of a task's shards have not ended. */
  async countOpen(m: EntityManager, taskId: string): Promise<number> {
    const [open] = await m.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM shards WHERE task_id = $1 AND state IN ${OPEN}`,
      [taskId],
    );
    return open?.n ?? 0;
  }

  /** The shard's input blob: its own (the aggregate step's) or its task's. */
  async inputOf(
    shardId: string,
    purpose: `${AttemptPurpose}` = 'run',
  ): Promise<{ sha256: string | null; size_bytes: string | null } | undefined> {
    const [row] = await this.db.query<{ sha256: string | null; size_bytes: string | null }[]>(
      `SELECT CASE WHEN $2 = 'validate' THEN vi.sha256 ELSE coalesce(si.sha256, f.sha256) END AS sha256,
         CASE WHEN $2 = 'validate' THEN vi.size_bytes ELSE coalesce(si.size_bytes, f.size_bytes) END AS size_bytes
       FROM shards s JOIN tasks t ON t.id = s.task_id LEFT JOIN files f ON f.id = t.input_file_id
         LEFT JOIN files si ON si.id = (s.params->>'input_file_id')::uuid
         LEFT JOIN files vi ON vi.id = s.validator_input_file_id
       WHERE s.id = $1`,
      [shardId, purpose],
    );
    return row;
  }

  /** The outputs of a task's completed shards (the aggregate step aside), by shard index. */
  completedOutputs(taskId: string): Promise<{ shard_index: number; sha256: string }[]> {
    return this.db.query(
      `SELECT s.shard_index, f.sha256 FROM shards s JOIN files f ON f.id = s.output_file_id
       WHERE s.task_id = $1 AND NOT s.is_aggregate AND s.state = 'COMPLETED' ORDER BY s.shard_index`,
      [taskId],
    );
  }

  /** Queues the task's aggregate step over `inputFileId`, once; false when it already exists. */
  async insertAggregate(
    m: EntityManager,
    taskId: string,
    inputFileId: string,
    priority: number,
  ): Promise<boolean> {
    const inserted = await m.query<{ id: string }[]>(
      `INSERT INTO shards (task_id, shard_index, is_aggregate, params, priority, quorum, replicas_wanted)
       SELECT $1, max(s.shard_index) + 1, true, jsonb_build_object('input_file_id', $2::text), $3,
         ${SHARD_QUORUM_OF_TASK}, ${SHARD_WANTED_OF_TASK}
       FROM shards s JOIN tasks t ON t.id = s.task_id WHERE s.task_id = $1
       GROUP BY t.validation, t.quorum HAVING NOT bool_or(s.is_aggregate)
       ON CONFLICT DO NOTHING RETURNING id`,
      [taskId, inputFileId, priority],
    );
    return inserted.length > 0;
  }
}
