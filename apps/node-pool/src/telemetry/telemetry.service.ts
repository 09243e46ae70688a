import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { NodePoolConfig } from '../config/node-pool.config';
import { type TelemetryEvent } from './telemetry-events';
import { decodeEvents } from './telemetry-frames';
import { type DropReason, TELEMETRY_DROPPED } from './telemetry-metrics';
import { quitRedis, subscriberConnection } from '../common/redis';

/** Events published but not yet acknowledged by Redis; past this, new events are dropped (and counted). */
export const MAX_PENDING_PUBLISHES = 2000;
/**
 * At most one message (a JSON array of events) goes to Redis per this many ms: the events published
 * meanwhile wait for it. An event after a quiet spell goes at once (with whatever else this
 * event-loop turn publishes): a lone task's end is not held back by a window.
 */
export const PUBLISH_BATCH_MS = 10;
/** At most this many events in one message. */
export const PUBLISH_BATCH_MAX = 500;
/**
 * Node heartbeat events go out only while a /ws/telemetry client of some replica has the `node`
 * topic on: each replica with such a client says so in Redis every WATCH_REFRESH_MS (the mark
 * lives WATCH_TTL_MS), and every replica reads the mark as often.
 */
export const WATCH_REFRESH_MS = 2000;
export const WATCH_TTL_MS = 10_000;
const SUBSCRIBE_WAIT_MS = 5000;
const WARN_EVERY_MS = 60_000;

export type TelemetryListener = (event: TelemetryEvent) => void;

/** The pub/sub channel of one deployment (QUEUE_PREFIX), shared by all its replicas. */
export const telemetryChannel = (queuePrefix: string) => `${queuePrefix}:telemetry`;
/** The mark that some replica has a client watching node events (see WATCH_REFRESH_MS). */
export const nodeWatchKey = (queuePrefix: string) => `${queuePrefix}:telemetry:node-watched`;

/**
 * Publishes live events to every node-pool replica's /ws/telemetry clients (Redis pub/sub), and
 * hands this replica's listeners every event published by any replica, its own included.
 * Fire and forget: a lost event is never a lost fact (the REST API has the truth).
 *
 * What grows with the cluster is the nodes' heartbeat events (one per node every few seconds), and
 * every replica reads every event. So events are published in batches (one PUBLISH per
 * PUBLISH_BATCH_MS at most, not one per event), and heartbeat events only while someone watches them
 * (`nodeEventsWatched`): with no console open they cost nothing.
 */
@Injectable()
export class TelemetryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TelemetryService.name);
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<TelemetryListener>();
  private readonly watchKey: string;
  private pending = 0;
  private closed = false;
  private lastWarning = 0;
  private outbox: TelemetryEvent[] = [];
  private flushTimer?: NodeJS.Timeout;
  /** When the last message went (PUBLISH_BATCH_MS apart at most one). */
  private lastFlushMs = 0;
  private watchTimer?: NodeJS.Timeout;
  /** This replica's clients with the `node` topic on (TelemetryHub counts them). */
  private localNodeWatchers = 0;
  /** Whether the mark of some replica's watcher was there at the last look. */
  private watchedElsewhere = false;

  constructor(
    config: NodePoolConfig,
    @InjectMetric(TELEMETRY_DROPPED) private readonly dropped: Counter<'reason'>,
  ) {
    this.channel = telemetryChannel(config.redis.queuePrefix);
    this.watchKey = nodeWatchKey(config.redis.queuePrefix);
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
    if (this.pending + this.outbox.length >= MAX_PENDING_PUBLISHES) return this.drop('publish_backlog');
    this.outbox.push(event);
    if (this.outbox.length >= PUBLISH_BATCH_MAX) this.flush();
    else
      this.flushTimer ??= setTimeout(
        () => this.flush(),
        Math.max(0, this.lastFlushMs + PUBLISH_BATCH_MS - Date.now()),
      );
  }

  /** Whether a client of any replica watches node events: if not, heartbeat events are not made. */
  nodeEventsWatched(): boolean {
    return this.localNodeWatchers > 0 || this.watchedElsewhere;
  }

  /** TelemetryHub: this replica's clients with the `node` topic on went up (+1) or down (-1). */
  noteNodeWatchers(delta: number): void {
    const before = this.localNodeWatchers;
    this.localNodeWatchers = Math.max(0, before + delta);
    // the first watcher says so at once rather than at the next refresh
    if (before === 0 && this.localNodeWatchers > 0) void this.refreshWatch();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastFlushMs = Date.now();
    const batch = this.outbox;
    if (!batch.length) return;
    this.outbox = [];
    try {
      const message = JSON.stringify(batch);
      this.pending += batch.length;
      this.publisher.publish(this.channel, message).then(
        () => void (this.pending -= batch.length),
        () => {
          this.pending -= batch.length;
          this.drop('publish_failed', batch.length);
        },
      );
    } catch {
      this.drop('publish_failed', batch.length);
    }
  }

  /** Says this replica has node watchers (when it has), and reads whether any replica has. */
  private async refreshWatch(): Promise<void> {
    if (this.closed) return;
    try {
      const pipeline = this.publisher.pipeline();
      if (this.localNodeWatchers > 0) pipeline.set(this.watchKey, '1', 'PX', WATCH_TTL_MS);
      pipeline.exists(this.watchKey);
      const results = await pipeline.exec();
      const [error, exists] = results?.[results.length - 1] ?? [null, 0];
      if (!error) this.watchedElsewhere = Number(exists) > 0;
    } catch {
      // Redis away: keep the last answer; publishing fails and is counted anyway
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
    this.watchTimer = setInterval(() => void this.refreshWatch(), WATCH_REFRESH_MS).unref();
    void this.refreshWatch();
  }

  async onModuleDestroy(): Promise<void> {
    this.flush();
    this.closed = true;
    clearInterval(this.watchTimer);
    this.listeners.clear();
    await Promise.all([quitRedis(this.publisher), quitRedis(this.subscriber)]);
  }

  private deliver(channel: string, message: string): void {
    if (channel !== this.channel || this.closed) return;
    const { events, rejected } = decodeEvents(message);
    if (rejected) this.warn(`ignored ${rejected} message(s) on ${channel} that are not telemetry events`);
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.logger.error(`telemetry listener failed: ${(error as Error).stack ?? String(error)}`);
        }
      }
    }
  }

  private drop(reason: DropReason, count = 1): void {
    this.dropped.inc({ reason }, count);
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
