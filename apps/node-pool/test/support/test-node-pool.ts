import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { freePort } from '@hivemind/local-stack';
import { createTestDatabase, stackInfo, type TestDatabase } from '@hivemind/testing';
import { createNodePool, startNodePool } from '../../src/app.factory';
import { type NodePoolConfig, parseNodePoolConfig } from '../../src/config/node-pool.config';

export interface TestNodePool {
  app: INestApplication;
  config: NodePoolConfig;
  db: TestDatabase;
  /** http://127.0.0.1:<port> */
  http: string;
  /** 127.0.0.1:<port> */
  grpc: string;
  /** Stops the pool (its database and storage stay), waits `downMs`, starts it again on the same ports. */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real node pool (HTTP + gRPC) on free loopback ports, with its own fresh database on the run's
 * PostgreSQL and its own queue prefix on the run's Redis. `env` overrides any variable;
 * `databaseUrl` may route the pool's connections (through a TcpProxy, say).
 */
export async function startTestNodePool(
  env: Record<string, string> = {},
  options: { databaseUrl?: (url: string) => string } = {},
): Promise<TestNodePool> {
  const db = await createTestDatabase('pool');
  const storage = mkdtempSync(join(tmpdir(), 'hivemind-storage-'));
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const config = parseNodePoolConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: options.databaseUrl ? options.databaseUrl(db.url) : db.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: stackInfo().redisUrl,
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    GRPC_SERVER_HOST: '127.0.0.1',
    GRPC_SERVER_PORT: String(grpcPort),
    STORAGE_PATH: storage,
    WEB_ROOT: join(storage, 'no-console-here'),
    ...env,
  });
  const app = await createNodePool(config);
  await startNodePool(app, config);
  const pool: TestNodePool = {
    app,
    config,
    db,
    http: `http://127.0.0.1:${config.http.port}`,
    grpc: `127.0.0.1:${config.grpc.port}`,
    restart: async (downMs = 0) => {
      await pool.app.close();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      pool.app = await createNodePool(config);
      await startNodePool(pool.app, config);
    },
    close: async () => {
      await pool.app.close();
      await db.drop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
  return pool;
}
