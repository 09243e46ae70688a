import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Readable } from 'node:stream';
import { type DataSource } from 'typeorm';
import { AttemptState, LogStream } from '@hivemind/contracts';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { seedAnswer } from '../common/seed-answer';
import { updateReturning } from '../common/transaction';
import { BlobStore } from '../storage/blob-store';
import { TelemetryService } from '../telemetry/telemetry.service';
import { DispatchService } from './dispatch.service';
import { type AttemptOutcome, type FencedAttempt, LifecycleService } from './lifecycle.service';

/** The largest log batch one report may carry. */
export const MAX_LOG_BATCH_BYTES = 1024 * 1024;

export interface Fenced {
  nodeId: string;
  attemptId: string;
  fencingToken: string;
}

/** What a fenced-off report is answered: refused, and told to stop the attempt. */
export class FencedOff extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * A worker report's answer in the seed's style: refusals `success: false` with the reason, and a
 * fenced-off attempt also `stop: true`.
 */
export function reportAnswer<T extends { success?: boolean; message?: string; stop?: boolean }>(
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  return seedAnswer(logger, async () => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof FencedOff)
        return { success: false, message: `refused: ${error.reason}`, stop: true } as T;
      throw error;
    }
  });
}

/**
 * What workers report about their attempts — logs, running status, outputs, completion — checked
 * against the attempt's fencing token first: a report for an attempt that was declared LOST,
 * cancelled or reassigned is refused, and its node is told (again) to stop it.
 */
@Injectable()
export class WorkerReportsService {
  private readonly logger = new Logger(WorkerReportsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: NodePoolConfig,
    private readonly lifecycle: LifecycleService,
    private readonly dispatch: DispatchService,
    private readonly blobs: BlobStore,
    private readonly telemetry: TelemetryService,
  ) {}

  /** The attempt, or FencedOff (after telling the node to stop it). */
  async check(ref: Fenced): Promise<FencedAttempt> {
    if (!ref.attemptId) throw new DomainError('invalid', 'attempt_id is required');
    const result = await this.lifecycle.fence(ref.nodeId, ref.attemptId, String(ref.fencingToken || '0'));
    if ('refused' in result) {
      await this.dispatch.sendStop(ref.nodeId, {
        attemptId: ref.attemptId,
        taskId: '',
        fencingToken: String(ref.fencingToken || '0'),
        reason: result.refused,
      });
      throw new FencedOff(result.refused);
    }
    return result.attempt;
  }

  /**
   * Stores a numbered log batch once (a resent batch is ignored); answers the last stored number.
   * Without a number (the seed's rpcs carry none: `seq` empty or 0) the batch is numbered next.
   */
  async logs(
    ref: Fenced,
    batch: { seq?: string; stream: string; data: string },
  ): Promise<{ ackedSeq: string }> {
    const numbered = batch.seq !== undefined && batch.seq !== '' && batch.seq !== '0';
    const given = numbered ? Number(batch.seq) : undefined;
    if (given !== undefined && (!Number.isSafeInteger(given) || given < 1))
      throw new DomainError('invalid', 'seq must be a whole number ≥ 1');
    const stream = (batch.stream || LogStream.Stdout) as LogStream;
    if (!Object.values(LogStream).includes(stream)) {
      throw new DomainError('invalid', `stream must be one of ${Object.values(LogStream).join(', ')}`);
    }
    if (Buffer.byteLength(batch.data) > MAX_LOG_BATCH_BYTES) {
      throw new DomainError(
        'invalid',
        `a log batch may carry at most ${MAX_LOG_BATCH_BYTES} bytes; send smaller batches`,
      );
    }
    const a = await this.check(ref);
    await this.lifecycle.markRunning(a);
    const seq = given ?? (await this.nextLogSeq(a.id));
    // PostgreSQL text cannot hold NUL
    const data = batch.data.replaceAll('\u0000', '\uFFFD');
    const inserted = await this.db.query<{ id: string; created_at: Date }[]>(
      `INSERT INTO log_chunks (attempt_id, task_id, seq, stream, data) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (attempt_id, seq) DO NOTHING RETURNING id, created_at`,
      [a.id, a.task_id, seq, stream, data],
    );
    const [acked] = await updateReturning<{ log_seq: string }>(
      this.db,
      `UPDATE attempts SET log_seq = greatest(log_seq, $2) WHERE id = $1 RETURNING log_seq`,
      [a.id, seq],
    );
    const chunk = inserted[0];
    if (chunk) {
      this.telemetry.publish({
        type: 'log',
        taskId: a.task_id,
        userId: a.user_id,
        id: Number(chunk.id), // bigserial: a safe integer for 2^53 chunks
        shardIndex: a.shard_index,
        attemptId: a.id,
        seq: String(seq),
        stream,
        data,
        at: chunk.created_at.toISOString(),
      });
    }
    return { ackedSeq: acked?.log_seq ?? String(seq) };
  }

