import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import Redis, { type ChainableCommander, type Result } from 'ioredis';
import { NodePoolConfig } from '../config/node-pool.config';
import { type AttemptListing, LISTINGS_KEPT, decodeListing } from './attempt-listing';
import {
  BUCKET_FIELDS,
  type BucketSums,
  type HeartbeatFigures,
  bucketField,
  bucketStart,
  parseBucketHash,
} from './utilization';

/**
 * Keys, under `${QUEUE_PREFIX}:` (the client's keyPrefix), so pools sharing one Redis stay apart:
 * - `nodes:seen`            sorted set: node id → last heartbeat (Unix ms)
 * - `nodes:deadline`        sorted set: node id → when it is lost unless heard from again (Unix ms)
 * - `nodes:replicas`        sorted set: replica id → when it last said it is alive (Unix ms)
 * - `nodes:busy`            a busy replica's request to extend every deadline by this many ms (TTL)
 * - `nodes:reconciled`      when the deadlines were last matched against PostgreSQL's live nodes (Unix ms)
 * - `nodes:latest`          hash: node id → "cpu%,memory%,running" of its latest heartbeat
 * - `nodes:util:buckets`    sorted set of the minute buckets (Unix ms) not yet flushed to PostgreSQL
 * - `nodes:util:<bucket>`   hash: "<node id>:c|m|r|n" → sums of cpu%, memory%, running, heartbeats
 * - `nodes:listed:<node id>` list: the node's last LISTINGS_KEPT lists of the attempts it runs
 *                           ("<ms>|<id>,<id>…", newest first; see attempt-listing.ts)
 */
const KEY = {
  seen: 'nodes:seen',
  deadline: 'nodes:deadline',
  replicas: 'nodes:replicas',
  busy: 'nodes:busy',
  reconciled: 'nodes:reconciled',
  latest: 'nodes:latest',
  buckets: 'nodes:util:buckets',
  bucket: (bucketMs: number) => `nodes:util:${bucketMs}`,
  listed: (nodeId: string) => `nodes:listed:${nodeId}`,
};

/**
 * A heartbeat's writes as one Lua script: one command instead of a MULTI of ten, which is what
 * makes thousands of heartbeats a second cheap for the pool's CPU as much as for Redis.
 * KEYS: seen, latest, bucket, buckets, listed. ARGV: node id, now (ms), latest figures, cpu%,
 * memory%, running, bucket (ms), bucket TTL (s), listing ('' when none is kept), listings kept,
 * listing TTL (s), deadline (ms; KEYS[6]). Returns 1 when the node had no last-seen entry.
 */
const RECORD_HEARTBEAT = `
local added = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[6], ARGV[12], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HINCRBYFLOAT', KEYS[3], ARGV[1] .. ':${BUCKET_FIELDS.cpu}', ARGV[4])
redis.call('HINCRBYFLOAT', KEYS[3], ARGV[1] .. ':${BUCKET_FIELDS.memory}', ARGV[5])
redis.call('HINCRBY', KEYS[3], ARGV[1] .. ':${BUCKET_FIELDS.running}', ARGV[6])
redis.call('HINCRBY', KEYS[3], ARGV[1] .. ':${BUCKET_FIELDS.samples}', 1)
redis.call('EXPIRE', KEYS[3], ARGV[8])
redis.call('ZADD', KEYS[4], ARGV[7], ARGV[7])
if ARGV[9] ~= '' then
  redis.call('LPUSH', KEYS[5], ARGV[9])
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[10]) - 1)
  redis.call('EXPIRE', KEYS[5], ARGV[11])
end
return added`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recordHeartbeat(
      ...args: [
        seen: string,
        latest: string,
        bucket: string,
        buckets: string,
        listed: string,
        deadline: string,
        ...argv: (string | number)[],
      ]
    ): Result<number, Context>;
  }
}

/** An unflushed bucket is dropped by Redis after a day, should nothing flush it (no scheduler). */
const BUCKET_TTL_S = 24 * 3600;
/** A node's listings outlive its last heartbeat by this much (long enough for any reconciler pass). */
const LISTING_TTL_S = 3600;
/** How long shutting down waits for Redis to drop this replica from the count. */
const LEAVE_WAIT_MS = 1000;
/** Members per ZMSCORE / HMGET, so one command never carries an unbounded argument list. */
const CHUNK = 5000;

