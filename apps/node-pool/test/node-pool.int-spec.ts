import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { DataSource } from 'typeorm';
import { RedisServer, freePort } from '@hivemind/local-stack';
import { GRPC_CHANNEL_OPTIONS, loadNodepool } from '@hivemind/contracts/grpc';
import { type SystemStatusView } from '@hivemind/contracts';
import { grpcHealthStatus, grpcListServices, waitFor } from '@hivemind/testing';
import { MIGRATIONS } from '../src/database/migrations';
import { GrpcHealthService } from '../src/grpc/grpc-health.service';
import { ReplicaRegistry } from '../src/health/replica-registry.service';
import { call, loginAs } from './support/http';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const ADMIN_PASSWORD = 'amber-quartz-lantern-58';

describe('node pool (hybrid HTTP + gRPC app)', () => {
  let pool: TestNodePool;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'hivemind-web-'));
    writeFileSync(
      join(webRoot, 'index.html'),
      '<!doctype html><title>HiveMind</title><app-root>console-marker</app-root>',
    );
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log("hivemind")');
    pool = await startTestNodePool({ WEB_ROOT: webRoot, ADMIN_USERNAME: 'root', ADMIN_PASSWORD });
  });

  afterAll(async () => {
    await pool?.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  describe('HTTP', () => {
    it('GET /health answers healthy with PostgreSQL and Redis up', async () => {
      const res = await fetch(`${pool.http}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        info: { postgres: { status: 'up' }, redis: { status: 'up' } },
      });
    });

    it('GET /metrics serves Prometheus text', async () => {
      const res = await fetch(`${pool.http}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toMatch(/^hivemind_process_cpu_user_seconds_total \d/m);
    });

    it('serves the OpenAPI UI at /api/docs and the document as JSON', async () => {
      const ui = await fetch(`${pool.http}/api/docs`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger-ui');
      const doc = (await (await fetch(`${pool.http}/api/docs/openapi.json`)).json()) as {
        openapi: string;
        info: { title: string };
        paths: Record<string, unknown>;
      };
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBe('HiveMind node pool');
      expect(Object.keys(doc.paths)).toContain('/health');
    });

    it('serves Bull Board at /admin/queues with every queue, to an admin', async () => {
      const admin = { authorization: `Bearer ${await loginAs(pool, 'root', ADMIN_PASSWORD)}` };
      const page = await fetch(`${pool.http}/admin/queues`, { headers: admin });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Bull Dashboard');
      const api = (await (
        await fetch(`${pool.http}/admin/queues/api/queues`, { headers: admin })
      ).json()) as {
        queues: { name: string }[];
      };
      expect(api.queues.map((q) => q.name).sort()).toEqual(['maintenance', 'placement', 'post-processing']);
    });

    it('serves the console at / with deep links falling back to index.html', async () => {
      for (const path of ['/', '/tasks/42', '/login']) {
        const res = await fetch(`${pool.http}${path}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toContain('console-marker');
      }
      const asset = await fetch(`${pool.http}/assets/app.js`);
      expect(await asset.text()).toContain('hivemind');
    });

    it('/api/system/status lists the live replicas: one joins, one leaves, a crashed one ages out', async () => {
      const token = await loginAs(pool, 'root', ADMIN_PASSWORD);
      const replicasSeen = async () => {
        const res = await call<SystemStatusView>(pool, 'GET', '/api/system/status', { token });
        return res.body;
      };
      const alone = await replicasSeen();
      expect(alone.replicas.map((r) => r.id)).toEqual([alone.replica_id]);
      expect(alone.replicas[0]).toMatchObject({ pid: process.pid, http_port: pool.config.http.port });

      const second = await startTestNodePool({
        DATABASE_URL: pool.config.database.url,
        JWT_SECRET: pool.config.auth.jwtSecret,
        QUEUE_PREFIX: pool.config.redis.queuePrefix,
        MIGRATIONS_RUN: 'false',
      });
      const secondId = second.app.get(ReplicaRegistry).id;
      try {
        const both = await waitFor('the second replica to show', async () => {
          const s = await replicasSeen();
          return s.replicas.length === 2 && s;
        });
        expect(both.replicas.map((r) => r.id).sort()).toEqual([alone.replica_id, secondId].sort());
        expect(both.replicas.find((r) => r.id === secondId)?.http_port).toBe(second.config.http.port);
      } finally {
        await second.app.close(); // its database is the first pool's: only the app stops
      }
      expect((await replicasSeen()).replicas.map((r) => r.id)).toEqual([alone.replica_id]);

      // a replica that died without saying goodbye is left out once its entry is stale, and cleared
      const redis = pool.app.get<string, { client: import('ioredis').default }>('BullQueue_placement').client;
      const key = `${pool.config.redis.queuePrefix}:replicas`;
      await redis.hset(
        key,
        'crashed',
        JSON.stringify({
          ...alone.replicas[0],
          id: 'crashed',
          last_seen: new Date(Date.now() - 60_000).toISOString(),
        }),
      );
      expect((await replicasSeen()).replicas.map((r) => r.id)).toEqual([alone.replica_id]);
      expect(await redis.hexists(key, 'crashed')).toBe(0);
    });

    it('answers unknown API paths with a JSON 404, not the console', async () => {
      const res = await fetch(`${pool.http}/api/no-such-thing`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ statusCode: 404 });
    });

    it('applied the migrations at start-up', async () => {
      const rows = await pool.app.get(DataSource).query('SELECT name FROM typeorm_migrations');
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ name: m.name })));
    });
  });

  describe('gRPC', () => {
    it('grpc.health.v1 Check answers SERVING for the server and every nodepool service', async () => {
      expect(await grpcHealthStatus(pool.grpc)).toBe('SERVING');
      for (const service of [
        'UserService',
        'NodeManagerService',
        'MasterNodeService',
        'WorkerNodeService',
        'VpnService',
      ]) {
        expect(await grpcHealthStatus(pool.grpc, `nodepool.${service}`)).toBe('SERVING');
      }
    });

    it('reflection lists the five nodepool services and the health service', async () => {
      const services = await grpcListServices(pool.grpc);
      expect(services).toEqual(
        expect.arrayContaining([
          'grpc.health.v1.Health',
          'nodepool.MasterNodeService',
          'nodepool.NodeManagerService',
          'nodepool.UserService',
          'nodepool.WorkerNodeService',
          'nodepool.VpnService',
        ]),
      );
    });

    it('answers an rpc without a handler with UNIMPLEMENTED, and keeps serving', async () => {
      const { nodepool } = loadNodepool();
      // the pool pushes ExecuteTask on the Connect stream; it does not serve it
      const client = new nodepool.WorkerNodeService(
        pool.grpc,
        grpc.credentials.createInsecure(),
        GRPC_CHANNEL_OPTIONS,
      );
      try {
        const error = await new Promise<grpc.ServiceError>((resolve) =>
          client.ExecuteTask({ task_id: 'task-001' }, (err) => resolve(err as grpc.ServiceError)),
        );
        expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
      } finally {
        client.close();
      }
      expect(await grpcHealthStatus(pool.grpc)).toBe('SERVING');
    });
  });
});

describe('node pool when Redis goes away', () => {
  let redisDir: string;
  let redis: RedisServer | undefined;
  let pool: TestNodePool;

  beforeAll(async () => {
    redisDir = mkdtempSync(join(tmpdir(), 'hivemind-redis-'));
    redis = await RedisServer.start({ dir: redisDir, port: await freePort() });
    pool = await startTestNodePool({ REDIS_URL: redis.url });
  });

  afterAll(async () => {
    await pool?.close();
    await redis?.stop();
    rmSync(redisDir, { recursive: true, force: true });
  });

  it('reports unhealthy over HTTP and gRPC, naming Redis', async () => {
    expect(await grpcHealthStatus(pool.grpc)).toBe('SERVING');
    await redis!.stop();
    redis = undefined;

    const res = await fetch(`${pool.http}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'error',
      info: { postgres: { status: 'up' } },
      error: { redis: { status: 'down' } },
    });

    await pool.app.get(GrpcHealthService).refresh();
    expect(await grpcHealthStatus(pool.grpc)).toBe('NOT_SERVING');
  });
});
