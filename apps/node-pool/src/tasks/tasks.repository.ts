import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type TaskStatus, type ValidationMode } from '@hivemind/contracts';
import { type ComposedStatement } from '../common/composed-statement';
import { isUuid } from '../common/ids';
import { inTransaction } from '../common/transaction';
import { type Resources } from '../scheduling/placement';
import { SHARD_QUORUM_OF_TASK, SHARD_WANTED_OF_TASK } from '../scheduling/shards.repository';
import { type AttemptRow, type LogChunkRow, type ShardRow, type TaskRow } from './task-rows';

/**
 * The columns every task query selects (aliases: t = tasks, u = users, f = the input file): all of
 * the task's but its sealed secret env, which only dispatch and the log masking read (node-postgres
 * keeps the last of two columns with one name: the NULL).
 */
const TASK_COLUMNS = `t.*, NULL AS secret_env_sealed, u.username AS owner, f.sha256 AS input_sha256, f.size_bytes AS input_size,
  (SELECT s.wait_reason FROM shards s WHERE s.task_id = t.id AND s.state = 'QUEUED' AND s.wait_reason IS NOT NULL
    ORDER BY s.shard_index LIMIT 1) AS wait_reason`;
const TASK_FROM = `tasks t JOIN users u ON u.id = t.user_id LEFT JOIN files f ON f.id = t.input_file_id`;

/** The values of a new `tasks` row (resources already in millicores / MB; JSON columns as objects). */
export interface NewTask {
  id: string;
  userId: string;
  name: string;
  image: string | null;
  command: string[] | null;
  env: Record<string, string>;
  /** The secret env's values, sealed; null: none. */
  secretEnvSealed: string | null;
  /** The secret env's names, sorted. */
  secretEnvKeys: string[];
  resources: Resources;
  gpuName: string | null;
  location: string | null;
  priority: number;
  timeoutS: number;
  maxAttempts: number;
  validation: ValidationMode;
  quorum: number;
  maxReplicas: number;
  /** The command that groups a shard's disagreeing results, or none (docs/validation.md). */
  validator: { command: string[] } | null;
  networkAllowed: boolean;
  splitKind: string;
  splitParams: Record<string, unknown>;
  aggregate: { command: string[] } | null;
  targetNodeId: string | null;
  shardsTotal: number;
  maxCost: number;
  idempotencyKey: string | null;
  /** The submitter's own name for the task, and the digest of the request that took it. */
  clientRef: { ref: string; requestDigest: string } | null;
}

/** A keyset page of tasks, newest first. */
export interface TaskPageQuery {
  /** Only this user's tasks; undefined lists everyone's. */
  userId?: string;
  status?: TaskStatus;
  /** A substring of the name (matched literally, case-insensitively). */
  search?: string;
  /** The last row of the previous page. */
  after?: { createdAt: string; id: string };
  limit: number;
}

/**
 * The task queries and the rows a submission writes (`tasks`, its first `shards`). Raw SQL: the
 * task view joins owner, input file and the first wait reason in one statement.
 */
