import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import {
  type Page,
  SplitKind,
  type TaskDetailView,
  type TaskLogsView,
  TaskStatus,
  type TaskView,
  UserRole,
  HIGH_TRUST_MIN,
  CLIENT_REF_PATTERN,
  toPage,
  maxTaskCost,
  paidReplicasAtMost,
  ratePerMinute,
  TASK_LIMITS,
  ValidationMode,
  maskedEnv,
} from '@hivemind/contracts';
import { type SubmitTaskDto } from '@hivemind/contracts/dto';
import { type AuthUser, isAdmin, mayAccess } from '../accounts/auth-user';
import { AuditService } from '../audit/audit.service';
import { ComposedStatement } from '../common/composed-statement';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { LedgerService } from '../ledger/ledger.service';
import { PlacementTrigger } from '../queues/placement-trigger';
import { TERMINAL_TASK } from '../scheduling/settlement';
import { planShards, shardFolder } from '../scheduling/splitter';
import { TaskSecrets } from '../scheduling/task-secrets';
import { type ValidatorStep } from '../scheduling/task.entity';
import { FilesRepository } from '../storage/files.repository';
import { type ArchivePart } from '../storage/result-archive';
import { TelemetryService } from '../telemetry/telemetry.service';
import { submissionDigest } from './submission-digest';
import { TaskEndWaiter } from './task-end-waiter';
import { type TaskRow, toLogChunkView, toShardView, toTaskView } from './task-rows';
import { TasksRepository } from './tasks.repository';

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

/**
 * Tasks as their users see them: submission (validated, split into shards, the maximum cost held in
 * escrow, all in one transaction), queries with visibility (a user sees their own tasks, admins all),
 * logs. The scheduler and the attempt life cycle move them on.
 */
