// Hostile input over every edge of a real node pool (REST, gRPC, the WebSocket): each request that
// once crashed it, stalled it or answered 500 now gets a clear 4xx naming what is wrong, and the
// pool's event loop stays responsive while it refuses them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { status as GrpcStatus } from '@grpc/grpc-js';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { stackInfo, waitFor } from '@hivemind/testing';
import { GrpcCaller, bearer } from './support/grpc-call';
import { call, loginAs, newUser, type TestUser } from './support/http';
import { craftJwt } from './support/jwt';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const openapi = JSON.parse(readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: unknown }>>;
};
const ADMIN_PASSWORD = 'amber-quartz-lantern-58';
/** The bound: no single request of ≤ 1 MB may hold the event loop longer than this. */
const MAX_LOOP_DELAY_MS = 100;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObject = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

/**
 * The longest the event loop (the pool's: it runs in this process) was held while `work` ran —
 * the least of three runs: a request that blocks the loop does so every time, while a busy machine
 * (other processes on its two cores) delays timers only now and then.
 */
async function maxLoopDelayMs(work: () => Promise<void>): Promise<number> {
  const delays: number[] = [];
  for (let run = 0; run < 3; run++) {
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    try {
      await work();
    } finally {
      histogram.disable();
    }
    delays.push(histogram.max / 1e6);
  }
  return Math.min(...delays);
}

