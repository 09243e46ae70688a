// PostgreSQL going away under a running pool (its connections reset, new ones refused): every
// edge answers 503 / UNAVAILABLE with a time to retry — never 500 — and the pool serves again as
// soon as the database is back.
import { status as GrpcStatus } from '@grpc/grpc-js';
import WebSocket from 'ws';
import { stackInfo, waitFor } from '@hivemind/testing';
import { GrpcCaller, bearer } from './support/grpc-call';
import { call, newUser, type TestUser } from './support/http';
import { TcpProxy } from './support/tcp-proxy';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

describe('a database outage', () => {
  let proxy: TcpProxy;
  let pool: TestNodePool;
  let grpc: GrpcCaller;
  let user: TestUser;

  beforeAll(async () => {
    // every test database lives on the run's one PostgreSQL server: proxy that
    const server = new URL(stackInfo().postgresUrl);
    proxy = await TcpProxy.start(server.hostname, Number(server.port));
    pool = await startTestNodePool({}, { databaseUrl: (url) => routedThrough(url, proxy.port) });
    grpc = new GrpcCaller(pool.grpc);
    user = await newUser(pool, 'outage');
    await proxy.cut();
  });
  afterAll(async () => {
    grpc?.close();
    await proxy?.restore();
    await pool?.close();
    await proxy?.close();
  });

  it.each([
    ['GET', '/api/system/status'],
    ['GET', '/api/tasks'],
    ['GET', '/api/me'],
    ['GET', '/api/wallet'],
    ['POST', '/api/auth/login'],
  ])('%s %s → 503 with Retry-After and a request id', async (method, path) => {
    const answer = await call(pool, method, path, {
      token: user.token,
      ...(method === 'POST' ? { body: { username: user.username, password: user.password } } : {}),
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(answer.body).toMatchObject({
      statusCode: 503,
      message: "the node pool's database is unavailable: try again in 5 s",
      request_id: answer.headers.get('x-request-id'),
    });
  });

  it('/health says so too', async () => {
    expect((await call(pool, 'GET', '/health')).status).toBe(503);
  });

  it('gRPC: UNAVAILABLE, and the seed-style rpcs answer success false with the reason', async () => {
    const whoAmI = await grpc.call('UserService', 'WhoAmI', {}, bearer(user.token));
    expect(whoAmI).toEqual({
      ok: false,
      code: GrpcStatus.UNAVAILABLE,
      details: "the node pool's database is unavailable: try again in 5 s",
    });
    const poll = await grpc.call('MasterNodeService', 'PollTaskStatus', { token: user.token, task_id: 'x' });
    expect(poll).toMatchObject({
      ok: true,
      response: { success: false, message: "the node pool's database is unavailable: try again in 5 s" },
    });
  });

  it('the WebSocket upgrade: 503', async () => {
    const ws = new WebSocket(`${pool.http.replace('http', 'ws')}/ws/telemetry`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const answer = await new Promise<{ status?: number; retryAfter?: string }>((resolve) => {
      ws.on('unexpected-response', (_req, res) =>
        resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] }),
      );
      ws.on('open', () => resolve({ status: 101 }));
      ws.on('error', () => undefined);
    });
    ws.terminate();
    expect(answer).toEqual({ status: 503, retryAfter: '5' });
  });

  it('serves again once the database is back', async () => {
    await proxy.restore();
    await waitFor(
      'the pool to answer /api/me',
      async () => (await call(pool, 'GET', '/api/me', { token: user.token })).status === 200,
    );
    expect((await call(pool, 'GET', '/api/system/status', { token: user.token })).status).toBe(200);
  });
});

function routedThrough(url: string, port: number): string {
  const routed = new URL(url);
  routed.hostname = '127.0.0.1';
  routed.port = String(port);
  return routed.toString();
}
