// A real node pool replica for npm run bench:heartbeats and bench:submit, in a process of its own (this file,
// forked) so that its CPU time and RSS can be read from /proc: listening on loopback (HTTP and
// gRPC), with every Bull processor running as in production (the liveness sweep must run: the
// benchmark counts the nodes it declares lost). Benchmark code: never imported by the platform.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver, constants, monitorEventLoopDelay, performance } from 'node:perf_hooks';
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
  | { kind: 'setup'; setup: HeartbeatPoolSetup }
  | { kind: 'stats'; final?: boolean }
  | { kind: 'pauses'; reset: boolean }
  | { kind: 'close' };
/** The replica's event loop and garbage collector since the last reset (bench:submit). */
export interface Pauses {
  /** How late the event loop ran a timer (perf_hooks.monitorEventLoopDelay), ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Each collection that paused the loop ≥ PAUSE_NOTED_MS: when (epoch ms), how long, which kind. */
  gc: { atMs: number; ms: number; kind: string }[];
}
export type PacerStats = HeartbeatPacer['stats'] & {
  intervalS: number;
  timeoutS: number;
  memory: NodeJS.MemoryUsage;
  /** V8's heap spaces: what each holds and what it takes (bytes). */
  spaces: { name: string; used: number; size: number }[];
};
export type FromPool =
  | { kind: 'ready' }
  | { kind: 'stats'; stats: PacerStats }
  | { kind: 'pauses'; pauses: Pauses }
  | { kind: 'error'; message: string };

/** Collections shorter than this are not listed (a scavenge takes 1–3 ms). */
export const PAUSE_NOTED_MS = 4;
/** At most this many collections are kept between resets. */
const PAUSES_KEPT = 10_000;

/** Watches the event loop's delay and the collections' pauses, from `reset` to `read`. */
function watchPauses(): { reset(): void; read(): Pauses } {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let gc: Pauses['gc'] = [];
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration < PAUSE_NOTED_MS || gc.length >= PAUSES_KEPT) continue;
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1;
      gc.push({
        atMs: performance.timeOrigin + entry.startTime,
        ms: entry.duration,
        kind: kinds[kind] ?? String(kind),
      });
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns: number) => ns / 1e6;
  return {
    reset: () => {
      loop.reset();
      gc = [];
    },
    read: () => ({
      loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      gc,
    }),
  };
}

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

/**
 * BENCH_HEAP_PROMOTED=<file>: V8's sampling heap profiler from the replica's start to its end, keeping
 * the samples of objects that outlived the young generation (promoted to the old one, whether a
 * full collection took them later or not) and dropping those a scavenge took: what makes the old
 * generation grow, and so how often the replica pauses for a full collection. Open the file
 * (.heapprofile) in Chrome's DevTools, Memory tab.
 */
async function samplePromoted(): Promise<(() => Promise<void>) | undefined> {
  const file = process.env.BENCH_HEAP_PROMOTED;
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

function serve(): void {
  let app: INestApplication | undefined;
  let stopSampling: (() => Promise<void>) | undefined;
  // started when first asked (bench:submit does, before its measured runs): the other benchmarks
  // of this replica pay nothing for it
  let pauses: ReturnType<typeof watchPauses> | undefined;
  const send = (message: FromPool) => process.send?.(message);
  const handle = async (message: ToPool): Promise<void> => {
    if (message.kind === 'setup') {
      app = await start(message.setup);
      stopSampling = await samplePromoted();
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
    } else if (message.kind === 'pauses') {
      pauses ??= watchPauses();
      send({ kind: 'pauses', pauses: pauses.read() });
      if (message.reset) pauses.reset();
    } else {
      await stopSampling?.();
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
