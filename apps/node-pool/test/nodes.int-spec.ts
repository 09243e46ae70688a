import { getQueueToken } from '@nestjs/bull';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { type NodeUtilizationView, type NodeView, type Page } from '@hivemind/contracts';
import {
  GRPC_CHANNEL_OPTIONS,
  GRPC_LOADER_OPTIONS,
  NODEPOOL_PROTO_PATH,
  type GetNodeListResponse__Output,
  type HealthCheckResponse__Output,
  type NodeManagerServiceClient,
  type ProtoGrpcType,
  type RegisterWorkerNodeRequest,
  type StatusResponse__Output,
} from '@hivemind/contracts/grpc';
import { stackInfo } from '@hivemind/testing';
import { NodeLivenessService } from '../src/nodes/node-liveness.service';
import { NodeUtilizationService } from '../src/nodes/node-utilization.service';
import { NodesService } from '../src/nodes/nodes.service';
import { QueueName } from '../src/queues/queue-names';
import { PlacementTrigger } from '../src/queues/placement-trigger';
import { TelemetryService } from '../src/telemetry/telemetry.service';
import { call, loginAs, newUser, type TestUser } from './support/http';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const ADMIN = { username: 'root', password: 'amber-quartz-lantern-58' };

type Method = 'RegisterWorkerNode' | 'ReportStatus' | 'GetNodeList' | 'HealthCheck';
type Callback<Res> = (error: grpc.ServiceError | null, res?: Res) => void;

