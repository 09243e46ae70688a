import { getQueueToken } from '@nestjs/bull';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import {
  GRPC_CHANNEL_OPTIONS,
  GRPC_LOADER_OPTIONS,
  NODEPOOL_PROTO_PATH,
  type NodeManagerServiceClient,
  type ProtoGrpcType,
  type StatusResponse__Output,
} from '@hivemind/contracts/grpc';
import { stackInfo } from '@hivemind/testing';
import { HeartbeatPacer } from '../src/nodes/heartbeat-pacer';
import { HeartbeatRepository } from '../src/nodes/heartbeat.repository';
import { NodeLivenessService, RECONCILE_EVERY_MS } from '../src/nodes/node-liveness.service';
import { QueueName } from '../src/queues/queue-names';
import { newUser, type TestUser } from './support/http';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

type Callback<Res> = (error: grpc.ServiceError | null, res?: Res) => void;

function rpc<Res>(client: NodeManagerServiceClient, method: string, request: object, bearer: string) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${bearer}`);
  const fn = (client as unknown as Record<string, (r: object, m: grpc.Metadata, cb: Callback<Res>) => void>)[
    method
  ];
  return new Promise<Res>((resolve, reject) =>
    fn.call(client, request, metadata, (error, res) => (error ? reject(error) : resolve(res!))),
  );
}

interface TestNode {
  id: string;
  name: string;
  credential: string;
}

/** The SQL every PostgreSQL query runner sends while `work` runs (TypeORM's query runner). */
async function sqlDuring(db: DataSource, work: () => Promise<unknown>): Promise<string[]> {
  const runner = db.createQueryRunner();
  const prototype = Object.getPrototypeOf(runner) as { query: (sql: string) => Promise<unknown> };
  await runner.release();
  const spy = jest.spyOn(prototype, 'query');
  try {
    await work();
    return spy.mock.calls.map(([sql]) => String(sql).replace(/\s+/g, ' ').trim());
  } finally {
    spy.mockRestore();
  }
}

// Budget 10 heartbeats/s, interval 1 s, timeout 2 s: a hundred nodes stretch the interval to 11 s.
describe('heartbeat pacing (HEARTBEAT_BUDGET_PER_S=10)', () => {
  let pool: TestNodePool;
  let client: NodeManagerServiceClient;
  let db: DataSource;
  let owner: TestUser;
  let pacer: HeartbeatPacer;
  let liveness: NodeLivenessService;
  let heartbeatRecords: HeartbeatRepository;
  let names = 0;

  const register = async (): Promise<TestNode & { answer: StatusResponse__Output }> => {
    const name = `pace-${process.pid}-${++names}`;
    const answer = await rpc<StatusResponse__Output>(
      client,
      'RegisterWorkerNode',
      {
        node_id: name,
        hostname: '10.0.0.9',
        cpu_cores: 4,
        memory_gb: 8,
        storage_gb: 50,
        docker_status: 'enabled',
        max_concurrent_tasks: 2,
      },
      owner.token,
    );
    if (!answer.success) throw new Error(answer.message);
    return { id: answer.node_uuid, name, credential: answer.node_credential, answer };
  };
  const heartbeat = (node: TestNode) =>
    rpc<StatusResponse__Output>(
      client,
      'ReportStatus',
      { node_id: node.name, cpu_percent: 10, memory_percent: 20, running_attempt_ids: [] },
      node.credential,
    );
  /** As after Redis lost its data: the next sweep matches the deadlines against PostgreSQL again. */
  const forgetReconciled = async () => {
    const redis = new Redis(stackInfo().redisUrl);
    try {
      await redis.del(`${pool.config.redis.queuePrefix}:nodes:reconciled`);
    } finally {
      redis.disconnect();
    }
  };

  const status = async (node: TestNode) =>
    (await db.query<{ status: string }[]>(`SELECT status FROM nodes WHERE id = $1`, [node.id]))[0].status;

  beforeAll(async () => {
    pool = await startTestNodePool({
      HEARTBEAT_BUDGET_PER_S: '10',
      HEARTBEAT_INTERVAL_S: '1',
      HEARTBEAT_TIMEOUT_S: '2',
    });
    // this file drives the sweep itself; placement passes (asked for by registrations and by nodes
    // coming back online) would run their own queries beside the heartbeats counted here
    await pool.app.get<Queue>(getQueueToken(QueueName.Maintenance)).pause(true);
    await pool.app.get<Queue>(getQueueToken(QueueName.Placement)).pause(true);
    const definition = protoLoader.loadSync(NODEPOOL_PROTO_PATH, GRPC_LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    client = new pkg.nodepool.NodeManagerService(
      pool.grpc,
      grpc.credentials.createInsecure(),
      GRPC_CHANNEL_OPTIONS,
    );
    db = pool.app.get(DataSource);
    owner = await newUser(pool, 'paceowner');
    pacer = pool.app.get(HeartbeatPacer);
    liveness = pool.app.get(NodeLivenessService);
    heartbeatRecords = pool.app.get(HeartbeatRepository);
    // and the pacing too: its own refresh every 2 s could find the event loop saturated (a busy CI
    // machine) and change the schedule, or extend every deadline, between a test's steps
    await pacer.onApplicationShutdown();
  });
  afterAll(async () => {
    client?.close();
    await pool?.close();
  });

  it('tells a node its interval at registration and in every heartbeat answer', async () => {
    await pacer.refresh();
    const node = await register();
    expect(node.answer.heartbeat_interval_s).toBe(1);
    expect(await heartbeat(node)).toMatchObject({
      success: true,
      heartbeat_interval_s: 1,
      heartbeat_timeout_s: 2,
    });
  });

  it('does no PostgreSQL query for a heartbeat of an online node', async () => {
    const node = await register();
    await heartbeat(node);
    const sql = await sqlDuring(db, async () => {
      for (let i = 0; i < 10; i++) expect(await heartbeat(node)).toMatchObject({ message: 'ok' });
    });
    expect(sql).toEqual([]);
  });

  it('stretches the interval as nodes are registered, and the deadline with it', async () => {
    // a hundred online nodes registered straight in SQL; the sweep gives each a liveness entry
    await db.query(
      `INSERT INTO nodes (name, owner_id, hostname, status, docker_status, cpu_millicores, memory_mb,
         avail_cpu_millicores, avail_memory_mb, last_heartbeat_at)
       SELECT format('pace-bulk-%s-%s', $2::text, i), $1, 'bulk.invalid', 'online', 'enabled', 1000, 1024,
         1000, 1024, now()
       FROM generate_series(1, 100) AS i`,
      [owner.id, process.pid],
    );
    await forgetReconciled();
    await liveness.sweep();
    const schedule = await pacer.refresh();
    // ≥ 102 nodes / 10 per s → at least 11 s, and the timeout keeps its ratio (2 s per 1 s)
    expect(schedule.intervalS).toBeGreaterThanOrEqual(11);
    expect(schedule.timeoutS).toBe(2 * schedule.intervalS);

    const node = await register();
    const answer = await heartbeat(node);
    expect(answer.heartbeat_interval_s).toBe(schedule.intervalS);
    expect(answer.heartbeat_timeout_s).toBe(schedule.timeoutS);

    // well past HEARTBEAT_TIMEOUT_S but before its stretched deadline: still online
    const heardAt = Date.now();
    expect(await liveness.sweep(heardAt + (schedule.timeoutS - 1) * 1000)).not.toContain(node.id);
    expect(await status(node)).toBe('online');
    // past it: lost (plus the extension in force, should the test's own refresh have found this
    // replica busy: sweepCutoffMs has its own test)
    const extensionMs = (await heartbeatRecords.busyExtensionMs()) ?? 0;
    expect(await liveness.sweep(heardAt + (schedule.timeoutS + 1) * 1000 + extensionMs)).toContain(node.id);
    expect(await status(node)).toBe('offline');
  });

  it('lists every live node only when Redis lost its data or the reconcile period is up', async () => {
    const node = await register();
    await heartbeat(node);
    await forgetReconciled();
    const listAll = /SELECT id FROM nodes WHERE status <> 'offline'/;
    const now = Date.now();
    expect((await sqlDuring(db, () => liveness.sweep(now))).filter((q) => listAll.test(q))).toHaveLength(1);
    // within the period: a sweep touches only the nodes past their deadline (none yet: no SQL at all)
    expect(await sqlDuring(db, () => liveness.sweep(now + 1000))).toEqual([]);
    expect(
      (await sqlDuring(db, () => liveness.sweep(now + RECONCILE_EVERY_MS - 1000))).filter((q) =>
        listAll.test(q),
      ),
    ).toEqual([]);
    expect(
      (await sqlDuring(db, () => liveness.sweep(now + RECONCILE_EVERY_MS))).filter((q) => listAll.test(q)),
    ).toHaveLength(1);
    await forgetReconciled();
  });

  it('brings an offline node back with one statement and no transaction', async () => {
    const node = await register();
    await heartbeat(node);
    expect(await liveness.sweep(Date.now() + 3600_000)).toContain(node.id);
    const sql = await sqlDuring(db, async () => {
      expect(await heartbeat(node)).toMatchObject({ success: true, message: 'back online' });
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^UPDATE nodes n SET status = 'online'/);
    expect(await status(node)).toBe('online');
  });
});