async function rawPost(pool: TestNodePool, path: string, body: string, token?: string) {
  const res = await fetch(`${pool.http}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  return {
    status: res.status,
    body: (await res.json()) as { message: string; errors?: { field: string }[] },
  };
}

describe('hostile input never hurts the pool', () => {
  let pool: TestNodePool;
  let grpc: GrpcCaller;
  let user: TestUser;
  let admin: string;

  beforeAll(async () => {
    pool = await startTestNodePool({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD });
    grpc = new GrpcCaller(pool.grpc);
    user = await newUser(pool, 'hostile');
    admin = await loginAs(pool, 'root', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    grpc?.close();
    await pool?.close();
  });

  describe('task fan-out is refused from its size, before any work', () => {
    it.each([
      // 40,000 values: refused before parsing (class-transformer alone would hold the loop ~100 ms)
      [10_000, 30_000, 'the request body holds more than 20000 values', undefined],
      // 11,000 values: parsed, then refused from the grid's sizes
      [
        10_000,
        1_000,
        'the grid has 10000 × 1000 = 10000000 combinations; at most 10000 shards are allowed',
        'split_params',
      ],
    ])('a %i × %i grid: 400, the loop never held', async (a, b, message, field) => {
      const body = JSON.stringify({
        image: 'busybox',
        split: 'machine_learning',
        split_params: { grid: { a: range(a), b: range(b) } },
      });
      let answer: Awaited<ReturnType<typeof rawPost>> | undefined;
      const delay = await maxLoopDelayMs(async () => {
        answer = await rawPost(pool, '/api/tasks', body, user.token);
      });
      expect(answer?.status).toBe(400);
      expect(answer?.body.message).toBe(message);
      if (field) expect(answer?.body.errors).toEqual([expect.objectContaining({ field })]);
      expect(delay).toBeLessThan(MAX_LOOP_DELAY_MS);
      // nothing was stored
      const tasks = await call(pool, 'GET', '/api/tasks', { token: user.token });
      expect(tasks.body.items).toEqual([]);
    });

    it('the same grid over gRPC UploadTask: success false with the same reason', async () => {
      const answer = await grpc.call('MasterNodeService', 'UploadTask', {
        token: user.token,
        image: 'busybox',
        split: 'machine_learning',
        split_params_json: JSON.stringify({ grid: { a: range(10_000), b: range(1_000) } }),
      });
      expect(answer).toMatchObject({ ok: true, response: { success: false } });
      expect(answer.ok && answer.response.message).toMatch(/10000 × 1000 = 10000000 combinations/);
    });
  });

  describe('JSON depth', () => {
    const jsonRoutes = Object.entries(openapi.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method, op]) => ['post', 'patch', 'put'].includes(method) && op.requestBody)
        .map(([method]) => [
          method.toUpperCase(),
          path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
        ]),
    );

    it('covers every JSON route of the OpenAPI document', () => {
      expect(jsonRoutes.length).toBeGreaterThanOrEqual(7);
    });

    it.each(jsonRoutes)(
      '%s %s: 30,000 levels of [ ] → 400 before anything parses it',
      async (method, path) => {
        let status = 0;
        let message = '';
        const delay = await maxLoopDelayMs(async () => {
          const res = await fetch(`${pool.http}${path}`, {
            method,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
            body: nested(30_000),
          });
          status = res.status;
          message = ((await res.json()) as { message: string }).message;
        });
        expect(status).toBe(400);
        expect(message).toBe('the request body nests deeper than 32 levels');
        expect(delay).toBeLessThan(MAX_LOOP_DELAY_MS);
      },
    );

    it.each([
      ['split_params', { image: 'busybox', split: 'simulation', split_params: nestedObject(3000) }],
      ['env', { image: 'busybox', env: nestedObject(3000) }],
    ])('%s nested 3,000 deep → 400', async (_, spec) => {
      const answer = await rawPost(pool, '/api/tasks', JSON.stringify(spec), user.token);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/nests deeper than 32 levels/);
    });

    it('a multipart spec nested deep → 400 naming spec', async () => {
      const form = new FormData();
      form.set('spec', JSON.stringify({ image: 'busybox', split_params: nestedObject(3000) }));
      const res = await fetch(`${pool.http}/api/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}` },
        body: form,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        message: 'spec nests deeper than 32 levels',
        errors: [{ field: 'spec' }],
      });
    });

    it('split_params_json nested 3,000 deep over gRPC → success false naming it', async () => {
      const answer = await grpc.call('MasterNodeService', 'UploadTask', {
        token: user.token,
        image: 'busybox',
        split_params_json: JSON.stringify(nestedObject(3000)),
      });
      expect(answer).toMatchObject({
        ok: true,
        response: { success: false, message: 'split_params_json nests deeper than 32 levels' },
      });
    });

    it('a body over 1 MiB → 413; malformed JSON → 400, both as JSON', async () => {
      const big = await rawPost(pool, '/api/auth/login', JSON.stringify({ username: 'x'.repeat(1_100_000) }));
      expect(big).toEqual({
        status: 413,
        body: expect.objectContaining({ message: 'the request body is too large' }),
      });
      const malformed = await rawPost(pool, '/api/auth/login', '{"username": ');
      expect(malformed).toEqual({
        status: 400,
        body: expect.objectContaining({ message: 'the request body is not valid JSON' }),
      });
    });
  });

  describe('gRPC refusals are refusals, not internal errors', () => {
    it.each([
      ['memory_mb: -5', { memory_mb: -5 }, /memory_gb/],
      ['a huge cpu_cores', { cpu_cores: 2_000_000_000 }, /cpu_cores must be at most 256/],
      ['a 1 MB env value', { env: { BIG: 'x'.repeat(1_000_000) } }, /env/],
      ['a 1 MB env name', { env: { ['N'.repeat(1_000_000)]: 'x' } }, /env/],
    ])('UploadTask with %s: success false naming the field', async (_, fields, message) => {
      const answer = await grpc.call('MasterNodeService', 'UploadTask', {
        token: user.token,
        image: 'busybox',
        ...fields,
      });
      expect(answer.ok).toBe(true);
      expect(answer.ok && answer.response.success).toBe(false);
      expect(answer.ok && answer.response.message).toMatch(message);
      expect(answer.ok && answer.response.message).not.toMatch(/internal error/);
    });

    it.each([
      ['a quote', "x'--"],
      ['a name', 'not-a-uuid'],
      ['an escape', '%00'],
      ['10,000 digits', '0'.repeat(10_000)],
    ])('StopTask of %s → success false, no task', async (_, taskId) => {
      const answer = await grpc.call('MasterNodeService', 'StopTask', {
        token: user.token,
        task_id: taskId,
      });
      expect(answer).toMatchObject({ ok: true, response: { success: false, message: /^no task / } });
    });

    it('a message over its rpc limit → RESOURCE_EXHAUSTED naming the rpc, before it is decoded', async () => {
      const answer = await grpc.call('NodeManagerService', 'ReportStatus', {
        node_id: 'n',
        status_message: 'x'.repeat(5 * 1024 * 1024),
      });
      expect(answer).toEqual({
        ok: false,
        code: GrpcStatus.RESOURCE_EXHAUSTED,
        details: expect.stringMatching(/^ReportStatus: the message is \d+ bytes, more than the 65536/),
      });
    });

    it('a NUL character in a string → INVALID_ARGUMENT naming the field', async () => {
      const answer = await grpc.call('UserService', 'Login', { username: 'ali\u0000ce', password: 'x' });
      expect(answer).toEqual({
        ok: false,
        code: GrpcStatus.INVALID_ARGUMENT,
        details: 'username holds a NUL character (\\u0000), which no field accepts',
      });
    });

    it('Login with a huge username leaves nothing of it in Redis', async () => {
      const redis = new Redis(stackInfo().redisUrl);
      try {
        const keys = async () => redis.keys(`${pool.config.redis.queuePrefix}:rl:*`);
        // 4 MB: refused before decoding; 60 KB: decoded, then refused before any rate-limit key
        const huge = await grpc.call('UserService', 'Login', {
          username: 'u'.repeat(4_000_000),
          password: 'x',
        });
        expect(huge).toMatchObject({ ok: false, code: GrpcStatus.RESOURCE_EXHAUSTED });
        for (let i = 0; i < 3; i++) {
          const long = await grpc.call('UserService', 'Login', {
            username: 'u'.repeat(60_000),
            password: 'x',
          });
          expect(long).toMatchObject({
            ok: true,
            response: { success: false, message: 'invalid username or password' },
          });
        }
        const stored = await keys();
        expect(stored.every((key) => key.length < 200)).toBe(true);
        for (const key of stored) expect(await redis.memory('USAGE', key)).toBeLessThan(1024);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('tokens and ids', () => {
    const foreignToken = (sub: string) =>
      craftJwt(
        { alg: 'HS256', typ: 'JWT' },
        { sub, role: 'admin', ver: 0, typ: 'access', exp: Math.floor(Date.now() / 1000) + 600 },
        pool.config.auth.jwtSecret,
      );

    it.each([
      ['a name', 'not-a-uuid'],
      ['a quote', "x'--"],
      ['a NUL', '\u0000'],
      ['empty', ''],
    ])(
      'a token signed with the right key whose sub is %s: 401 on REST, gRPC and the WebSocket',
      async (_, sub) => {
        const token = foreignToken(sub);
        const rest = await call(pool, 'GET', '/api/me', { token });
        expect(rest.status).toBe(401);
        const rpc = await grpc.call('UserService', 'WhoAmI', {}, bearer(token));
        expect(rpc).toMatchObject({ ok: false, code: GrpcStatus.UNAUTHENTICATED });
        const seed = await grpc.call('UserService', 'GetBalance', { token });
        expect(seed).toMatchObject({ ok: true, response: { success: false, message: /invalid token/ } });
        const ws = new WebSocket(`${pool.http.replace('http', 'ws')}/ws/telemetry`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const status = await new Promise<number>((resolve) => {
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => resolve(101));
          ws.on('error', () => undefined);
        });
        ws.terminate();
        expect(status).toBe(401);
      },
    );

    it.each([
      '/api/admin/users?cursor=%00',
      '/api/admin/users?search=%00',
      '/api/tasks?cursor=%00',
      '/api/tasks?search=a%00b',
      '/api/nodes/%00',
      '/api/wallet/history?cursor=%00',
      '/api/files?cursor=%00',
    ])('GET %s → 400 naming the NUL byte', async (path) => {
      const answer = await call(pool, 'GET', path, { token: admin });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/NUL/);
    });

    it.each([
      ['a quote', "x'--"],
      ['a name', 'not-a-uuid'],
      ['5,000 characters', 'a'.repeat(5000)],
    ])('GET /api/tasks/<%s> → 404', async (_, id) => {
      const answer = await call(pool, 'GET', `/api/tasks/${encodeURIComponent(id)}`, { token: user.token });
      expect(answer.status).toBe(404);
    });
  });

  describe('null is a value, not an absent field', () => {
    it.each([['role'], ['trust_score'], ['disabled']])(
      'PATCH /api/admin/users/:id {"%s": null} → 400 naming it (it reached a NOT NULL column)',
      async (field) => {
        const answer = await call(pool, 'PATCH', `/api/admin/users/${user.id}`, {
          token: admin,
          body: { [field]: null },
        });
        expect(answer.status).toBe(400);
        const fields = (answer.body.errors as { field: string }[]).map((e) => e.field);
        expect(fields.length).toBeGreaterThan(0);
        expect(new Set(fields)).toEqual(new Set([field]));
      },
    );
  });

  describe('the WebSocket', () => {
    it('refuses an oversized message and answers a deep one with an error frame, staying open', async () => {
      const ws = new WebSocket(`${pool.http.replace('http', 'ws')}/ws/telemetry`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      const frames: { type: string; message?: string }[] = [];
      ws.on('message', (data: Buffer) => frames.push(...(JSON.parse(data.toString()) as typeof frames)));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(nested(2000));
      ws.send(JSON.stringify({ op: 'ping' }));
      await waitFor('the pong', () => Promise.resolve(frames.some((f) => f.type === 'pong')));
      expect(frames.find((f) => f.type === 'error')?.message).toMatch(/JSON object with an "op"/);
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      ws.send('x'.repeat(100_000));
      expect(await closed).toBe(1009);
      // the pool is fine
      expect((await call(pool, 'GET', '/api/me', { token: user.token })).status).toBe(200);
    });
  });
});
