import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  type Page,
  SplitKind,
  type TaskDetailView,
  type TaskLogsView,
  TaskStatus,
  type TaskView,
  UserRole,
  HIGH_TRUST_MIN,
  toPage,
  maxTaskCost,
  ratePerMinute,
} from '@hivemind/contracts';
import { type SubmitTaskDto } from '@hivemind/contracts/dto';
import { type AuthUser } from '../accounts/auth-user';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { inTransaction } from '../common/transaction';
import { LedgerService } from '../ledger/ledger.service';
import { PlacementTrigger } from '../scheduling/placement-trigger';
import { planShards, shardFolder } from '../scheduling/splitter';
import { type ArchivePart } from '../storage/result-archive';
import { TelemetryService } from '../telemetry/telemetry.service';
import {
  type AttemptRow,
  type LogChunkRow,
  type ShardRow,
  TASK_COLUMNS,
  TASK_FROM,
  type TaskRow,
  toLogChunkView,
  toShardView,
  toTaskView,
} from './task-rows';

/** An input zip already streamed into the blob store. */
export interface SubmittedInput {
  sha256: string;
  size: number;
  filename: string;
  /** The zip's entry names (for data_processing). */
  entries: readonly string[];
}

export interface SubmitResult {
  task: TaskView;
  created: boolean;
}

const DEFAULTS = { cpuCores: 1, memoryGb: 0.5, storageGb: 1, priority: 0, timeoutS: 3600, maxAttempts: 3 };

/**
 * Tasks as their users see them: submission (validated, split into shards, the maximum cost held in
 * escrow, all in one transaction), queries with visibility (a user sees their own tasks, admins all),
 * logs. The scheduler and the attempt life cycle move them on.
 */
