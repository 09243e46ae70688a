/* eslint-disable @typescript-eslint/no-unsafe-call -- the tests read the APIs' JSON loosely */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { PROBATION_RUN } from '@hivemind/contracts';
import { stackInfo, waitFor } from '@hivemind/testing';
import { ReconcilerService } from '../src/scheduling/reconciler.service';
import { GrpcCaller } from './support/grpc-call';
import { call, newUser, type TestUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const MASK = '********';

/** A fresh secret full of regular-expression and shell metacharacters. */
const secretValue = (label: string) => `${label}-$(pa.ss)*+?[w0rd]^|\\${randomBytes(6).toString('hex')}`;

describe('secret task env: sealed at rest, masked in every answer and log, in the clear only to the node', () => {
  let pool: TestNodePool;
  let db: DataSource;
  let rpc: GrpcCaller;
  const workers: SimWorker[] = [];

  const sim = async (owner: TestUser) => {
    const w = new SimWorker(pool.grpc, { name: `node-${randomBytes(3).toString('hex')}`, maxConcurrent: 4 });
    workers.push(w);
    await w.register(owner.token);
    // past probation, which keeps secrets from new nodes (docs/validation.md)
    await db.query(`UPDATE nodes SET credit_score = 120, valid_run = $2 WHERE id = $1`, [
      w.nodeId,
      PROBATION_RUN,
    ]);
    w.connect();
    await w.heartbeat();
    return w;
  };
  const userMd = (user: TestUser) => {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${user.token}`);
    return md;
  };
  /** Everything the database holds about the task, as text. */
  const stored = async (taskId: string) => {
    const [row] = await db.query<{ text: string }[]>(
      `SELECT (SELECT row_to_json(t)::text FROM tasks t WHERE t.id = $1)
         || coalesce((SELECT string_agg(c.data, '') FROM log_chunks c WHERE c.task_id = $1), '') AS text`,
      [taskId],
    );
    return row.text;
  };

  beforeAll(async () => {
    pool = await startTestNodePool({
      HEARTBEAT_TIMEOUT_S: '3600',
      SIGNUP_GRANT_CPT: '5000',
      TASK_SECRETS_KEY: randomBytes(32).toString('hex'),
    });
    db = pool.app.get(DataSource);
    rpc = new GrpcCaller(pool.grpc);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) w.close();
    await db.query(`UPDATE nodes SET status = 'offline'`);
    await db.query(`UPDATE attempts SET state = 'CANCELLED' WHERE state IN ('ASSIGNED', 'RUNNING')`);
    await db.query(`UPDATE shards SET state = 'CANCELLED' WHERE state IN ('QUEUED', 'ASSIGNED', 'RUNNING')`);
    await db.query(`UPDATE tasks SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING')`);
    await pool.app.get(ReconcilerService).reconcile();
  });
  afterAll(async () => {
    rpc?.close();
    await pool?.close();
  });

  it('over REST: answers show ********, the database holds no value, the node gets them, its logs are stored masked', async () => {
    const owner = await newUser(pool, 'owner');
    const user = await newUser(pool, 'submitter');
    const node = await sim(owner);
    const password = secretValue('db');
    const token = secretValue('api');
    const secrets = [password, token];
    const telemetry = new WebSocket(`${pool.http.replace(/^http/, 'ws')}/ws/telemetry`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    const frames: { type: string; data?: string; task_id?: string }[] = [];
    telemetry.on('message', (data: Buffer) => frames.push(...(JSON.parse(data.toString()) as typeof frames)));
    await new Promise((resolve, reject) => telemetry.once('open', resolve).once('error', reject));
    // what goes through Redis on its way to the replica that holds the node's stream
    const redis = new Redis(stackInfo().redisUrl);
    const dispatched: string[] = [];
    redis.on('message', (_channel: string, message: string) => dispatched.push(message));
    await redis.subscribe(`${pool.config.redis.queuePrefix}:dispatch`);

    const submitted = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: {
        image: 'alpine:3',
        command: 'echo',
        env: { MODE: 'fast' },
        secret_env: { DB_PASSWORD: password, API_TOKEN: token, PIN: '12' },
        timeout_s: 600,
        validation: 'none',
      },
    });
    expect(submitted.status).toBe(201);
    const taskId = submitted.body.task.id as string;
    telemetry.send(JSON.stringify({ op: 'subscribe', task_id: taskId }));
    await waitFor('the subscription', () => Promise.resolve(frames.some((f) => f.type === 'subscribed')));

    const detail = await call(pool, 'GET', `/api/tasks/${taskId}`, { token: user.token });
    expect(detail.body.env).toEqual({ MODE: 'fast', DB_PASSWORD: MASK, API_TOKEN: MASK, PIN: MASK });
    expect(detail.body.secret_env_keys).toEqual(['API_TOKEN', 'DB_PASSWORD', 'PIN']);
    const list = await call(pool, 'GET', '/api/tasks', { token: user.token });
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(taskId);

    // at rest: sealed, the names in the clear
    const [row] = await db.query<{ secret_env_sealed: string; secret_env_keys: string[]; env: object }[]>(
      `SELECT secret_env_sealed, secret_env_keys, env FROM tasks WHERE id = $1`,
      [taskId],
    );
    expect(row.secret_env_sealed).toMatch(/^v1:/);
    expect(row.secret_env_keys).toEqual(['API_TOKEN', 'DB_PASSWORD', 'PIN']);
    expect(row.env).toEqual({ MODE: 'fast' });

    // the node that runs it gets the values, and their names
    await node.until((w) => w.executes().length === 1);
    const execute = node.executes()[0];
    expect(execute.env).toEqual({ MODE: 'fast', DB_PASSWORD: password, API_TOKEN: token, PIN: '12' });
    expect(execute.secret_env_keys).toEqual(['API_TOKEN', 'DB_PASSWORD', 'PIN']);
    // the replica that holds the node's stream delivered it at once; Redis carries the copy for
    // the other replicas, which this one ignores when it comes back (the node gets it once)
    await waitFor('the copy through Redis', () =>
      Promise.resolve(dispatched.some((m) => m.includes(execute.attempt_id))),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(node.executes()).toHaveLength(1);
    const sent = dispatched.filter((m) => m.includes(execute.attempt_id));
    redis.disconnect();
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]).deliveredBy).toEqual(expect.any(String));
    expect(JSON.parse(sent[0]).sealedEnv).toMatch(/^v1:/);
    for (const secret of secrets) expect(sent[0]).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(sent[0]).not.toContain('"PIN":"12"');

    // what the task prints is stored and published masked, over both log rpcs
    const r = node.report(execute);
    expect((await r.log(1, `connecting as ${password}\ntoken=${token}${token} pin 12\n`)).success).toBe(true);
    const nodeMd = new grpc.Metadata();
    nodeMd.set('authorization', `Bearer ${node.credential}`);
    const seed = await rpc.call(
      'MasterNodeService',
      'StoreLogs',
      {
        node_id: node.nodeId,
        task_id: taskId,
        logs: `again ${password}!\n`,
        attempt_id: execute.attempt_id,
        fencing_token: execute.fencing_token,
        seq: 2,
        stream: 'stderr',
      },
      nodeMd,
    );
    expect(seed).toMatchObject({ ok: true, response: { success: true } });
    const logs = await call(pool, 'GET', `/api/tasks/${taskId}/logs?after=0`, { token: user.token });
    expect(logs.body.chunks.map((c: { data: string }) => c.data)).toEqual([
      `connecting as ${MASK}\ntoken=${MASK} pin 12\n`,
      `again ${MASK}!\n`,
    ]);
    const live = await waitFor('the live log events', () =>
      Promise.resolve(frames.filter((f) => f.type === 'log' && f.task_id === taskId).length === 2 && frames),
    );
    telemetry.terminate();
    expect(live.filter((f) => f.type === 'log').map((f) => f.data)).toEqual([
      `connecting as ${MASK}\ntoken=${MASK} pin 12\n`,
      `again ${MASK}!\n`,
    ]);

    // the gRPC answers about the task
    const poll = await rpc.call('MasterNodeService', 'PollTaskStatus', { task_id: taskId }, userMd(user));
    expect(poll.ok && poll.response.output).toEqual([
      `connecting as ${MASK}\ntoken=${MASK} pin 12\n`,
      `again ${MASK}!\n`,
    ]);
    const grpcLogs = await rpc.call('MasterNodeService', 'GetTaskLogs', { task_id: taskId }, userMd(user));
    expect(grpcLogs.ok && grpcLogs.response.logs).toContain(`again ${MASK}!`);
    const all = await rpc.call('MasterNodeService', 'GetAllTasks', { limit: 10 }, userMd(user));
    expect(all.ok && all.response.tasks.map((t: { task_id: string }) => t.task_id)).toContain(taskId);

    for (const answer of [submitted, detail, list, logs, poll, grpcLogs, all, { live }]) {
      for (const secret of secrets)
        expect(JSON.stringify(answer)).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
    for (const secret of secrets)
      expect(await stored(taskId)).not.toContain(JSON.stringify(secret).slice(1, -1));
    for (const secret of secrets) expect(await stored(taskId)).not.toContain(secret);
  });

  it('over gRPC UploadTask: the same, and a refusal names secret_env', async () => {
    const owner = await newUser(pool, 'owner');
    const user = await newUser(pool, 'grpc-user');
    const node = await sim(owner);
    const token = secretValue('grpc');
    const uploaded = await rpc.call(
      'MasterNodeService',
      'UploadTask',
      {
        image: 'alpine:3',
        env: { MODE: 'slow' },
        secret_env: { API_TOKEN: token },
        timeout_s: 600,
        validation: 'none',
      },
      userMd(user),
    );
    expect(uploaded).toMatchObject({ ok: true, response: { success: true } });
    const taskId = uploaded.ok ? (uploaded.response.task_id as string) : '';
    expect(JSON.stringify(uploaded)).not.toContain(token);

    const detail = await call(pool, 'GET', `/api/tasks/${taskId}`, { token: user.token });
    expect(detail.body).toMatchObject({
      env: { MODE: 'slow', API_TOKEN: MASK },
      secret_env_keys: ['API_TOKEN'],
    });
    expect(await stored(taskId)).not.toContain(token);

    await node.until((w) => w.executes().length === 1);
    // and again when it reconnects before starting it
    node.disconnect();
    node.connect();
    await node.until((w) => w.executes().length === 2);
    for (const execute of node.executes()) {
      expect(execute).toMatchObject({
        env: { MODE: 'slow', API_TOKEN: token },
        secret_env_keys: ['API_TOKEN'],
      });
    }
    const r = node.report(node.executes()[0]);
    await r.log(1, `token ${token}\n`);
    const poll = await rpc.call('MasterNodeService', 'PollTaskStatus', { task_id: taskId }, userMd(user));
    expect(poll.ok && poll.response.output).toEqual([`token ${MASK}\n`]);

    const both = await rpc.call(
      'MasterNodeService',
      'UploadTask',
      { image: 'alpine:3', env: { API_TOKEN: 'plain' }, secret_env: { API_TOKEN: token } },
      userMd(user),
    );
    expect(both).toMatchObject({ ok: true, response: { success: false } });
    expect(both.ok && both.response.message).toMatch(/secret_env and env both name API_TOKEN/);
    expect(JSON.stringify(both)).not.toContain(token);
  });

  it('a task without secrets is dispatched as before', async () => {
    const owner = await newUser(pool, 'owner');
    const user = await newUser(pool, 'plain');
    const node = await sim(owner);
    const submitted = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', env: { MODE: 'fast' }, timeout_s: 600, validation: 'none' },
    });
    expect(submitted.status).toBe(201);
    const detail = await call(pool, 'GET', `/api/tasks/${submitted.body.task.id}`, { token: user.token });
    expect(detail.body).toMatchObject({ env: { MODE: 'fast' }, secret_env_keys: [] });
    await node.until((w) => w.executes().length === 1);
    expect(node.executes()[0]).toMatchObject({ env: { MODE: 'fast' }, secret_env_keys: [] });
    const r = node.report(node.executes()[0]);
    await r.log(1, 'fast and 12345678\n');
    const logs = await call(pool, 'GET', `/api/tasks/${submitted.body.task.id}/logs`, { token: user.token });
    expect(logs.body.chunks.map((c: { data: string }) => c.data)).toEqual(['fast and 12345678\n']);
  });

  describe('an attacker’s secret_env: 400 naming it, nothing stored, the value never echoed', () => {
    const hidden = 'never-echo-this-value';
    it.each<[string, unknown]>([
      ['101 names', Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`K${i}`, hidden]))],
      ['a 4097-character value', { BIG: `${hidden}${'x'.repeat(4097)}` }],
      ['a 129-character name', { ['N'.repeat(129)]: hidden }],
      ['a name that is no shell name', { '1X': hidden }],
      ['a HIVEMIND_ name', { HIVEMIND_TASK_ID: hidden }],
      ['a number value', { N: 42 }],
      ['a list', [hidden]],
      ['a string', hidden],
      ['null', null],
      ['a nested object', { N: { deeper: hidden } }],
      ['a name also in env', { MODE: hidden }],
    ])('%s', async (_, secretEnv) => {
      const user = await newUser(pool, 'attacker');
      const answer = await call(pool, 'POST', '/api/tasks', {
        token: user.token,
        body: { image: 'alpine:3', env: { MODE: 'fast' }, secret_env: secretEnv },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['secret_env']),
      );
      expect(answer.body.message).toMatch(/secret_env/);
      expect(JSON.stringify(answer.body)).not.toContain(hidden);
      const [count] = await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM tasks t JOIN users u ON u.id = t.user_id WHERE u.username = $1`,
        [user.username],
      );
      expect(count.n).toBe(0);
    });

    it('a name in env and secret_env: 400 naming secret_env and the name', async () => {
      const user = await newUser(pool, 'attacker');
      const answer = await call(pool, 'POST', '/api/tasks', {
        token: user.token,
        body: { image: 'alpine:3', env: { A: '1', MODE: 'x' }, secret_env: { MODE: hidden, B: hidden } },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        {
          field: 'secret_env',
          message: 'secret_env and env both name MODE: give each variable in one of them',
        },
      ]);
    });
  });
});
