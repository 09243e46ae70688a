import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { addressKey } from './vpn-peer-policy';

/** "1 h", "15 min", "90 s": a window as a person says it. */
export function describeWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * Counts peer creations per client address (an IPv6 client: per /64) and per user in Redis, so
 * the limits hold across node-pool replicas (an in-memory limiter takes over if Redis is
 * unreachable). Every attempt counts, refused ones too: probing is not free.
 */
@Injectable()
export class VpnRateLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly perAddress: RateLimiterRedis;
  private readonly perUser: RateLimiterRedis;
  private readonly window: string;

  constructor(private readonly config: NodePoolConfig) {
    const { perAddress, perUser, windowS } = config.vpn.rateLimit;
    this.window = describeWindow(windowS);
    this.redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: false });
    const limiter = (name: string, points: number) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.redis.queuePrefix}:rl:${name}`,
        points,
        duration: windowS,
        insuranceLimiter: new RateLimiterMemory({ points, duration: windowS }),
      });
    this.perAddress = limiter('vpn-peer-addr', perAddress);
    this.perUser = limiter('vpn-peer-user', perUser);
  }

  /** Counts one peer creation; throws DomainError('rate_limited') with the wait when over a limit. */
  async creation(userId: string, address: string): Promise<void> {
    const { perAddress, perUser } = this.config.vpn.rateLimit;
    await consume(
      this.perAddress,
      addressKey(address),
      (s) =>
        `too many VPN peers requested from your address (${perAddress} per ${this.window}, VPN_PEER_RATE_PER_ADDRESS): try again in ${s} s`,
    );
    await consume(
      this.perUser,
      userId,
      (s) =>
        `you requested ${perUser} VPN peers within ${this.window}, the most allowed (VPN_PEER_RATE_PER_USER): try again in ${s} s`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

async function consume(
  limiter: RateLimiterRedis,
  key: string,
  message: (s: number) => string,
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
