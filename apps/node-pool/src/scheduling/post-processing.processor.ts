import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PassThrough } from 'node:stream';
import type { Job } from 'bull';
import { type DataSource } from 'typeorm';
import { NodePoolConfig } from '../config/node-pool.config';
import { inTransaction } from '../common/transaction';
import { type JobHandlers, type JobName, PostProcessingJob, QueueName } from '../queues/queue-names';
import { BlobStore } from '../storage/blob-store';
import { writeMergedZip } from '../storage/result-archive';
import { PlacementTrigger } from './placement-trigger';
import { shardFolder } from './splitter';

/** After a task's shards finish: builds the aggregate step's input and queues the step. */
@Processor(QueueName.PostProcessing)
export class PostProcessingProcessor {
  private readonly logger = new Logger(PostProcessingProcessor.name);
  private readonly handlers: JobHandlers<QueueName.PostProcessing>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
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
    const [task] = await this.db.query<{ user_id: string; priority: number; status: string }[]>(
      `SELECT user_id, priority, status FROM tasks WHERE id = $1 AND aggregate IS NOT NULL`,
      [taskId],
    );
    if (!task || !['QUEUED', 'RUNNING'].includes(task.status)) return { queued: false };
    const parts = await this.db.query<{ shard_index: number; sha256: string }[]>(
      `SELECT s.shard_index, f.sha256 FROM shards s JOIN files f ON f.id = s.output_file_id
       WHERE s.task_id = $1 AND NOT s.is_aggregate AND s.state = 'COMPLETED' ORDER BY s.shard_index`,
      [taskId],
    );
    const body = new PassThrough();
    const [stored] = await Promise.all([
      this.blobs.put(body, { maxBytes: this.config.storage.maxFileSize }),
      writeMergedZip(
        this.blobs,
        parts.map((p) => ({ prefix: shardFolder(p.shard_index), sha256: p.sha256 })),
        body,
      ),
    ]);
    const queued = await inTransaction(this.db, async (m) => {
      const [file] = await m.query<{ id: string }[]>(
        `INSERT INTO files (owner_id, task_id, kind, name, sha256, size_bytes, content_type)
         VALUES ($1, $2, 'input', 'aggregate-input.zip', $3, $4, 'application/zip') RETURNING id`,
        [task.user_id, taskId, stored.sha256, stored.size],
      );
      const inserted = await m.query<{ id: string }[]>(
        `INSERT INTO shards (task_id, shard_index, is_aggregate, params, priority)
         SELECT $1, max(shard_index) + 1, true, jsonb_build_object('input_file_id', $2::text), $3
         FROM shards WHERE task_id = $1 HAVING NOT bool_or(is_aggregate)
         ON CONFLICT DO NOTHING RETURNING id`,
        [taskId, file.id, task.priority],
      );
      return inserted.length > 0;
    });
    if (queued) {
      this.logger.log(`task ${taskId}: aggregate step queued over ${parts.length} shard output(s)`);
      this.placement.request('aggregate step queued');
    }
    return { queued };
  }
}
