import { Controller, Logger, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { PassThrough } from 'node:stream';
import type { Metadata } from '@grpc/grpc-js';
import {
  CLIENT_REF_PATTERN,
  CLIENT_REF_RULE,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  SplitKind,
  TaskStatus,
} from '@hivemind/contracts';
import type {
  GetAllTasksRequest__Output,
  GetAllTasksResponse,
  GetTaskLogsRequest__Output,
  GetTaskLogsResponse,
  GetTaskResultRequest__Output,
  GetTaskResultResponse,
  PollTaskStatusRequest__Output,
  PollTaskStatusResponse,
  StopTaskRequest__Output,
  StopTaskResponse,
  UploadTaskRequest__Output,
  UploadTaskResponse,
} from '@hivemind/contracts/grpc';
import { GRPC_MAX_MESSAGE_BYTES } from '@hivemind/contracts/grpc';
import { AccountsService } from '../accounts/accounts.service';
import { rpcToken } from '../accounts/auth.guards';
import { type AuthUser } from '../accounts/auth-user';
import { AppExceptionFilter } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';
import { idempotencyKeyOf } from '../common/idempotency-key';
import { parseJsonField } from '../common/json-shape';
import { seedAnswer } from '../common/seed-answer';
import { NodePoolConfig } from '../config/node-pool.config';
import { LifecycleService } from '../scheduling/lifecycle.service';
import { BlobStore } from '../storage/blob-store';
import { writeMergedZip } from '../storage/result-archive';
import { parseSpec, zipEntryNames } from './tasks.controller';
import { TasksService } from './tasks.service';

const SERVICE = 'MasterNodeService';

/**
 * gRPC `nodepool.MasterNodeService`: the seed's task rpcs for users (UploadTask, PollTaskStatus,
 * GetAllTasks, GetTaskLogs, GetTaskResult, StopTask — with a user token). Refusals answer
 * `success: false` and a message. Its worker rpcs (StoreLogs, StoreOutput, StoreResult,
 * ReturnTaskResult, TaskCompleted) are served from scheduling/master-worker.grpc-controller.ts.
 */
@Controller()
@UseFilters(AppExceptionFilter)
export class MasterGrpcController {
  private readonly logger = new Logger(MasterGrpcController.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly tasks: TasksService,
    private readonly lifecycle: LifecycleService,
    private readonly blobs: BlobStore,
    private readonly config: NodePoolConfig,
  ) {}

  // ── users ────────────────────────────────────────────────────────────────

  @GrpcMethod(SERVICE, 'UploadTask')
  uploadTask(req: UploadTaskRequest__Output, metadata: Metadata): Promise<UploadTaskResponse> {
    return seedAnswer(this.logger, async () => {
      const user = await this.user(metadata, req.token);
      checkUploader(user, req);
      const spec = await parseSpec(JSON.stringify(specOf(req)), 'the task');
      let input;
      if (req.task_zip.length > 0) {
        const stored = await this.blobs.putBuffer(req.task_zip, {
          maxBytes: this.config.storage.maxFileSize,
        });
        input = {
          ...stored,
          filename: 'task.zip',
          entries:
            spec.split === SplitKind.DataProcessing ? await zipEntryNames(this.blobs, stored.sha256) : [],
        };
      }
      const key = idempotencyKeyOf(req.idempotency_key || undefined);
      const { task, created } = await this.tasks.submit(user, spec, input, key);
      return {
        success: true,
        message: created
          ? `task ${task.id}${req.task_id ? ` (${req.task_id})` : ''} queued: ${task.shards_total} shard(s), up to ${task.max_cost} CPT held`
          : `task ${task.id}${req.task_id ? ` (${req.task_id})` : ''} (already submitted: this is the earlier task)`,
        task_id: task.id,
        max_cost: String(task.max_cost),
        status: task.status,
      };
    });
  }

  @GrpcMethod(SERVICE, 'PollTaskStatus')
  pollTaskStatus(req: PollTaskStatusRequest__Output, metadata: Metadata): Promise<PollTaskStatusResponse> {
    return seedAnswer(this.logger, async () => {
      const user = await this.user(metadata, req.token);
      const task = await this.tasks.visibleRow(user, req.task_id);
      const logs = await this.tasks.logs(user, task.id, 0, 1000);
      return {
        success: true,
        task_id: task.id,
        status: task.status,
        output: logs.chunks.slice(-100).map((c) => c.data),
        message: task.error ?? task.wait_reason ?? '',
        progress: task.shards_total ? Math.floor((task.shards_completed * 100) / task.shards_total) : 0,
        shards_total: task.shards_total,
        shards_completed: task.shards_completed,
        shards_failed: task.shards_failed,
        wait_reason: task.wait_reason ?? '',
        cost: task.cost,
        max_cost: task.max_cost,
      };
    });
  }

  @GrpcMethod(SERVICE, 'GetAllTasks')
  getAllTasks(req: GetAllTasksRequest__Output, metadata: Metadata): Promise<GetAllTasksResponse> {
    return seedAnswer(this.logger, async () => {
      const user = await this.user(metadata, req.token);
      const status = req.status ? (req.status.toUpperCase() as TaskStatus) : undefined;
      if (status && !Object.values(TaskStatus).includes(status)) {
        throw new DomainError('invalid', `status must be one of ${Object.values(TaskStatus).join(', ')}`);
      }
      const limit = Math.min(Math.max(req.limit || PAGE_SIZE_DEFAULT, 1), PAGE_SIZE_MAX);
      const page = await this.tasks.list(user, { status, limit, cursor: req.cursor || undefined, all: true });
      return {
        success: true,
        message: `${page.items.length} task(s)`,
        next_cursor: page.next_cursor ?? '',
        tasks: page.items.map((t) => ({
          task_id: t.id,
          status: t.status,
          created_at: t.created_at,
          updated_at: t.updated_at,
          assigned_node: '',
          name: t.name,
          progress: t.progress,
          shards_total: t.shards_total,
          owner: t.owner,
        })),
      };
    });
  }

  @GrpcMethod(SERVICE, 'GetTaskLogs')
  getTaskLogs(req: GetTaskLogsRequest__Output, metadata: Metadata): Promise<GetTaskLogsResponse> {
    return seedAnswer(this.logger, async () => {
      const user = await this.user(metadata, req.token);
      const limit = Math.min(Math.max(req.limit || 200, 1), 1000);
      const after = Number(req.after) || 0;
      if (!Number.isSafeInteger(after) || after < 0) {
        throw new DomainError('invalid', 'after must be the next_after of an earlier answer', {
          field: 'after',
        });
      }
      const logs = await this.tasks.logs(user, req.task_id, after, limit);
      return {
        success: true,
        message: logs.status,
        logs: logs.chunks.map((c) => c.data).join(''),
        chunks: logs.chunks.map((c) => ({ ...c, id: String(c.id), seq: String(c.seq) })),
        next_after: String(logs.next_after),
      };
    });
  }

  @GrpcMethod(SERVICE, 'GetTaskResult')
  getTaskResult(req: GetTaskResultRequest__Output, metadata: Metadata): Promise<GetTaskResultResponse> {
    return seedAnswer(this.logger, async () => {
      const user = await this.user(metadata, req.token);
      const { parts } = await this.tasks.outputs(user, req.task_id);
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      let size = 0;
      out.on('data', (c: Buffer) => {
        size += c.length;
        if (size > GRPC_MAX_MESSAGE_BYTES - 1024)
          out.destroy(
            new DomainError(
              'invalid',
              'the result is too large for one message: download it from /api/tasks/:id/results',
            ),
          );
        else chunks.push(c);
      });
      await writeMergedZip(this.blobs, parts, out);
      return { success: true, message: `${parts.length} output(s)`, result_zip: Buffer.concat(chunks) };
    });
  }

  @GrpcMethod(SERVICE, 'StopTask')
  stopTask(req: StopTaskRequest__Output, metadata: Metadata): Promise<StopTaskResponse> {
    return seedAnswer(this.logger, async () => {
      const user = await this.user(metadata, req.token);
      const task = await this.tasks.visibleRow(user, req.task_id);
      const { refunded } = await this.lifecycle.cancel(user, task.id);
      return { success: true, message: `task ${task.id} cancelled; ${refunded} CPT refunded` };
    });
  }

  private async user(metadata: Metadata, token: string): Promise<AuthUser> {
    const bearer = rpcToken(metadata, token);
    if (!bearer) throw new DomainError('unauthenticated', 'not logged in: send a token (log in first)');
    return this.accounts.authenticate(bearer);
  }
}

/**
 * The seed's `user_id` is not a credential (the token names the uploader), but when it is sent it
 * must name the caller — by username or id — rather than be silently ignored; `task_id`, the
 * caller's own reference for the task, is checked here so that refusals name the seed's field.
 */
function checkUploader(user: AuthUser, req: UploadTaskRequest__Output): void {
  const claimed = req.user_id.trim();
  if (claimed && claimed.toLowerCase() !== user.username.toLowerCase() && claimed !== user.id) {
    throw new DomainError(
      'forbidden',
      `user_id "${claimed.slice(0, 64)}" is not the user of this token (${user.username}): leave it empty or send your own`,
      { field: 'user_id' },
    );
  }
  if (req.task_id && !CLIENT_REF_PATTERN.test(req.task_id)) {
    throw new DomainError('invalid', `task_id must be ${CLIENT_REF_RULE}`, { field: 'task_id' });
  }
}

/** The seed's UploadTask fields as a task spec (zero values: the defaults). */
function specOf(req: UploadTaskRequest__Output): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== '' && value !== 0 && !(Array.isArray(value) && value.length === 0))
      spec[key] = value;
  };
  set('client_ref', req.task_id);
  set('name', req.name);
  set('image', req.image);
  set('command', req.command);
  if (Object.keys(req.env).length) spec.env = req.env;
  if (Object.keys(req.secret_env).length) spec.secret_env = req.secret_env;
  set('cpu_cores', req.cpu_cores);
  set('memory_gb', req.memory_mb ? req.memory_mb / 1024 : req.memory_gb);
  set('storage_gb', req.storage_gb);
  set('cpu_score', req.cpu_score);
  set('gpu_score', req.gpu_score);
  set('gpu_memory_gb', req.gpu_memory_gb);
  set('gpu_name', req.gpu_name);
  set('location', req.location);
  set('priority', req.priority);
  set('timeout_s', req.timeout_s);
  set('max_attempts', req.max_attempts);
  set('shards', req.shards);
  set('split', req.split);
  if (req.split_params_json) spec.split_params = parseJsonField(req.split_params_json, 'split_params_json');
  set('aggregate_command', req.aggregate_command);
  set('validator_command', req.validator_command);
  if (req.network_allowed) spec.network_allowed = true;
  set('target_node', req.target_node);
  set('validation', req.validation);
  set('quorum', req.quorum);
  set('max_replicas', req.max_replicas);
  return spec;
}
