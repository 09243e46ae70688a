import { Injectable, Logger, type OnApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { SystemHealthService } from '../health/system-health.service';

/** Services whose health grpc.health.v1 reports; '' is the server as a whole. */
export const NODEPOOL_SERVICES = [
  'nodepool.UserService',
  'nodepool.NodeManagerService',
  'nodepool.MasterNodeService',
  'nodepool.WorkerNodeService',
  'nodepool.VpnService',
] as const;

const CHECK_INTERVAL_MS = 5000;

/**
 * grpc.health.v1 for generic tools and load balancers: SERVING while PostgreSQL and Redis answer
 * (checked every 5 s), NOT_SERVING otherwise and from the moment the app shuts down.
 */
@Injectable()
export class GrpcHealthService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly implementation = new HealthImplementation(
    Object.fromEntries(['', ...NODEPOOL_SERVICES].map((name) => [name, 'NOT_SERVING'])),
  );
  private readonly logger = new Logger(GrpcHealthService.name);
  private timer?: NodeJS.Timeout;
  private current: ServingStatus = 'NOT_SERVING';

  constructor(private readonly health: SystemHealthService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.set('NOT_SERVING');
  }

  async refresh(): Promise<void> {
    const healthy = await this.health.isHealthy();
    if (healthy !== (this.current === 'SERVING')) {
      if (healthy) this.logger.log('gRPC health: SERVING');
      else this.logger.warn('gRPC health: NOT_SERVING (PostgreSQL or Redis does not answer)');
    }
    this.set(healthy ? 'SERVING' : 'NOT_SERVING');
  }

  private set(status: ServingStatus): void {
    if (status === this.current) return;
    this.current = status;
    for (const name of ['', ...NODEPOOL_SERVICES]) this.implementation.setStatus(name, status);
  }
}
