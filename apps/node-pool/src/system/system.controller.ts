import { Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bull';
import { type DataSource } from 'typeorm';
import {
  type DockerStatus,
  type QueueView,
  type ReconcileReportView,
  type SystemStatusView,
  trustGroupOf,
} from '@hivemind/contracts';
import { AdminOnly, Authenticated } from '../accounts/auth.guards';
import { NodePoolConfig } from '../config/node-pool.config';
import { ReplicaRegistry } from '../health/replica-registry.service';
import { QueueName } from '../queues/queue-names';
import { ReconcilerService } from '../scheduling/reconciler.service';

@ApiTags('system')
@Authenticated()
@Controller('api')
export class SystemController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Placement) private readonly placementQueue: Queue,
    private readonly config: NodePoolConfig,
    private readonly reconciler: ReconcilerService,
    private readonly replicas: ReplicaRegistry,
  ) {}

  @Get('system/status')
  @ApiOperation({
    summary: 'The pool at a glance: stores, nodes by status and trust group, tasks by status, the queue',
  })
  async status(): Promise<SystemStatusView> {
    const postgres = await this.db.query('SELECT 1').then(
      () => 'up' as const,
      () => 'down' as const,
    );
    const redis = await Promise.race([
      this.placementQueue.client.ping().then(() => 'up' as const),
      new Promise<'down'>((r) => setTimeout(() => r('down'), 1000).unref()),
    ]).catch(() => 'down' as const);
    const nodes = {
      online: 0,
      offline: 0,
      draining: 0,
      by_trust_group: { high: 0, normal: 0, low: 0 } as Record<string, number>,
    };
    const tasks: Record<string, number> = { QUEUED: 0, RUNNING: 0, COMPLETED: 0, FAILED: 0, CANCELLED: 0 };
    const shards = { queued: 0, assigned: 0, running: 0 };
    if (postgres === 'up') {
      const nodeRows = await this.db.query<
        { status: string; credit_score: number; docker_status: DockerStatus; n: number }[]
      >(`SELECT status, credit_score, docker_status, count(*)::int AS n FROM nodes GROUP BY 1, 2, 3`);
      for (const r of nodeRows) {
        nodes[r.status as 'online'] = (nodes[r.status as 'online'] ?? 0) + r.n;
        if (r.status !== 'offline') {
          const group = trustGroupOf(r.credit_score, r.docker_status);
          nodes.by_trust_group[group] = (nodes.by_trust_group[group] ?? 0) + r.n;
        }
      }
      for (const r of await this.db.query<{ status: string; n: number }[]>(
        `SELECT status, count(*)::int AS n FROM tasks GROUP BY 1`,
      )) {
        tasks[r.status] = r.n;
      }
      Object.assign(shards, await this.shardCounts());
    }
    const replicas = redis === 'up' ? await this.replicas.list().catch(() => []) : [];
    return {
      status: postgres === 'up' && redis === 'up' ? 'ok' : 'degraded',
      postgres,
      redis,
      replicas,
      replica_id: this.replicas.id,
      nodes,
      tasks,
      shards,
      scheduler: {
        strategy: this.config.scheduling.strategy,
        heartbeat_timeout_s: this.config.scheduling.heartbeatTimeoutS,
      },
      time: new Date().toISOString(),
    };
  }

  @Get('queue')
  @ApiOperation({
    summary:
      'The placement queue: counts and the first 50 queued shards in placement order, with why they wait',
  })
  async queue(): Promise<QueueView> {
    const head = await this.db.query<QueueView['head']>(
      `SELECT s.task_id, t.name AS task_name, u.username AS owner, s.shard_index, s.priority,
         to_char(s.queued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS queued_at, s.wait_reason
       FROM shards s JOIN tasks t ON t.id = s.task_id JOIN users u ON u.id = t.user_id
       WHERE s.state = 'QUEUED' ORDER BY s.priority DESC, s.queued_at, s.id LIMIT 50`,
    );
    const counts = await this.shardCounts();
    return {
      queued_shards: counts.queued,
      assigned_shards: counts.assigned,
      running_shards: counts.running,
      head,
    };
  }

  @Post('admin/reconcile')
  @AdminOnly()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Admins: rebuild node allocations from live attempts and re-issue lost work (fix-resources)',
  })
  reconcile(): Promise<ReconcileReportView> {
    return this.reconciler.reconcile();
  }

  private async shardCounts(): Promise<{ queued: number; assigned: number; running: number }> {
    const [row] = await this.db.query<{ queued: number; assigned: number; running: number }[]>(
      `SELECT count(*) FILTER (WHERE state = 'QUEUED')::int AS queued,
         count(*) FILTER (WHERE state = 'ASSIGNED')::int AS assigned,
         count(*) FILTER (WHERE state = 'RUNNING')::int AS running
       FROM shards WHERE state IN ('QUEUED', 'ASSIGNED', 'RUNNING')`,
    );
    return row ?? { queued: 0, assigned: 0, running: 0 };
  }
}
