import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { WorkerConfig } from '../config/worker.config';
import { LoginRefusedError, PoolClient, isTransient } from '../pool/pool-client';
import { NodeIdentityRepository } from '../pool/node-identity.repository';
import { type ConsoleAccount, type SignIn, consoleRoleOf } from './console-session';
import { type ConsoleSession, SessionStore } from './session-store';
import { VerifierCache } from './verifier-cache.repository';

/** Sign-in attempts in a window: per username (any outcome but success) and per client address. */
export const SIGN_IN_LIMITS = { perUsername: 10, perAddress: 50, windowS: 300 } as const;

/** A refusal with the worker console's body (`{ error, … }`) and, for 429, the seconds to wait. */
export class ConsoleRefusal extends HttpException {
  constructor(
    status: HttpStatus,
    body: { error: string; [key: string]: unknown },
    readonly retryAfterS?: number,
  ) {
    super(body, status);
  }
}

const WRONG = () => new ConsoleRefusal(HttpStatus.UNAUTHORIZED, { error: 'wrong username or password' });

/**
 * Who may use the worker console: checks a sign-in against the pool over the worker's own gRPC
 * channel (UserService Login, then WhoAmI), lets in the node's owner or a pool admin, remembers a
 * verifier for offline sign-in, and opens the session. While the pool cannot be reached, only an
 * account that signed in here before, against its cached verifier. See ADR 0013.
 */
@Injectable()
export class ConsoleAuth {
  private readonly logger = new Logger('WorkerConsole');
  readonly sessions: SessionStore;
  private readonly perUsername = new RateLimiterMemory({
    points: SIGN_IN_LIMITS.perUsername,
    duration: SIGN_IN_LIMITS.windowS,
  });
  private readonly perAddress = new RateLimiterMemory({
    points: SIGN_IN_LIMITS.perAddress,
    duration: SIGN_IN_LIMITS.windowS,
  });

  constructor(
    private readonly config: WorkerConfig,
    private readonly pool: PoolClient,
    private readonly identity: NodeIdentityRepository,
    private readonly verifiers: VerifierCache,
  ) {
    this.sessions = new SessionStore(config.console.sessionTimeoutHours);
  }

  get timeoutHours(): number {
    return this.config.console.sessionTimeoutHours;
  }

  async signIn(body: SignIn, address: string): Promise<{ id: string; session: ConsoleSession }> {
    const usernameKey = body.username.toLowerCase();
    await this.count(this.perAddress, address || 'unknown');
    await this.count(this.perUsername, usernameKey);
    const { account, offline } = await this.check(body);
    const role = consoleRoleOf(
      account,
      this.identity.identity.owner ?? { username: this.config.owner.username },
    );
    if (!role)
      throw new ConsoleRefusal(HttpStatus.FORBIDDEN, {
        error: `${account.username} does not own this node`,
      });
    await this.perUsername.delete(usernameKey).catch(() => undefined);
    if (!offline)
      await this.verifiers
        .remember(account, body.password)
        .catch((error: Error) => this.logger.warn(`could not keep an offline verifier: ${error.message}`));
    this.logger.log(
      `${account.username} signed in to the worker console (${role}${offline ? ', offline' : ''})`,
    );
    return this.sessions.open({ username: account.username, userId: account.id, role, offline });
  }

  /** The pool's word on the account, or — only when the pool cannot be reached — the cached verifier's. */
  private async check(body: SignIn): Promise<{ account: ConsoleAccount; offline: boolean }> {
    try {
      return { account: await this.pool.whoIs(body.username, body.password), offline: false };
    } catch (error) {
      if (error instanceof LoginRefusedError) {
        const wait = /try again in (\d+) s/.exec(error.message);
        if (wait)
          throw new ConsoleRefusal(
            HttpStatus.TOO_MANY_REQUESTS,
            { error: `the node pool refuses more sign-ins for now: ${error.message}` },
            Number(wait[1]),
          );
        throw WRONG();
      }
      if (!isTransient(error)) throw error;
    }
    const cached = await this.verifiers.check(body.username, body.password);
    if (cached === 'unknown')
      throw new ConsoleRefusal(HttpStatus.SERVICE_UNAVAILABLE, {
        error: `the node pool cannot be reached, and ${body.username} has not signed in here before`,
      });
    if (cached === 'wrong') throw WRONG();
    return { account: cached, offline: true };
  }

  private async count(limiter: RateLimiterMemory, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfterS = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new ConsoleRefusal(
        HttpStatus.TOO_MANY_REQUESTS,
        { error: `too many sign-in attempts: try again in ${retryAfterS} s` },
        retryAfterS,
      );
    }
  }
}
