import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthClient } from '@hivemind/contracts/grpc';
import { WorkerConfig } from '../config/worker.config';
import { poolCredentials } from './pool-tls';

/** Asks the node pool's grpc.health.v1 whether it serves: the worker's view of its connection. */
@Injectable()
export class PoolProbe implements OnApplicationShutdown {
  private readonly health: HealthClient;

  constructor(config: WorkerConfig) {
    this.health = new HealthClient(config.nodePoolAddress, poolCredentials(config));
  }

  /** 'SERVING', 'NOT_SERVING', or why it could not be asked. */
  async status(): Promise<string> {
    try {
      return await this.health.check();
    } catch (error) {
      return `unreachable: ${(error as { details?: string }).details || (error as Error).message}`;
    }
  }

  onApplicationShutdown(): void {
    this.health.close();
  }
}
