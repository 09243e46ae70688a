import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { PassThrough, type Readable } from 'node:stream';
import { ZipFile as ZipWriter } from 'yazl';
import type { Job } from 'bull';
import { NodePoolConfig } from '../config/node-pool.config';
import { type JobHandlers, type JobName, PostProcessingJob, QueueName } from '../queues/queue-names';
import { BlobStore } from '../storage/blob-store';
import { FilesRepository } from '../storage/files.repository';
import { writeMergedZip } from '../storage/result-archive';
import { PlacementTrigger } from '../queues/placement-trigger';
import { AttemptsRepository } from './attempts.repository';
import { ShardsRepository } from './shards.repository';
import { shardFolder } from './splitter';
import { TaskStateRepository } from './task-state.repository';
import { Transactions } from './transactions';

/** After a task's shards finish: builds the aggregate step's input and queues the step. */
@Processor(QueueName.PostProcessing)
export class PostProcessingProcessor {
  private readonly logger = new Logger(PostProcessingProcessor.name);
  private readonly handlers: JobHandlers<QueueName.PostProcessing>;

  constructor(
    private readonly tx: Transactions,
    private readonly tasks: TaskStateRepository,
    private readonly shards: ShardsRepository,
    private readonly files: FilesRepository,
    private readonly config: NodePoolConfig,
    private readonly blobs: BlobStore,
    private readonly placement: PlacementTrigger,
    private readonly attempts: AttemptsRepository,
  ) {
    this.handlers = {
      [PostProcessingJob.PrepareAggregate]: ({ taskId }) => this.prepareAggregate(taskId),
      [PostProcessingJob.PrepareValidator]: ({ shardId }) => this.prepareValidator(shardId),
    };
  }

  @Process({ name: '*' })
  async run(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName<QueueName.PostProcessing>];
    if (!handler) throw new Error(`no handler for post-processing job "${job.name}"`);
    return (handler as (data: unknown) => Promise<unknown>)(job.data);
  }

  /** Every shard's output under shard-NNN/ in one zip, the aggregate shard's input. Idempotent. */
  async prepareAggregate(taskId: string): Promise<{ queued: boolean }> {
    const task = await this.tasks.aggregatingTask(taskId);
    if (!task || !['QUEUED', 'RUNNING'].includes(task.status)) return { queued: false };
    const parts = await this.shards.completedOutputs(taskId);
    const body = new PassThrough();
    const [stored] = await Promise.all([
      this.blobs.put(body, { maxBytes: this.config.storage.maxFileSize }),
      writeMergedZip(
        this.blobs,
        parts.map((p) => ({ prefix: shardFolder(p.shard_index), sha256: p.sha256 })),
        body,
      ),
    ]);
    const queued = await this.tx.run(async (m) => {
      const file = await this.files.insert(
        {
          ownerId: task.user_id,
          taskId,
          kind: 'input',
          name: 'aggregate-input.zip',
          sha256: stored.sha256,
          sizeBytes: stored.size,
          contentType: 'application/zip',
        },
        m,
      );
      return this.shards.insertAggregate(m, taskId, file.id, task.priority);
    });
    if (queued) {
      this.logger.log(`task ${taskId}: aggregate step queued over ${parts.length} shard output(s)`);
      this.placement.request('aggregate step queued');
    }
    return { queued };
  }

  /**
   * A shard's disagreeing results in one zip — each candidate's output under `attempt-<id>/`, and
   * `results.json` (attempt id, exit code, digest) — the validator's input; then the validator's
   * runs are queued. Idempotent: a shard no longer waiting for it is left alone.
   */
  async prepareValidator(shardId: string): Promise<{ queued: boolean }> {
    const shard = await this.shards.awaitingValidator(shardId);
    if (!shard || !['QUEUED', 'RUNNING'].includes(shard.status)) return { queued: false };
    const candidates = await this.attempts.validatorCandidates(shardId);
    const listing = await this.storeZip(
      'results.json',
      JSON.stringify(
        {
          results: candidates.map((c) => ({
            attempt_id: c.id,
            folder: `attempt-${c.id}`,
            exit_code: c.exit_code,
            digest: c.result_digest,
          })),
        },
        null,
        2,
      ),
    );
    const parts = [
      { prefix: '', sha256: listing },
      ...candidates
        .filter((c) => c.output_sha256)
        .map((c) => ({ prefix: `attempt-${c.id}`, sha256: c.output_sha256! })),
    ];
    const body = new PassThrough();
    const [stored] = await Promise.all([
      this.blobs.put(body, { maxBytes: this.config.storage.maxFileSize }),
      writeMergedZip(this.blobs, parts, body),
    ]);
    const queued = await this.tx.run(async (m) => {
      const file = await this.files.insert(
        {
          ownerId: shard.user_id,
          taskId: shard.task_id,
          kind: 'input',
          name: `validator-input-${shardFolder(shard.shard_index)}.zip`,
          sha256: stored.sha256,
          sizeBytes: stored.size,
          contentType: 'application/zip',
        },
        m,
      );
      return this.shards.askValidator(m, shardId, file.id);
    });
    if (queued) {
      this.logger.log(`shard ${shardId}: the validator compares ${candidates.length} result(s)`);
      this.placement.request('validator queued');
    }
    return { queued };
  }

  /** A zip of one small file, stored; its sha256. */
  private async storeZip(name: string, text: string): Promise<string> {
    const zip = new ZipWriter();
    zip.addBuffer(Buffer.from(text), name, { mtime: new Date(0), mode: 0o100644 });
    zip.end();
    const stored = await this.blobs.put(zip.outputStream as unknown as Readable, {
      maxBytes: this.config.storage.maxFileSize,
    });
    return stored.sha256;
  }
}
