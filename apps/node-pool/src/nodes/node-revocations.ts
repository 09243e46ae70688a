import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { quitRedis, subscriberConnection } from '../common/redis';
import { NodePoolConfig } from '../config/node-pool.config';
import { NodeDirectory } from './node-directory';

/**
 * Tells every replica at once that a node's credential was revoked (Redis pub/sub): each drops
 * the node from its NodeDirectory, so the next call with the old credential reads the row and is
 * refused, and listeners (the push streams) close what the node holds open. Without Redis a
 * replica still notices within the directory's TTL.
 */
@Injectable()
export class NodeRevocations implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NodeRevocations.name);
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly listeners = new Set<(nodeId: string) => void>();

  constructor(
    config: NodePoolConfig,
    private readonly directory: NodeDirectory,
  ) {
    this.channel = `${config.redis.queuePrefix}:node-revoked`;
    this.publisher = new Redis(config.redis.url, { maxRetriesPerRequest: 2 });
    this.subscriber = subscriberConnection(config.redis.url);
    for (const redis of [this.publisher, this.subscriber]) {
      redis.on('error', (error: Error) => this.logger.debug(`Redis: ${error.message}`));
    }
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', (_channel: string, nodeId: string) => this.revokedHere(nodeId));
    await this.subscriber.subscribe(this.channel);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([quitRedis(this.subscriber), quitRedis(this.publisher)]);
  }

  /** Calls `listener(nodeId)` on this replica whenever a node is revoked (anywhere). */
  onRevoked(listener: (nodeId: string) => void): void {
    this.listeners.add(listener);
  }

  /** Announces a revocation to every replica (this one at once, whatever Redis says). */
  async announce(nodeId: string): Promise<void> {
    this.revokedHere(nodeId);
    await this.publisher.publish(this.channel, nodeId).catch((error: Error) => {
      this.logger.warn(`could not announce the revocation of node ${nodeId}: ${error.message}`);
    });
  }

  private revokedHere(nodeId: string): void {
    this.directory.forget(nodeId);
    for (const listener of this.listeners) listener(nodeId);
  }
}
