import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { type Queue } from 'bull';
import { QueueName } from '../queues/queue-names';

/** Redis health, on the connection Bull already holds (no extra client per check). */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @InjectQueue(QueueName.Placement) private readonly queue: Queue,
  ) {}

  async isHealthy(key = 'redis', timeoutMs = 1500) {
    const indicator = this.health.check(key);
    try {
      const client = this.queue.client;
      if (client.status !== 'ready') return indicator.down({ message: `connection ${client.status}` });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
