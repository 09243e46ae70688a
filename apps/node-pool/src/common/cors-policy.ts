import { Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './app-exception.filter';
import { DomainError } from './domain-error';

export const CORS_ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
export const CORS_ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id';
export const CORS_EXPOSED_HEADERS = 'Content-Disposition, Retry-After, X-Request-Id';
const PREFLIGHT_MAX_AGE_S = 600;

export interface CorsRequest {
  method: string;
  /** The Origin header, if any. */
  origin?: string;
  /** The Host header: the pool's own origin as the browser sees it. */
  host?: string;
  /** Access-Control-Request-Method: present on a preflight. */
  requestMethod?: string;
}

export type CorsVerdict =
  /** Not a cross-origin request (no Origin, or the pool's own): nothing to add. */
  | { kind: 'same-origin' }
  /** An origin of CORS_ORIGINS: these headers; a preflight is answered 204 at once. */
  | { kind: 'allow'; preflight: boolean; headers: Record<string, string> }
  /** Another site: a read goes on without CORS headers (the browser hides the answer); anything else is refused. */
  | { kind: 'foreign-read' }
  | { kind: 'refuse'; message: string };

/**
 * The CORS policy: same origin only, plus the origins listed in CORS_ORIGINS. A preflight or a
 * write (POST, PUT, PATCH, DELETE) from any other origin is refused with 403 before any handler
 * runs — cross-site form posts included. No credentials mode: the API takes bearer tokens, and the
 * one cookie (Bull Board's) is SameSite=Strict. Pure.
 */
export function corsDecision(request: CorsRequest, allowed: readonly string[]): CorsVerdict {
  const { origin, host } = request;
  if (!origin) return { kind: 'same-origin' };
  if (origin !== 'null' && host && hostOf(origin) === host.toLowerCase()) return { kind: 'same-origin' };
  const method = request.method.toUpperCase();
  const preflight = method === 'OPTIONS' && request.requestMethod !== undefined;
  if (allowed.includes(origin.toLowerCase().replace(/\/$/, ''))) {
    return {
      kind: 'allow',
      preflight,
      headers: preflight
        ? {
            'Access-Control-Allow-Origin': origin,
            'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS,
            'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS,
            'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
            Vary: 'Origin',
          }
        : {
            'Access-Control-Allow-Origin': origin,
            'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS,
            Vary: 'Origin',
          },
    };
  }
  if (!preflight && ['GET', 'HEAD'].includes(method)) return { kind: 'foreign-read' };
  return {
    kind: 'refuse',
    message: `requests from ${origin} are not allowed: only the pool's own pages (and CORS_ORIGINS) may call it`,
  };
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The CORS policy as Express middleware (corsDecision decides). */
export function corsPolicy(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, ''));
  const logger = new Logger('CorsPolicy');
  return (req: Request, res: Response, next: NextFunction) => {
    const requestMethod = req.headers['access-control-request-method'];
    const verdict = corsDecision(
      {
        method: req.method,
        origin: req.headers.origin,
        host: req.headers.host,
        requestMethod: typeof requestMethod === 'string' ? requestMethod : undefined,
      },
      allowed,
    );
    if (verdict.kind === 'refuse')
      return sendError(req, res, new DomainError('forbidden', verdict.message), logger);
    if (verdict.kind !== 'allow') {
      res.vary('Origin');
      return next();
    }
    for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
    if (verdict.preflight) {
      res.status(204).end();
      return;
    }
    next();
  };
}
