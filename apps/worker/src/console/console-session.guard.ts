import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { parseCookie } from 'cookie';
import { type Request } from 'express';
import { ConsoleAuth } from './console-auth.service';
import { csrfRefusal } from './console-session';
import { type ConsoleSession } from './session-store';

/** The worker console's cookie. */
export const SESSION_COOKIE = 'hm_worker_session';

const OPEN = 'hivemind:worker-open-route';
/** A route anyone may call without a session (/health, the sign-in itself). */
export const OpenRoute = () => SetMetadata(OPEN, true);

/** The session cookie's value, if the request carries one. */
export function sessionCookieOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  return parseCookie(header)[SESSION_COOKIE];
}

/** The session the guard found for this request. */
export function consoleSessionOf(req: Request): ConsoleSession | undefined {
  return (req as Request & { consoleSession?: ConsoleSession }).consoleSession;
}

/**
 * Every route of the worker's HTTP server (applied globally): state-changing requests must pass the
 * CSRF rule (console-session.ts), and every route not marked OpenRoute needs a live session —
 * 401 `{ "error": "sign in" }` otherwise. New routes are closed unless someone opens them.
 */
@Injectable()
export class ConsoleSessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: ConsoleAuth,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const refusal = csrfRefusal({
      method: req.method,
      contentType: req.headers['content-type'],
      consoleHeader: header(req, 'x-hivemind-console'),
      origin: header(req, 'origin'),
      ownOrigin: `${req.protocol}://${req.headers.host ?? ''}`,
    });
    if (refusal) throw new ForbiddenException({ error: refusal });
    if (this.reflector.getAllAndOverride<boolean>(OPEN, [context.getHandler(), context.getClass()]))
      return true;
    const session = this.auth.sessions.find(sessionCookieOf(req));
    if (!session) throw new UnauthorizedException({ error: 'sign in' });
    (req as Request & { consoleSession?: ConsoleSession }).consoleSession = session;
    return true;
  }
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
