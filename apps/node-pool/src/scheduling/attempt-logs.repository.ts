import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type LogStream } from '@hivemind/contracts';
import { updateReturning } from '../common/transaction';

/** A numbered log batch of an attempt, as its node sent it. */
export interface LogBatch {
  attemptId: string;
  taskId: string;
  seq: number;
  stream: LogStream;
  data: string;
}

/**
 * The writes of worker log batches: `log_chunks` (unique per attempt and number, so a resent batch
 * is stored once) and the attempt's highest stored number, `attempts.log_seq`; and the task's sealed
 * secret env, whose values are masked in a batch before it is stored.
 */
@Injectable()
export class AttemptLogsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Stores the batch; undefined when that number was stored before. */
  async append(batch: LogBatch): Promise<{ id: string; created_at: Date } | undefined> {
    const [inserted] = await this.db.query<{ id: string; created_at: Date }[]>(
      `INSERT INTO log_chunks (attempt_id, task_id, seq, stream, data) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (attempt_id, seq) DO NOTHING RETURNING id, created_at`,
      [batch.attemptId, batch.taskId, batch.seq, batch.stream, batch.data],
    );
    return inserted;
  }

  /** Raises the attempt's last stored number to `seq` (never lowers it); answers the result. */
  async acknowledge(attemptId: string, seq: number): Promise<string | undefined> {
    const [acked] = await updateReturning<{ log_seq: string }>(
      this.db,
      `UPDATE attempts SET log_seq = greatest(log_seq, $2) WHERE id = $1 RETURNING log_seq`,
      [attemptId, seq],
    );
    return acked?.log_seq;
  }

  /** The task's sealed secret env (masks its log batches); null when it has none. */
  async secretEnvSealed(taskId: string): Promise<string | null> {
    const [row] = await this.db.query<{ secret_env_sealed: string | null }[]>(
      `SELECT secret_env_sealed FROM tasks WHERE id = $1`,
      [taskId],
    );
    return row?.secret_env_sealed ?? null;
  }

  /** The number after the attempt's last stored one (for batches sent without a number). */
  async nextSeq(attemptId: string): Promise<number> {
    const [row] = await this.db.query<{ next: string }[]>(
      `SELECT log_seq + 1 AS next FROM attempts WHERE id = $1`,
      [attemptId],
    );
    return Number(row?.next ?? 1);
  }
}
