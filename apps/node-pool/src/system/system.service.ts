import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { type QueueView, type SystemStatusView, trustGroupOf } from '@hivemind/contracts';
import { NodePoolConfig } from '../config/node-pool.config';
import { ReplicaRegistry } from '../health/replica-registry.service';
import { QueueName } from '../queues/queue-names';
import { SystemRepository } from './system.repository';

/** Shards shown at the head of `/api/queue`. */
const QUEUE_HEAD = 50;

/**
 * The pool at a glance: whether its stores answer, its nodes, tasks, shards and replicas. A store
 * that is down is reported as such (status `degraded`), never as an error.
 */
@Injectable()
export class SystemService {
  constructor(
    private readonly counts: SystemRepository,
    @InjectQueue(QueueName.Placement) private readonly placementQueue: Queue,
    private readonly config: NodePoolConfig,
    private readonly replicas: ReplicaRegistry,
  ) {}

  async status(): Promise<SystemStatusView> {
    const postgres = await this.counts.ping();
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
      for (const r of await this.counts.nodeCounts()) {
        nodes[r.status as 'online'] = (nodes[r.status as 'online'] ?? 0) + r.n;
        if (r.status !== 'offline') {
          const group = trustGroupOf(r.credit_score, r.docker_status);
          nodes.by_trust_group[group] = (nodes.by_trust_group[group] ?? 0) + r.n;
        }
      }
      for (const r of await this.counts.taskCounts()) tasks[r.status] = r.n;
      Object.assign(shards, await this.counts.shardCounts());
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

  async queue(): Promise<QueueView> {
    const head = await this.counts.queueHead(QUEUE_HEAD);
    const counts = await this.counts.shardCounts();
    return {
      queued_shards: counts.queued,
      assigned_shards: counts.assigned,
      running_shards: counts.running,
      head,
    };
  }
}
