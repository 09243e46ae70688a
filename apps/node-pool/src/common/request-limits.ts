import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { type RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from './domain-error';
import { HeartbeatMeter } from './heartbeat-meter';
import { jwtVerifier } from './jwt-verifier';
import { type Bucket, type Charge, type LimitSubject, limitSubject } from './limit-keys';
import { RateLimits } from './rate-limits';

/**
 * The pool-wide rate limits (docs/security.md "Rate limits"): every REST request, rpc and WebSocket
 * upgrade is counted per address and per signed-in user or node, request bodies, zips and log text
 * in bytes; all in Redis, so replicas share them. The edges ask which charges apply (limit-keys.ts)
 * and `charge` them; over a budget, a DomainError('rate_limited') with the seconds to wait.
 */
@Injectable()
export class RequestLimits {
  private readonly limiters: Record<Bucket, RateLimiterRedis>;
  private readonly jwt: JwtService;
  /**
   * A node's heartbeats are counted here, in memory, instead of in Redis: the rpc every node repeats
   * forever should not cost two Redis round trips (measured: about a third of the pool's CPU per
   * heartbeat). Per replica, so a node may send this many to each replica: still bounded.
   */
  readonly heartbeats: HeartbeatMeter;
  private readonly windowS: number;

  constructor(config: NodePoolConfig, limits: RateLimits) {
    const { windowS, rest, rpc, upgrades, uploadBytes, logBytes } = config.limits;
    this.windowS = windowS;
    this.heartbeats = new HeartbeatMeter(config.heartbeats.perNodeLimit, windowS);
    const per = (name: Bucket, points: number, durationS = windowS) =>
      limits.limiter(`req:${name}`, points, durationS);
    this.limiters = {
      'rest-read-addr': per('rest-read-addr', rest.readsPerAddress),
      'rest-write-addr': per('rest-write-addr', rest.writesPerAddress),
      'rest-read-subject': per('rest-read-subject', rest.readsPerUser),
      'rest-write-subject': per('rest-write-subject', rest.writesPerUser),
      'rpc-addr': per('rpc-addr', rpc.perAddress),
      'rpc-subject': per('rpc-subject', rpc.perCredential),
      'upgrade-addr': per('upgrade-addr', upgrades.perAddress),
      'upgrade-subject': per('upgrade-subject', upgrades.perUser),
      'upload-bytes-addr': per('upload-bytes-addr', uploadBytes.perAddress, uploadBytes.windowS),
      'upload-bytes-subject': per('upload-bytes-subject', uploadBytes.perUser, uploadBytes.windowS),
      'log-bytes-subject': per('log-bytes-subject', logBytes.perNode, logBytes.windowS),
    };
    this.jwt = jwtVerifier(config.auth.jwtSecret);
  }

  /**
   * Who a bearer token says it is, when its signature is ours (microseconds, no database): the key
   * of the per-user and per-node budgets. A forged token names nobody, so nobody can spend another's
   * budget; a revoked one is still refused later, by the guards.
   */
  subjectOf(token: string | undefined): LimitSubject | undefined {
    if (!token) return undefined;
    try {
      return limitSubject(this.jwt.verify(token, { algorithms: ['HS256'] }));
    } catch {
      return undefined;
    }
  }

  /**
   * A heartbeat with a node credential whose signature checked: counted per node in memory (no
   * Redis); over RATE_LIMIT_HEARTBEATS_PER_NODE in the window, refused like any rate limit.
   */
  admitHeartbeat(nodeId: string): void {
    if (this.heartbeats.admit(nodeId)) return;
    const retryAfterS = this.windowS;
    throw new DomainError('rate_limited', `too many heartbeats by this node: try again in ${retryAfterS} s`, {
      retryAfterS,
    });
  }

  /** Counts every charge; throws DomainError('rate_limited') naming what was over and when to retry. */
  async charge(charges: Charge[]): Promise<void> {
    // all at once (one Redis round trip, pipelined): a refused request is counted in every bucket
    const outcomes = await Promise.allSettled(
      charges.map(({ bucket, key, points }) => this.limiters[bucket].consume(key, points)),
    );
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      const error: unknown = outcome.reason;
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfterS = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new DomainError('rate_limited', refusalMessage(charges[i].bucket, retryAfterS), { retryAfterS });
    });
  }
}

function refusalMessage(bucket: Bucket, retryAfterS: number): string {
  const what = bucket.startsWith('upload-bytes')
    ? 'too many bytes uploaded'
    : bucket.startsWith('log-bytes')
      ? 'too much log text sent'
      : bucket.startsWith('upgrade')
        ? 'too many WebSocket connections opened'
        : 'too many requests';
  const whose = bucket.endsWith('-addr') ? 'from this address' : 'by this account';
  return `${what} ${whose}: try again in ${retryAfterS} s`;
}
