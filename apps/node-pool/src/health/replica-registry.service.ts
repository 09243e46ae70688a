import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { type ReplicaView } from '@hivemind/contracts';
import { NodePoolConfig } from '../config/node-pool.config';
import { quitRedis } from '../common/redis';

/** How often a replica says it is alive, and after how long without that it is gone. */
export const REPLICA_BEAT_MS = 5_000;
export const REPLICA_GONE_MS = 3 * REPLICA_BEAT_MS;

/**
 * The node-pool replicas sharing this Redis (and database): each writes its entry in one Redis
 * hash every REPLICA_BEAT_MS and removes it at shutdown; an entry not refreshed for REPLICA_GONE_MS
 * (a replica that crashed) is left out and cleared by whoever reads it.
 */
@Injectable()
export class ReplicaRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReplicaRegistry.name);
  private readonly key: string;
  private readonly self: Omit<ReplicaView, 'last_seen'>;
  private timer?: NodeJS.Timeout;
  /** Its own connection, failing fast while Redis is away (Bull's waits forever, and closes first). */
  private readonly redis: Redis;

  constructor(config: NodePoolConfig) {
    this.redis = new Redis(config.redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    this.redis.on('error', () => undefined); // health reports Redis; a beat just waits for the next
    this.key = `${config.redis.queuePrefix}:replicas`;
    this.self = {
      id: randomUUID(),
      hostname: hostname(),
      pid: process.pid,
      http_port: config.http.port,
      grpc_port: config.grpc.port,
      started_at: new Date().toISOString(),
    };
  }

  get id(): string {
    return this.self.id;
  }

  onApplicationBootstrap(): void {
    this.redis.connect().then(
      () => this.beat(),
      () => undefined, // ioredis keeps reconnecting
    );
    this.timer = setInterval(() => void this.beat(), REPLICA_BEAT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.hdel(this.key, this.self.id).catch(() => undefined);
    await quitRedis(this.redis);
  }

  /** The live replicas, oldest first; stale entries are removed on the way. */
  async list(now = Date.now()): Promise<ReplicaView[]> {
    const entries = await this.redis.hgetall(this.key);
    const live: ReplicaView[] = [];
    const stale: string[] = [];
    for (const [id, json] of Object.entries(entries)) {
      const replica = parse(json);
      if (replica && now - Date.parse(replica.last_seen) <= REPLICA_GONE_MS) live.push(replica);
      else stale.push(id);
    }
    if (stale.length) await this.redis.hdel(this.key, ...stale).catch(() => undefined);
    return live.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.id.localeCompare(b.id));
  }

  private async beat(): Promise<void> {
    const entry: ReplicaView = { ...this.self, last_seen: new Date().toISOString() };
    try {
      await this.redis.hset(this.key, this.self.id, JSON.stringify(entry));
    } catch (error) {
      // Redis down: health reports it; the entry comes back with the next beat
      this.logger.debug(`replica beat failed: ${(error as Error).message}`);
    }
  }
}

function parse(json: string): ReplicaView | undefined {
  try {
    const value = JSON.parse(json) as ReplicaView;
    return typeof value.last_seen === 'string' && typeof value.started_at === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
