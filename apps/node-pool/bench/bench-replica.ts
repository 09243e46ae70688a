// Node-pool replicas for the benchmarks (npm run bench:scheduler): one in the benchmark's process,
// or one in a child process of its own (this file run with `fork`), so two replicas have an event
// loop each, as in production. Each runs placement passes back to back and reports their timings.
import 'reflect-metadata';
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import { type INestApplication } from '@nestjs/common';
import type { Queue } from 'bull';
import { createNodePool } from '../src/app.factory';
import { parseNodePoolConfig } from '../src/config/node-pool.config';
import { QUEUE_NAMES } from '../src/queues/queue-names';
import { DispatchService } from '../src/scheduling/dispatch.service';
import { SchedulerService } from '../src/scheduling/scheduler.service';

export interface PoolSetup {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** A scratch directory (STORAGE_PATH goes under it). */
  dir: string;
  /**
   * One per pool, as in production: every replica must open the VPN server key the first one
   * sealed with it on start-up.
   */
  jwtSecret: string;
  /** PLACEMENT_CANDIDATES (the pool's default when absent; 0: every node scored). */
  placementCandidates?: number;
}

/**
 * A node pool (migrations run), initialized but not listening, with its Bull processors paused on
 * this instance: the 5 s safety pass, the reconciler and the liveness sweep do not run beside the
 * passes we time (nor take the CPU they need), so the passes measured are ours alone.
 */
export async function startPool(setup: PoolSetup): Promise<INestApplication> {
  const config = parseNodePoolConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: setup.databaseUrl,
    REDIS_URL: setup.redisUrl,
    QUEUE_PREFIX: setup.queuePrefix,
    JWT_SECRET: setup.jwtSecret,
    HEARTBEAT_TIMEOUT_S: '3600',
    HTTP_HOST: '127.0.0.1',
    GRPC_SERVER_HOST: '127.0.0.1',
    STORAGE_PATH: join(setup.dir, 'storage'),
    WEB_ROOT: join(setup.dir, 'no-console'),
    ...(setup.placementCandidates === undefined
      ? {}
      : { PLACEMENT_CANDIDATES: String(setup.placementCandidates) }),
  });
  const app = await createNodePool(config);
  await app.init();
  for (const name of QUEUE_NAMES) await app.get<Queue>(getQueueToken(name), { strict: false }).pause(true);
  return app;
}

/** What one replica did, its times in ms (`lastDoneMs` from the start of its run). */
export interface ReplicaResult {
  placed: number;
  raced: number;
  passMs: number[];
  /** Per batch that placed something: read + place + write, in its transaction. */
  batchMs: number[];
  /** Per such batch: DispatchService.sendAssigned (one query, one Redis PUBLISH per attempt). */
  dispatchMs: number[];
  dispatched: number;
  lastDoneMs: number;
}

export interface Replica {
  /** Runs passes back to back until one places nothing and lost no race. */
  run(): Promise<ReplicaResult>;
  close(): Promise<void>;
}

/** A replica in this process. `confirm` runs one more pass (after the others finished). */
export class LocalReplica implements Replica {
  private readonly clock: BatchClock;

  constructor(readonly app: INestApplication) {
    this.clock = instrumentDispatch(app);
  }

  run(): Promise<ReplicaResult> {
    return runPasses(this.app, this.clock);
  }

