import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PostgresServer,
  REQUIREMENTS,
  RedisServer,
  ensureDockerEngine,
  ensureSystemPackages,
  findPostgresBinDir,
  freePort,
  type EngineState,
} from '../../local-stack/src';
import { STACK_ENV, type TestStackInfo } from './stack-info';

interface RunningStack {
  dir: string;
  postgres: PostgresServer;
  redis: RedisServer;
  docker: EngineState;
}

declare global {
  var __HIVEMIND_TEST_STACK__: RunningStack | undefined;
}

/**
 * Starts the real services integration tests talk to: a throw-away PostgreSQL cluster and Redis
 * on free loopback ports, and a Docker engine when one answers or can be started.
 */
export default async function globalSetup(): Promise<void> {
  // Like `npm run up`: apt-installs PostgreSQL, Redis and Python gRPC (the seed's examples) when
  // missing (root on Debian/Ubuntu), otherwise stops with one line naming the command to run.
  ensureSystemPackages(
    [
      { ...REQUIREMENTS.postgres, present: () => findPostgresBinDir() !== undefined },
      REQUIREMENTS.redis,
      REQUIREMENTS.pythonGrpc,
    ],
    (line) => process.stderr.write(`[hivemind tests] ${line}\n`),
  );
  const dir = mkdtempSync(join(tmpdir(), 'hivemind-test-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as an unprivileged user when the tests run as root
  const [postgres, redis] = await Promise.all([
    (async () =>
      PostgresServer.start({ dataDir: join(dir, 'postgres'), port: await freePort(), durable: false }))(),
    (async () => RedisServer.start({ dir: join(dir, 'redis'), port: await freePort() }))(),
  ]);
  const docker =
    process.env.HIVEMIND_TEST_DOCKER === 'off'
      ? ({ kind: 'unavailable', reason: 'HIVEMIND_TEST_DOCKER=off' } as const)
      : await ensureDockerEngine(join(dir, 'dockerd.log')).catch((error: Error): EngineState => ({
          kind: 'unavailable',
          reason: error.message.split('\n')[0] ?? 'dockerd failed',
        }));
  globalThis.__HIVEMIND_TEST_STACK__ = { dir, postgres, redis, docker };
  const info: TestStackInfo = {
    postgresUrl: postgres.url(),
    redisUrl: redis.url,
    redisPort: redis.port,
    docker: docker.kind !== 'unavailable',
    ...(docker.kind === 'unavailable' ? { dockerSkipReason: docker.reason } : {}),
  };
  process.env[STACK_ENV] = JSON.stringify(info);
  if (docker.kind === 'unavailable') {
    process.stderr.write(`\n[hivemind tests] Docker tests are skipped: ${docker.reason}\n`);
  }
}
