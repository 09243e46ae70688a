import { ADMIN_COOKIE } from './auth.guards';

/**
 * The cookie that lets a plain link open Bull Board (/admin/queues), set by the pool from the
 * bearer token of `POST /api/auth/board-session`: HttpOnly (no script of the page can read it),
 * SameSite=Strict (never sent from another site), Path=/admin (sent to Bull Board only), Secure
 * when the request came over TLS, and gone when the token expires. Pure.
 */
export function boardSessionCookie(
  token: string,
  expiresAtMs: number | undefined,
  nowMs: number,
  secure: boolean,
): string {
  const maxAge =
    expiresAtMs === undefined ? undefined : Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000));
  return [
    `${ADMIN_COOKIE}=${encodeURIComponent(token)}`,
    'Path=/admin',
    'HttpOnly',
    'SameSite=Strict',
    ...(maxAge !== undefined ? [`Max-Age=${maxAge}`] : []),
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The same cookie, cleared (logout, or the console ending its session). */
export function clearedBoardSessionCookie(secure: boolean): string {
  return [
    `${ADMIN_COOKIE}=`,
    'Path=/admin',
    'HttpOnly',
    'SameSite=Strict',
    'Max-Age=0',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
