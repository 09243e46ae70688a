import {
  Body,
  Controller,
  Get,
  Headers,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  Res,
  type StreamableFile,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import {
  PAGE_SIZE_DEFAULT,
  type FileView,
  type Page,
  SplitKind,
  type SubmitTaskResultView,
  type TaskDetailView,
  type TaskLogsView,
  type TaskView,
} from '@hivemind/contracts';
import {
  CancelTaskResponseDto,
  SubmitTaskDto,
  TaskListQueryDto,
  TaskDetailQueryDto,
  TaskLogsQueryDto,
} from '@hivemind/contracts/dto';
import { type AuthUser } from '../accounts/auth-user';
import { Authenticated, CurrentUser } from '../accounts/auth.guards';
import { validationException } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';
import { parseJsonField } from '../common/json-shape';
import { idempotencyKeyOf } from '../common/idempotency-key';
import { LifecycleService } from '../scheduling/lifecycle.service';
import { BlobStore } from '../storage/blob-store';
import { planMergedZip, closeMergePlan } from '../storage/result-archive';
import { FilesRepository } from '../storage/files.repository';
import { StorageService } from '../storage/storage.service';
import { TaskFilesResponse, toFileView } from '../files/file.views';
import { type SubmittedInput, TasksService } from './tasks.service';

@ApiTags('tasks')
@Authenticated()
@Controller('api/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly lifecycle: LifecycleService,
    private readonly storage: StorageService,
    private readonly blobs: BlobStore,
    private readonly storedFiles: FilesRepository,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Submit a task',
    description:
      'JSON (the task spec), or multipart/form-data with the spec as JSON in the `spec` field and the input zip in `input`, streamed to storage (at most MAX_FILE_SIZE). The maximum cost is held in escrow: 402 when your balance does not cover it, and nothing is queued.',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: SubmitTaskDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retried submission with the same key creates one task',
  })
  async submit(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Body() body: SubmitTaskDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubmitTaskResultView> {
    const key = idempotencyKeyOf(idempotencyKey);
    let spec = body;
    let input: SubmittedInput | undefined;
    if (req.is('multipart/form-data')) {
      const upload = await this.storage.parseMultipartTask(req, { maxFields: 2 });
      const unknown = Object.keys(upload.fields).filter((f) => f !== 'spec');
      if (unknown.length) {
        throw new DomainError(
          'invalid',
          `unknown form field(s) ${unknown.join(', ')}: send the spec as JSON in "spec" and the zip in "input"`,
        );
      }
      spec = await parseSpec(upload.fields.spec ?? '{}');
      if (upload.file) {
        input = {
          ...upload.file,
          entries:
            spec.split === SplitKind.DataProcessing
              ? await zipEntryNames(this.blobs, upload.file.sha256)
              : [],
        };
      }
    }
    const result = await this.tasks.submit(user, spec, input, key);
    res.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }

  @Get()
  @ApiOperation({ summary: 'Your tasks (admins: all=true for everyone’s), newest first' })
  list(@CurrentUser() user: AuthUser, @Query() q: TaskListQueryDto): Promise<Page<TaskView>> {
    return this.tasks.list(user, { ...q, limit: q.limit ?? PAGE_SIZE_DEFAULT });
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A task with its shards and attempts; with `wait`, held until it has ended',
    description:
      'Every /api/tasks/:id route takes the task id or your client_ref for it. `wait` (seconds, at ' +
      'most 60) makes it a blocking query: the answer comes as soon as the task is COMPLETED, FAILED ' +
      'or CANCELLED, or after `wait` seconds with its state then; poll again to wait longer.',
  })
  detail(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() q: TaskDetailQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskDetailView> {
    if (!q.wait) return this.tasks.detail(user, id);
    // a client that goes away stops its wait
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    return this.tasks.detail(user, id, q.wait, gone.signal);
  }

  @Get(':id/logs')
  @ApiOperation({
    summary: 'Log chunks after `after` (a chunk id); poll with next_after, or follow /ws/telemetry',
  })
  logs(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() q: TaskLogsQueryDto,
  ): Promise<TaskLogsView> {
    return this.tasks.logs(user, id, q.after ?? 0, q.limit ?? 200);
  }

  @Get(':id/files')
  @ApiOperation({ summary: 'A task’s files: its input, the shards’ outputs and results, oldest first' })
  @ApiOkResponse({ type: TaskFilesResponse })
  async files(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<{ items: FileView[] }> {
    const task = await this.tasks.visibleRow(user, id);
    return { items: (await this.storedFiles.listByTask(task.id)).map(toFileView) };
  }

  @Get(':id/results')
  @ApiOperation({
    summary:
      'Download the outputs of the completed shards: one zip, shard-NNN/ per shard (aggregate/ for the aggregate step)',
  })
  @ApiProduces('application/zip')
  @ApiOkResponse({ description: 'a zip' })
  async results(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<StreamableFile> {
    const { task, parts } = await this.tasks.outputs(user, id);
    return this.storage.mergedZipDownload(
      parts,
      `${(task.name || 'task').replace(/[^\w.-]+/g, '_')}-${task.id.slice(0, 8)}-results.zip`,
    );
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a task: its running attempts are stopped and the unused CPT refunded' })
  @ApiOkResponse({ type: CancelTaskResponseDto })
  async cancel(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CancelTaskResponseDto> {
    const task = await this.tasks.visibleRow(user, id);
    const result = await this.lifecycle.cancel(user, task.id);
    res.status(HttpStatus.OK);
    return { task_id: task.id, status: result.status, refunded: result.refunded };
  }
}

/**
 * A task spec given as JSON text (the multipart `spec` field; gRPC UploadTask's fields), bounded and
 * validated like a JSON body; `what` names it in refusals.
 */
export async function parseSpec(raw: string, what = 'spec'): Promise<SubmitTaskDto> {
  const plain = parseJsonField(raw, what);
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new DomainError('invalid', `${what} must be a JSON object`, { field: what });
  }
  const spec = plainToInstance(SubmitTaskDto, plain);
  const errors = await validate(spec, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw validationException(errors);
  return spec;
}

/** The names in a stored zip (directories end with "/"); 'invalid' when it is not a zip. */
export async function zipEntryNames(blobs: BlobStore, sha256: string): Promise<string[]> {
  const plan = await planMergedZip(blobs, [{ prefix: '', sha256 }]);
  try {
    return plan.parts.flatMap((p) => p.entries.map((e) => (e.directory ? `${e.name}/` : e.name)));
  } finally {
    closeMergePlan(plan);
  }
}
