import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Subject } from 'rxjs';
import { AttemptPurpose } from '@hivemind/contracts';
import type { ExecuteTaskRequest, WorkerCommand } from '@hivemind/contracts/grpc';
import { quitRedis, subscriberConnection } from '../common/redis';
import { NodePoolConfig } from '../config/node-pool.config';
import { NodeRevocations } from '../nodes/node-revocations';
import { AttemptsRepository, type DispatchRow } from './attempts.repository';
import { TaskSecrets } from './task-secrets';

interface Envelope {
  nodeId: string;
  command: WorkerCommand;
  /**
   * An execute's secret env, still sealed: the replica that holds the node's stream opens it, so
   * the values never pass through Redis.
   */
  sealedEnv?: string;
  /** The replica that sent it and has delivered it to its own streams for the node already. */
  deliveredBy?: string;
}

/**
 * The pool's side of the push streams (WorkerNodeService.Connect). Each replica keeps the streams of
 * the nodes connected to it; a command for a node goes through Redis pub/sub, so whichever replica
 * holds that node's stream delivers it — and a replica that holds it itself delivers it at once,
 * without waiting for Redis's echo, which it then ignores (the others still get it: a node whose
 * new stream is on another replica while its old one here is closing). Delivery is at-least-once in effect: a node that reconnects is
 * sent every attempt assigned to it again, and the reconciler re-sends assignments nobody took up.
 * A task's secret env is opened into the ExecuteTaskRequest's env only on its way into the stream.
 */
@Injectable()
export class DispatchService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DispatchService.name);
  private readonly streams = new Map<string, Set<Subject<WorkerCommand>>>();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  /** This replica, as its envelopes name it (`deliveredBy`). */
  private readonly replica = randomUUID();
  private pinger?: NodeJS.Timeout;

  constructor(
    private readonly attempts: AttemptsRepository,
    private readonly secrets: TaskSecrets,
    config: NodePoolConfig,
    revocations: NodeRevocations,
  ) {
    // a revoked node's push stream ends here at once (its reconnect is refused)
    revocations.onRevoked((nodeId) => {
      for (const stream of this.streams.get(nodeId) ?? []) stream.complete();
    });
    this.channel = `${config.redis.queuePrefix}:dispatch`;
    // a batch's publishes (one per attempt) leave in one write, not one syscall each
    this.publisher = new Redis(config.redis.url, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
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
    await Promise.all(
      rows.map((row) => this.send(row.node_id, { execute: toExecute(row) }, row.secret_env_sealed)),
    );
  }

  /**
   * Every live attempt of a node, with its ExecuteTaskRequest (for a node that (re)connects); an
   * attempt whose secret env cannot be opened is left out (and logged).
   */
  async liveAttemptsFor(
    nodeId: string,
  ): Promise<{ attemptId: string; started: boolean; execute: ExecuteTaskRequest }[]> {
    return (await this.attempts.liveForDispatch({ nodeId })).flatMap((row) => {
      const execute = this.opened({ execute: toExecute(row) }, row.secret_env_sealed)?.execute;
      return execute ? [{ attemptId: row.id, started: row.state === 'RUNNING', execute }] : [];
    });
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

  private async send(nodeId: string, command: WorkerCommand, sealedEnv?: string | null): Promise<void> {
    const envelope: Envelope = { nodeId, command, ...(sealedEnv ? { sealedEnv } : {}) };
    const here = this.streams.has(nodeId);
    if (here) this.deliver(envelope);
    try {
      await this.publisher.publish(
        this.channel,
        JSON.stringify(here ? { ...envelope, deliveredBy: this.replica } : envelope),
      );
    } catch (error) {
      // the node gets it on reconnect, or from the reconciler
      this.logger.warn(`could not publish a command for node ${nodeId}: ${(error as Error).message}`);
      if (!here) this.deliver(envelope);
    }
  }

  private deliverLocally(raw: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch (error) {
      this.logger.warn(`bad dispatch message: ${(error as Error).message}`);
      return;
    }
    if (envelope.deliveredBy === this.replica) return; // this replica's own, delivered as it was sent
    this.deliver(envelope);
  }

  private deliver({ nodeId, command, sealedEnv }: Envelope): void {
    // only the replica that holds the node's stream opens its secrets
    if (!this.streams.has(nodeId)) return;
    const opened = this.opened(command, sealedEnv);
    if (opened) this.emit(nodeId, opened);
  }

  /**
   * An execute with its task's secret env opened into `env` and named in `secret_env_keys`;
   * undefined, logged without any value, when it cannot be opened: a task is never run without the
   * secrets it was given.
   */
  private opened(command: WorkerCommand, sealedEnv: string | null | undefined): WorkerCommand | undefined {
    if (!sealedEnv || !command.execute) return command;
    try {
      const secret = this.secrets.open(sealedEnv);
      return {
        execute: {
          ...command.execute,
          env: { ...command.execute.env, ...secret },
          secret_env_keys: Object.keys(secret).sort(),
        },
      };
    } catch (error) {
      this.logger.error(`attempt ${command.execute.attempt_id} not sent: ${(error as Error).message}`);
      return undefined;
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
    // a validating attempt runs the task's validator over the shard's candidate results
    command:
      (r.purpose === AttemptPurpose.Validate
        ? r.validator?.command
        : aggregate
          ? aggregate.command
          : r.command) ?? [],
    env: r.env,
    secret_env_keys: [],
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