/** A NodeManagerService client, loaded the way every client of the pool loads the proto. */
function nodeManager(pool: TestNodePool): NodeManagerServiceClient {
  const definition = protoLoader.loadSync(NODEPOOL_PROTO_PATH, GRPC_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return new pkg.nodepool.NodeManagerService(
    pool.grpc,
    grpc.credentials.createInsecure(),
    GRPC_CHANNEL_OPTIONS,
  );
}

function rpc<Res>(
  client: NodeManagerServiceClient,
  method: Method,
  request: object,
  bearer?: string,
): Promise<Res> {
  const metadata = new grpc.Metadata();
  if (bearer) metadata.set('authorization', `Bearer ${bearer}`);
  const fn = client[method] as unknown as (r: object, m: grpc.Metadata, cb: Callback<Res>) => unknown;
  return new Promise<Res>((resolve, reject) =>
    fn.call(client, request, metadata, (error: grpc.ServiceError | null, res?: Res) =>
      error ? reject(error) : resolve(res!),
    ),
  );
}

let names = 0;
const uniqueName = (prefix = 'box') => `${prefix}-${process.pid}-${++names}`;

const spec = (changes: Partial<RegisterWorkerNodeRequest> = {}): RegisterWorkerNodeRequest => ({
  node_id: uniqueName(),
  hostname: '10.0.0.7',
  cpu_cores: 8,
  memory_gb: 16,
  cpu_score: 1000,
  gpu_score: 0,
  gpu_memory_gb: 0,
  location: 'eu-west',
  port: 50052,
  gpu_name: '',
  docker_status: 'enabled',
  storage_gb: 100,
  max_concurrent_tasks: 4,
  agent_version: '0.1.0',
  ...changes,
});

interface TestNode {
  id: string;
  name: string;
  credential: string;
}

describe('worker nodes', () => {
  let pool: TestNodePool;
  let client: NodeManagerServiceClient;
  let db: DataSource;
  let owner: TestUser;
  let adminToken: string;

  const register = async (token: string, changes: Partial<RegisterWorkerNodeRequest> = {}) =>
    rpc<StatusResponse__Output>(client, 'RegisterWorkerNode', spec(changes), token);
  const newNode = async (
    user = owner,
    changes: Partial<RegisterWorkerNodeRequest> = {},
  ): Promise<TestNode> => {
    const name = changes.node_id ?? uniqueName();
    const answer = await register(user.token, { ...changes, node_id: name });
    if (!answer.success) throw new Error(`register ${name}: ${answer.message}`);
    return { id: answer.node_uuid, name, credential: answer.node_credential };
  };
  const heartbeat = (node: TestNode, figures: object = {}, bearer = node.credential) =>
    rpc<StatusResponse__Output>(
      client,
      'ReportStatus',
      { node_id: node.name, cpu_percent: 25, memory_percent: 50, running_attempt_ids: [], ...figures },
      bearer,
    );
  const view = async (node: TestNode) => {
    const res = await call<NodeView>(pool, 'GET', `/api/nodes/${node.id}`, { token: owner.token });
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    pool = await startTestNodePool({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    client = nodeManager(pool);
    db = pool.app.get(DataSource);
    owner = await newUser(pool, 'owner');
    adminToken = await loginAs(pool, ADMIN.username, ADMIN.password);
  });
  afterAll(async () => {
    client?.close();
    await pool?.close();
  });

  describe('RegisterWorkerNode', () => {
    it('registers a node for its owner and returns a credential that ReportStatus accepts', async () => {
      const answer = await register(owner.token, { node_id: 'worker-001' });
      expect(answer).toMatchObject({ success: true, message: 'registered node worker-001' });
      expect(answer.node_uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.node_credential).toMatch(/^ey/);
      const node = { id: answer.node_uuid, name: 'worker-001', credential: answer.node_credential };
      expect(await heartbeat(node)).toMatchObject({ success: true, message: 'ok' });

      expect(await view(node)).toMatchObject({
        id: node.id,
        name: 'worker-001',
        owner: owner.username,
        status: 'online',
        docker_status: 'enabled',
        credit_score: 50,
        trust_group: 'normal',
        hostname: '10.0.0.7',
        location: 'eu-west',
        total: { cpu_millicores: 8000, memory_mb: 16384, storage_mb: 102400, cpu_score: 1000 },
        available: { cpu_millicores: 8000, memory_mb: 16384, storage_mb: 102400, cpu_score: 1000 },
        running_attempts: 0,
        max_concurrent: 4,
        cpu_percent: 25,
        memory_percent: 50,
      });
    });

    it('needs the owner’s access token: UNAUTHENTICATED without one', async () => {
      await expect(register('')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      await expect(register('garbage')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    });

    it('refuses a name another user’s node has, with a clear message', async () => {
      const node = await newNode();
      const intruder = await newUser(pool, 'intruder');
      const answer = await register(intruder.token, { node_id: node.name });
      expect(answer).toMatchObject({ success: false, node_credential: '' });
      expect(answer.message).toMatch(new RegExp(`the node name ${node.name} belongs to another user's node`));
      expect((await view(node)).owner).toBe(owner.username);
    });

    it('registered again by its owner: same node, rotated credential, credit score kept', async () => {
      const first = await newNode(owner, { cpu_cores: 4 });
      await db.query(`UPDATE nodes SET credit_score = 77 WHERE id = $1`, [first.id]);
      const again = await register(owner.token, { node_id: first.name, cpu_cores: 16 });
      expect(again).toMatchObject({ success: true, message: `registered again node ${first.name}` });
      expect(again.node_uuid).toBe(first.id);
      expect(again.node_credential).not.toBe(first.credential);

      await expect(heartbeat(first)).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
        details: expect.stringMatching(/node credential revoked/),
      });
      const rotated = { ...first, credential: again.node_credential };
      expect(await heartbeat(rotated)).toMatchObject({ success: true });
      expect(await view(first)).toMatchObject({ credit_score: 77, total: { cpu_millicores: 16000 } });
    });

    it('rebuilds free resources from live attempts, never from the totals alone', async () => {
      const node = await newNode(owner, { cpu_cores: 8, memory_gb: 16 });
      // states the scheduler leaves alone: one shard running here, one finished
      const [task] = await db.query<{ id: string }[]>(
        `INSERT INTO tasks (user_id, status, shards_total) VALUES ($1, 'RUNNING', 2) RETURNING id`,
        [owner.id],
      );
      const shards = await db.query<{ id: string }[]>(
        `INSERT INTO shards (task_id, shard_index, state) VALUES ($1, 0, 'RUNNING'), ($1, 1, 'COMPLETED')
         RETURNING id`,
        [task.id],
      );
      await db.query(
        `INSERT INTO attempts (shard_id, task_id, node_id, attempt_number, fencing_token, state,
           alloc_cpu_millicores, alloc_memory_mb, alloc_storage_mb)
         VALUES ($1, $3, $4, 1, nextval('attempt_fencing_tokens'), 'RUNNING', 2000, 4096, 1024),
                ($2, $3, $4, 1, nextval('attempt_fencing_tokens'), 'COMPLETED', 3000, 1024, 0)`,
        [shards[0].id, shards[1].id, task.id, node.id],
      );
      await register(owner.token, { node_id: node.name, cpu_cores: 8, memory_gb: 16 });
      expect(await view(node)).toMatchObject({
        total: { cpu_millicores: 8000, memory_mb: 16384, storage_mb: 102400 },
        available: { cpu_millicores: 6000, memory_mb: 12288, storage_mb: 101376 },
        running_attempts: 1,
      });
    });

    it('puts a node without Docker in the low trust group', async () => {
      const node = await newNode(owner, { docker_status: 'disabled' });
      expect(await view(node)).toMatchObject({
        credit_score: 50,
        docker_status: 'disabled',
        trust_group: 'low',
      });
    });

    it.each([
      ['no cores', { cpu_cores: 0 }, /cpu_cores must be at least 1/],
      ['no memory', { memory_gb: 0, memory_mb: 0 }, /memory_gb \(or memory_mb\) must be more than 0/],
      ['a bad docker_status', { docker_status: 'maybe' }, /docker_status must be "enabled" or "disabled"/],
      ['a bad name', { node_id: 'my box!' }, /node_id must be 1 to 64 letters/],
      ['several problems', { cpu_cores: -1, docker_status: '' }, /cpu_cores.*; docker_status/],
    ])('answers %s with success: false and the reason', async (_name, changes, reason) => {
      const answer = await register(owner.token, changes);
      expect(answer.success).toBe(false);
      expect(answer.message).toMatch(reason);
    });

    it('tells placement and telemetry about a new node', async () => {
      const published = jest.spyOn(pool.app.get(TelemetryService), 'publish');
      const requested = jest.spyOn(pool.app.get(PlacementTrigger), 'request');
      try {
        const node = await newNode();
        expect(published).toHaveBeenCalledWith(
          expect.objectContaining({ type: 'node', event: 'registered', nodeId: node.id, name: node.name }),
        );
        expect(requested).toHaveBeenCalledWith(expect.stringContaining(node.name));
      } finally {
        published.mockRestore();
        requested.mockRestore();
      }
    });
  });

  describe('ReportStatus (heartbeats)', () => {
    let node: TestNode;
    beforeAll(async () => {
      node = await newNode();
    });

    it('refuses a missing, forged or wrong kind of credential with UNAUTHENTICATED', async () => {
      for (const [bearer, reason] of [
        ['', /no node credential/],
        ['garbage', /invalid node credential/],
        [owner.token, /not a node credential/],
      ] as const) {
        await expect(heartbeat(node, {}, bearer)).rejects.toMatchObject({
          code: grpc.status.UNAUTHENTICATED,
          details: expect.stringMatching(reason),
        });
      }
      // and a node credential is no user token
      await expect(rpc(client, 'GetNodeList', {}, node.credential)).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
    });

    it('refuses a node_id that is not the credential’s node', async () => {
      const answer = await heartbeat({ ...node, name: 'someone-else' });
      expect(answer).toMatchObject({
        success: false,
        message: expect.stringMatching(/not the node this credential/),
      });
      // the uuid is accepted as node_id too
      expect(await heartbeat({ ...node, name: node.id })).toMatchObject({ success: true });
    });

    it('keeps the node online and shows its latest figures', async () => {
      for (const cpu of [10, 20, 35.5]) {
        expect(
          await heartbeat(node, { cpu_percent: cpu, memory_percent: 60, running_attempt_ids: ['a', 'b'] }),
        ).toMatchObject({
          success: true,
        });
      }
      const shown = await view(node);
      expect(shown).toMatchObject({ status: 'online', cpu_percent: 35.5, memory_percent: 60 });
      expect(shown.heartbeat_age_s).toBeLessThanOrEqual(1);
      expect(Date.parse(shown.last_heartbeat_at!)).toBeGreaterThan(Date.now() - 5000);
    });

    it('writes no PostgreSQL row per heartbeat, and sends one telemetry event per 5 s only while someone watches', async () => {
      const telemetry = pool.app.get(TelemetryService);
      const published = jest.spyOn(telemetry, 'publish');
      const heartbeatEvents = () =>
        published.mock.calls.filter(
          ([e]) => e.type === 'node' && e.event === 'heartbeat' && e.nodeId === node.id,
        );
      const before = await db.query<{ updated_at: Date }[]>(`SELECT updated_at FROM nodes WHERE id = $1`, [
        node.id,
      ]);
      try {
        // no /ws/telemetry client watches node events on any replica: no event at all
        expect(telemetry.nodeEventsWatched()).toBe(false);
        for (let i = 0; i < 3; i++) await heartbeat(node);
        expect(heartbeatEvents()).toHaveLength(0);
        // a client with the node topic on (as TelemetryHub counts it): one event per 5 s
        telemetry.noteNodeWatchers(+1);
        for (let i = 0; i < 5; i++) await heartbeat(node);
        expect(heartbeatEvents()).toHaveLength(1);
      } finally {
        telemetry.noteNodeWatchers(-1);
        published.mockRestore();
      }
      const after = await db.query<{ updated_at: Date }[]>(`SELECT updated_at FROM nodes WHERE id = $1`, [
        node.id,
      ]);
      expect(after[0].updated_at).toEqual(before[0].updated_at);
    });

    it('clamps odd figures rather than refusing a heartbeat', async () => {
      expect(await heartbeat(node, { cpu_percent: 400, memory_percent: -3 })).toMatchObject({
        success: true,
      });
      expect(await view(node)).toMatchObject({ cpu_percent: 100, memory_percent: 0 });
    });
  });

  describe('GetNodeList and HealthCheck', () => {
    it('lists every node to any logged-in user, in the seed’s shape with our additions', async () => {
      const node = await newNode(owner, { gpu_name: 'RTX 4090', gpu_memory_gb: 24, gpu_score: 3000 });
      const someone = await newUser(pool, 'viewer');
      const answer = await rpc<GetNodeListResponse__Output>(client, 'GetNodeList', {}, someone.token);
      expect(answer.success).toBe(true);
      const info = answer.nodes.find((n) => n.id === node.id);
      expect(info).toMatchObject({
        node_id: node.name,
        id: node.id,
        hostname: '10.0.0.7',
        cpu_cores: 8,
        memory_gb: 16,
        status: 'online',
        gpu_name: 'RTX 4090',
        gpu_memory_gb: 24,
        gpu_score: 3000,
        docker_status: 'enabled',
        credit_score: 50,
        trust_group: 'normal',
        running_attempts: 0,
        max_concurrent_tasks: 4,
        owner: owner.username,
      });
      expect(info!.last_heartbeat).toBeGreaterThan(Date.now() / 1000 - 60);
      await expect(rpc(client, 'GetNodeList', {})).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
    });

    it('HealthCheck answers success with a message, without a token', async () => {
      expect(await rpc<HealthCheckResponse__Output>(client, 'HealthCheck', {})).toEqual({
        success: true,
        message: 'node pool is healthy',
      });
    });
  });

  describe('REST /api/nodes', () => {
    it('pages through nodes by name, filtered by status and owner', async () => {
      const lister = await newUser(pool, 'lister');
      const mine = [await newNode(lister), await newNode(lister), await newNode(lister)];
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/api/nodes?owner=${lister.username}&status=online&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await call<Page<NodeView>>(pool, 'GET', query, { token: owner.token });
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((n) => n.name));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual(mine.map((n) => n.name).sort());
      const offline = await call<Page<NodeView>>(
        pool,
        'GET',
        `/api/nodes?owner=${lister.username}&status=offline`,
        {
          token: owner.token,
        },
      );
      expect(offline.body.items).toEqual([]);
    });

    it('answers bad queries with 400 and unknown nodes with 404, never 500', async () => {
      const token = owner.token;
      expect((await call(pool, 'GET', '/api/nodes')).status).toBe(401);
      const bad = await call(pool, 'GET', '/api/nodes?status=sleeping', { token });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/status must be online, offline or draining/);
      expect((await call(pool, 'GET', '/api/nodes?cursor=%20bad', { token })).status).toBe(400);
      const notUuid = await call(pool, 'GET', '/api/nodes/not-a-uuid', { token });
      expect(notUuid).toMatchObject({ status: 400, body: { message: 'id must be a node id (a UUID)' } });
      const unknown = await call(pool, 'GET', '/api/nodes/00000000-0000-4000-8000-000000000000', { token });
      expect(unknown.status).toBe(404);
      const hours = await call(
        pool,
        'GET',
        '/api/nodes/00000000-0000-4000-8000-000000000000/utilization?hours=500',
        {
          token,
        },
      );
      expect(hours).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/hours must be at most 168/) },
      });
    });

    it('drain and undrain: admins only; a drained node stays drained when registered again', async () => {
      const node = await newNode();
      const forUser = await call(pool, 'POST', `/api/nodes/${node.id}/drain`, { token: owner.token });
      expect(forUser.status).toBe(403);
      expect((await call(pool, 'POST', `/api/nodes/${node.id}/undrain`, { token: owner.token })).status).toBe(
        403,
      );

      const drained = await call<NodeView>(pool, 'POST', `/api/nodes/${node.id}/drain`, {
        token: adminToken,
      });
      expect(drained).toMatchObject({ status: 200, body: { status: 'draining' } });
      expect((await call(pool, 'POST', `/api/nodes/${node.id}/drain`, { token: adminToken })).status).toBe(
        200,
      );
      expect(await heartbeat(node)).toMatchObject({ success: true });
      await register(owner.token, { node_id: node.name });
      expect((await view(node)).status).toBe('draining');

      const undrained = await call<NodeView>(pool, 'POST', `/api/nodes/${node.id}/undrain`, {
        token: adminToken,
      });
      expect(undrained).toMatchObject({ status: 200, body: { status: 'online' } });
    });

    it('refuses to drain an offline node with 409', async () => {
      const node = await newNode();
      await db.query(`UPDATE nodes SET status = 'offline' WHERE id = $1`, [node.id]);
      const res = await call(pool, 'POST', `/api/nodes/${node.id}/drain`, { token: adminToken });
      expect(res).toMatchObject({ status: 409, body: { message: expect.stringMatching(/is offline/) } });
    });
  });

  describe('utilization history', () => {
    it('accumulates heartbeats per minute, flushes them to PostgreSQL and charts them', async () => {
      const node = await newNode();
      // both heartbeats in one minute bucket
      if (Date.now() % 60_000 > 55_000)
        await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000)));
      await heartbeat(node, { cpu_percent: 20, memory_percent: 40, running_attempt_ids: ['a'] });
      await heartbeat(node, { cpu_percent: 40, memory_percent: 60, running_attempt_ids: ['a', 'b', 'c'] });

      // before any flush the chart already shows the current minute (from Redis)
      const live = await call<NodeUtilizationView>(pool, 'GET', `/api/nodes/${node.id}/utilization?hours=1`, {
        token: owner.token,
      });
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ node_id: node.id, step_s: 60 });
      expect(live.body.points).toEqual([
        expect.objectContaining({ cpu_percent: 30, memory_percent: 50, running_attempts: 2, samples: 2 }),
      ]);

      const flushed = await pool.app.get(NodeUtilizationService).flushUtilization(Date.now() + 2 * 60_000);
      expect(flushed).toBeGreaterThanOrEqual(1);
      const rows = await db.query(
        `SELECT cpu_percent, memory_percent, running_attempts, samples FROM node_utilization WHERE node_id = $1`,
        [node.id],
      );
      expect(rows).toEqual([{ cpu_percent: 30, memory_percent: 50, running_attempts: 2, samples: 2 }]);

      // a late heartbeat for the same minute is merged, weighted by samples
      await heartbeat(node, { cpu_percent: 60, memory_percent: 50, running_attempt_ids: ['a', 'b'] });
      const res = await call<NodeUtilizationView>(pool, 'GET', `/api/nodes/${node.id}/utilization?hours=24`, {
        token: owner.token,
      });
      expect(res.body.step_s).toBe(120);
      const total = res.body.points.reduce((sum, p) => sum + p.samples, 0);
      expect(total).toBe(3);
    });

    it('keeps 7 days', async () => {
      const node = await newNode();
      await db.query(
        `INSERT INTO node_utilization (node_id, bucket, cpu_percent, memory_percent, running_attempts, samples)
         VALUES ($1, now() - interval '8 days', 10, 10, 0, 1), ($1, date_trunc('minute', now() - interval '1 day'), 20, 20, 0, 1)`,
        [node.id],
      );
      expect(await pool.app.get(NodeUtilizationService).pruneUtilization()).toBeGreaterThanOrEqual(1);
      const left = await db.query<{ cpu_percent: number }[]>(
        `SELECT cpu_percent FROM node_utilization WHERE node_id = $1`,
        [node.id],
      );
      expect(left).toEqual([{ cpu_percent: 20 }]);
    });
  });

  describe('NodesService.heartbeat without gRPC (for benchmarks)', () => {
    it('is callable directly', async () => {
      const node = await newNode();
      const nodes = pool.app.get(NodesService);
      await expect(
        nodes.heartbeat(node.id, { cpuPercent: 5, memoryPercent: 6, runningAttempts: 0 }),
      ).resolves.toEqual({
        cameOnline: false,
        trust: { creditScore: 50, group: 'normal' },
        heartbeatIntervalS: 5,
        heartbeatTimeoutS: 15,
      });
    });
  });
});

