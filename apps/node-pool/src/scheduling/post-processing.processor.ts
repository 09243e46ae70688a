import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { PassThrough } from 'node:stream';
import type { Job } from 'bull';
import { NodePoolConfig } from '../config/node-pool.config';
import { type JobHandlers, type JobName, PostProcessingJob, QueueName } from '../queues/queue-names';
import { BlobStore } from '../storage/blob-store';
import { FilesRepository } from '../storage/files.repository';
import { writeMergedZip } from '../storage/result-archive';
import { PlacementTrigger } from '../queues/placement-trigger';
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
  ) {
    this.handlers = {
      [PostProcessingJob.PrepareAggregate]: ({ taskId }) => this.prepareAggregate(taskId),
    };
  }

  @Process({ name: '*' })
  async run(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName<QueueName.PostProcessing>];
    if (!handler) throw new Error(`no handler for post-processing job "${job.name}"`);
    return handler(job.data as { taskId: string });
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
}