/** A node's liveness and latest load as Redis knows them; empty when it has no record. */
export interface LiveFigures {
  lastSeenMs?: number;
  cpuPercent?: number;
  memoryPercent?: number;
  runningAttempts?: number;
}

/**
 * Heartbeats in Redis: liveness (last-seen times), the latest figures and the minute buckets of
 * the utilization history waiting to be flushed. Redis is a cache here: losing it costs the
 * latest figures and at most a few minutes of charts, never a node (see NodeLivenessService).
 */
@Injectable()
export class HeartbeatRepository implements OnModuleDestroy {
  private readonly logger = new Logger(HeartbeatRepository.name);
  private readonly redis: Redis;
  private lastWarningMs = 0;

  constructor(config: NodePoolConfig) {
    // a command fails after one reconnect attempt: a heartbeat is answered "internal error" and
    // retried by the worker rather than piling up while Redis is away
    this.redis = new Redis(config.redis.url, {
      keyPrefix: `${config.redis.queuePrefix}:`,
      maxRetriesPerRequest: 1,
      // the heartbeats of one event-loop turn leave in one write (one syscall) instead of one each
      enableAutoPipelining: true,
    });
    // sent as EVALSHA (the script is loaded once per connection)
    this.redis.defineCommand('recordHeartbeat', { numberOfKeys: 6, lua: RECORD_HEARTBEAT });
    // ioredis reconnects by itself; say so once a minute rather than once per attempt
    this.redis.on('error', (error: Error) => {
      if (Date.now() - this.lastWarningMs < 60_000) return;
      this.lastWarningMs = Date.now();
      this.logger.warn(`Redis: ${error.message}`);
    });
  }

  /**
   * One heartbeat, in one command: last-seen time, latest figures, and the minute bucket's sums
   * (RECORD_HEARTBEAT). A script runs atomically, so a concurrent flush takes a bucket with every
   * heartbeat whole or not at all. `firstSeen`: the node had no last-seen entry (new, declared
   * offline, or Redis lost it). `listing`: the attempts the node says it runs (encodeListing), kept
   * with its last few when given. `deadlineMs`: when the node is lost unless heard from again.
   */
  async record(
    nodeId: string,
    figures: HeartbeatFigures,
    nowMs: number,
    deadlineMs: number,
    listing?: string,
  ): Promise<{ firstSeen: boolean }> {
    const bucketMs = bucketStart(nowMs);
    const added = await this.redis.recordHeartbeat(
      KEY.seen,
      KEY.latest,
      KEY.bucket(bucketMs),
      KEY.buckets,
      KEY.listed(nodeId),
      KEY.deadline,
      nodeId,
      nowMs,
      `${figures.cpuPercent},${figures.memoryPercent},${figures.runningAttempts}`,
      figures.cpuPercent,
      figures.memoryPercent,
      figures.runningAttempts,
      bucketMs,
      BUCKET_TTL_S,
      listing ?? '',
      LISTINGS_KEPT,
      LISTING_TTL_S,
      deadlineMs,
    );
    return { firstSeen: Number(added) === 1 };
  }

  /** The last LISTINGS_KEPT lists of running attempts each node sent, newest first. */
  async listings(nodeIds: readonly string[]): Promise<Map<string, AttemptListing[]>> {
    const listings = new Map<string, AttemptListing[]>();
    for (let i = 0; i < nodeIds.length; i += CHUNK) {
      const chunk = nodeIds.slice(i, i + CHUNK);
      const pipeline = this.redis.pipeline();
      for (const id of chunk) pipeline.lrange(KEY.listed(id), 0, LISTINGS_KEPT - 1);
      const results = (await run(pipeline)) as string[][];
      chunk.forEach((id, j) =>
        listings.set(
          id,
          (results[j] ?? []).map(decodeListing).filter((l): l is AttemptListing => l !== undefined),
        ),
      );
    }
    return listings;
  }

  /** A registration counts as a sign of life. */
  async markSeen(nodeId: string, nowMs: number, deadlineMs: number): Promise<void> {
    await run(this.redis.multi().zadd(KEY.seen, nowMs, nodeId).zadd(KEY.deadline, deadlineMs, nodeId));
  }

