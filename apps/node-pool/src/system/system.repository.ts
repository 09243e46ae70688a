import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type DockerStatus, type QueueView } from '@hivemind/contracts';

export interface ShardCounts {
  queued: number;
  assigned: number;
  running: number;
}

/** The counts behind `/api/system/status` and `/api/queue`: read-only aggregates over the pool. */
@Injectable()
export class SystemRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Whether PostgreSQL answers at all (the status page reports it rather than failing). */
  ping(): Promise<'up' | 'down'> {
    return this.db.query('SELECT 1').then(
      () => 'up' as const,
      () => 'down' as const,
    );
  }

  /** Nodes counted by status, credit score and Docker status (what the trust group is made of). */
  nodeCounts(): Promise<{ status: string; credit_score: number; docker_status: DockerStatus; n: number }[]> {
    return this.db.query(
      `SELECT status, credit_score, docker_status, count(*)::int AS n FROM nodes GROUP BY 1, 2, 3`,
    );
  }

  taskCounts(): Promise<{ status: string; n: number }[]> {
    return this.db.query(`SELECT status, count(*)::int AS n FROM tasks GROUP BY 1`);
  }

  async shardCounts(): Promise<ShardCounts> {
    const [row] = await this.db.query<ShardCounts[]>(
      `SELECT count(*) FILTER (WHERE state = 'QUEUED')::int AS queued,
         count(*) FILTER (WHERE state = 'ASSIGNED')::int AS assigned,
         count(*) FILTER (WHERE state = 'RUNNING')::int AS running
       FROM shards WHERE state IN ('QUEUED', 'ASSIGNED', 'RUNNING')`,
    );
    return row ?? { queued: 0, assigned: 0, running: 0 };
  }

  /** The first `limit` queued shards in placement order, with why they wait. */
  queueHead(limit: number): Promise<QueueView['head']> {
    return this.db.query(
      `SELECT s.task_id, t.name AS task_name, u.username AS owner, s.shard_index, s.priority,
         to_char(s.queued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS queued_at, s.wait_reason
       FROM shards s JOIN tasks t ON t.id = s.task_id JOIN users u ON u.id = t.user_id
       WHERE s.state = 'QUEUED' ORDER BY s.priority DESC, s.queued_at, s.id LIMIT $1`,
      [limit],
    );
  }
}
