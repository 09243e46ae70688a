import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { jwtVerifier } from '../common/jwt-verifier';
import { type User } from './user.entity';

export type TokenType = 'access' | 'refresh';

interface Claims {
  sub: string;
  role: string;
  /** The user's token version when issued; a bump (logout, disable) revokes the token. */
  ver: number;
  typ: TokenType;
  exp: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

/**
 * Signs and checks JWTs with JWT_SECRET, HS256 only: a token with another algorithm (including
 * `alg: none`) or another secret is refused, as is an expired one or one of the wrong type.
 */
@Injectable()
export class TokenService {
  private static readonly ALGORITHM = 'HS256' as const;
  private readonly verifier: JwtService;

  constructor(
    private readonly jwt: JwtService,
    private readonly config: NodePoolConfig,
  ) {
    this.verifier = jwtVerifier(config.auth.jwtSecret);
  }

  async issue(user: User): Promise<IssuedTokens> {
    const accessSeconds = Math.round(this.config.auth.tokenExpirationHours * 3600);
    const refreshSeconds = Math.round(this.config.auth.refreshTokenDays * 86400);
    const base = { sub: user.id, role: user.role, ver: user.tokenVersion };
    const [accessToken, refreshToken] = await Promise.all([
      this.sign({ ...base, typ: 'access' }, accessSeconds),
      this.sign({ ...base, typ: 'refresh' }, refreshSeconds),
    ]);
    return { accessToken, refreshToken, expiresAt: new Date(Date.now() + accessSeconds * 1000) };
  }

  /** The claims of a valid token of `type`; a DomainError('unauthenticated') saying why otherwise. */
  async verify(token: string, type: TokenType): Promise<Claims> {
    let claims: Claims;
    try {
      claims = await this.verifier.verifyAsync<Claims>(token, {
        algorithms: [TokenService.ALGORITHM],
      });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new DomainError(
        'unauthenticated',
        expired ? 'token expired: log in again' : 'invalid token: log in again',
      );
    }
    // a token signed with our key but not by us (a leaked secret, an old format) is refused too
    if (
      claims.typ !== type ||
      typeof claims.sub !== 'string' ||
      !isUuid(claims.sub) ||
      typeof claims.ver !== 'number'
    ) {
      throw new DomainError('unauthenticated', `invalid token: not an ${type} token`);
    }
    return claims;
  }

  private sign(payload: Omit<Claims, 'exp'>, expiresInSeconds: number): Promise<string> {
    return this.jwt.signAsync(payload, {
      secret: this.config.auth.jwtSecret,
      algorithm: TokenService.ALGORITHM,
      expiresIn: expiresInSeconds,
    });
  }
}