  async confirm(): Promise<number> {
    this.clock.mark = performance.now();
    return (await this.app.get(SchedulerService).runPass()).placed;
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

type ToChild = { kind: 'setup'; setup: PoolSetup } | { kind: 'run' } | { kind: 'close' };
type FromChild =
  { kind: 'ready' } | { kind: 'result'; result: ReplicaResult } | { kind: 'error'; message: string };

/** A replica in a child process of its own (this file, forked). */
export class ChildReplica implements Replica {
  private constructor(private readonly child: ChildProcess) {}

  static async start(setup: PoolSetup): Promise<ChildReplica> {
    const child = fork(join(__dirname, 'bench-replica.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const replica = new ChildReplica(child);
    try {
      await replica.ask({ kind: 'setup', setup }, 'ready');
    } catch (error) {
      child.kill();
      throw error;
    }
    return replica;
  }

  async run(): Promise<ReplicaResult> {
    const answer = await this.ask({ kind: 'run' }, 'result');
    return (answer as Extract<FromChild, { kind: 'result' }>).result;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ kind: 'close' } satisfies ToChild);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  private ask(message: ToChild, expected: FromChild['kind']): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => done(new Error(`the replica process exited (${code})`));
      const onMessage = (answer: FromChild) => {
        if (answer.kind === 'error') done(new Error(`replica: ${answer.message}`));
        else if (answer.kind === expected) done(undefined, answer);
      };
      const done = (error?: Error, answer?: FromChild) => {
        this.child.off('message', onMessage).off('exit', onExit);
        if (error) reject(error);
        else resolve(answer!);
      };
      this.child.on('message', onMessage).once('exit', onExit);
      this.child.send(message);
    });
  }
}

interface BatchClock {
  /** When the current batch started (the pass's start, or the previous batch's commit). */
  mark: number;
  batchMs: number[];
  dispatchMs: number[];
  dispatched: number;
  lastDoneAt: number;
}

/**
 * Times each batch of a pass from the outside: runPass calls sendAssigned once per batch that placed
 * something, right after the batch's transaction committed (and lets it run beside the next
 * batch); the original method still does the work.
 */
function instrumentDispatch(app: INestApplication): BatchClock {
  const dispatch = app.get(DispatchService);
  const send = dispatch.sendAssigned.bind(dispatch);
  const clock: BatchClock = { mark: 0, batchMs: [], dispatchMs: [], dispatched: 0, lastDoneAt: 0 };
  dispatch.sendAssigned = async (attemptIds: readonly string[]) => {
    const committed = performance.now();
    clock.batchMs.push(committed - clock.mark);
    clock.mark = committed;
    await send(attemptIds);
    const done = performance.now();
    clock.lastDoneAt = Math.max(clock.lastDoneAt, done);
    clock.dispatchMs.push(done - committed);
    clock.dispatched += attemptIds.length;
  };
  return clock;
}

async function runPasses(app: INestApplication, clock: BatchClock): Promise<ReplicaResult> {
  const scheduler = app.get(SchedulerService);
  const result: ReplicaResult = {
    placed: 0,
    raced: 0,
    passMs: [],
    batchMs: [],
    dispatchMs: [],
    dispatched: 0,
    lastDoneMs: 0,
  };
  const [batches, dispatches, dispatched] = [clock.batchMs.length, clock.dispatchMs.length, clock.dispatched];
  const start = performance.now();
  clock.lastDoneAt = start;
  for (;;) {
    const passStart = (clock.mark = performance.now());
    const report = await scheduler.runPass();
    result.passMs.push(performance.now() - passStart);
    result.placed += report.placed;
    result.raced += report.raced;
    if (report.placed === 0 && report.raced === 0) break;
  }
  result.batchMs = clock.batchMs.slice(batches);
  result.dispatchMs = clock.dispatchMs.slice(dispatches);
  result.dispatched = clock.dispatched - dispatched;
  result.lastDoneMs = clock.lastDoneAt - start;
  return result;
}

/** The child side: sets a pool up, runs when asked, closes when asked. */
function serveAsChild(): void {
  let app: INestApplication | undefined;
  let clock: BatchClock | undefined;
  const send = (message: FromChild) => process.send?.(message);
  const handle = async (message: ToChild): Promise<void> => {
    if (message.kind === 'setup') {
      app = await startPool(message.setup);
      clock = instrumentDispatch(app);
      send({ kind: 'ready' });
    } else if (message.kind === 'run') {
      if (!app || !clock) throw new Error('run before setup');
      send({ kind: 'result', result: await runPasses(app, clock) });
    } else {
      await app?.close();
      process.exit(0);
    }
  };
  process.on('message', (message: ToChild) => {
    handle(message).catch((error: Error) => send({ kind: 'error', message: error.stack ?? error.message }));
  });
  // the benchmark went away: so do we
  process.on('disconnect', () => process.exit(1));
}

if (require.main === module) serveAsChild();
