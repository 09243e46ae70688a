import { Injectable } from '@nestjs/common';
import { type RateLimiterRedis } from 'rate-limiter-flexible';
import { NodePoolConfig } from '../config/node-pool.config';
import { RateLimits, consumeOrRefuse } from '../common/rate-limits';

/**
 * Counts login and registration attempts per username and per client address in Redis, so the
 * limits hold across node-pool replicas (an in-memory limiter takes over if Redis is unreachable).
 * Going over either limit is refused with the seconds to wait, never with whether the user exists.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly perUsername: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(config: NodePoolConfig, limits: RateLimits) {
    const { perUsername, perAddress, windowS } = config.auth.loginRateLimit;
    this.perUsername = limits.limiter('login-user', perUsername, windowS);
    this.perAddress = limits.limiter('login-addr', perAddress, windowS);
  }

  /** Counts one attempt; throws DomainError('rate_limited') when a limit is exceeded. */
  async attempt(username: string | undefined, address: string): Promise<void> {
    const refusal = (s: number) => `too many attempts: try again in ${s} s`;
    await consumeOrRefuse(this.perAddress, address || 'unknown', refusal);
    if (username) await consumeOrRefuse(this.perUsername, username, refusal);
  }

  /** A successful login clears the username's count (the address keeps counting). */
  async succeeded(username: string): Promise<void> {
    await this.perUsername.delete(username).catch(() => undefined);
  }
}