  /** A running attempt's status: marks it RUNNING and answers the CPT its node has earned so far. */
  async running(ref: Fenced): Promise<{ cptReward: number }> {
    const a = await this.check(ref);
    await this.lifecycle.markRunning(a);
    const fresh = await this.check(ref);
    return { cptReward: await this.lifecycle.accruedReward(fresh) };
  }

  /** The attempt's end, with exit code and usage. */
  async completed(ref: Fenced, outcome: AttemptOutcome): Promise<{ recorded: boolean; message: string }> {
    const a = await this.check(ref);
    if (outcome.state === AttemptState.Completed && outcome.outputSha256) {
      const [out] = await this.db.query<{ id: string }[]>(
        `SELECT id FROM files WHERE attempt_id = $1 AND kind = 'output' AND sha256 = $2 LIMIT 1`,
        [a.id, outcome.outputSha256],
      );
      if (!out) {
        throw new DomainError(
          'invalid',
          `output ${outcome.outputSha256} was not uploaded for attempt ${a.id}: upload it first`,
        );
      }
    }
    return this.lifecycle.complete(a, outcome);
  }

  /** The attempt's input (the task's zip, or for the aggregate step every shard's output). */
  async input(ref: Fenced, offset: number): Promise<{ sha256: string; size: number; stream: Readable }> {
    const a = await this.check(ref);
    const [row] = await this.db.query<{ sha256: string | null; size_bytes: string | null }[]>(
      `SELECT coalesce(si.sha256, f.sha256) AS sha256, coalesce(si.size_bytes, f.size_bytes) AS size_bytes
       FROM shards s JOIN tasks t ON t.id = s.task_id LEFT JOIN files f ON f.id = t.input_file_id
         LEFT JOIN files si ON si.id = (s.params->>'input_file_id')::uuid
       WHERE s.id = $1`,
      [a.shard_id],
    );
    if (!row?.sha256) throw new DomainError('not_found', `attempt ${a.id} has no input`);
    const size = Number(row.size_bytes);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
      throw new DomainError('invalid', `offset must be between 0 and ${size}`);
    }
    return { sha256: row.sha256, size, stream: this.blobs.open(row.sha256, offset) };
  }

  /** Stores an attempt's output (streamed, sha256-checked) and links it to the attempt. */
  async output(
    ref: Fenced,
    header: { name: string; size: number; sha256: string },
    body: Readable,
  ): Promise<{ fileId: string }> {
    const a = await this.check(ref);
    if (header.size > this.config.storage.maxFileSize) {
      throw new DomainError(
        'invalid',
        `the output is ${header.size} bytes; the pool accepts at most ${this.config.storage.maxFileSize} (MAX_FILE_SIZE)`,
      );
    }
    const stored = await this.blobs.put(body, {
      maxBytes: this.config.storage.maxFileSize,
      expectedSha256: header.sha256 || undefined,
      expectedSize: header.size || undefined,
    });
    const [file] = await this.db.query<{ id: string }[]>(
      `INSERT INTO files (owner_id, task_id, shard_id, attempt_id, kind, name, sha256, size_bytes, content_type)
       VALUES ($1, $2, $3, $4, 'output', $5, $6, $7, 'application/zip') RETURNING id`,
      [
        a.user_id,
        a.task_id,
        a.shard_id,
        a.id,
        (header.name || 'output.zip').slice(0, 1024),
        stored.sha256,
        stored.size,
      ],
    );
    await this.db.query(`UPDATE attempts SET output_sha256 = $2 WHERE id = $1`, [a.id, stored.sha256]);
    this.logger.debug(`attempt ${a.id}: output ${stored.sha256} (${stored.size} bytes)`);
    return { fileId: file.id };
  }

  private async nextLogSeq(attemptId: string): Promise<number> {
    const [row] = await this.db.query<{ next: string }[]>(
      `SELECT log_seq + 1 AS next FROM attempts WHERE id = $1`,
      [attemptId],
    );
    return Number(row?.next ?? 1);
  }

  /** The live attempt a node runs for a task (the seed's rpcs name only the task). */
  async liveAttemptOf(nodeId: string, taskId: string): Promise<Fenced> {
    const [row] = await this.db.query<{ id: string; fencing_token: string }[]>(
      `SELECT id, fencing_token FROM attempts WHERE node_id = $1 AND task_id::text = $2 AND state IN ('ASSIGNED', 'RUNNING')
       ORDER BY assigned_at DESC LIMIT 1`,
      [nodeId, taskId],
    );
    if (!row) throw new FencedOff(`this node runs no attempt of task ${taskId}`);
    return { nodeId, attemptId: row.id, fencingToken: row.fencing_token };
  }
}
