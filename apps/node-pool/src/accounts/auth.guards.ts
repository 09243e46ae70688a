import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
  applyDecorators,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Metadata } from '@grpc/grpc-js';
import type { Request } from 'express';
import { UserRole } from '@hivemind/contracts';
import { DomainError } from '../common/domain-error';
import { AccountsService } from './accounts.service';
import { type AuthUser } from './auth-user';

const ROLES = 'hivemind:roles';

/**
 * The cookie the console sets (Path=/admin) so that a plain link opens Bull Board; /ws/telemetry
 * accepts it too (same-origin pages only).
 */
export const ADMIN_COOKIE = 'hivemind_token';
/** gRPC calls have no request object: the authenticated caller is kept beside the call's metadata. */
const rpcCallers = new WeakMap<Metadata, AuthUser>();

/** `authorization: Bearer <token>` from an HTTP header or gRPC metadata; else the message's `token`. */
export function bearerToken(context: ExecutionContext): string | undefined {
  if (context.getType() === 'rpc') {
    const data = context.switchToRpc().getData<{ token?: unknown }>();
    return rpcToken(context.switchToRpc().getContext<Metadata>(), data?.token);
  }
  return parseBearer(context.switchToHttp().getRequest<Request>().headers.authorization);
}

/** A gRPC call's token: `authorization: Bearer` metadata first, else the message's `token` field. */
export function rpcToken(metadata: Metadata, messageToken: unknown): string | undefined {
  const header = metadata.get('authorization')[0];
  const fromHeader = typeof header === 'string' ? parseBearer(header) : undefined;
  return fromHeader ?? (typeof messageToken === 'string' && messageToken ? messageToken : undefined);
}

export function parseBearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Lets a request through only with a valid access token; attaches the caller (see @CurrentUser). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly accounts: AccountsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const token = bearerToken(context);
    if (!token) {
      throw new DomainError('unauthenticated', 'not logged in: send "Authorization: Bearer <token>"');
    }
    const user = await this.accounts.authenticate(token);
    if (context.getType() === 'rpc') rpcCallers.set(context.switchToRpc().getContext<Metadata>(), user);
    else context.switchToHttp().getRequest<Request & { user?: AuthUser }>().user = user;
    return true;
  }
}

/** Requires one of the roles set with @Roles (after JwtAuthGuard). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) return true;
    if (!roles.includes(callerOf(context).role)) {
      throw new DomainError('forbidden', `only ${roles.join(' or ')}s may do this`);
    }
    return true;
  }
}

export function callerOf(context: ExecutionContext): AuthUser {
  const user = callerIfAny(context);
  if (!user) throw new DomainError('unauthenticated', 'not logged in');
  return user;
}

/** The authenticated user, if the call has one (no error built: node rpcs have none, thousands a second). */
export function callerIfAny(context: ExecutionContext): AuthUser | undefined {
  return context.getType() === 'rpc'
    ? rpcCallers.get(context.switchToRpc().getContext<Metadata>())
    : context.switchToHttp().getRequest<Request & { user?: AuthUser }>().user;
}

/** The authenticated caller of a REST handler (gRPC handlers: `rpcCaller(metadata)`). */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => callerOf(context));

export function rpcCaller(metadata: Metadata): AuthUser {
  const user = rpcCallers.get(metadata);
  if (!user) throw new DomainError('unauthenticated', 'not logged in');
  return user;
}

/** A valid access token is required (REST and gRPC). */
export const Authenticated = () =>
  applyDecorators(
    UseGuards(JwtAuthGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'missing, invalid, expired or revoked token' }),
  );

/** A valid access token of one of `roles` is required. */
export const Roles = (...roles: UserRole[]) =>
  applyDecorators(
    SetMetadata(ROLES, roles),
    UseGuards(JwtAuthGuard, RolesGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'missing, invalid, expired or revoked token' }),
    ApiForbiddenResponse({ description: `only ${roles.join(' or ')}s` }),
  );

export const AdminOnly = () => Roles(UserRole.Admin);

/** When a JWT expires (its `exp`), read without checking it: call after it was verified. */
export function tokenExpiresAt(token: string): number | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      exp?: unknown;
    };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
