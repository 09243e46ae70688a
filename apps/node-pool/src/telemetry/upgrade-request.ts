import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { type Duplex } from 'node:stream';
import { parseCookie } from 'cookie';
import { ADMIN_COOKIE, parseBearer } from '../accounts/auth.guards';
export { tokenExpiresAt } from '../accounts/auth.guards';
import { type ErrorBody } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';

export interface UpgradeCredential {
  token: string;
  source: 'header' | 'protocol' | 'cookie';
}

/** The subprotocol of /ws/telemetry, the only one the pool echoes back. */
export const TELEMETRY_PROTOCOL = 'hivemind.telemetry.v1';
/** A subprotocol carrying the access token (browsers cannot set headers on a WebSocket). */
export const BEARER_PROTOCOL_PREFIX = 'hivemind.bearer.';

export const TOKEN_IN_URL_REFUSAL =
  'a token in the URL is refused (URLs end up in logs and browser history): send "Authorization: Bearer <token>", ' +
  `the subprotocols "${TELEMETRY_PROTOCOL}" and "${BEARER_PROTOCOL_PREFIX}<token>", or the hivemind_token cookie`;

/** The request's path, without the query. */
export function upgradePath(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

/**
 * The access token of a WebSocket upgrade: `Authorization: Bearer`, else a `hivemind.bearer.<token>`
 * subprotocol (as Kubernetes does it: browsers cannot set headers on a WebSocket), else the
 * `hivemind_token` cookie. A `?token=` in the URL is refused (a DomainError 'invalid' naming
 * `token`): URLs are logged by proxies and kept in histories.
 */
export function upgradeCredential(req: IncomingMessage): UpgradeCredential | undefined {
  if (new URL(req.url ?? '/', 'http://localhost').searchParams.has('token')) {
    throw new DomainError('invalid', TOKEN_IN_URL_REFUSAL, { field: 'token' });
  }
  const fromHeader = parseBearer(req.headers.authorization);
  if (fromHeader) return { token: fromHeader, source: 'header' };
  const fromProtocol = offeredProtocols(req)
    .find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX))
    ?.slice(BEARER_PROTOCOL_PREFIX.length);
  if (fromProtocol) return { token: fromProtocol, source: 'protocol' };
  const fromCookie = parseCookie(req.headers.cookie ?? '')[ADMIN_COOKIE];
  return fromCookie ? { token: fromCookie, source: 'cookie' } : undefined;
}

/** The subprotocols a client offered (Sec-WebSocket-Protocol). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Which subprotocol to echo back: only the non-secret one, never the token's. */
export function chosenProtocol(offered: Set<string>): string | false {
  return offered.has(TELEMETRY_PROTOCOL) ? TELEMETRY_PROTOCOL : false;
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

/** Answers an upgrade request with a plain HTTP error (the REST API's ErrorBody) and closes it. */
export function refuseUpgrade(
  socket: Duplex,
  body: ErrorBody,
  retryAfterS?: number,
  requestId?: string,
): void {
  if (socket.destroyed) return;
  const json = JSON.stringify(body);
  const headers = [
    `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...(body.statusCode === 401 ? ['WWW-Authenticate: Bearer'] : []),
    ...(retryAfterS !== undefined ? [`Retry-After: ${retryAfterS}`] : []),
    ...(requestId ? [`X-Request-Id: ${requestId}`] : []),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${headers.join('\r\n')}\r\n\r\n${json}`);
}

/** An ErrorBody for a status no DomainError stands for (404 elsewhere, 503, 500). */
export function httpErrorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
