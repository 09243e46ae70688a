import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { type Duplex } from 'node:stream';
import { parseCookie } from 'cookie';
import { ADMIN_COOKIE, parseBearer } from '../accounts/auth.guards';
import { type ErrorBody } from '../common/app-exception.filter';

export interface UpgradeCredential {
  token: string;
  source: 'header' | 'query' | 'cookie';
}

/** The request's path, without the query. */
export function upgradePath(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

/**
 * The access token of a WebSocket upgrade: `Authorization: Bearer`, else `?token=` (browsers
 * cannot set headers on a WebSocket), else the console's `hivemind_token` cookie.
 */
export function upgradeCredential(req: IncomingMessage): UpgradeCredential | undefined {
  const fromHeader = parseBearer(req.headers.authorization);
  if (fromHeader) return { token: fromHeader, source: 'header' };
  const fromQuery = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  if (fromQuery) return { token: fromQuery, source: 'query' };
  const fromCookie = parseCookie(req.headers.cookie ?? '')[ADMIN_COOKIE];
  return fromCookie ? { token: fromCookie, source: 'cookie' } : undefined;
}

/**
 * Whether a browser page of another site opened this socket: its cookie must not authenticate
 * it (cross-site WebSocket hijacking). Clients that are not browsers send no Origin.
 */
export function isCrossOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

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

/** Answers an upgrade request with a plain HTTP error (the REST API's ErrorBody) and closes it. */
export function refuseUpgrade(socket: Duplex, body: ErrorBody, retryAfterS?: number): void {
  if (socket.destroyed) return;
  const json = JSON.stringify(body);
  const headers = [
    `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...(body.statusCode === 401 ? ['WWW-Authenticate: Bearer'] : []),
    ...(retryAfterS !== undefined ? [`Retry-After: ${retryAfterS}`] : []),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${headers.join('\r\n')}\r\n\r\n${json}`);
}

/** An ErrorBody for a status no DomainError stands for (404 elsewhere, 503, 500). */
export function httpErrorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
