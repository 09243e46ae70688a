import { Injectable } from '@nestjs/common';
import { type RateLimiterRedis } from 'rate-limiter-flexible';
import { NodePoolConfig } from '../config/node-pool.config';
import { RateLimits, consumeOrRefuse } from '../common/rate-limits';
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
export class VpnRateLimiter {
  private readonly perAddress: RateLimiterRedis;
  private readonly perUser: RateLimiterRedis;
  private readonly window: string;

  constructor(
    private readonly config: NodePoolConfig,
    limits: RateLimits,
  ) {
    const { perAddress, perUser, windowS } = config.vpn.rateLimit;
    this.window = describeWindow(windowS);
    this.perAddress = limits.limiter('vpn-peer-addr', perAddress, windowS);
    this.perUser = limits.limiter('vpn-peer-user', perUser, windowS);
  }

  /** Counts one peer creation; throws DomainError('rate_limited') with the wait when over a limit. */
  async creation(userId: string, address: string): Promise<void> {
    const { perAddress, perUser } = this.config.vpn.rateLimit;
    await consumeOrRefuse(
      this.perAddress,
      addressKey(address),
      (s) =>
        `too many VPN peers requested from your address (${perAddress} per ${this.window}, VPN_PEER_RATE_PER_ADDRESS): try again in ${s} s`,
    );
    await consumeOrRefuse(
      this.perUser,
      userId,
      (s) =>
        `you requested ${perUser} VPN peers within ${this.window}, the most allowed (VPN_PEER_RATE_PER_USER): try again in ${s} s`,
    );
  }
}
