// The worker console's rules, as plain functions: who may sign in, when a session ends, which
// state-changing requests are refused as cross-site, and what a sign-in body may hold
// (docs/worker.md "Worker console and its API", ADR 0013).

/** What a signed-in person is to this node. */
export type ConsoleRole = 'owner' | 'admin';

/** An account as the pool (or the cached verifier) describes it. */
export interface ConsoleAccount {
  id: string;
  username: string;
  /** The pool's role: 'admin' or 'user'. */
  role: string;
}

/**
 * The node's owner: the account the pool said registered it (by id), else — before any
 * registration answered — the account the worker is configured to register as (HIVEMIND_USERNAME),
 * which is the owner by construction: the pool registers a node under the caller.
 */
export interface NodeOwner {
  id?: string;
  username: string;
}

/** The owner of the node, or an admin of the pool; anyone else is refused (undefined). */
export function consoleRoleOf(account: ConsoleAccount, owner: NodeOwner): ConsoleRole | undefined {
  const isOwner = owner.id ? account.id === owner.id : account.username === owner.username;
  if (isOwner) return 'owner';
  if (account.role === 'admin') return 'admin';
  return undefined;
}

const HOUR_MS = 3_600_000;

/** When a session opened at `nowMs` ends: SESSION_TIMEOUT hours later (decimals allowed). */
export function sessionExpiresAt(nowMs: number, timeoutHours: number): number {
  return nowMs + Math.round(timeoutHours * HOUR_MS);
}

/** A session is live strictly before its end; at or after it, it is as good as missing. */
export function isSessionLive(expiresAtMs: number, nowMs: number): boolean {
  return nowMs < expiresAtMs;
}

/** The cookie's Max-Age: whole seconds, at least 1 (a 0 would delete it at once). */
export function cookieMaxAgeS(timeoutHours: number): number {
  return Math.max(1, Math.floor((timeoutHours * HOUR_MS) / 1000));
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface CsrfInput {
  method: string;
  /** The Content-Type header, if any. */
  contentType?: string;
  /** The X-HiveMind-Console header, if any. */
  consoleHeader?: string;
  /** The Origin header, if any. */
  origin?: string;
  /** This worker's own origin as the request reached it: `http://<Host header>`. */
  ownOrigin: string;
}

/**
 * Why a request is refused as possibly cross-site, or undefined when it may go on. A state-changing
 * request must carry a JSON body type or `X-HiveMind-Console: 1` — neither can a plain HTML form
 * send, and a cross-site fetch with either needs a preflight this worker never grants — and, when
 * the browser names its origin, that origin must be this worker's own.
 */
export function csrfRefusal(input: CsrfInput): string | undefined {
  if (!STATE_CHANGING.has(input.method.toUpperCase())) return undefined;
  const json = /^application\/json\s*(;|$)/i.test(input.contentType?.trim() ?? '');
  if (!json && input.consoleHeader !== '1')
    return 'a state-changing request needs Content-Type: application/json or X-HiveMind-Console: 1';
  if (input.origin !== undefined && input.origin.toLowerCase() !== input.ownOrigin.toLowerCase())
    return `requests from ${input.origin || 'an unnamed origin'} are refused: only this worker's own console may change anything`;
  return undefined;
}

/** Bounds of a sign-in body (characters). */
export const SIGN_IN_LIMITS = { username: 64, password: 256, otp: 16 } as const;

export interface SignIn {
  username: string;
  password: string;
  otp?: string;
}

/** A sign-in body, checked before any work: the fields it holds, or the first field that is wrong. */
export function parseSignIn(body: unknown): { ok: SignIn } | { field: string; error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { field: 'body', error: 'the body must be a JSON object: {"username", "password"}' };
  const b = body as Record<string, unknown>;
  for (const field of ['username', 'password'] as const) {
    const value = b[field];
    if (typeof value !== 'string' || value.length === 0)
      return { field, error: `${field} is required (a string)` };
    if (value.length > SIGN_IN_LIMITS[field])
      return { field, error: `${field} is longer than ${SIGN_IN_LIMITS[field]} characters` };
  }
  const otp = b.otp;
  if (otp !== undefined && otp !== null && otp !== '') {
    if (typeof otp !== 'string') return { field: 'otp', error: 'otp must be a string' };
    if (otp.length > SIGN_IN_LIMITS.otp)
      return { field: 'otp', error: `otp is longer than ${SIGN_IN_LIMITS.otp} characters` };
  }
  return {
    ok: {
      username: b.username as string,
      password: b.password as string,
      ...(typeof otp === 'string' && otp ? { otp } : {}),
    },
  };
}
