import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Subject } from 'rxjs';
import type { ExecuteTaskRequest, WorkerCommand } from '@hivemind/contracts/grpc';
import { quitRedis, subscriberConnection } from '../common/redis';
import { NodePoolConfig } from '../config/node-pool.config';
import { AttemptsRepository, type DispatchRow } from './attempts.repository';

interface Envelope {
  nodeId: string;
  command: WorkerCommand;
}

/**
 * The pool's side of the push streams (WorkerNodeService.Connect). Each replica keeps the streams of
 * the nodes connected to it; a command for a node goes through Redis pub/sub, so whichever replica
 * holds that node's stream delivers it. Delivery is at-least-once in effect: a node that reconnects is
 * sent every attempt assigned to it again, and the reconciler re-sends assignments nobody took up.
 */
@Injectable()
export class DispatchService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DispatchService.name);
  private readonly streams = new Map<string, Set<Subject<WorkerCommand>>>();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private pinger?: NodeJS.Timeout;

  constructor(
    private readonly attempts: AttemptsRepository,
    config: NodePoolConfig,
  ) {
    this.channel = `${config.redis.queuePrefix}:dispatch`;
    this.publisher = new Redis(config.redis.url, { maxRetriesPerRequest: 2 });
    this.subscriber = subscriberConnection(config.redis.url);
    for (const redis of [this.publisher, this.subscriber]) {
      // ioredis reconnects by itself; without a listener it prints every error as unhandled
      redis.on('error', (error: Error) => this.logger.debug(`Redis: ${error.message}`));
    }
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', (_channel: string, raw: string) => this.deliverLocally(raw));
    await this.subscriber.subscribe(this.channel);
    // keeps idle streams (and the proxies between) from timing out; lets nodes see a dead pool
    this.pinger = setInterval(() => {
      for (const nodeId of this.streams.keys()) this.emit(nodeId, { ping: String(Date.now()) });
    }, 15_000);
    this.pinger.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.pinger);
    for (const set of this.streams.values()) for (const s of set) s.complete();
    this.streams.clear();
    await Promise.all([quitRedis(this.subscriber), quitRedis(this.publisher)]);
  }

  /** Registers a node's stream on this replica; the returned function unregisters it. */
  attach(nodeId: string, stream: Subject<WorkerCommand>): () => void {
    const set = this.streams.get(nodeId) ?? new Set();
    set.add(stream);
    this.streams.set(nodeId, set);
    return () => {
      set.delete(stream);
      if (set.size === 0 && this.streams.get(nodeId) === set) this.streams.delete(nodeId);
    };
  }

  isConnectedHere(nodeId: string): boolean {
    return this.streams.has(nodeId);
  }

  /** Sends ExecuteTaskRequest for these attempts to their nodes (wherever they are connected). */
  async sendAssigned(attemptIds: readonly string[]): Promise<void> {
    const rows = await this.attempts.liveForDispatch({ attemptIds });
    // one batch of publishes: ioredis pipelines commands sent together
    await Promise.all(rows.map((row) => this.send(row.node_id, { execute: toExecute(row) })));
  }

  /** Every live attempt of a node, with its ExecuteTaskRequest (for a node that (re)connects). */
  async liveAttemptsFor(
    nodeId: string,
  ): Promise<{ attemptId: string; started: boolean; execute: ExecuteTaskRequest }[]> {
    return (await this.attempts.liveForDispatch({ nodeId })).map((row) => ({
      attemptId: row.id,
      started: row.state === 'RUNNING',
      execute: toExecute(row),
    }));
  }

  /** Tells a node to kill an attempt's container. */
  async sendStop(
    nodeId: string,
    stop: { attemptId: string; taskId: string; fencingToken: string; reason: string },
  ) {
    await this.send(nodeId, {
      stop: {
        task_id: stop.taskId,
        attempt_id: stop.attemptId,
        fencing_token: stop.fencingToken,
        reason: stop.reason,
      },
    });
  }

  private async send(nodeId: string, command: WorkerCommand): Promise<void> {
    try {
      await this.publisher.publish(this.channel, JSON.stringify({ nodeId, command } satisfies Envelope));
    } catch (error) {
      // the node gets it on reconnect, or from the reconciler
      this.logger.warn(`could not publish a command for node ${nodeId}: ${(error as Error).message}`);
      this.emit(nodeId, command);
    }
  }

  private deliverLocally(raw: string): void {
    try {
      const { nodeId, command } = JSON.parse(raw) as Envelope;
      this.emit(nodeId, command);
    } catch (error) {
      this.logger.warn(`bad dispatch message: ${(error as Error).message}`);
    }
  }

  private emit(nodeId: string, command: WorkerCommand): void {
    for (const stream of this.streams.get(nodeId) ?? []) stream.next(command);
  }
}

function toExecute(r: DispatchRow): ExecuteTaskRequest {
  const aggregate = r.is_aggregate ? r.aggregate : null;
  const params = { ...r.params };
  delete params.input_file_id;
  return {
    node_id: r.node_id,
    task_id: r.task_id,
    task_zip: Buffer.alloc(0),
    cpu: Math.ceil(r.alloc_cpu_millicores / 1000),
    gpu: r.req_gpu_score,
    memory_gb: Math.ceil(r.alloc_memory_mb / 1024),
    gpu_memory_gb: Math.ceil(r.alloc_gpu_memory_mb / 1024),
    attempt_id: r.id,
    fencing_token: r.fencing_token,
    attempt_number: r.attempt_number,
    shard_index: r.shard_index,
    shard_count: r.shard_count,
    shard_params_json: JSON.stringify(params),
    image: (aggregate ? aggregate.image : undefined) ?? r.image ?? '',
    command: (aggregate ? aggregate.command : r.command) ?? [],
    env: r.env,
    timeout_s: r.timeout_s,
    network_allowed: r.network_allowed,
    cpu_millicores: r.alloc_cpu_millicores,
    memory_mb: r.alloc_memory_mb,
    storage_mb: r.alloc_storage_mb,
    input_sha256: r.input_sha256 ?? '',
    input_size: r.input_size ?? '0',
    is_aggregate: r.is_aggregate,
  };
}
