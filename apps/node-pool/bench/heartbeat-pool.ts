// A real node pool replica for npm run bench:heartbeats and bench:submit, in a process of its own (this file,
// forked) so that its CPU time and RSS can be read from /proc: listening on loopback (HTTP and
// gRPC), with every Bull processor running as in production (the liveness sweep must run: the
// benchmark counts the nodes it declares lost). Benchmark code: never imported by the platform.
import 'reflect-metadata';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { type INestApplication } from '@nestjs/common';
import { createNodePool, startNodePool } from '../src/app.factory';
import { parseNodePoolConfig } from '../src/config/node-pool.config';
import { applyHeapPolicy } from '../src/heap-policy';
import { HeartbeatPacer } from '../src/nodes/heartbeat-pacer';

export interface HeartbeatPoolSetup {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  jwtSecret: string;
  dir: string;
  httpPort: number;
  grpcPort: number;
  budgetPerS: number;
  /** More of the pool's settings (e.g. an admin, rate limits), applied last. */
  env?: Record<string, string>;
}

export type ToPool =
  { kind: 'setup'; setup: HeartbeatPoolSetup } | { kind: 'stats'; final?: boolean } | { kind: 'close' };
export type PacerStats = HeartbeatPacer['stats'] & {
  intervalS: number;
  timeoutS: number;
  memory: NodeJS.MemoryUsage;
  /** V8's heap spaces: what each holds and what it takes (bytes). */
  spaces: { name: string; used: number; size: number }[];
};
export type FromPool =
  { kind: 'ready' } | { kind: 'stats'; stats: PacerStats } | { kind: 'error'; message: string };

async function start(setup: HeartbeatPoolSetup): Promise<INestApplication> {
  const config = parseNodePoolConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: setup.databaseUrl,
    REDIS_URL: setup.redisUrl,
    QUEUE_PREFIX: setup.queuePrefix,
    JWT_SECRET: setup.jwtSecret,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(setup.httpPort),
    GRPC_SERVER_HOST: '127.0.0.1',
    GRPC_SERVER_PORT: String(setup.grpcPort),
    HEARTBEAT_BUDGET_PER_S: String(setup.budgetPerS),
    STORAGE_PATH: join(setup.dir, `storage-${setup.grpcPort}`),
    WEB_ROOT: join(setup.dir, 'no-console'),
    ...(process.env.HEAP_GROWING_PERCENT ? { HEAP_GROWING_PERCENT: process.env.HEAP_GROWING_PERCENT } : {}),
    ...setup.env,
  });
  applyHeapPolicy(config); // as the pool's main.ts does (HEAP_GROWING_PERCENT from the environment)
  const app = await createNodePool(config);
  await startNodePool(app, config);
  return app;
}

function serve(): void {
  let app: INestApplication | undefined;
  const send = (message: FromPool) => process.send?.(message);
  const handle = async (message: ToPool): Promise<void> => {
    if (message.kind === 'setup') {
      app = await start(message.setup);
      send({ kind: 'ready' });
    } else if (message.kind === 'stats') {
      const pacer = app!.get(HeartbeatPacer);
      const { intervalS, timeoutS } = pacer.schedule();
      // BENCH_HEAP_SNAPSHOT=<dir>: a heap snapshot per replica (a full GC first) to see what stays live
      if (message.final && process.env.BENCH_HEAP_SNAPSHOT)
        writeHeapSnapshot(join(process.env.BENCH_HEAP_SNAPSHOT, `replica-${process.pid}.heapsnapshot`));
      const spaces = getHeapSpaceStatistics().map((s) => ({
        name: s.space_name,
        used: s.space_used_size,
        size: s.space_size,
      }));
      send({
        kind: 'stats',
        stats: { ...pacer.stats, intervalS, timeoutS, memory: process.memoryUsage(), spaces },
      });
    } else {
      await app?.close();
      process.exit(0);
    }
  };
  process.on('message', (message: ToPool) => {
    handle(message).catch((error: Error) => send({ kind: 'error', message: error.stack ?? error.message }));
  });
  process.on('disconnect', () => process.exit(1));
}

if (require.main === module) serve();