@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    private readonly rows: TasksRepository,
    private readonly files: FilesRepository,
    private readonly ledger: LedgerService,
    private readonly placement: PlacementTrigger,
    private readonly telemetry: TelemetryService,
    private readonly secrets: TaskSecrets,
    private readonly audit: AuditService,
    private readonly endWaiter: TaskEndWaiter,
  ) {}

  /** Submits a task, audited (task.submit) in the transaction that holds its CPT; refusals too. */
  submit(
    user: AuthUser,
    spec: SubmitTaskDto,
    input?: SubmittedInput,
    idempotencyKey?: string,
  ): Promise<SubmitResult> {
    return this.audit.refusalsOf(
      { action: 'task.submit', actor: { id: user.id, username: user.username }, detail: { name: spec.name } },
      () => this.submitChecked(user, spec, input, idempotencyKey),
    );
  }

  private async submitChecked(
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
      shards: spec.shards ?? TASK_LIMITS.shards.default,
      params: spec.split_params ?? {},
      inputFiles: input?.entries,
    });
    const aggregate = spec.aggregate_command?.length ? { command: spec.aggregate_command } : null;
    const shardsTotal = plans.length + (aggregate ? 1 : 0);

    const resources = {
      cpuMillicores: Math.round((spec.cpu_cores ?? TASK_LIMITS.cpu_cores.default) * 1000),
      memoryMb: Math.round((spec.memory_gb ?? TASK_LIMITS.memory_gb.default) * 1024),
      storageMb: Math.round((spec.storage_gb ?? TASK_LIMITS.storage_gb.default) * 1024),
      cpuScore: spec.cpu_score ?? TASK_LIMITS.cpu_score.default,
      gpuScore: spec.gpu_score ?? TASK_LIMITS.gpu_score.default,
      gpuMemoryMb: Math.round((spec.gpu_memory_gb ?? TASK_LIMITS.gpu_memory_gb.default) * 1024),
    };
    const timeoutS = spec.timeout_s ?? TASK_LIMITS.timeout_s.default;
    const rate = ratePerMinute({ ...resources, gpuName: spec.gpu_name });
    const policy = validationPolicyOf(spec);
    const maxCost = maxTaskCost(
      rate,
      timeoutS,
      shardsTotal,
      paidReplicasAtMost(policy.validation, policy.maxReplicas, policy.validator ? policy.quorum : 0),
    );
    const priority = spec.priority ?? TASK_LIMITS.priority.default;
    const secretEnv = this.secrets.seal(spec.secret_env ?? {});
    const clientRef = spec.client_ref
      ? { ref: spec.client_ref, requestDigest: submissionDigest(spec, input?.sha256) }
      : null;

    const id = randomUUID();
    const why = { rate, timeoutS, shardsTotal };
    const record = async (m?: EntityManager): Promise<{ id: string; created: boolean }> => {
      const earlier = await this.earlierSubmission(m, user.id, idempotencyKey, clientRef);
      if (earlier) return { id: earlier, created: false };
      const targetNodeId = spec.target_node ? await this.resolveNode(m, spec.target_node) : null;
      // the hold's check, the task and its shards (only if the CPT is there), the hold, the audit
      // event: one statement, one round trip
      const statement = new ComposedStatement();
      const hold = maxCost > 0 ? this.ledger.holdIn(statement, id, user.id, maxCost) : undefined;
      const task = this.rows.addInsert(
        statement,
        {
          id,
          userId: user.id,
          name: spec.name ?? '',
          image: spec.image ?? null,
          command: spec.command ?? null,
          env: spec.env ?? {},
          secretEnvSealed: secretEnv.sealed,
          secretEnvKeys: secretEnv.keys,
          resources,
          gpuName: spec.gpu_name || null,
          location: spec.location || null,
          priority,
          timeoutS,
          maxAttempts: spec.max_attempts ?? TASK_LIMITS.max_attempts.default,
          ...policy,
          networkAllowed: spec.network_allowed ?? false,
          splitKind: split,
          splitParams: spec.split_params ?? {},
          aggregate,
          targetNodeId,
          shardsTotal,
          maxCost,
          idempotencyKey: idempotencyKey ?? null,
          clientRef,
        },
        plans,
        hold?.funded,
      );
      hold?.post(task.written);
      this.audit.recordIn(
        statement,
        {
          action: 'task.submit',
          actor: { id: user.id, username: user.username },
          target: { type: 'task', id },
          detail: {
            name: spec.name ?? '',
            shards: shardsTotal,
            max_cost: maxCost,
            input: input !== undefined,
          },
        },
        task.written,
      );
      await (m ? statement.run(m) : this.rows.runAlone(statement));
      if (!task.inserted()) {
        // a concurrent submission with the same key or client reference won the race (and may have
        // taken the CPT this one found missing: it answers first), or the CPT is not there
        const winner = await this.earlierSubmission(m, user.id, idempotencyKey, clientRef);
        if (winner) return { id: winner, created: false };
        if (hold) await this.explainRefusal(hold.settle(m), maxCost, why);
        throw new Error(`task ${id} was not written, with no earlier submission and no refusal`);
      }
      if (hold) await hold.settle(m);
      if (input && m) {
        const file = await this.files.insert(
          {
            ownerId: user.id,
            taskId: id,
            kind: 'input',
            name: input.filename.slice(0, 1024) || 'input.zip',
            sha256: input.sha256,
            sizeBytes: input.size,
            contentType: 'application/zip',
          },
          m,
        );
        await this.rows.setInputFile(m, id, file.id);
      }
      return { id, created: true };
    };
    // with an input zip its files row commits with the task: a transaction; without, the one
    // statement commits alone (all its rows or none)
    const outcome = input ? await this.rows.transaction(record) : await record();

    // placement first: an idle pool places the task while its view is read
    if (outcome.created) this.placement.request('task submitted');
    const task = await this.view(outcome.id);
    if (outcome.created) {
      this.logger.log(
        `task ${task.id} submitted by ${user.username}: ${shardsTotal} shard(s), up to ${maxCost} CPT`,
      );
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

  /**
   * The user's task an earlier submission with this idempotency key or client reference created; a
   * client reference taken by a different request is refused (ADR 0012).
   */
  private async earlierSubmission(
    m: EntityManager | undefined,
    userId: string,
    idempotencyKey: string | undefined,
    clientRef: { ref: string; requestDigest: string } | null,
  ): Promise<string | undefined> {
    if (idempotencyKey) {
      const earlier = await this.rows.idByIdempotencyKey(m, userId, idempotencyKey);
      if (earlier) return earlier;
    }
    if (!clientRef) return undefined;
    const earlier = await this.rows.byClientRef(m, userId, clientRef.ref);
    if (earlier && earlier.request_digest !== clientRef.requestDigest) {
      throw new DomainError(
        'conflict',
        `the client reference "${clientRef.ref}" (task_id of UploadTask) already names your task ${earlier.id}, submitted with a different request: choose another reference, or send the same request again`,
        { field: 'client_ref' },
      );
    }
    return earlier?.id;
  }

  /** The hold's answer; a refusal for too little CPT says what the task may cost and why. */
  private async explainRefusal(
    hold: Promise<unknown>,
    maxCost: number,
    why: { rate: number; timeoutS: number; shardsTotal: number },
  ): Promise<void> {
    try {
      await hold;
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

  private async resolveNode(m: EntityManager | undefined, nameOrId: string): Promise<string> {
    const id = await this.rows.nodeIdByNameOrId(m, nameOrId);
    if (!id) throw new DomainError('not_found', `no node named "${nameOrId}"`, { field: 'target_node' });
    return id;
  }

  /**
   * The task `ref` names for the caller: a task id they may see (owner or admin), else one of their
   * own client references (never another user's, admins included); 404 otherwise, so ids and
   * references do not leak. The row's `id` is the pool's id, for everything that follows.
   */
  async visibleRow(user: AuthUser, ref: string): Promise<TaskRow> {
    const byId = isUuid(ref) ? await this.row(ref) : undefined;
    if (byId && mayAccess(user, byId.user_id)) return byId;
    const id = CLIENT_REF_PATTERN.test(ref) ? await this.rows.idByClientRef(user.id, ref) : undefined;
    const row = id ? await this.row(id) : undefined;
    if (!row) throw new DomainError('not_found', `no task ${ref.slice(0, 128)}`);
    return row;
  }

  row(taskId: string): Promise<TaskRow | undefined> {
    return this.rows.row(taskId);
  }

  async view(taskId: string): Promise<TaskView> {
    const row = await this.row(taskId);
    if (!row) throw new DomainError('not_found', `no task ${taskId}`);
    return toTaskView(row);
  }

  /**
   * A task with its shards and attempts. With `waitS`, a blocking query: the answer is held until
   * the task has ended or `waitS` seconds have passed (or `signal` aborts: the client went away).
   */
  async detail(user: AuthUser, taskId: string, waitS = 0, signal?: AbortSignal): Promise<TaskDetailView> {
    const first = await this.visibleRow(user, taskId);
    const known =
      waitS > 0 && !TERMINAL_TASK.includes(first.status)
        ? await this.untilEnded(user, first, waitS, signal)
        : first;
    // after a wait, the task is read again beside its shards and attempts: one round trip
    const [task, shards, attempts] = await Promise.all([
      known ?? this.visibleRow(user, first.id),
      this.rows.shards(first.id),
      this.rows.attempts(first.id),
    ]);
    return {
      ...toTaskView(task),
      env: maskedEnv(task.env, task.secret_env_keys),
      secret_env_keys: task.secret_env_keys,
      shards: shards.map((s) => toShardView(s, attempts)),
    };
  }

  /**
   * Waits for the task's end (or `waitS`, or the client leaving): the task as it is when that is
   * known already, undefined when it is to be read again (woken, or the wait ran out).
   */
  private async untilEnded(
    user: AuthUser,
    task: TaskRow,
    waitS: number,
    signal?: AbortSignal,
  ): Promise<TaskRow | undefined> {
    const watch = this.endWaiter.watch(task.id);
    if (!watch) return task; // this replica holds as many waits as it may: answer as it is
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => watch.close();
    try {
      // read again once watched: an end between the first read and the watch is not missed
      task = await this.visibleRow(user, task.id);
      if (TERMINAL_TASK.includes(task.status) || signal?.aborted) return task;
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => watch.close(), waitS * 1000);
      await watch.ended;
      return signal?.aborted ? task : undefined;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      watch.close();
    }
  }

  /** Newest first, keyset-paginated; `all` (admins) lists everyone's. */
  async list(
    user: AuthUser,
    q: { status?: TaskStatus; all?: boolean; search?: string; limit: number; cursor?: string },
  ): Promise<Page<TaskView>> {
    const rows = await this.rows.page({
      userId: q.all && isAdmin(user) ? undefined : user.id,
      status: q.status,
      search: q.search,
      after: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: q.limit,
    });
    return toPage(rows, q.limit, toTaskView, (r) =>
      Buffer.from(`${r.created_at.toISOString()}|${r.id}`).toString('base64url'),
    );
  }

  /** Log chunks after `after` (a chunk id), in the order they were stored per attempt. */
  async logs(user: AuthUser, taskId: string, after: number, limit: number): Promise<TaskLogsView> {
    const task = await this.visibleRow(user, taskId);
    const rows = await this.rows.logChunks(task.id, after, limit);
    const chunks = rows.map(toLogChunkView);
    return {
      task_id: task.id,
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
    const rows = await this.rows.completedOutputs(task.id);
    if (rows.length === 0) {
      throw new DomainError(
        'not_found',
        `task ${task.id} has no outputs yet (${task.status}, ${task.shards_completed}/${task.shards_total} shards done)`,
      );
    }
    return {
      task,
      parts: rows.map((r) => ({ prefix: shardFolder(r.shard_index, r.is_aggregate), sha256: r.sha256 })),
    };
  }
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !isUuid(id)) {
    throw new DomainError('invalid', 'cursor is not a next_cursor of this list', { field: 'cursor' });
  }
  return { createdAt: at, id };
}

/**
 * A submission's validation policy (docs/validation.md): adaptive unless it says otherwise; a task
 * sent to one named node is that node's alone (validation none), since replicas need other owners.
 */
export function validationPolicyOf(spec: {
  validation?: ValidationMode;
  quorum?: number;
  max_replicas?: number;
  target_node?: string;
  validator_command?: string[];
}): { validation: ValidationMode; quorum: number; maxReplicas: number; validator: ValidatorStep | null } {
  const validator = spec.validator_command?.length ? { command: spec.validator_command } : null;
  const quorum = spec.quorum ?? TASK_LIMITS.quorum.default;
  const maxReplicas = spec.max_replicas ?? Math.max(TASK_LIMITS.max_replicas.default, quorum);
  if (spec.target_node) {
    if (spec.validation && spec.validation !== ValidationMode.None) {
      throw new DomainError(
        'invalid',
        'validation must be none for a task sent to one node (target_node): replicas need nodes of other owners',
        { field: 'validation' },
      );
    }
    if (validator) throw noValidator('a task sent to one node (target_node) has no replicas to compare');
    return { validation: ValidationMode.None, quorum: 1, maxReplicas: 1, validator: null };
  }
  if (quorum > maxReplicas) {
    throw new DomainError('invalid', `quorum (${quorum}) must not exceed max_replicas (${maxReplicas})`, {
      field: 'quorum',
    });
  }
  const validation = spec.validation ?? ValidationMode.Adaptive;
  if (validation === ValidationMode.None) {
    if (validator) throw noValidator('validation none compares no results');
    return { validation, quorum: 1, maxReplicas: 1, validator: null };
  }
  return { validation, quorum, maxReplicas, validator };
}

function noValidator(why: string): DomainError {
  return new DomainError('invalid', `validator_command needs validation quorum or adaptive: ${why}`, {
    field: 'validator_command',
  });
}
