import { Global, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from './domain-error';

/**
 * Rate limiters counted in Redis (rate-limiter-flexible), so a limit holds across node-pool
 * replicas; an in-memory limiter takes over while Redis is unreachable. One connection for them all.
 */
@Injectable()
export class RateLimits implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(private readonly config: NodePoolConfig) {
    this.redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: false });
  }

  /** `points` per `durationS` seconds for each key, under `name` (the Redis keys' prefix). */
  limiter(name: string, points: number, durationS: number): RateLimiterRedis {
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${this.config.redis.queuePrefix}:rl:${name}`,
      points,
      duration: durationS,
      insuranceLimiter: new RateLimiterMemory({ points, duration: durationS }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Counts one point of `key`; over the limit, a DomainError('rate_limited') with the seconds to wait
 * (Retry-After) and `message(seconds)`.
 */
export async function consumeOrRefuse(
  limiter: RateLimiterRedis,
  key: string,
  message: (retryAfterS: number) => string,
): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      const retryAfterS = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new DomainError('rate_limited', message(retryAfterS), { retryAfterS });
    }
    throw error;
  }
}

@Global()
@Module({ providers: [RateLimits], exports: [RateLimits] })
export class RateLimitsModule {}