@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly placement: PlacementTrigger,
    private readonly telemetry: TelemetryService,
  ) {}

  async submit(
    user: AuthUser,
    spec: SubmitTaskDto,
    input?: SubmittedInput,
    idempotencyKey?: string,
  ): Promise<SubmitResult> {
    if (!spec.image && !input) {
      throw new DomainError('invalid', 'give an image, an input zip, or both', { field: 'image' });
    }
    if (spec.network_allowed && user.role !== UserRole.Admin && user.trustScore < HIGH_TRUST_MIN) {
      throw new DomainError(
        'forbidden',
        `network access needs a trust score of ${HIGH_TRUST_MIN} (yours is ${user.trustScore}); ask an admin`,
        { field: 'network_allowed' },
      );
    }
    if (spec.target_node && user.role !== UserRole.Admin) {
      throw new DomainError('forbidden', 'only admins may dispatch to a named node', {
        field: 'target_node',
      });
    }
    const split = spec.split ?? SplitKind.None;
    const plans = planShards({
      kind: split,
      shards: spec.shards ?? 1,
      params: spec.split_params ?? {},
      inputFiles: input?.entries,
    });
    const aggregate = spec.aggregate_command?.length ? { command: spec.aggregate_command } : null;
    const shardsTotal = plans.length + (aggregate ? 1 : 0);

    const resources = {
      cpuMillicores: Math.round((spec.cpu_cores ?? DEFAULTS.cpuCores) * 1000),
      memoryMb: Math.round((spec.memory_gb ?? DEFAULTS.memoryGb) * 1024),
      storageMb: Math.round((spec.storage_gb ?? DEFAULTS.storageGb) * 1024),
      cpuScore: spec.cpu_score ?? 0,
      gpuScore: spec.gpu_score ?? 0,
      gpuMemoryMb: Math.round((spec.gpu_memory_gb ?? 0) * 1024),
    };
    const timeoutS = spec.timeout_s ?? DEFAULTS.timeoutS;
    const rate = ratePerMinute({ ...resources, gpuName: spec.gpu_name });
    const maxCost = maxTaskCost(rate, timeoutS, shardsTotal);
    const priority = spec.priority ?? DEFAULTS.priority;

    const outcome = await inTransaction(this.db, async (m) => {
      if (idempotencyKey) {
        const earlier = await m.query<{ id: string }[]>(
          `SELECT id FROM tasks WHERE user_id = $1 AND idempotency_key = $2`,
          [user.id, idempotencyKey],
        );
        if (earlier[0]) return { id: earlier[0].id, created: false };
      }
      const targetNodeId = spec.target_node ? await this.resolveNode(m, spec.target_node) : null;
      const id = randomUUID();
      const inserted = await m.query<{ id: string }[]>(
        `INSERT INTO tasks (id, user_id, name, image, command, env, req_cpu_millicores, req_memory_mb,
           req_storage_mb, req_cpu_score, req_gpu_score, req_gpu_memory_mb, req_gpu_name, location, priority,
           timeout_s, max_attempts, network_allowed, split_kind, split_params, aggregate, target_node_id,
           shards_total, max_cost, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
           $22, $23, $24, $25)
         ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id`,
        [
          id,
          user.id,
          spec.name ?? '',
          spec.image ?? null,
          spec.command ? JSON.stringify(spec.command) : null,
          JSON.stringify(spec.env ?? {}),
          resources.cpuMillicores,
          resources.memoryMb,
          resources.storageMb,
          resources.cpuScore,
          resources.gpuScore,
          resources.gpuMemoryMb,
          spec.gpu_name || null,
          spec.location || null,
          priority,
          timeoutS,
          spec.max_attempts ?? DEFAULTS.maxAttempts,
          spec.network_allowed ?? false,
          split,
          JSON.stringify(spec.split_params ?? {}),
          aggregate ? JSON.stringify(aggregate) : null,
          targetNodeId,
          shardsTotal,
          maxCost,
          idempotencyKey ?? null,
        ],
      );
      if (!inserted[0]) {
        // a concurrent submission with the same key won the race
        const [earlier] = await m.query<{ id: string }[]>(
          `SELECT id FROM tasks WHERE user_id = $1 AND idempotency_key = $2`,
          [user.id, idempotencyKey],
        );
        return { id: earlier.id, created: false };
      }
      if (input) {
        const [file] = await m.query<{ id: string }[]>(
          `INSERT INTO files (owner_id, task_id, kind, name, sha256, size_bytes, content_type)
           VALUES ($1, $2, 'input', $3, $4, $5, 'application/zip') RETURNING id`,
          [user.id, id, input.filename.slice(0, 1024) || 'input.zip', input.sha256, input.size],
        );
        await m.query(`UPDATE tasks SET input_file_id = $2 WHERE id = $1`, [id, file.id]);
      }
      await m.query(
        `INSERT INTO shards (task_id, shard_index, params, priority)
         SELECT $1, x.i, x.p::jsonb, $4 FROM unnest($2::int[], $3::text[]) AS x(i, p)`,
        [id, plans.map((p) => p.index), plans.map((p) => JSON.stringify(p.params)), priority],
      );
      if (maxCost > 0) await this.hold(m, id, user.id, maxCost, { rate, timeoutS, shardsTotal });
      return { id, created: true };
    });

    const task = await this.view(outcome.id);
    if (outcome.created) {
      this.logger.log(
        `task ${task.id} submitted by ${user.username}: ${shardsTotal} shard(s), up to ${maxCost} CPT`,
      );
      this.placement.request('task submitted');
      this.telemetry.publish({
        type: 'task',
        event: 'submitted',
        taskId: task.id,
        userId: user.id,
        status: task.status,
        progress: 0,
        at: new Date().toISOString(),
      });
    }
    return { task, created: outcome.created };
  }

  private async hold(
    m: EntityManager,
    taskId: string,
    userId: string,
    maxCost: number,
    why: { rate: number; timeoutS: number; shardsTotal: number },
  ): Promise<void> {
    try {
      await this.ledger.hold(m, taskId, userId, maxCost);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'insufficient_funds') {
        const minutes = Math.ceil(why.timeoutS / 60);
        throw new DomainError(
          'insufficient_funds',
          `this task may cost up to ${maxCost} CPT (${why.shardsTotal} shard(s) × up to ${minutes} min at ${why.rate} CPT/min), held until it ends; ${error.message.replace(/^insufficient balance: /, 'you have ')}. Lower timeout_s, resources or shards, or get CPT`,
          { field: 'timeout_s' },
        );
      }
      throw error;
    }
  }

  private async resolveNode(m: EntityManager, nameOrId: string): Promise<string> {
    const rows = await m.query<{ id: string }[]>(
      `SELECT id FROM nodes WHERE name = lower($1) OR id::text = $1 LIMIT 1`,
      [nameOrId],
    );
    if (!rows[0]) throw new DomainError('not_found', `no node named "${nameOrId}"`, { field: 'target_node' });
    return rows[0].id;
  }

  /** The task if the caller may see it (owner or admin); 404 otherwise, so ids do not leak. */
  async visibleRow(user: AuthUser, taskId: string): Promise<TaskRow> {
    const row = await this.row(taskId);
    if (!row || (row.user_id !== user.id && user.role !== UserRole.Admin)) {
      throw new DomainError('not_found', `no task ${taskId}`);
    }
    return row;
  }

  async row(taskId: string): Promise<TaskRow | undefined> {
    if (!isUuid(taskId)) return undefined;
    const rows = await this.db.query<TaskRow[]>(`SELECT ${TASK_COLUMNS} FROM ${TASK_FROM} WHERE t.id = $1`, [
      taskId,
    ]);
    return rows[0];
  }

  async view(taskId: string): Promise<TaskView> {
    const row = await this.row(taskId);
    if (!row) throw new DomainError('not_found', `no task ${taskId}`);
    return toTaskView(row);
  }

  async detail(user: AuthUser, taskId: string): Promise<TaskDetailView> {
    const task = await this.visibleRow(user, taskId);
    const [shards, attempts] = await Promise.all([
      this.db.query<ShardRow[]>(
        `SELECT id, shard_index, is_aggregate, state, params, wait_reason, exit_code, output_file_id
         FROM shards WHERE task_id = $1 ORDER BY shard_index`,
        [taskId],
      ),
      this.db.query<AttemptRow[]>(
        `SELECT a.id, a.shard_id, a.attempt_number, a.node_id, n.name AS node_name, a.state, a.exit_code,
           a.oom_killed, a.failure_cause, a.error, a.duration_ms, a.cost, a.reward, a.assigned_at,
           a.started_at, a.finished_at
         FROM attempts a JOIN nodes n ON n.id = a.node_id WHERE a.task_id = $1 ORDER BY a.assigned_at`,
        [taskId],
      ),
    ]);
    return { ...toTaskView(task), env: task.env, shards: shards.map((s) => toShardView(s, attempts)) };
  }

  /** Newest first, keyset-paginated; `all` (admins) lists everyone's. */
  async list(
    user: AuthUser,
    q: { status?: TaskStatus; all?: boolean; search?: string; limit: number; cursor?: string },
  ): Promise<Page<TaskView>> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (!(q.all && user.role === UserRole.Admin)) where.push(`t.user_id = ${arg(user.id)}`);
    if (q.status) where.push(`t.status = ${arg(q.status)}`);
    if (q.search) where.push(`t.name ILIKE ${arg(`%${q.search.replace(/[\\%_]/g, '\\$&')}%`)}`);
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor);
      where.push(`(t.created_at, t.id) < (${arg(at)}::timestamptz, ${arg(id)}::uuid)`);
    }
    const rows = await this.db.query<TaskRow[]>(
      `SELECT ${TASK_COLUMNS} FROM ${TASK_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY t.created_at DESC, t.id DESC LIMIT ${arg(q.limit)}`,
      args,
    );
    return toPage(rows, q.limit, toTaskView, (r) =>
      Buffer.from(`${r.created_at.toISOString()}|${r.id}`).toString('base64url'),
    );
  }

  /** Log chunks after `after` (a chunk id), in the order they were stored per attempt. */
  async logs(user: AuthUser, taskId: string, after: number, limit: number): Promise<TaskLogsView> {
    const task = await this.visibleRow(user, taskId);
    const rows = await this.db.query<LogChunkRow[]>(
      `SELECT c.id, s.shard_index, c.attempt_id, c.seq, c.stream, c.data, c.created_at
       FROM log_chunks c JOIN attempts a ON a.id = c.attempt_id JOIN shards s ON s.id = a.shard_id
       WHERE c.task_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3`,
      [taskId, after, limit],
    );
    const chunks = rows.map(toLogChunkView);
    return {
      task_id: taskId,
      status: task.status,
      chunks,
      next_after: chunks.length ? chunks[chunks.length - 1].id : after,
    };
  }

  /**
   * The stored outputs of a task's completed shards, in shard order, as the parts of its results
   * zip (`shard-NNN/`, `aggregate/`); 404 while there are none.
   */
  async outputs(user: AuthUser, taskId: string): Promise<{ task: TaskRow; parts: ArchivePart[] }> {
    const task = await this.visibleRow(user, taskId);
    const rows = await this.db.query<{ shard_index: number; is_aggregate: boolean; sha256: string }[]>(
      `SELECT s.shard_index, s.is_aggregate, f.sha256 FROM shards s JOIN files f ON f.id = s.output_file_id
       WHERE s.task_id = $1 AND s.state = 'COMPLETED' ORDER BY s.shard_index`,
      [taskId],
    );
    if (rows.length === 0) {
      throw new DomainError(
        'not_found',
        `task ${taskId} has no outputs yet (${task.status}, ${task.shards_completed}/${task.shards_total} shards done)`,
      );
    }
    return {
      task,
      parts: rows.map((r) => ({ prefix: shardFolder(r.shard_index, r.is_aggregate), sha256: r.sha256 })),
    };
  }
}

function decodeCursor(cursor: string): [string, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !isUuid(id)) {
    throw new DomainError('invalid', 'cursor is not a next_cursor of this list', { field: 'cursor' });
  }
  return [at, id];
}
