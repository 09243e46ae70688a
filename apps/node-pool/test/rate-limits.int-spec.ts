import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { GRPC_CHANNEL_OPTIONS, loadNodepool } from '@hivemind/contracts/grpc';
import { GrpcCaller, bearer } from './support/grpc-call';
import { STRONG_PASSWORD, call, newUser } from './support/http';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';
import { makeZip } from './support/zip';

// Issue 18, items 4 and 5: rate limits on every route, rpc and WebSocket upgrade, counted in Redis
// so that two replicas share them; bytes of uploads; TRUST_PROXY; security headers and CORS; request
// ids and the gRPC access log.

const USER_BUDGET = 10;

/** Opens /ws/telemetry with the token as a subprotocol: 101, or the refusal's status and headers. */
function upgrade(
  pool: TestNodePool,
  token: string,
): Promise<{ status: number; retryAfter?: string; requestId?: string }> {
  const ws = new WebSocket(`${pool.http.replace(/^http/, 'ws')}/ws/telemetry`, [
    'hivemind.telemetry.v1',
    `hivemind.bearer.${token}`,
  ]);
  return new Promise((resolve) => {
    let requestId: string | undefined;
    ws.once('upgrade', (res) => (requestId = res.headers['x-request-id'] as string | undefined));
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101, requestId });
    });
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      resolve({
        status: res.statusCode ?? 0,
        retryAfter: res.headers['retry-after'],
        requestId: res.headers['x-request-id'] as string | undefined,
      });
      res.resume();
    });
  });
}

function metadataWith(token: string, requestId: string): grpc.Metadata {
  const metadata = bearer(token);
  metadata.set('x-request-id', requestId);
  return metadata;
}

