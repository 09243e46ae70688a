import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { HeartbeatRepository } from './heartbeat.repository';
import { NodesRepository } from './nodes.repository';
import {
  BUCKET_MS,
  UTILIZATION_RETENTION_MS,
  type UtilizationPoint,
  binPoints,
  bucketStart,
  chartStepMs,
  toPoint,
} from './utilization';

/** A bucket is flushed this long after it ended: heartbeats in flight, replicas' clocks apart. */
export const FLUSH_GRACE_MS = 5_000;

export interface UtilizationHistory {
  nodeId: string;
  fromMs: number;
  toMs: number;
  stepMs: number;
  points: UtilizationPoint[];
}

/**
 * The utilization history behind the console's charts. Heartbeats add to per-minute sums in
 * Redis (HeartbeatRepository.record); `flushUtilization` moves finished minutes to
 * `node_utilization` and `pruneUtilization` keeps 7 days. The scheduler's maintenance jobs call
 * both (e.g. every minute and every hour); they are safe to run on several replicas at once.
 */
@Injectable()
export class NodeUtilizationService {
  constructor(
    private readonly nodes: NodesRepository,
    private readonly heartbeats: HeartbeatRepository,
  ) {}

  /**
   * Writes every finished minute bucket to PostgreSQL in one INSERT and removes it from Redis;
   * returns the rows written. Taking a bucket is atomic, so two replicas never write it twice; if
   * the INSERT fails, the sums go back to Redis for the next flush.
   */
  async flushUtilization(nowMs = Date.now()): Promise<number> {
    const lastFinishedBucket = bucketStart(nowMs - FLUSH_GRACE_MS) - BUCKET_MS;
    const taken = await this.heartbeats.takeBuckets(lastFinishedBucket);
    if (!taken.length) return 0;
    try {
      return await this.nodes.upsertUtilization(taken);
    } catch (error) {
      await this.heartbeats.restoreBuckets(taken);
      throw error;
    }
  }

  /** Deletes history older than 7 days; returns the rows deleted. */
  pruneUtilization(nowMs = Date.now()): Promise<number> {
    return this.nodes.pruneUtilization(new Date(nowMs - UTILIZATION_RETENTION_MS));
  }

  /**
   * A node's utilization over the last `hours`, stored buckets and the minutes still in Redis
   * merged, binned so that a chart gets at most ~720 points (1-minute points up to 12 hours).
   */
  async history(nodeId: string, hours: number, nowMs = Date.now()): Promise<UtilizationHistory> {
    if (!(await this.nodes.findById(nodeId))) throw new DomainError('not_found', `no node with id ${nodeId}`);
    const rangeMs = hours * 3600_000;
    const fromMs = bucketStart(nowMs - rangeMs);
    const stepMs = chartStepMs(rangeMs);
    const [stored, pending] = await Promise.all([
      this.nodes.utilization(nodeId, new Date(fromMs)),
      this.heartbeats.pendingBuckets(nodeId, fromMs),
    ]);
    return {
      nodeId,
      fromMs,
      toMs: nowMs,
      stepMs,
      points: binPoints([...stored, ...pending.map(toPoint)], stepMs),
    };
  }
}
