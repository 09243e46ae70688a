import { randomBytes } from 'node:crypto';
import { type SessionView } from '@hivemind/contracts';
import { type TestNodePool } from './test-node-pool';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed JSON
export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** One JSON request to the pool's REST API. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed JSON
export async function call<T = any>(
  pool: TestNodePool,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const res = await pool.fetch(`${pool.http}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export const STRONG_PASSWORD = 'violet-kettle-93-orbit';

export interface TestUser {
  id: string;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** Registers a fresh user through the API (factory, docs/conventions.md "Two test tiers"). */
export async function newUser(pool: TestNodePool, prefix = 'user'): Promise<TestUser> {
  const username = `${prefix}-${randomBytes(4).toString('hex')}`;
  const res = await call<SessionView>(pool, 'POST', '/api/auth/register', {
    body: { username, password: STRONG_PASSWORD },
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    username,
    password: STRONG_PASSWORD,
    token: res.body.access_token,
    refreshToken: res.body.refresh_token,
  };
}

export async function loginAs(pool: TestNodePool, username: string, password: string): Promise<string> {
  const res = await call<SessionView>(pool, 'POST', '/api/auth/login', { body: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token;
}
