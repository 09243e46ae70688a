import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { waitFor } from '@hivemind/testing';
import { type TelemetryEvent } from '../src/telemetry/telemetry-events';
import { TelemetryService } from '../src/telemetry/telemetry.service';
import { craftJwt, jwtClaims } from './support/jwt';
import { type TestUser, loginAs, newUser } from './support/http';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const ADMIN_PASSWORD = 'amber-quartz-lantern-58';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frames are loosely typed JSON
type Frame = Record<string, any>;

/** A /ws/telemetry client that keeps every frame it receives, in order. */
class TelemetryClient {
  readonly frames: Frame[] = [];
  closed?: { code: number; reason: string };

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.frames.push(...(JSON.parse(data.toString()) as Frame[])));
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first frame (from the start) that matches; fails after `timeoutMs`. */
  async waitFor(match: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (Date.now() > until) {
        throw new Error(`no matching frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!this.closed) throw new Error(`not closed in ${timeoutMs} ms`);
    return this.closed;
  }

  close(): void {
    this.ws.terminate();
  }
}

const wsUrl = (pool: TestNodePool, query = '') => `${pool.http.replace(/^http/, 'ws')}/ws/telemetry${query}`;

/** The subprotocols a browser offers: the telemetry protocol and the token (as the console does). */
const bearerProtocols = (token: string) => ['hivemind.telemetry.v1', `hivemind.bearer.${token}`];

/** Opens a socket with the token as a subprotocol (or as `options` say) and waits for the welcome frame. */
async function connect(
  pool: TestNodePool,
  token: string,
  options: { via?: 'protocol' | 'header' | 'cookie'; origin?: string } = {},
): Promise<TelemetryClient> {
  const via = options.via ?? 'protocol';
  const headers: Record<string, string> = {};
  if (via === 'header') headers.authorization = `Bearer ${token}`;
  if (via === 'cookie') headers.cookie = `hivemind_token=${token}`;
  const ws = new WebSocket(wsUrl(pool), via === 'protocol' ? bearerProtocols(token) : [], {
    headers,
    ...(options.origin ? { origin: options.origin } : {}),
  });
  const client = new TelemetryClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await client.waitFor((f) => f.type === 'welcome');
  return client;
}

/** The HTTP status that refuses an upgrade (and its JSON body). */
async function refusal(
  url: string,
  headers: Record<string, string> = {},
  origin?: string,
  protocols: string[] = [],
): Promise<{ status: number; body: Frame }> {
  const ws = new WebSocket(url, protocols, { headers, ...(origin ? { origin } : {}) });
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as Frame }));
    });
  });
}

const at = () => new Date().toISOString();
const marker = () => `marker-${randomBytes(4).toString('hex')}`;

function nodeEvent(name: string): TelemetryEvent {
  return { type: 'node', event: 'online', nodeId: name, name, status: 'ONLINE', at: at() };
}

function taskEvent(userId: string, taskId: string, status = 'RUNNING'): TelemetryEvent {
  return { type: 'task', event: 'status', taskId, userId, status, progress: 25, at: at() };
}

function logEvent(userId: string, taskId: string, data: string): TelemetryEvent {
  return {
    type: 'log',
    taskId,
    userId,
    id: 1,
    shardIndex: 0,
    attemptId: '00000000-0000-4000-8000-000000000000',
    seq: '1',
    stream: 'stdout',
    data,
    at: at(),
  };
}

describe('live telemetry at /ws/telemetry', () => {
  const shared = {
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
  };
  let poolA: TestNodePool;
  let poolB: TestNodePool | undefined;
  let alice: TestUser;
  let bob: TestUser;
  let adminToken: string;
  let aliceTask: string;
  let bobTask: string;
  const clients: TelemetryClient[] = [];
  const publishOn = (pool: TestNodePool, event: TelemetryEvent) =>
    pool.app.get(TelemetryService).publish(event);
  const open = async (...args: Parameters<typeof connect>) => {
    const client = await connect(...args);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    poolA = await startTestNodePool({ ...shared, ADMIN_USERNAME: 'root', ADMIN_PASSWORD });
    // a second replica: same Redis channel, same database, same secret
    poolB = await startTestNodePool({ ...shared, DATABASE_URL: poolA.config.database.url });
    [alice, bob] = await Promise.all([newUser(poolA, 'alice'), newUser(poolA, 'bob')]);
    adminToken = await loginAs(poolA, 'root', ADMIN_PASSWORD);
    const insertTask = async (userId: string) => {
      const [row] = await poolA.app
        .get(DataSource)
        .query<{ id: string }[]>('INSERT INTO tasks (user_id) VALUES ($1) RETURNING id', [userId]);
      if (!row) throw new Error('no task inserted');
      return row.id;
    };
    [aliceTask, bobTask] = await Promise.all([insertTask(alice.id), insertTask(bob.id)]);
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await poolB?.close();
    await poolA?.close();
  });

  describe('the upgrade', () => {
    it('is refused with 401 without a token, or with a bad one', async () => {
      const none = await refusal(wsUrl(poolA));
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ statusCode: 401, message: expect.stringContaining('not logged in') });
      expect((await refusal(wsUrl(poolA), {}, undefined, bearerProtocols('not-a-jwt'))).status).toBe(401);
      expect((await refusal(wsUrl(poolA), { authorization: 'Bearer nope' })).status).toBe(401);
      const forged = craftJwt({ alg: 'HS256', typ: 'JWT' }, jwtClaims(alice.token), 'x'.repeat(64));
      expect((await refusal(wsUrl(poolA), {}, undefined, bearerProtocols(forged))).status).toBe(401);
    });

    it('is refused with 401 for a refresh token', async () => {
      expect((await refusal(wsUrl(poolA), {}, undefined, bearerProtocols(alice.refreshToken))).status).toBe(
        401,
      );
    });

    it('refuses a token in the URL with 400 saying what to send instead, even a valid one', async () => {
      const inUrl = await refusal(wsUrl(poolA, `?token=${encodeURIComponent(alice.token)}`));
      expect(inUrl.status).toBe(400);
      expect(inUrl.body).toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/Authorization: Bearer.*hivemind\.bearer\.<token>/),
        errors: [expect.objectContaining({ field: 'token' })],
      });
    });

    it('echoes back only the telemetry subprotocol, never the one carrying the token', async () => {
      const client = await open(poolA, alice.token, { via: 'protocol' });
      expect(client.ws.protocol).toBe('hivemind.telemetry.v1');
    });

    it('takes the token from a subprotocol, the Authorization header or the hivemind_token cookie', async () => {
      for (const via of ['protocol', 'header', 'cookie'] as const) {
        const client = await open(poolA, alice.token, { via });
        expect(client.frames[0]).toEqual({
          type: 'welcome',
          user_id: alice.id,
          username: alice.username,
          role: 'user',
          topics: ['node', 'task'],
          batch_ms: 100,
        });
      }
    });

    it("refuses a cookie sent by another site's page (403), but not from the same origin", async () => {
      const headers = { cookie: `hivemind_token=${alice.token}` };
      expect((await refusal(wsUrl(poolA), headers, 'https://evil.example')).status).toBe(403);
      await open(poolA, alice.token, { via: 'cookie', origin: poolA.http });
    });

    it('answers 404 for another WebSocket path', async () => {
      const url = `${poolA.http.replace(/^http/, 'ws')}/ws/other`;
      expect((await refusal(url, { authorization: `Bearer ${alice.token}` })).status).toBe(404);
    });
  });

  describe('visibility', () => {
    it('a user gets node events and their own task events, not the task events of others', async () => {
      const client = await open(poolA, alice.token);
      const end = marker();
      publishOn(poolA, nodeEvent('node-1'));
      publishOn(poolA, taskEvent(bob.id, bobTask));
      publishOn(poolA, taskEvent(alice.id, aliceTask));
      publishOn(poolA, nodeEvent(end));
      await client.waitFor((f) => f.name === end);
      const events = client.frames.filter((f) => f.type === 'node' || f.type === 'task');
      expect(events).toEqual([
        expect.objectContaining({ type: 'node', event: 'online', node_id: 'node-1', status: 'ONLINE' }),
        {
          type: 'task',
          event: 'status',
          task_id: aliceTask,
          user_id: alice.id,
          status: 'RUNNING',
          progress: 25,
          at: expect.any(String),
        },
        expect.objectContaining({ type: 'node', name: end }),
      ]);
    });

    it('an admin gets every task event', async () => {
      const client = await open(poolA, adminToken);
      const end = marker();
      publishOn(poolA, taskEvent(bob.id, bobTask));
      publishOn(poolA, taskEvent(alice.id, aliceTask));
      publishOn(poolA, nodeEvent(end));
      await client.waitFor((f) => f.name === end);
      expect(client.frames.filter((f) => f.type === 'task').map((f): unknown => f.task_id)).toEqual([
        bobTask,
        aliceTask,
      ]);
    });

    it('a client can turn topics off and on', async () => {
      const client = await open(poolA, alice.token);
      client.send({ op: 'unsubscribe', topics: ['node'] });
      expect(await client.waitFor((f) => f.type === 'unsubscribed')).toEqual({
        type: 'unsubscribed',
        topics: ['task'],
        task_ids: [],
      });
      publishOn(poolA, nodeEvent('hidden-node'));
      const end = `task-${marker()}`;
      publishOn(poolA, taskEvent(alice.id, aliceTask, end));
      await client.waitFor((f) => f.status === end);
      expect(client.frames.some((f) => f.type === 'node')).toBe(false);
      client.send({ op: 'subscribe', topics: ['node'] });
      await client.waitFor((f) => f.type === 'subscribed');
      const name = marker();
      publishOn(poolA, nodeEvent(name));
      await client.waitFor((f) => f.name === name);
    });
  });

  describe('log lines', () => {
    it('come only after subscribing to a task the caller may see', async () => {
      const client = await open(poolA, alice.token);
      const before = marker();
      publishOn(poolA, logEvent(alice.id, aliceTask, 'before subscribing\n'));
      publishOn(poolA, nodeEvent(before));
      await client.waitFor((f) => f.name === before);
      expect(client.frames.some((f) => f.type === 'log')).toBe(false);

      client.send({ op: 'subscribe', task_id: aliceTask });
      expect(await client.waitFor((f) => f.type === 'subscribed')).toEqual({
        type: 'subscribed',
        task_id: aliceTask,
        topics: ['node', 'task'],
        task_ids: [aliceTask],
      });
      publishOn(poolA, logEvent(bob.id, bobTask, 'bob secret\n'));
      publishOn(poolA, logEvent(alice.id, aliceTask, 'hello from the task\n'));
      const line = await client.waitFor((f) => f.type === 'log');
      expect(line).toEqual({
        type: 'log',
        task_id: aliceTask,
        user_id: alice.id,
        id: 1,
        shard_index: 0,
        attempt_id: '00000000-0000-4000-8000-000000000000',
        seq: '1',
        stream: 'stdout',
        data: 'hello from the task\n',
        at: expect.any(String),
      });
      expect(client.frames.filter((f) => f.type === 'log')).toHaveLength(1);

      client.send({ op: 'unsubscribe', task_id: aliceTask });
      await client.waitFor((f) => f.type === 'unsubscribed');
      const after = marker();
      publishOn(poolA, logEvent(alice.id, aliceTask, 'after unsubscribing\n'));
      publishOn(poolA, nodeEvent(after));
      await client.waitFor((f) => f.name === after);
      expect(client.frames.filter((f) => f.type === 'log')).toHaveLength(1);
    });

    it("refuses a subscription to another user's task, or to no task, with an error frame", async () => {
      const client = await open(poolA, alice.token);
      client.send({ op: 'subscribe', task_id: bobTask });
      expect(await client.waitFor((f) => f.type === 'error')).toEqual({
        type: 'error',
        op: 'subscribe',
        task_id: bobTask,
        message: `no task ${bobTask} that you may watch`,
      });
      const missing = '0b0b0b0b-0000-4000-8000-00000000000b';
      client.send({ op: 'subscribe', task_id: missing });
      await client.waitFor((f) => f.type === 'error' && f.task_id === missing);
      publishOn(poolA, logEvent(bob.id, bobTask, 'bob secret\n'));
      const end = marker();
      publishOn(poolA, nodeEvent(end));
      await client.waitFor((f) => f.name === end);
      expect(client.frames.some((f) => f.type === 'log' || f.type === 'subscribed')).toBe(false);
    });

    it("lets an admin watch any user's task", async () => {
      const client = await open(poolA, adminToken);
      client.send({ op: 'subscribe', task_id: bobTask });
      await client.waitFor((f) => f.type === 'subscribed' && f.task_id === bobTask);
      publishOn(poolA, logEvent(bob.id, bobTask, 'for the admin\n'));
      expect(await client.waitFor((f) => f.type === 'log')).toMatchObject({ data: 'for the admin\n' });
    });
  });

  it('answers bad messages with error frames and stays open', async () => {
    const client = await open(poolA, alice.token);
    client.send('not json');
    client.send({ op: 'explode' });
    client.send({ op: 'subscribe', task_id: "1' OR '1'='1" });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    client.send({ op: 'ping' });
    await client.waitFor((f) => f.type === 'pong');
    expect(client.frames.filter((f) => f.type === 'error').map((f): unknown => f.message)).toEqual([
      expect.stringContaining('not JSON'),
      expect.stringContaining('"op" must be'),
      expect.stringContaining('must be a task id'),
      'send JSON text, not binary',
    ]);
    expect(client.closed).toBeUndefined();
  });

  it('closes the socket with 4401 when the token expires', async () => {
    const claims = jwtClaims(alice.token);
    const soon = craftJwt(
      { alg: 'HS256', typ: 'JWT' },
      { ...claims, exp: Math.floor(Date.now() / 1000) + 2 },
      shared.JWT_SECRET,
    );
    const client = await open(poolA, soon);
    expect(await client.waitForClose(6000)).toEqual({ code: 4401, reason: 'token expired: log in again' });
  });

  describe('across replicas', () => {
    it('an event published on pool A reaches a client of pool B, and the other way round', async () => {
      const onB = await open(poolB!, alice.token);
      const onA = await open(poolA, adminToken);
      publishOn(poolA, taskEvent(alice.id, aliceTask, 'FROM_A'));
      publishOn(poolB!, taskEvent(alice.id, aliceTask, 'FROM_B'));
      await onB.waitFor((f) => f.status === 'FROM_A');
      await onB.waitFor((f) => f.status === 'FROM_B');
      await onA.waitFor((f) => f.status === 'FROM_A');
      await onA.waitFor((f) => f.status === 'FROM_B');
    });

    it('a client watching node events on pool B makes pool A publish heartbeat events too', async () => {
      const telemetryA = poolA.app.get(TelemetryService);
      const telemetryB = poolB!.app.get(TelemetryService);
      const client = await open(poolB!, alice.token);
      expect(telemetryB.nodeEventsWatched()).toBe(true);
      await waitFor('pool A to see that pool B has a node watcher', () =>
        Promise.resolve(telemetryA.nodeEventsWatched()),
      );
      client.close();
    });

    it('events published together reach clients in order, as one message on the channel', async () => {
      const client = await open(poolB!, adminToken);
      const names = Array.from({ length: 30 }, (_, i) => `batch-${i}-${marker()}`);
      for (const name of names) publishOn(poolA, nodeEvent(name));
      await client.waitFor((f) => f.name === names[names.length - 1]);
      const seen = client.frames.filter((f) => names.includes(f.name as string)).map((f) => f.name as string);
      expect(seen).toEqual(names);
    });

    it('a log subscription on pool B is checked against the shared database', async () => {
      const client = await open(poolB!, alice.token);
      client.send({ op: 'subscribe', task_id: aliceTask });
      await client.waitFor((f) => f.type === 'subscribed');
      publishOn(poolA, logEvent(alice.id, aliceTask, 'via redis\n'));
      expect(await client.waitFor((f) => f.type === 'log')).toMatchObject({ data: 'via redis\n' });
    });

    it("closing a pool closes its clients with 1001 (going away); the other pool's go on", async () => {
      const onB = await open(poolB!, alice.token);
      const onA = await open(poolA, alice.token);
      await poolB!.close();
      poolB = undefined;
      expect((await onB.waitForClose()).code).toBe(1001);
      const end = marker();
      publishOn(poolA, nodeEvent(end));
      await onA.waitFor((f) => f.name === end);
    });
  });
});
