// A fuzzer driven by the OpenAPI document: every route of the pool, hit with generated requests
// (plausible values, wrong types, extremes, attacker strings, broken bodies) as an admin, as a
// user and without a token. Whatever the input, the answer is never a 5xx.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, loginAs, newUser, type TestUser } from './support/http';
import {
  type FuzzRequest,
  type OpenApiDocument,
  fuzzRequests,
  operationsOf,
  seedOf,
  systematicRequests,
} from './support/openapi-fuzz';
import { BENCH_RATE_LIMITS } from '../../../libs/local-stack/src/bench-support';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const ADMIN_PASSWORD = 'amber-quartz-lantern-58';
/** Random requests per operation (on top of the systematic ones), shared by the three callers. */
const REQUESTS = 60;

const doc = JSON.parse(
  readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8'),
) as OpenApiDocument;
const operations = operationsOf(doc);

describe('OpenAPI fuzzer: no input makes any route answer 5xx', () => {
  let pool: TestNodePool;
  let admin: string;
  let user: TestUser;
  /** Logging out revokes the caller's tokens: that route gets a caller of its own. */
  let leaving: TestUser;
  /** Ids of things that exist (a task, a peer, another user), mixed into the generated values. */
  const known: string[] = [];
  /** The id of a thing that exists, for a path template: attacks on other fields then go deep. */
  const ids: Record<string, string> = {};
  const existing = (template: string) =>
    Object.entries(ids).find(([prefix]) => template.startsWith(prefix))?.[1];

  beforeAll(async () => {
    // the fuzzer sends thousands of requests a minute as one user from one address: what it checks is
    // that no input makes a route fail, not the rate limits (rate-limits.int-spec.ts does)
    pool = await startTestNodePool({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD, ...BENCH_RATE_LIMITS });
    admin = await loginAs(pool, 'root', ADMIN_PASSWORD);
    user = await newUser(pool, 'fuzz');
    const other = await newUser(pool, 'victim');
    leaving = await newUser(pool, 'leaving');
    const task = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'busybox', command: ['true'], timeout_s: 60 },
    });
    const peer = await call(pool, 'POST', '/api/vpn/peers', { token: user.token, body: { name: 'laptop' } });
    known.push(other.id, other.username, String(task.body.task?.id ?? ''), String(peer.body.peer?.id ?? ''));
    Object.assign(ids, {
      '/api/tasks/': String(task.body.task?.id),
      '/api/vpn/peers/': String(peer.body.peer?.id),
      '/api/admin/users/': other.id,
    });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('covers every operation of the document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  it.each(operations.map((op) => [`${op[0]} ${op[1]}`, op] as const))('%s', async (name, operation) => {
    const random = fuzzRequests(doc, operation, { count: REQUESTS, seed: seedOf(name), known });
    const systematic = systematicRequests(doc, operation, (template) => existing(template) ?? 'x');
    const logout = operation[1] === '/api/auth/logout';
    const failures: string[] = [];
    for (const [i, request] of [...systematic, ...random].entries()) {
      // the systematic ones as an admin (the deepest paths); the random ones as an admin, a user and
      // anonymously, in turn
      const caller = i < systematic.length ? admin : [admin, user.token, undefined][i % 3];
      const token = logout ? leaving.token : caller;
      const answer = await send(pool, request, token);
      if (answer.status >= 500)
        failures.push(`${answer.status} ${summary(request)} → ${answer.text.slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
  });

  it('left the callers able to work (nothing above disabled or revoked them)', async () => {
    expect((await call(pool, 'GET', '/api/me', { token: admin })).status).toBe(200);
  });
});

async function send(pool: TestNodePool, request: FuzzRequest, token?: string) {
  const res = await fetch(`${pool.http}${request.path}`, {
    method: request.method,
    headers: {
      ...request.headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: request.body,
  });
  return { status: res.status, text: await res.text() };
}

function summary(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : ` ${request.body.slice(0, 300)}`;
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers)}${body}`;
}