  /** Drops nodes' liveness entries and latest figures (they went offline). */
  async forget(nodeIds: readonly string[]): Promise<void> {
    for (let i = 0; i < nodeIds.length; i += CHUNK) {
      const chunk = nodeIds.slice(i, i + CHUNK);
      await run(
        this.redis
          .multi()
          .zrem(KEY.seen, ...chunk)
          .zrem(KEY.deadline, ...chunk)
          .hdel(KEY.latest, ...chunk),
      );
    }
  }

  /** Nodes whose deadline passed at or before `cutoffMs`, with when each was last seen. */
  async pastDeadline(cutoffMs: number): Promise<{ id: string; lastSeenMs: number }[]> {
    const ids = await this.redis.zrangebyscore(KEY.deadline, '-inf', cutoffMs);
    const stale: { id: string; lastSeenMs: number }[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const seen = await this.redis.zmscore(KEY.seen, ...chunk);
      chunk.forEach((id, j) => stale.push({ id, lastSeenMs: Number(seen[j] ?? cutoffMs) }));
    }
    return stale;
  }

  /**
   * Gives each of `nodeIds` without a deadline one at `deadlineMs` and a last-seen time `nowMs`
   * (NX: never moves an existing one); returns those ids.
   */
  async addMissing(nodeIds: readonly string[], nowMs: number, deadlineMs: number): Promise<string[]> {
    const missing: string[] = [];
    for (let i = 0; i < nodeIds.length; i += CHUNK) {
      const chunk = nodeIds.slice(i, i + CHUNK);
      const scores = await this.redis.zmscore(KEY.deadline, ...chunk);
      chunk.forEach((id, j) => {
        if (scores[j] === null || scores[j] === undefined) missing.push(id);
      });
    }
    for (let i = 0; i < missing.length; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      await run(
        this.redis
          .multi()
          .zadd(KEY.deadline, 'NX', ...chunk.flatMap((id) => [deadlineMs, id]))
          .zadd(KEY.seen, 'NX', ...chunk.flatMap((id) => [nowMs, id])),
      );
    }
    return missing;
  }

  /**
   * The pacer's look at the cluster, one round trip: says this replica is alive, and returns how
   * many replicas said so within `aliveMs` and how many nodes have a liveness entry. When
   * `busyExtensionMs` is given, asks every replica's sweep to extend deadlines by it for that long.
   */
  async clusterLoad(
    replicaId: string,
    nowMs: number,
    aliveMs: number,
    busyExtensionMs?: number,
  ): Promise<{ replicas: number; nodes: number }> {
    const pipeline = this.redis
      .pipeline()
      .zadd(KEY.replicas, nowMs, replicaId)
      .zremrangebyscore(KEY.replicas, '-inf', nowMs - aliveMs)
      .zcard(KEY.replicas)
      .zcard(KEY.deadline);
    if (busyExtensionMs) pipeline.set(KEY.busy, busyExtensionMs, 'PX', busyExtensionMs);
    const results = await run(pipeline);
    return { replicas: Number(results[2]), nodes: Number(results[3]) };
  }

  /**
   * When the deadlines were last matched against PostgreSQL's live nodes (addMissing), if Redis
   * still knows: undefined after Redis lost its data (restarted empty, flushed).
   */
  async reconciledAtMs(): Promise<number | undefined> {
    const value = await this.redis.get(KEY.reconciled);
    return value === null ? undefined : Number(value);
  }

  async markReconciled(nowMs: number): Promise<void> {
    await this.redis.set(KEY.reconciled, nowMs);
  }

  /** The deadline extension a busy replica asked for, if one is in force (ms). */
  async busyExtensionMs(): Promise<number | undefined> {
    const value = await this.redis.get(KEY.busy);
    return value === null ? undefined : Number(value);
  }

