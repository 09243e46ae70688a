import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthClient } from '@hivemind/contracts/grpc';
import { WorkerConfig } from '../config/worker.config';
import { poolCredentials } from './pool-tls';

/** Asks the node pool's grpc.health.v1 whether it serves: the worker's view of its connection. */
@Injectable()
export class PoolProbe implements OnApplicationShutdown {
  private health?: HealthClient;
  private address = '';

  constructor(private readonly config: WorkerConfig) {}

  /** 'SERVING', 'NOT_SERVING', or why it could not be asked, at `address` (where the session dials). */
  async status(address: string = this.config.nodePoolAddress): Promise<string> {
    if (!this.health || address !== this.address) {
      this.health?.close();
      this.health = new HealthClient(address, poolCredentials(this.config));
      this.address = address;
    }
    try {
      return await this.health.check();
    } catch (error) {
      return `unreachable: ${(error as { details?: string }).details || (error as Error).message}`;
    }
  }

  onApplicationShutdown(): void {
    this.health?.close();
  }
}
