import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { isUniqueViolation } from '../common/transaction';
import {
  PASSWORD_MAX_LENGTH,
  USERNAME_PATTERN,
  USERNAME_RULE,
  UserRole,
  normalizeUsername,
} from '@hivemind/contracts';
import { AuditService } from '../audit/audit.service';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { LedgerService } from '../ledger/ledger.service';
import { type AuthUser, toAuthUser } from './auth-user';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordHasher } from './password-hasher';
import { PasswordStrength } from './password-strength';
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
    private readonly audit: AuditService,
    private readonly strength: PasswordStrength,
  ) {}

  /** Creates the account, its wallet and the sign-up grant in one transaction; logs the user in. */
  register(rawUsername: string, password: string, address: string): Promise<Session> {
    const username = normalizeUsername(rawUsername);
    return this.audit.refusalsOf({ action: 'auth.register', actor: null, detail: { username } }, () =>
      this.registerChecked(username, password, address),
    );
  }

  private async registerChecked(username: string, password: string, address: string): Promise<Session> {
    if (!USERNAME_PATTERN.test(username)) {
      throw new DomainError('invalid', `username must be ${USERNAME_RULE}`, { field: 'username' });
    }
    const weakness = await this.strength.weakness(password, username);
    if (weakness) throw new DomainError('invalid', weakness, { field: 'password' });
    await this.limiter.attempt(undefined, address);
    // recorded with the account and its grant: no account without its event
    const user = await this.create(username, password, UserRole.User, (m, created) =>
      this.audit.record(
        {
          action: 'auth.register',
          actor: { id: created.id, username },
          target: { type: 'user', id: created.id },
          detail: { grant_cpt: this.config.auth.signupGrantCpt },
        },
        m,
      ),
    );
    return { user, ...(await this.tokens.issue(user)) };
  }

  /** Logs in; both a success and a refusal are audited (the attempted username, never the password). */
  async login(rawUsername: string, password: string, address: string): Promise<Session> {
    const username = normalizeUsername(rawUsername);
    const session = await this.audit.refusalsOf(
      { action: 'auth.login', actor: null, detail: { username } },
      () => this.checkLogin(username, password, address),
    );
    await this.audit.record({
      action: 'auth.login',
      actor: { id: session.user.id, username: session.user.username },
      target: { type: 'user', id: session.user.id },
    });
    return session;
  }

  private async checkLogin(username: string, password: string, address: string): Promise<Session> {
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
    const session = await this.audit.refusalsOf({ action: 'auth.refresh', actor: null }, async () => {
      const claims = await this.tokens.verify(refreshToken, 'refresh');
      const user = await this.activeUser(claims.sub, claims.ver);
      return { user, ...(await this.tokens.issue(user)) };
    });
    await this.audit.record({
      action: 'auth.refresh',
      actor: { id: session.user.id, username: session.user.username },
      target: { type: 'user', id: session.user.id },
    });
    return session;
  }

  /** The caller behind an access token: valid signature, not expired, not revoked, not disabled. */
  async authenticate(accessToken: string): Promise<AuthUser> {
    const claims = await this.tokens.verify(accessToken, 'access');
    return toAuthUser(await this.activeUser(claims.sub, claims.ver));
  }

  /** Revokes every token of the user (logout everywhere). */
  async logout(userId: string): Promise<void> {
    await this.users.bumpTokenVersion(userId);
    await this.audit.record({ action: 'auth.logout', target: { type: 'user', id: userId } });
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

  /**
   * An admin changes a user's role, trust score or disabled flag; disabling revokes their tokens.
   * Each change is audited (admin.user_role, admin.user_trust, admin.user_disable) in the
   * transaction that makes it; a refusal is audited too.
   */
  updateUser(
    actor: AuthUser,
    id: string,
    changes: { role?: UserRole; trustScore?: number; disabled?: boolean },
  ): Promise<User> {
    const action =
      changes.role !== undefined
        ? 'admin.user_role'
        : changes.disabled !== undefined
          ? 'admin.user_disable'
          : 'admin.user_trust';
    return this.audit.refusalsOf(
      { action, actor: { id: actor.id, username: actor.username }, target: { type: 'user', id } },
      () => this.applyUserChanges(actor, id, changes),
    );
  }

  private async applyUserChanges(
    actor: AuthUser,
    id: string,
    changes: { role?: UserRole; trustScore?: number; disabled?: boolean },
  ): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new DomainError('not_found', `no user with id ${id}`);
    if (user.id === actor.id && (changes.role === UserRole.User || changes.disabled === true)) {
      throw new DomainError('invalid', 'you cannot remove your own admin role or disable yourself');
    }
    const by = { id: actor.id, username: actor.username };
    const target = { type: 'user' as const, id };
    await this.users.transaction(async (m) => {
      await this.users.update(
        id,
        {
          ...(changes.role !== undefined ? { role: changes.role } : {}),
          ...(changes.trustScore !== undefined ? { trustScore: changes.trustScore } : {}),
          ...(changes.disabled !== undefined ? { disabledAt: changes.disabled ? new Date() : null } : {}),
        },
        m,
      );
      const detail = { username: user.username };
      if (changes.role !== undefined) {
        const role = { ...detail, from: user.role, to: changes.role };
        await this.audit.record({ action: 'admin.user_role', actor: by, target, detail: role }, m);
      }
      if (changes.trustScore !== undefined) {
        const trust = { ...detail, from: user.trustScore, to: changes.trustScore };
        await this.audit.record({ action: 'admin.user_trust', actor: by, target, detail: trust }, m);
      }
      if (changes.disabled !== undefined) {
        const disabled = { ...detail, disabled: changes.disabled };
        await this.audit.record({ action: 'admin.user_disable', actor: by, target, detail: disabled }, m);
      }
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

  private async create(
    username: string,
    password: string,
    role: UserRole,
    alsoWithin?: (manager: EntityManager, user: User) => Promise<void>,
  ): Promise<User> {
    const passwordHash = await this.hasher.hash(password);
    try {
      return await this.users.transaction(async (manager) => {
        const user = await this.users.insert({ username, passwordHash, role }, manager);
        await this.ledger.openUserAccount(manager, user.id, this.config.auth.signupGrantCpt);
        await alsoWithin?.(manager, user);
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
