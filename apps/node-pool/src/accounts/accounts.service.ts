import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isUniqueViolation } from '../common/transaction';
import {
  PASSWORD_MAX_LENGTH,
  USERNAME_PATTERN,
  USERNAME_RULE,
  UserRole,
  normalizeUsername,
} from '@hivemind/contracts';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { LedgerService } from '../ledger/ledger.service';
import { type AuthUser, toAuthUser } from './auth-user';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordHasher } from './password-hasher';
import { passwordWeakness } from './password-policy';
import { type IssuedTokens, TokenService } from './token.service';
import { type User } from './user.entity';
import { UsersRepository } from './users.repository';

export interface Session extends IssuedTokens {
  user: User;
}

const WRONG_CREDENTIALS = 'invalid username or password';

/** Accounts: registration, login, tokens, the first admin, and the admins' changes to users. */
@Injectable()
export class AccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly limiter: LoginRateLimiter,
    private readonly ledger: LedgerService,
    private readonly config: NodePoolConfig,
  ) {}

  /** Creates the account, its wallet and the sign-up grant in one transaction; logs the user in. */
  async register(rawUsername: string, password: string, address: string): Promise<Session> {
    const username = normalizeUsername(rawUsername);
    if (!USERNAME_PATTERN.test(username)) {
      throw new DomainError('invalid', `username must be ${USERNAME_RULE}`, { field: 'username' });
    }
    const weakness = passwordWeakness(password, username);
    if (weakness) throw new DomainError('invalid', weakness, { field: 'password' });
    await this.limiter.attempt(undefined, address);
    const user = await this.create(username, password, UserRole.User);
    return { user, ...(await this.tokens.issue(user)) };
  }

  async login(rawUsername: string, password: string, address: string): Promise<Session> {
    const username = normalizeUsername(rawUsername);
    // only a name that could exist gets a rate-limit key (a 4 MB "username" must not reach Redis);
    // the address counts every attempt
    const plausible = USERNAME_PATTERN.test(username) && password.length <= PASSWORD_MAX_LENGTH;
    await this.limiter.attempt(plausible ? username : undefined, address);
    const user = plausible ? await this.users.findByUsername(username) : null;
    const valid = user
      ? await this.hasher.verify(user.passwordHash, password)
      : await this.hasher.dummyVerify(plausible ? password : '');
    if (!user || !valid) throw new DomainError('unauthenticated', WRONG_CREDENTIALS);
    if (user.disabledAt)
      throw new DomainError('forbidden', 'this account is disabled: contact an administrator');
    await this.limiter.succeeded(username);
    return { user, ...(await this.tokens.issue(user)) };
  }

  /** A new token pair for a valid refresh token whose user is still active. */
  async refresh(refreshToken: string): Promise<Session> {
    const claims = await this.tokens.verify(refreshToken, 'refresh');
    const user = await this.activeUser(claims.sub, claims.ver);
    return { user, ...(await this.tokens.issue(user)) };
  }

  /** The caller behind an access token: valid signature, not expired, not revoked, not disabled. */
  async authenticate(accessToken: string): Promise<AuthUser> {
    const claims = await this.tokens.verify(accessToken, 'access');
    return toAuthUser(await this.activeUser(claims.sub, claims.ver));
  }

  /** Revokes every token of the user (logout everywhere). */
  logout(userId: string): Promise<void> {
    return this.users.bumpTokenVersion(userId);
  }

  async profile(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('not_found', 'no such user');
    return user;
  }

  async findByUsername(rawUsername: string): Promise<User | null> {
    const username = normalizeUsername(rawUsername);
    return USERNAME_PATTERN.test(username) ? this.users.findByUsername(username) : null;
  }

  listUsers(options: { limit: number; afterUsername?: string; search?: string }): Promise<User[]> {
    return this.users.page(options);
  }

  /** An admin changes a user's role, trust score or disabled flag; disabling revokes their tokens. */
  async updateUser(
    actor: AuthUser,
    id: string,
    changes: { role?: UserRole; trustScore?: number; disabled?: boolean },
  ): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new DomainError('not_found', `no user with id ${id}`);
    if (user.id === actor.id && (changes.role === UserRole.User || changes.disabled === true)) {
      throw new DomainError('invalid', 'you cannot remove your own admin role or disable yourself');
    }
    await this.users.update(id, {
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.trustScore !== undefined ? { trustScore: changes.trustScore } : {}),
      ...(changes.disabled !== undefined ? { disabledAt: changes.disabled ? new Date() : null } : {}),
    });
    if (changes.disabled === true || changes.role !== undefined) await this.users.bumpTokenVersion(id);
    return this.profile(id);
  }

  /** ADMIN_USERNAME / ADMIN_PASSWORD: creates the admin, or makes the existing user an admin. */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.auth.admin;
    if (!admin) return;
    const existing = await this.users.findByUsername(admin.username);
    if (existing) {
      if (existing.role !== UserRole.Admin) {
        await this.users.update(existing.id, { role: UserRole.Admin });
        this.logger.log(`made ${admin.username} an admin (ADMIN_USERNAME)`);
      }
      return;
    }
    try {
      await this.create(admin.username, admin.password, UserRole.Admin);
      this.logger.log(`created the admin account ${admin.username} (ADMIN_USERNAME)`);
    } catch (error) {
      // another replica created it at the same moment
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
      await this.onApplicationBootstrap();
    }
  }

  private async create(username: string, password: string, role: UserRole): Promise<User> {
    const passwordHash = await this.hasher.hash(password);
    try {
      return await this.users.transaction(async (manager) => {
        const user = await this.users.insert({ username, passwordHash, role }, manager);
        await this.ledger.openUserAccount(manager, user.id, this.config.auth.signupGrantCpt);
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_users_username')) {
        throw new DomainError('conflict', `the username ${username} is taken`, { field: 'username' });
      }
      throw error;
    }
  }

  private async activeUser(id: string, tokenVersion: number): Promise<User> {
    const user = await this.users.findById(id);
    if (!user || user.tokenVersion !== tokenVersion) {
      throw new DomainError('unauthenticated', 'token revoked: log in again');
    }
    if (user.disabledAt)
      throw new DomainError('forbidden', 'this account is disabled: contact an administrator');
    return user;
  }
}