/** A UserService rpc, for its answer's initial metadata and trailers. */
function userRpc(
  pool: TestNodePool,
  method: string,
  request: object,
  metadata = new grpc.Metadata(),
): Promise<{ header?: grpc.Metadata; trailer?: grpc.Metadata }> {
  type Unary = (r: object, m: grpc.Metadata, cb: (e: unknown) => void) => grpc.ClientUnaryCall;
  const Client = loadNodepool().nodepool.UserService as unknown as new (
    address: string,
    credentials: grpc.ChannelCredentials,
    options: grpc.ChannelOptions,
  ) => grpc.Client & Record<string, Unary>;
  const client = new Client(pool.grpc, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
  return new Promise((resolve) => {
    const seen: { header?: grpc.Metadata; trailer?: grpc.Metadata } = {};
    const unary = client[method].call(client, request, metadata, () => undefined);
    unary.on('metadata', (m: grpc.Metadata) => (seen.header = m));
    unary.on('status', (s: grpc.StatusObject) => {
      seen.trailer = s.metadata;
      client.close();
      resolve(seen);
    });
  });
}

describe('rate limits across two replicas', () => {
  let poolA: TestNodePool;
  let poolB: TestNodePool;
  let grpcA: GrpcCaller;
  let grpcB: GrpcCaller;
  const shared = {
    QUEUE_PREFIX: `limits-${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    RATE_LIMIT_READS_PER_USER: String(USER_BUDGET),
    RATE_LIMIT_RPCS_PER_CREDENTIAL: String(USER_BUDGET),
    RATE_LIMIT_WS_UPGRADES_PER_USER: '3',
    UPLOAD_BYTES_PER_USER: '150000',
  };

  beforeAll(async () => {
    poolA = await startTestNodePool(shared);
    poolB = await startTestNodePool({ ...shared, DATABASE_URL: poolA.config.database.url });
    grpcA = new GrpcCaller(poolA.grpc);
    grpcB = new GrpcCaller(poolB.grpc);
  });

  afterAll(async () => {
    grpcA?.close();
    grpcB?.close();
    await poolB?.close();
    await poolA?.close();
  });

  it('REST: a burst split over both replicas gets 429 with Retry-After past the one shared budget', async () => {
    const user = await newUser(poolA, 'rest');
    const answers = [];
    for (let i = 0; i < USER_BUDGET + 4; i++) {
      answers.push(await call(i % 2 ? poolB : poolA, 'GET', '/api/me', { token: user.token }));
    }
    expect(answers.filter((a) => a.status === 200)).toHaveLength(USER_BUDGET);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(4);
    for (const answer of refused) {
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answer.headers.get('x-request-id')).toBeTruthy();
      expect(answer.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringMatching(/^too many requests by this account: try again in \d+ s$/),
      });
    }
  });

  it('gRPC: a burst split over both replicas gets RESOURCE_EXHAUSTED saying when to retry', async () => {
    const user = await newUser(poolA, 'rpc');
    const outcomes = [];
    for (let i = 0; i < USER_BUDGET + 3; i++) {
      outcomes.push(await (i % 2 ? grpcB : grpcA).call('UserService', 'WhoAmI', {}, bearer(user.token)));
    }
    expect(outcomes.filter((o) => o.ok)).toHaveLength(USER_BUDGET);
    const refused = outcomes.filter((o) => !o.ok);
    expect(refused).toHaveLength(3);
    for (const outcome of refused) {
      expect(outcome).toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: expect.stringMatching(/too many requests by this account: try again in \d+ s/),
      });
    }
  });

  it('WebSocket: upgrades past the budget are refused 429 with Retry-After, on either replica', async () => {
    const user = await newUser(poolA, 'ws');
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await upgrade(i % 2 ? poolB : poolA, user.token));
    expect(results.map((r) => r.status)).toEqual([101, 101, 101, 429, 429]);
    expect(Number(results[3]?.retryAfter)).toBeGreaterThan(0);
    expect(results.every((r) => r.requestId)).toBe(true);
  });

  it('uploads are counted in bytes: a second zip past the budget is refused before it is read', async () => {
    const user = await newUser(poolA, 'bytes');
    // random text deflates little: ~90 kB on the wire each time, against a budget of 150 kB
    const zip = await makeZip({ 'main.py': randomBytes(90_000).toString('base64') });
    const submit = (pool: TestNodePool) => {
      const form = new FormData();
      form.set('spec', JSON.stringify({ name: 'bytes', timeout_s: 60, validation: 'none' }));
      form.set('input', new Blob([new Uint8Array(zip)]), 'job.zip');
      return fetch(`${pool.http}/api/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}` },
        body: form,
      });
    };
    const first = await submit(poolA);
    expect(first.status).toBe(201);
    const second = await submit(poolB);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeTruthy();
    expect(((await second.json()) as { message: string }).message).toMatch(
      /too many bytes uploaded by this account: try again in \d+ s/,
    );
  });

  it('gRPC answers carry x-request-id (the caller’s own when plain), and each call is one access-log line', async () => {
    const log = jest.spyOn(Logger.prototype, 'log');
    try {
      const user = await newUser(poolA, 'reqid');
      const seen = await userRpc(poolA, 'WhoAmI', {}, metadataWith(user.token, 'rpc-test-42'));
      expect(seen.header?.get('x-request-id')).toEqual(['rpc-test-42']);
      expect(seen.trailer?.get('x-request-id')).toEqual(['rpc-test-42']);
      // a refused call carries one too (a fresh id)
      const refused = await grpcA.call('UserService', 'WhoAmI', {});
      expect(refused.ok).toBe(false);

      const lines = log.mock.calls
        .map(([line]) => line as Record<string, unknown>)
        .filter((line) => typeof line === 'object' && line !== null && 'rpc' in line);
      expect(lines).toContainEqual({
        rpc: '/nodepool.UserService/WhoAmI',
        code: 'OK',
        duration_ms: expect.any(Number),
        address: '127.0.0.1',
        request_id: 'rpc-test-42',
        user_id: user.id,
      });
      expect(lines).toContainEqual(
        expect.objectContaining({ rpc: '/nodepool.UserService/WhoAmI', code: 'UNAUTHENTICATED' }),
      );
    } finally {
      log.mockRestore();
    }
  });

  it('the audit trail records the request id a gRPC answer carries, also when the pool chose it', async () => {
    const user = await newUser(poolA, 'auditid');
    const seen = await userRpc(poolA, 'Login', { username: user.username, password: STRONG_PASSWORD });
    const [id] = seen.trailer?.get('x-request-id') ?? [];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await poolA.app
      .get(DataSource)
      .query<{ request_id: string }[]>(
        "SELECT request_id FROM audit_events WHERE action = 'auth.login' AND actor_username = $1",
        [user.username],
      );
    expect(rows.map((r) => r.request_id)).toEqual([id]);
  });
});

describe('TRUST_PROXY, security headers and CORS', () => {
  const ADDRESS_BUDGET = 3;
  let direct: TestNodePool;
  let proxied: TestNodePool;
  const limits = {
    RATE_LIMIT_READS_PER_ADDRESS: String(ADDRESS_BUDGET),
    RATE_LIMIT_RPCS_PER_ADDRESS: String(ADDRESS_BUDGET),
  };
  /** A distinct address for each request through the trusted proxy, so these tests spend no shared budget. */
  let next = 0;
  const via = () => ({ 'x-forwarded-for': `203.0.113.${++next}` });

  beforeAll(async () => {
    direct = await startTestNodePool(limits);
    proxied = await startTestNodePool({
      ...limits,
      TRUST_PROXY: 'loopback',
      CORS_ORIGINS: 'https://console.example.org',
    });
  });

  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
  });

  it('without TRUST_PROXY, X-Forwarded-For changes nothing: spoofed addresses share one budget', async () => {
    const statuses = [];
    for (let i = 0; i < ADDRESS_BUDGET + 2; i++) {
      const res = await call(direct, 'GET', '/api/nothing-here', {
        headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
  });

  it('behind a trusted proxy, the forwarded address is the key: each client has its own budget', async () => {
    const statuses = [];
    for (let i = 0; i < ADDRESS_BUDGET + 2; i++) {
      statuses.push((await call(proxied, 'GET', '/api/nothing-here', { headers: via() })).status);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    const same = { 'x-forwarded-for': '192.0.2.77' };
    const again = [];
    for (let i = 0; i < ADDRESS_BUDGET + 1; i++) {
      again.push((await call(proxied, 'GET', '/api/nothing-here', { headers: same })).status);
    }
    expect(again).toEqual([404, 404, 404, 429]);
  });

  it('gRPC: x-forwarded-for counts only from a trusted proxy', async () => {
    const rpcs = async (pool: TestNodePool, forwarded: () => string) => {
      const caller = new GrpcCaller(pool.grpc);
      const codes = [];
      for (let i = 0; i < ADDRESS_BUDGET + 1; i++) {
        const metadata = new grpc.Metadata();
        metadata.set('x-forwarded-for', forwarded());
        const outcome = await caller.call('UserService', 'WhoAmI', {}, metadata);
        codes.push(outcome.ok ? grpc.status.OK : outcome.code);
      }
      caller.close();
      return codes;
    };
    const { UNAUTHENTICATED, RESOURCE_EXHAUSTED } = grpc.status;
    let i = 0;
    expect(await rpcs(direct, () => `198.51.100.${++i}`)).toEqual([
      UNAUTHENTICATED,
      UNAUTHENTICATED,
      UNAUTHENTICATED,
      RESOURCE_EXHAUSTED,
    ]);
    expect(await rpcs(proxied, () => `198.51.100.${++i}`)).toEqual(
      Array(ADDRESS_BUDGET + 1).fill(UNAUTHENTICATED),
    );
  });

  it('sends the security headers (a strict Content-Security-Policy), on errors too; HSTS only over TLS', async () => {
    const res = await call(proxied, 'GET', '/api/nothing-here', { headers: via() });
    expect(res.status).toBe(404);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('strict-transport-security')).toBeNull();

    const overTls = await call(proxied, 'GET', '/api/nothing-here', {
      headers: { ...via(), 'x-forwarded-proto': 'https' },
    });
    expect(overTls.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(overTls.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    // an untrusted client cannot claim TLS
    const claimed = await call(direct, 'GET', '/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(claimed.headers.get('strict-transport-security')).toBeNull();
  });

  it('CORS: same origin and CORS_ORIGINS only; preflights answered; other sites refused', async () => {
    const allowed = 'https://console.example.org';
    const preflight = await call(proxied, 'OPTIONS', '/api/me', {
      headers: { ...via(), origin: allowed, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');

    const read = await call(proxied, 'GET', '/api/nothing-here', { headers: { ...via(), origin: allowed } });
    expect(read.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(read.headers.get('access-control-expose-headers')).toContain('X-Request-Id');

    const evil = 'https://evil.example';
    const refusedPreflight = await call(proxied, 'OPTIONS', '/api/me', {
      headers: { ...via(), origin: evil, 'access-control-request-method': 'POST' },
    });
    expect(refusedPreflight.status).toBe(403);
    expect(refusedPreflight.headers.get('access-control-allow-origin')).toBeNull();
    const foreignRead = await call(proxied, 'GET', '/api/nothing-here', {
      headers: { ...via(), origin: evil },
    });
    expect(foreignRead.headers.get('access-control-allow-origin')).toBeNull();
    const foreignWrite = await call(proxied, 'POST', '/api/auth/login', {
      headers: { ...via(), origin: evil },
      body: { username: 'nobody', password: 'whatever-it-is-1' },
    });
    expect(foreignWrite.status).toBe(403);
    expect(foreignWrite.body.message).toMatch(/not allowed/);

    const sameOrigin = await call(proxied, 'POST', '/api/auth/login', {
      headers: { ...via(), origin: proxied.http },
      body: { username: 'nobody', password: 'whatever-it-is-1' },
    });
    expect(sameOrigin.status).toBe(401);
  });
});

describe('over TLS', () => {
  let pool: TestNodePool;

  beforeAll(async () => {
    pool = await startTestNodePool(
      { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' },
      { tls: true },
    );
  });

  afterAll(async () => {
    await pool?.close();
  });

  it('sends HSTS on a TLS socket, and the Bull Board cookie is Secure', async () => {
    const res = await call(pool, 'GET', '/api/nothing-here');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=15552000');
    expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    const login = await call(pool, 'POST', '/api/auth/login', {
      body: { username: 'root', password: 'amber-quartz-lantern-58' },
    });
    const set = await call(pool, 'POST', '/api/auth/board-session', { token: login.body.access_token });
    expect(set.status).toBe(204);
    expect(set.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
  });
});