  /**
   * This replica is going away: the others stop counting it. Bounded: with Redis gone (or this
   * client already closed) a command may never be answered, and shutting down must not wait on it;
   * the entry then expires with the replica's silence.
   */
  async leave(replicaId: string): Promise<void> {
    if (this.redis.status === 'end') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.redis.zrem(KEY.replicas, replicaId),
      new Promise((resolve) => (timer = setTimeout(resolve, LEAVE_WAIT_MS))),
    ]).finally(() => clearTimeout(timer));
  }

  /** Last-seen times and latest figures of these nodes (two commands per chunk, one round trip). */
  async live(nodeIds: readonly string[]): Promise<Map<string, LiveFigures>> {
    const live = new Map<string, LiveFigures>();
    for (let i = 0; i < nodeIds.length; i += CHUNK) {
      const chunk = nodeIds.slice(i, i + CHUNK);
      const [scores, latest] = (await run(
        this.redis
          .pipeline()
          .zmscore(KEY.seen, ...chunk)
          .hmget(KEY.latest, ...chunk),
      )) as [(string | null)[], (string | null)[]];
      chunk.forEach((id, j) => {
        const figures: LiveFigures = {};
        const seen = scores[j];
        if (seen !== null && seen !== undefined) figures.lastSeenMs = Number(seen);
        const [cpu, memory, running] = (latest[j] ?? '').split(',').map(Number);
        if (latest[j] && [cpu, memory, running].every((v) => Number.isFinite(v))) {
          Object.assign(figures, { cpuPercent: cpu, memoryPercent: memory, runningAttempts: running });
        }
        live.set(id, figures);
      });
    }
    return live;
  }

  /**
   * Takes (reads and deletes, atomically) every bucket that started at or before `lastBucketMs`.
   * A heartbeat arriving later for such a bucket starts it afresh; the next flush merges it.
   */
  async takeBuckets(lastBucketMs: number): Promise<BucketSums[]> {
    const buckets = (await this.redis.zrangebyscore(KEY.buckets, '-inf', lastBucketMs)).map(Number);
    if (!buckets.length) return [];
    const multi = this.redis.multi();
    for (const bucketMs of buckets) {
      multi.hgetall(KEY.bucket(bucketMs)).del(KEY.bucket(bucketMs)).zrem(KEY.buckets, String(bucketMs));
    }
    const results = await run(multi);
    return buckets.flatMap((bucketMs, i) =>
      parseBucketHash(bucketMs, (results[i * 3] ?? {}) as Record<string, string>),
    );
  }

  /** Puts taken buckets back (their flush failed), adding to whatever arrived since. */
  async restoreBuckets(sums: readonly BucketSums[]): Promise<void> {
    if (!sums.length) return;
    const multi = this.redis.multi();
    for (const s of sums) {
      const bucket = KEY.bucket(s.bucketMs);
      multi
        .hincrbyfloat(bucket, bucketField(s.nodeId, BUCKET_FIELDS.cpu), s.cpuSum)
        .hincrbyfloat(bucket, bucketField(s.nodeId, BUCKET_FIELDS.memory), s.memorySum)
        .hincrby(bucket, bucketField(s.nodeId, BUCKET_FIELDS.running), s.runningSum)
        .hincrby(bucket, bucketField(s.nodeId, BUCKET_FIELDS.samples), s.samples)
        .expire(bucket, BUCKET_TTL_S)
        .zadd(KEY.buckets, s.bucketMs, String(s.bucketMs));
    }
    await run(multi);
  }

  /** One node's sums in the buckets not yet flushed, from `sinceMs` on (the live end of a chart). */
  async pendingBuckets(nodeId: string, sinceMs: number): Promise<BucketSums[]> {
    const buckets = (await this.redis.zrangebyscore(KEY.buckets, sinceMs, '+inf')).map(Number);
    if (!buckets.length) return [];
    const fields = Object.values(BUCKET_FIELDS).map((kind) => bucketField(nodeId, kind));
    const pipeline = this.redis.pipeline();
    for (const bucketMs of buckets) pipeline.hmget(KEY.bucket(bucketMs), ...fields);
    const results = (await run(pipeline)) as (string | null)[][];
    return buckets.flatMap((bucketMs, i) => {
      const hash: Record<string, string> = {};
      fields.forEach((field, j) => {
        const value = results[i]?.[j];
        if (value !== null && value !== undefined) hash[field] = value;
      });
      return parseBucketHash(bucketMs, hash);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Runs a pipeline or MULTI; throws the first command error instead of returning it. */
async function run(commands: ChainableCommander): Promise<unknown[]> {
  const results = await commands.exec();
  if (!results) throw new Error('Redis transaction aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
