import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { NodePoolConfig } from '../config/node-pool.config';
import { type TelemetryEvent } from './telemetry-events';
import { decodeEvent } from './telemetry-frames';
import { type DropReason, TELEMETRY_DROPPED } from './telemetry-metrics';
import { quitRedis, subscriberConnection } from '../common/redis';

/** Publishes not yet acknowledged by Redis; past this, new events are dropped (and counted). */
export const MAX_PENDING_PUBLISHES = 2000;
const SUBSCRIBE_WAIT_MS = 5000;
const WARN_EVERY_MS = 60_000;

export type TelemetryListener = (event: TelemetryEvent) => void;

/** The pub/sub channel of one deployment (QUEUE_PREFIX), shared by all its replicas. */
export const telemetryChannel = (queuePrefix: string) => `${queuePrefix}:telemetry`;

/**
 * Publishes live events to every node-pool replica's /ws/telemetry clients (Redis pub/sub), and
 * hands this replica's listeners every event published by any replica, its own included.
 * Fire and forget: a lost event is never a lost fact (the REST API has the truth).
 */
@Injectable()
export class TelemetryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TelemetryService.name);
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<TelemetryListener>();
  private pending = 0;
  private closed = false;
  private lastWarning = 0;

  constructor(
    config: NodePoolConfig,
    @InjectMetric(TELEMETRY_DROPPED) private readonly dropped: Counter<'reason'>,
  ) {
    this.channel = telemetryChannel(config.redis.queuePrefix);
    // offline queue bounded by MAX_PENDING_PUBLISHES; a command fails after one reconnect attempt
    this.publisher = new Redis(config.redis.url, { maxRetriesPerRequest: 1 });
    this.subscriber = subscriberConnection(config.redis.url);
    for (const redis of [this.publisher, this.subscriber]) {
      redis.on('error', (error: Error) => this.warn(`Redis: ${error.message}`));
    }
    this.subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
  }

  /** Never throws and never waits: the event is sent in the background or dropped and counted. */
  publish(event: TelemetryEvent): void {
    if (this.closed) return;
    if (this.pending >= MAX_PENDING_PUBLISHES) return this.drop('publish_backlog');
    try {
      const message = JSON.stringify(event);
      this.pending++;
      this.publisher.publish(this.channel, message).then(
        () => void this.pending--,
        () => {
          this.pending--;
          this.drop('publish_failed');
        },
      );
    } catch {
      this.drop('publish_failed');
    }
  }

  /** Calls `listener` with every event of the deployment; returns the function that stops it. */
  listen(listener: TelemetryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes before the app serves clients (or after SUBSCRIBE_WAIT_MS, if Redis is away). */
  async onModuleInit(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const subscribed = this.subscriber.subscribe(this.channel).then(
      () => true,
      () => false,
    );
    const waited = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS)),
    );
    if (!(await Promise.race([subscribed, waited]))) {
      this.logger.warn(`not yet subscribed to ${this.channel}: live telemetry starts when Redis answers`);
    }
    clearTimeout(timer);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await Promise.all([quitRedis(this.publisher), quitRedis(this.subscriber)]);
  }

  private deliver(channel: string, message: string): void {
    if (channel !== this.channel || this.closed) return;
    const event = decodeEvent(message);
    if (!event) return this.warn(`ignored a message on ${channel} that is not a telemetry event`);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`telemetry listener failed: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }

  private drop(reason: DropReason): void {
    this.dropped.inc({ reason });
    this.warn(`dropping live events (${reason}): Redis is slow or unreachable`);
  }

  /** At most one warning a minute: a Redis outage must not flood the log. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}