@Injectable()
export class TasksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One transaction, retried on a deadlock or serialization failure. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.db, work);
  }

  /** The id of the user's task submitted with this idempotency key, if any. */
  async idByIdempotencyKey(
    m: EntityManager | undefined,
    userId: string,
    key: string,
  ): Promise<string | undefined> {
    const rows = await (m ?? this.db.manager).query<{ id: string }[]>(
      `SELECT id FROM tasks WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, key],
    );
    return rows[0]?.id;
  }

  /** The user's task with this client reference, and the digest of the request that created it. */
  async byClientRef(
    m: EntityManager | undefined,
    userId: string,
    ref: string,
  ): Promise<{ id: string; request_digest: string } | undefined> {
    const rows = await (m ?? this.db.manager).query<{ id: string; request_digest: string }[]>(
      `SELECT id, request_digest FROM tasks WHERE user_id = $1 AND client_ref = $2`,
      [userId, ref],
    );
    return rows[0];
  }

  /** The id of the user's task with this client reference (only theirs: refs are per user). */
  async idByClientRef(userId: string, ref: string): Promise<string | undefined> {
    return (await this.byClientRef(this.db.manager, userId, ref))?.id;
  }

  /** The id of the node with this name or id (the submission's `target_node`), if any. */
  async nodeIdByNameOrId(m: EntityManager | undefined, nameOrId: string): Promise<string | undefined> {
    const rows = await (m ?? this.db.manager).query<{ id: string }[]>(
      `SELECT id FROM nodes WHERE name = lower($1) OR id::text = $1 LIMIT 1`,
      [nameOrId],
    );
    return rows[0]?.id;
  }

  /**
   * Adds the task and its shards as the splitter planned them (queued at the task's priority) to
   * `statement` (parts `task`, `task_shards`); `inserted()` is false when a concurrent submission
   * with the same idempotency key or client reference won the race (a unique index answers, no row
   * is written), or when `when` (SQL over earlier parts: the hold is funded) did not hold. `written`
   * is the SQL condition later parts wait on: the task row was inserted.
   */
  addInsert(
    statement: ComposedStatement,
    t: NewTask,
    shards: readonly { index: number; params: Record<string, unknown> }[],
    when = 'true',
  ): { inserted: () => boolean; written: string } {
    statement.with(
      'task',
      `INSERT INTO tasks (id, user_id, name, image, command, env, req_cpu_millicores, req_memory_mb,
           req_storage_mb, req_cpu_score, req_gpu_score, req_gpu_memory_mb, req_gpu_name, location, priority,
           timeout_s, max_attempts, network_allowed, split_kind, split_params, aggregate, target_node_id,
           shards_total, max_cost, idempotency_key, secret_env_sealed, secret_env_keys, validation, quorum,
           max_replicas, validator, client_ref, request_digest)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
           $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33
         WHERE ${when}
         ON CONFLICT DO NOTHING
         RETURNING *`,
      [
        t.id,
        t.userId,
        t.name,
        t.image,
        t.command ? JSON.stringify(t.command) : null,
        JSON.stringify(t.env),
        t.resources.cpuMillicores,
        t.resources.memoryMb,
        t.resources.storageMb,
        t.resources.cpuScore,
        t.resources.gpuScore,
        t.resources.gpuMemoryMb,
        t.gpuName,
        t.location,
        t.priority,
        t.timeoutS,
        t.maxAttempts,
        t.networkAllowed,
        t.splitKind,
        JSON.stringify(t.splitParams),
        t.aggregate ? JSON.stringify(t.aggregate) : null,
        t.targetNodeId,
        t.shardsTotal,
        t.maxCost,
        t.idempotencyKey,
        t.secretEnvSealed,
        JSON.stringify(t.secretEnvKeys),
        t.validation,
        t.quorum,
        t.maxReplicas,
        t.validator ? JSON.stringify(t.validator) : null,
        t.clientRef?.ref ?? null,
        t.clientRef?.requestDigest ?? null,
      ],
    );
    statement.with(
      'task_shards',
      `INSERT INTO shards (task_id, shard_index, params, priority, quorum, replicas_wanted)
       SELECT t.id, x.i, x.p::jsonb, t.priority, ${SHARD_QUORUM_OF_TASK}, ${SHARD_WANTED_OF_TASK}
       FROM unnest($1::int[], $2::text[]) AS x(i, p) CROSS JOIN task t`,
      [shards.map((shard) => shard.index), shards.map((shard) => JSON.stringify(shard.params))],
    );
    const inserted = statement.output<boolean>('task_inserted', 'EXISTS (SELECT 1 FROM task)');
    return { inserted, written: 'EXISTS (SELECT 1 FROM task)' };
  }

  /** Runs a composed statement outside any transaction: one statement commits all its parts or none. */
  runAlone(statement: ComposedStatement): Promise<void> {
    return statement.run(this.db.manager);
  }

  async setInputFile(m: EntityManager, taskId: string, fileId: string): Promise<void> {
    await m.query(`UPDATE tasks SET input_file_id = $2 WHERE id = $1`, [taskId, fileId]);
  }

  /** The task with its owner's name, input file and first wait reason; undefined also for a malformed id. */
  async row(taskId: string): Promise<TaskRow | undefined> {
    if (!isUuid(taskId)) return undefined;
    const rows = await this.db.query<TaskRow[]>(`SELECT ${TASK_COLUMNS} FROM ${TASK_FROM} WHERE t.id = $1`, [
      taskId,
    ]);
    return rows[0];
  }

  shards(taskId: string): Promise<ShardRow[]> {
    return this.db.query<ShardRow[]>(
      `SELECT id, shard_index, is_aggregate, state, params, wait_reason, exit_code, output_file_id, quorum,
         replicas_wanted, canonical_attempt_id
       FROM shards WHERE task_id = $1 ORDER BY shard_index`,
      [taskId],
    );
  }

  /** Every attempt of the task, with its node's name, oldest first. */
  attempts(taskId: string): Promise<AttemptRow[]> {
    return this.db.query<AttemptRow[]>(
      `SELECT a.id, a.shard_id, a.attempt_number, a.node_id, n.name AS node_name, a.state, a.exit_code,
         a.oom_killed, a.failure_cause, a.error, a.duration_ms, a.cost, a.reward, a.replica, a.purpose, a.observed_ms,
         a.result_digest, a.validation, a.assigned_at, a.started_at, a.finished_at
       FROM attempts a JOIN nodes n ON n.id = a.node_id WHERE a.task_id = $1 ORDER BY a.assigned_at`,
      [taskId],
    );
  }

  /** Up to `limit` tasks, newest first (ties by id), after the keyset `after`. */
  page(q: TaskPageQuery): Promise<TaskRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (q.userId !== undefined) where.push(`t.user_id = ${arg(q.userId)}`);
    if (q.status) where.push(`t.status = ${arg(q.status)}`);
    if (q.search) where.push(`t.name ILIKE ${arg(`%${q.search.replace(/[\\%_]/g, '\\$&')}%`)}`);
    if (q.after) {
      where.push(`(t.created_at, t.id) < (${arg(q.after.createdAt)}::timestamptz, ${arg(q.after.id)}::uuid)`);
    }
    return this.db.query<TaskRow[]>(
      `SELECT ${TASK_COLUMNS} FROM ${TASK_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY t.created_at DESC, t.id DESC LIMIT ${arg(q.limit)}`,
      args,
    );
  }

  /** Log chunks of the task after the chunk id `after`, in the order they were stored. */
  logChunks(taskId: string, after: number, limit: number): Promise<LogChunkRow[]> {
    return this.db.query<LogChunkRow[]>(
      `SELECT c.id, s.shard_index, c.attempt_id, c.seq, c.stream, c.data, c.created_at
       FROM log_chunks c JOIN attempts a ON a.id = c.attempt_id JOIN shards s ON s.id = a.shard_id
       WHERE c.task_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3`,
      [taskId, after, limit],
    );
  }

  /** The output blobs of the task's completed shards, in shard order. */
  completedOutputs(
    taskId: string,
  ): Promise<{ shard_index: number; is_aggregate: boolean; sha256: string }[]> {
    return this.db.query(
      `SELECT s.shard_index, s.is_aggregate, f.sha256 FROM shards s JOIN files f ON f.id = s.output_file_id
       WHERE s.task_id = $1 AND s.state = 'COMPLETED' ORDER BY s.shard_index`,
      [taskId],
    );
  }
}
