import { type TelemetryFrame } from '@hivemind/contracts';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge } from 'prom-client';
import { TaskOwnersRepository } from './task-owners.repository';
import { type TelemetryConnection } from './telemetry-connection';
import { type TelemetryEvent } from './telemetry-events';
import { type ClientOp, errorFrame, eventFrame, parseOp } from './telemetry-frames';
import { TELEMETRY_CONNECTIONS, TELEMETRY_DROPPED } from './telemetry-metrics';
import { TelemetryService } from './telemetry.service';
import { canSee, mayWatchTask } from './telemetry-visibility';

/** Frames for one client go out together, at most once per BATCH_MS. */
export const BATCH_MS = 100;
/** Tasks one connection may watch the log lines of. */
export const MAX_LOG_TASKS = 50;
/** Client requests waiting for an answer, per connection. */
export const MAX_PENDING_OPS = 8;

/**
 * This replica's /ws/telemetry clients: hands each the events it may see (from every replica,
 * through TelemetryService), batches their frames, and answers their subscribe / unsubscribe / ping.
 */
@Injectable()
export class TelemetryHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TelemetryHub.name);
  private readonly open = new Set<TelemetryConnection>();
  /** Connections with frames (or a drop count) waiting for the next batch. */
  private readonly dirty = new Set<TelemetryConnection>();
  private flushTimer?: NodeJS.Timeout;
  private stopListening?: () => void;
  private stopped = false;

  constructor(
    private readonly telemetry: TelemetryService,
    private readonly tasks: TaskOwnersRepository,
    @InjectMetric(TELEMETRY_DROPPED) private readonly dropped: Counter<'reason'>,
    @InjectMetric(TELEMETRY_CONNECTIONS) private readonly connectionsGauge: Gauge,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.telemetry.listen((event) => this.dispatch(event));
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.stopListening?.();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.dirty.clear();
  }

  get connections(): ReadonlySet<TelemetryConnection> {
    return this.open;
  }

  add(connection: TelemetryConnection): void {
    this.open.add(connection);
    this.connectionsGauge.inc();
    if (connection.topics.has('node')) this.telemetry.noteNodeWatchers(+1);
    const { user } = connection;
    this.send(connection, {
      type: 'welcome',
      user_id: user.id,
      username: user.username,
      role: user.role,
      topics: [...connection.topics],
      batch_ms: BATCH_MS,
    });
  }

  remove(connection: TelemetryConnection): void {
    if (this.open.delete(connection)) {
      this.connectionsGauge.dec();
      if (connection.topics.has('node')) this.telemetry.noteNodeWatchers(-1);
    }
    this.dirty.delete(connection);
  }

  /** One event to every connection that may see it (serialized once). */
  dispatch(event: TelemetryEvent): void {
    let json: string | undefined;
    for (const connection of this.open) {
      if (canSee(connection, event)) this.enqueue(connection, (json ??= JSON.stringify(eventFrame(event))));
    }
  }

  send(connection: TelemetryConnection, frame: TelemetryFrame): void {
    this.enqueue(connection, JSON.stringify(frame));
  }

  /** A text message from the client: answered in order, each with one frame. */
  receive(connection: TelemetryConnection, text: string): void {
    const parsed = parseOp(text);
    if (!parsed.ok) return this.send(connection, parsed.error);
    const { op } = parsed;
    if (connection.pendingOps >= MAX_PENDING_OPS) {
      return this.send(connection, errorFrame('too many requests at once: wait for the answers', op));
    }
    connection.pendingOps++;
    connection.opChain = connection.opChain
      .then(() => this.apply(connection, op))
      .catch((error: unknown) => {
        this.logger.error(`telemetry ${op.op} failed: ${(error as Error).stack ?? String(error)}`);
        this.send(connection, errorFrame('internal error: try again', op));
      })
      .finally(() => void connection.pendingOps--);
  }

  private async apply(connection: TelemetryConnection, op: ClientOp): Promise<void> {
    if (op.op === 'ping') return this.send(connection, { type: 'pong' });
    const subscribe = op.op === 'subscribe';
    const { taskId } = op;
    if (taskId !== undefined && !subscribe) connection.logTasks.delete(taskId);
    if (taskId !== undefined && subscribe && !connection.logTasks.has(taskId)) {
      if (connection.logTasks.size >= MAX_LOG_TASKS) {
        const message = `at most ${MAX_LOG_TASKS} tasks per connection: unsubscribe from one first`;
        return this.send(connection, errorFrame(message, op));
      }
      if (!mayWatchTask(connection, await this.tasks.ownerOf(taskId))) {
        return this.send(connection, errorFrame(`no task ${taskId} that you may watch`, op));
      }
      connection.logTasks.add(taskId);
    }
    const watchedNodes = connection.topics.has('node');
    for (const topic of op.topics ?? []) {
      if (subscribe) connection.topics.add(topic);
      else connection.topics.delete(topic);
    }
    // an open connection's node topic counts towards the replica's node watchers (see TelemetryService)
    const watchesNodes = connection.topics.has('node');
    if (this.open.has(connection) && watchesNodes !== watchedNodes)
      this.telemetry.noteNodeWatchers(watchesNodes ? +1 : -1);
    this.send(connection, {
      type: subscribe ? 'subscribed' : 'unsubscribed',
      ...(taskId !== undefined ? { task_id: taskId } : {}),
      topics: [...connection.topics],
      task_ids: [...connection.logTasks],
    });
  }

  private enqueue(connection: TelemetryConnection, json: string): void {
    if (!this.open.has(connection)) return;
    if (!connection.offer(json)) this.dropped.inc({ reason: 'slow_client' });
    this.dirty.add(connection);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.stopped) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, BATCH_MS);
  }

  private flush(): void {
    const now = Date.now();
    for (const connection of this.dirty) {
      if (connection.flush(now) !== 'congested') this.dirty.delete(connection);
    }
    if (this.dirty.size) this.scheduleFlush();
  }
}
