import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';

/**
 * Counts login and registration attempts per username and per client address in Redis, so the
 * limits hold across node-pool replicas (an in-memory limiter takes over if Redis is unreachable).
 * Going over either limit is refused with the seconds to wait, never with whether the user exists.
 */
@Injectable()
export class LoginRateLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly perUsername: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(config: NodePoolConfig) {
    const { perUsername, perAddress, windowS } = config.auth.loginRateLimit;
    this.redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: false });
    const limiter = (name: string, points: number) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.redis.queuePrefix}:rl:${name}`,
        points,
        duration: windowS,
        insuranceLimiter: new RateLimiterMemory({ points, duration: windowS }),
      });
    this.perUsername = limiter('login-user', perUsername);
    this.perAddress = limiter('login-addr', perAddress);
  }

  /** Counts one attempt; throws DomainError('rate_limited') when a limit is exceeded. */
  async attempt(username: string | undefined, address: string): Promise<void> {
    try {
      await this.perAddress.consume(address || 'unknown');
      if (username) await this.perUsername.consume(username);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        const retryAfterS = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new DomainError('rate_limited', `too many attempts: try again in ${retryAfterS} s`, {
          retryAfterS,
        });
      }
      throw error;
    }
  }

  /** A successful login clears the username's count (the address keeps counting). */
  async succeeded(username: string): Promise<void> {
    await this.perUsername.delete(username).catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
