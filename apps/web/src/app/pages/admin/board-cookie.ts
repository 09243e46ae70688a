// Bull Board (/admin/queues) is an Express page outside the console: it reads an admin's access
// token from the `hivemind_token` cookie (apps/node-pool/src/accounts/bull-board-auth.middleware.ts),
// which the console sets, for /admin only, before opening it. Pure.

export const BOARD_COOKIE = 'hivemind_token';

/** The `exp` of a JWT in ms since the epoch, or null when it cannot be read. */
export function tokenExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * The cookie that lets a plain link open Bull Board: sent to /admin only, never across sites,
 * gone when the token expires (a browser-session cookie when the expiry cannot be read).
 */
export function boardCookie(token: string, now: number, secure: boolean): string {
  const expiry = tokenExpiry(token);
  const parts = [`${BOARD_COOKIE}=${encodeURIComponent(token)}`, 'Path=/admin', 'SameSite=Strict'];
  if (expiry !== null) parts.push(`Max-Age=${Math.max(0, Math.floor((expiry - now) / 1000))}`);
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
