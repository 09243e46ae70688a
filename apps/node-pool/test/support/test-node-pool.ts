import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type LocalPki, ensureLocalPki, freePort, trustingFetch } from '@hivemind/local-stack';

export { trustingFetch };
import { createTestDatabase, stackInfo, type TestDatabase } from '@hivemind/testing';
import { createNodePool, startNodePool } from '../../src/app.factory';
import { type NodePoolConfig, parseNodePoolConfig } from '../../src/config/node-pool.config';

export interface TestNodePool {
  app: INestApplication;
  config: NodePoolConfig;
  db: TestDatabase;
  /** http://127.0.0.1:<port> (https:// with `tls`) */
  http: string;
  /** fetch that trusts the pool's test CA when it serves TLS. */
  fetch: typeof fetch;
  /** With `tls`: the throw-away CA and the server certificate (for 127.0.0.1 and localhost). */
  pki?: LocalPki;
  /** 127.0.0.1:<port> */
  grpc: string;
  /** Stops the pool (its database and storage stay), waits `downMs`, starts it again on the same ports. */
  restart(downMs?: number): Promise<void>;
  /** Stops the pool (its database and storage stay) until `start()`: the pool unreachable. */
  stop(): Promise<void>;
  /** Starts a stopped pool again on the same ports. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real node pool (HTTP + gRPC) on free loopback ports, with its own fresh database on the run's
 * PostgreSQL and its own queue prefix on the run's Redis. `env` overrides any variable;
 * `databaseUrl` may route the pool's connections (through a TcpProxy, say).
 */
export async function startTestNodePool(
  env: Record<string, string> = {},
  options: { databaseUrl?: (url: string) => string; tls?: boolean } = {},
): Promise<TestNodePool> {
  const db = await createTestDatabase('pool');
  const storage = mkdtempSync(join(tmpdir(), 'hivemind-storage-'));
  const pki = options.tls
    ? await ensureLocalPki(join(storage, 'tls'), ['localhost', '127.0.0.1'])
    : undefined;
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
    ...(pki
      ? {
          TLS_CERT_FILE: pki.certFile,
          TLS_KEY_FILE: pki.keyFile,
          TLS_CA_FILE: pki.caFile,
          TLS_CA_KEY_FILE: pki.caKeyFile,
        }
      : {}),
    ...env,
  });
  const app = await createNodePool(config);
  await startNodePool(app, config);
  const pool: TestNodePool = {
    app,
    config,
    db,
    http: `${pki ? 'https' : 'http'}://127.0.0.1:${config.http.port}`,
    fetch: pki ? trustingFetch(readFileSync(pki.caFile, 'utf8')) : fetch,
    ...(pki ? { pki } : {}),
    grpc: `127.0.0.1:${config.grpc.port}`,
    restart: async (downMs = 0) => {
      await pool.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await pool.start();
    },
    stop: () => pool.app.close(),
    start: async () => {
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
