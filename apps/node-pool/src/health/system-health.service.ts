import { Injectable } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisHealthIndicator } from './redis.health';

/** The one definition of "healthy": PostgreSQL and Redis answer. Used by /health and gRPC health. */
@Injectable()
export class SystemHealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  check() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: 1500 }),
      () => this.redis.isHealthy('redis'),
    ]);
  }

  /** true/false without throwing: for callers that only need the verdict. */
  async isHealthy(): Promise<boolean> {
    try {
      return (await this.check()).status === 'ok';
    } catch {
      return false;
    }
  }
}
