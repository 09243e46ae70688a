import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RequestLimits } from '../common/request-limits';
import { NodePoolConfig } from '../config/node-pool.config';
import { HeartbeatRepository } from './heartbeat.repository';
import {
  type HeartbeatBudget,
  type HeartbeatSchedule,
  MAX_BUSY_LEVEL,
  heartbeatSchedule,
} from './heartbeat-schedule';

/** How often a replica looks at the load and re-decides the interval. */
export const PACER_REFRESH_MS = 2_000;
/** A replica silent this long no longer counts as alive (the share of the nodes grows). */
const REPLICA_ALIVE_MS = 10_000;
/** Event loop utilization over a refresh above which this replica is busy. */
const BUSY_UTILIZATION = 0.9;

/**
 * Per replica: the heartbeat interval it tells its nodes and the deadline it gives them
 * (heartbeatSchedule), re-decided every PACER_REFRESH_MS from one Redis round trip (how many
 * nodes and replicas there are) and what this replica sees itself (the nodes it heard lately, how
 * busy its event loop was). A busy replica stretches the interval and asks every replica's sweep
 * to extend deadlines by one timeout, so that an overloaded pool never declares its healthy nodes
 * lost. Nothing here is per node but the meter (RequestLimits.heartbeats).
 */
@Injectable()
export class HeartbeatPacer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatPacer.name);
  private readonly replicaId = randomUUID();
  private readonly budget: HeartbeatBudget;
  private current: HeartbeatSchedule;
  private timer?: NodeJS.Timeout;
  private lastUtilization = performance.eventLoopUtilization();
  private lastRefreshMs = Date.now();
  private refreshing = false;
  /** Refreshes in a row with a saturated event loop, and without. */
  private busyRefreshes = 0;
  private calmRefreshes = 0;
  /** heartbeatSchedule's busy level: up one per 2 busy refreshes in a row, down one per 5 calm ones. */
  private busyLevel = 0;
  /** The latest figures, for logs and the benchmark. */
  stats = { replicas: 1, clusterNodes: 0, nodesHeard: 0, observedPerS: 0, busy: false };

  constructor(
    config: NodePoolConfig,
    private readonly heartbeats: HeartbeatRepository,
    private readonly limits: RequestLimits,
  ) {
    const { minIntervalS, maxIntervalS, budgetPerS } = config.heartbeats;
    this.budget = {
      minIntervalS,
      maxIntervalS,
      budgetPerS,
      minTimeoutS: config.scheduling.heartbeatTimeoutS,
    };
    this.current = heartbeatSchedule(this.budget, {
      clusterNodes: 0,
      replicas: 1,
      nodesHeard: 0,
      busyLevel: 0,
    });
  }

  async onModuleInit(): Promise<void> {
    // a failure here (Redis away) leaves the minimum: refreshed again in PACER_REFRESH_MS
    await this.refresh().catch((error: Error) => this.logger.warn(`heartbeat pacing: ${error.message}`));
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), PACER_REFRESH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.heartbeats.leave(this.replicaId).catch(() => undefined);
  }

  /** What to tell a node now, and when it is lost unless heard from again. */
  schedule(): HeartbeatSchedule {
    return this.current;
  }

  /** Re-decides the schedule from the cluster's load (public: tests and benchmarks call it). */
  async refresh(nowMs = Date.now()): Promise<HeartbeatSchedule> {
    if (this.refreshing) return this.current;
    this.refreshing = true;
    try {
      const utilization = performance.eventLoopUtilization(this.lastUtilization);
      this.lastUtilization = performance.eventLoopUtilization();
      const elapsedS = Math.max(0.001, (nowMs - this.lastRefreshMs) / 1000);
      this.lastRefreshMs = nowMs;
      const observedPerS = this.limits.heartbeats.takeHeard() / elapsedS;
      // a node not heard within its deadline is not served here any more
      const nodesHeard = this.limits.heartbeats.prune(this.current.timeoutS, nowMs);
      // a start-up burst is not overload: two saturated refreshes in a row are; nodes take up a new
      // interval only at their next heartbeat, so the level comes down slowly (hysteresis)
      if (utilization.utilization > BUSY_UTILIZATION) {
        this.busyRefreshes += 1;
        this.calmRefreshes = 0;
        if (this.busyRefreshes >= 2) {
          this.busyLevel = Math.min(MAX_BUSY_LEVEL, this.busyLevel + 1);
          this.busyRefreshes = 0;
        }
      } else {
        this.busyRefreshes = 0;
        this.calmRefreshes += 1;
        if (this.calmRefreshes >= 5) {
          this.busyLevel = Math.max(0, this.busyLevel - 1);
          this.calmRefreshes = 0;
        }
      }
      const busy = this.busyLevel > 0;
      const load = await this.heartbeats.clusterLoad(
        this.replicaId,
        nowMs,
        REPLICA_ALIVE_MS,
        busy ? this.current.timeoutS * 1000 : undefined,
      );
      const next = heartbeatSchedule(this.budget, {
        clusterNodes: load.nodes,
        replicas: load.replicas,
        nodesHeard,
        busyLevel: this.busyLevel,
      });
      if (next.intervalS !== this.current.intervalS) {
        this.logger.log(
          `heartbeat interval ${this.current.intervalS} → ${next.intervalS} s, timeout ${next.timeoutS} s ` +
            `(${load.nodes} node(s), ${load.replicas} replica(s), ${nodesHeard} heard here` +
            `${busy ? ', busy: deadlines extended' : ''})`,
        );
      }
      this.current = next;
      this.stats = { replicas: load.replicas, clusterNodes: load.nodes, nodesHeard, observedPerS, busy };
      return next;
    } finally {
      this.refreshing = false;
    }
  }
}