describe('node liveness (HEARTBEAT_TIMEOUT_S=1)', () => {
  let pool: TestNodePool;
  let client: NodeManagerServiceClient;
  let liveness: NodeLivenessService;
  let owner: TestUser;

  const newNode = async (): Promise<TestNode> => {
    const name = uniqueName('live');
    const answer = await rpc<StatusResponse__Output>(
      client,
      'RegisterWorkerNode',
      spec({ node_id: name }),
      owner.token,
    );
    if (!answer.success) throw new Error(answer.message);
    return { id: answer.node_uuid, name, credential: answer.node_credential };
  };
  const heartbeat = (node: TestNode) =>
    rpc<StatusResponse__Output>(
      client,
      'ReportStatus',
      { node_id: node.name, cpu_percent: 1, memory_percent: 1, running_attempt_ids: [] },
      node.credential,
    );
  const status = async (node: TestNode) =>
    (await call<NodeView>(pool, 'GET', `/api/nodes/${node.id}`, { token: owner.token })).body.status;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    pool = await startTestNodePool({ HEARTBEAT_TIMEOUT_S: '1' });
    // the maintenance queue's repeatable sweep would race ours: this file drives sweep() itself
    await pool.app.get<Queue>(getQueueToken(QueueName.Maintenance)).pause(true);
    client = nodeManager(pool);
    liveness = pool.app.get(NodeLivenessService);
    owner = await newUser(pool, 'liveowner');
  });
  afterAll(async () => {
    client?.close();
    await pool?.close();
  });

  it('declares a silent node offline once, and a heartbeat brings it back online', async () => {
    const node = await newNode();
    await sleep(1100);
    const published = jest.spyOn(pool.app.get(TelemetryService), 'publish');
    const requested = jest.spyOn(pool.app.get(PlacementTrigger), 'request');
    try {
      expect(await liveness.sweep()).toContain(node.id);
      expect(await status(node)).toBe('offline');
      expect(published).toHaveBeenCalledWith(expect.objectContaining({ event: 'offline', nodeId: node.id }));
      expect(await liveness.sweep()).not.toContain(node.id);
      const view = (await call<NodeView>(pool, 'GET', `/api/nodes/${node.id}`, { token: owner.token })).body;
      expect(view).toMatchObject({ cpu_percent: null });
      expect(view.heartbeat_age_s).toBeGreaterThanOrEqual(1);

      expect(await heartbeat(node)).toMatchObject({ success: true, message: 'back online' });
      expect(await status(node)).toBe('online');
      expect(published).toHaveBeenCalledWith(expect.objectContaining({ event: 'online', nodeId: node.id }));
      expect(requested).toHaveBeenCalledWith(expect.stringContaining('back online'));
      expect(await heartbeat(node)).toMatchObject({ success: true, message: 'ok' });
    } finally {
      published.mockRestore();
      requested.mockRestore();
    }
  });

  it('keeps a heartbeating node online through sweeps', async () => {
    const node = await newNode();
    for (let i = 0; i < 4; i++) {
      await heartbeat(node);
      await sleep(400);
      expect(await liveness.sweep()).not.toContain(node.id);
    }
    expect(await status(node)).toBe('online');
  });

  it('gives nodes a grace period when Redis lost its heartbeat records', async () => {
    const node = await newNode();
    const redis = new Redis(stackInfo().redisUrl);
    try {
      // what Redis restarted empty has lost of the pool's node records
      await redis.del(
        `${pool.config.redis.queuePrefix}:nodes:seen`,
        `${pool.config.redis.queuePrefix}:nodes:deadline`,
        `${pool.config.redis.queuePrefix}:nodes:reconciled`,
      );
    } finally {
      redis.disconnect();
    }
    expect(await liveness.sweep()).not.toContain(node.id);
    expect(await status(node)).toBe('online');
    await sleep(1100);
    expect(await liveness.sweep()).toContain(node.id);
  });

  it('marks a draining node offline too', async () => {
    const node = await newNode();
    await pool.app.get(DataSource).query(`UPDATE nodes SET status = 'draining' WHERE id = $1`, [node.id]);
    await sleep(1100);
    expect(await liveness.sweep()).toContain(node.id);
    expect(await status(node)).toBe('offline');
  });
});
