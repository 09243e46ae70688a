// npm run bench:scheduler — a benchmark, not a test: how fast the placement pass places queued
// shards on 1,000 nodes of 100 owners — plain (validation none: 50,000 shards, one attempt each) and
// quorum 2 (25,000 shards, two replicas each on nodes of different owners: the same ~50,000
// placements), each by one replica, then by two replicas in two processes at once — then the
// plain queue on 10,000 and 100,000 nodes (the scale ladder), and 10,000 shards on 10,000 nodes
// scored by a full scan (PLACEMENT_CANDIDATES=0) beside the sample (the quality it gives up) — and how many
// heartbeats a second one process takes for 20,000 nodes (target: 20,000 nodes × one per 5 s
// = 4,000/s). It starts its own throw-away PostgreSQL and Redis (libs/local-stack) on free loopback
// ports, seeds them in bulk SQL, drives SchedulerService.runPass() and NodesService.heartbeat()
// directly, prints what it measured and removes everything it started. It writes nothing to the
// repository: the figures go into docs/BENCHMARKS.md by hand. Outside src/, so the shipped node
// pool does not carry it: built on its own (nest build node-pool-bench, tsconfig.bench.json).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ValidationMode } from '@hivemind/contracts';
import { PostgresServer, RedisServer, freePort } from '@hivemind/local-stack';
import { NodesService } from '../src/nodes/nodes.service';
import {
  CpuMeter,
  type CpuUsage,
  describeCpu,
  fmt,
  machineDescription,
  percentile,
  sum,
  table,
} from './bench-measure';
import { ChildReplica, LocalReplica, type PoolSetup, type Replica, startPool } from './bench-replica';
import {
  BENCH_OWNERS,
  type Invariants,
  type PlacementQuality,
  analyze,
  checkInvariants,
  deadlocks,
  nodeIds,
  placementQuality,
  seedNodes,
  seedQueue,
  seedUsers,
  waitReasons,
} from './bench-seed';

const NODES = 1_000;
const SHARDS_PER_TASK = 100;

/** What is queued: the validation policy of every task, and how many tasks. */
interface Scenario {
  name: string;
  validation: { mode: ValidationMode; quorum: number; maxReplicas: number };
  tasks: number;
}

const PLAIN: Scenario = {
  // one attempt per shard, as before validation existed (the tasks' default, adaptive, would replicate)
  name: 'plain',
  validation: { mode: ValidationMode.None, quorum: 1, maxReplicas: 1 },
  tasks: 500,
};
// two replicas per shard on nodes of different owners: half the shards, the same placements
const QUORUM: Scenario = {
  name: 'quorum 2',
  validation: { mode: ValidationMode.Quorum, quorum: 2, maxReplicas: 4 },
  tasks: 250,
};
const SCENARIOS: readonly Scenario[] = [PLAIN, QUORUM];

/** One placement run: a scenario's queue on `nodes` nodes, by `replicas` replicas. */
interface RunPlan {
  scenario: Scenario;
  replicas: number;
  nodes: number;
  /** PLACEMENT_CANDIDATES; the pool's default when absent. */
  candidates?: number;
}

const PLANS: readonly RunPlan[] = [
  ...SCENARIOS.flatMap((scenario) => [1, 2].map((replicas) => ({ scenario, replicas, nodes: NODES }))),
  // the ladder: the same queue on ten and a hundred times the nodes
  { scenario: PLAIN, replicas: 1, nodes: 10_000 },
  { scenario: PLAIN, replicas: 1, nodes: 100_000 },
  // what the sample gives up: a fifth of the queue on 10,000 nodes, sampled and fully scanned
  { scenario: { ...PLAIN, name: 'plain 10k shards', tasks: 100 }, replicas: 1, nodes: 10_000 },
  { scenario: { ...PLAIN, name: 'plain 10k shards', tasks: 100 }, replicas: 1, nodes: 10_000, candidates: 0 },
];
/** BENCH_ONLY=<text>: only the runs whose label contains it (e.g. "100,000"). */
const ONLY = process.env.BENCH_ONLY;
const HEARTBEAT_NODES = 20_000;
const HEARTBEAT_IN_FLIGHT = 200;
const HEARTBEAT_SECONDS = Number(process.env.BENCH_HEARTBEAT_S ?? 10);
/** 20,000 nodes, one heartbeat each per 5 s. */
const HEARTBEAT_TARGET_PER_S = HEARTBEAT_NODES / 5;

const began = performance.now();
const say = (line: string) =>
  process.stdout.write(`[bench +${((performance.now() - began) / 1000).toFixed(1)} s] ${line}\n`);

/** PostgreSQL and Redis as our children, in a temporary directory removed at the end. */
class BenchStack {
  private constructor(
    readonly dir: string,
    readonly postgres: PostgresServer,
    readonly redis: RedisServer,
  ) {}

  static async start(): Promise<BenchStack> {
    const dir = mkdtempSync(join(tmpdir(), 'hivemind-bench-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as an unprivileged user when we are root
    try {
      // durable (fsync on, the default settings), as in production; a pass commits once per 500 shards
      const [postgres, redis] = await Promise.all([
        freePort().then((port) => PostgresServer.start({ dataDir: join(dir, 'postgres'), port })),
        freePort().then((port) => RedisServer.start({ dir: join(dir, 'redis'), port })),
      ]);
      return new BenchStack(dir, postgres, redis);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** A fresh database, a SQL client on it, and the setup of pools that use it. */
  async database(name: string): Promise<{ sql: Client; setup: PoolSetup }> {
    const databaseUrl = await this.postgres.ensureDatabase(name);
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    const jwtSecret = randomBytes(32).toString('hex');
    return {
      sql,
      setup: { databaseUrl, redisUrl: this.redis.url, queuePrefix: name, dir: this.dir, jwtSecret },
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.postgres.stop(), this.redis.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface PlacementRun {
  label: string;
  nodes: number;
  quality: PlacementQuality;
  /** The benchmark process's resident memory after the run (it hosts the first replica), MB. */
  rssMb: number;
  replicas: number;
  shards: number;
  /** Attempts placed (replicas of shards). */
  placed: number;
  raced: number;
  /** Until the last shard placed was committed and dispatched. */
  placingMs: number;
  /** Until the last pass, which placed nothing, ended. */
  wallMs: number;
  passes: number;
  batchMs: number[];
  dispatchMs: number[];
  firstBatchMs: number;
  dispatched: number;
  cpu: CpuUsage;
  invariants: Invariants;
  deadlocks: number;
  waiting: { reason: string; shards: number }[];
}

/** Every replica runs passes until one places nothing; then one more pass confirms nothing is left. */
async function placeAll(
  label: string,
  shards: number,
  first: LocalReplica,
  others: Replica[],
  sql: Client,
): Promise<PlacementRun> {
  const cpu = new CpuMeter();
  cpu.start();
  const t0 = performance.now();
  const results = await Promise.all([first, ...others].map((r) => r.run()));
  // a replica that found nothing to place may have skipped shards another one held locked
  let late = 0;
  for (let placed = await first.confirm(); placed > 0; placed = await first.confirm()) late += placed;
  const wallMs = performance.now() - t0;
  const usage = cpu.stop();
  return {
    label,
    replicas: results.length,
    shards,
    placed: sum(results.map((r) => r.placed)) + late,
    raced: sum(results.map((r) => r.raced)),
    placingMs: late > 0 ? wallMs : Math.max(...results.map((r) => r.lastDoneMs)),
    wallMs,
    passes: sum(results.map((r) => r.passMs.length)),
    batchMs: results.flatMap((r) => r.batchMs),
    dispatchMs: results.flatMap((r) => r.dispatchMs),
    firstBatchMs: Math.min(...results.map((r) => r.batchMs[0] ?? Infinity)),
    dispatched: sum(results.map((r) => r.dispatched)),
    cpu: usage,
    nodes: 0,
    rssMb: process.memoryUsage().rss / 2 ** 20,
    quality: await placementQuality(sql),
    invariants: await checkInvariants(sql),
    deadlocks: await deadlocks(sql),
    waiting: await waitReasons(sql),
  };
}

function labelOf(plan: RunPlan): string {
  const { scenario, replicas, nodes, candidates } = plan;
  return (
    `${scenario.name}, ${fmt(nodes)} nodes, ` +
    `${replicas === 1 ? 'one replica' : `${replicas} replicas, ${replicas} processes`}` +
    (candidates === 0 ? ', full scan' : '')
  );
}

/** A scenario's queue on its nodes, placed by one replica, or by this process and child processes. */
async function placementScenario(stack: BenchStack, plan: RunPlan, n: number): Promise<PlacementRun> {
  const { scenario, replicas, nodes } = plan;
  const label = labelOf(plan);
  const { sql, setup: base } = await stack.database(`bench_${n}`);
  const setup = { ...base, placementCandidates: plan.candidates };
  const others: Replica[] = [];
  let first: LocalReplica | undefined;
  try {
    first = new LocalReplica(await startPool(setup)); // runs the migrations
    for (let i = 1; i < replicas; i++) others.push(await ChildReplica.start(setup));
    const users = await seedUsers(sql);
    // the queue first, then the nodes, in SQL: no registration, so nothing asks for a pass
    const t = performance.now();
    const queue = await seedQueue(sql, users, scenario.tasks, SHARDS_PER_TASK, scenario.validation);
    await seedNodes(sql, users.owners, nodes);
    await analyze(sql);
    say(
      `${label}: seeded ${fmt(queue.shards)} shards of ${fmt(queue.tasks)} tasks and ${fmt(nodes)} nodes ` +
        `of ${BENCH_OWNERS} owners ` +
        `in ${fmt((performance.now() - t) / 1000, 1)} s; placing`,
    );
    const run = { ...(await placeAll(label, queue.shards, first, others, sql)), nodes };
    say(
      `${label}: ${fmt(run.placed)} attempts placed in ${fmt(run.placingMs / 1000, 2)} s ` +
        `(${fmt(run.placed / (run.placingMs / 1000))}/s), ${fmt(run.invariants.assignedShards)} shards ` +
        `complete, ${fmt(run.invariants.queued)} left waiting`,
    );
    return run;
  } finally {
    await Promise.allSettled([first?.close(), ...others.map((r) => r.close())]);
    await sql.end();
  }
}

interface HeartbeatRun {
  label: string;
  count: number;
  wallMs: number;
  p50: number;
  p99: number;
  max: number;
  cpu: CpuUsage;
  redisCommands: number;
}

/** Heartbeats for `ids`, HEARTBEAT_IN_FLIGHT at a time: one per node, or round and round for `forMs`. */
async function heartbeats(
  label: string,
  nodes: NodesService,
  ids: readonly string[],
  redis: Redis,
  stop: { once: true } | { forMs: number },
): Promise<HeartbeatRun> {
  const latencies: number[] = [];
  let next = 0;
  const cpu = new CpuMeter();
  const commandsBefore = await redisCommands(redis);
  cpu.start();
  const t0 = performance.now();
  const deadline = 'forMs' in stop ? t0 + stop.forMs : Infinity;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if ('once' in stop ? i >= ids.length : performance.now() >= deadline) return;
      const started = performance.now();
      await nodes.heartbeat(ids[i % ids.length], {
        cpuPercent: (i * 7) % 100,
        memoryPercent: (i * 13) % 100,
        runningAttempts: i % 8,
      });
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: HEARTBEAT_IN_FLIGHT }, lane));
  const wallMs = performance.now() - t0;
  const usage = cpu.stop();
  return {
    label,
    count: latencies.length,
    wallMs,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.reduce((a, b) => Math.max(a, b), 0),
    cpu: usage,
    redisCommands: (await redisCommands(redis)) - commandsBefore,
  };
}

async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

async function heartbeatScenario(stack: BenchStack): Promise<HeartbeatRun[]> {
  const { sql, setup } = await stack.database('bench_heartbeats');
  const app = await startPool(setup);
  const redis = new Redis(stack.redis.url);
  try {
    const users = await seedUsers(sql);
    await seedNodes(sql, users.owners, HEARTBEAT_NODES, 'hb-node');
    await analyze(sql);
    const ids = await nodeIds(sql, 'hb-node');
    const nodes = app.get(NodesService);
    say(
      `heartbeats: ${fmt(ids.length)} nodes; the first heartbeat of each, then ${HEARTBEAT_SECONDS} s flat out`,
    );
    // Redis has no entry for any node yet: each first heartbeat also asks PostgreSQL (a transaction
    // whose UPDATE finds the node online already), as after a Redis restart
    const first = await heartbeats('first of each node (+ SQL)', nodes, ids, redis, { once: true });
    const steady = await heartbeats('steady state (Redis only)', nodes, ids, redis, {
      forMs: HEARTBEAT_SECONDS * 1000,
    });
    for (const run of [first, steady]) {
      say(`heartbeats, ${run.label}: ${fmt(run.count / (run.wallMs / 1000))}/s, p99 ${fmt(run.p99, 1)} ms`);
    }
    return [first, steady];
  } finally {
    redis.disconnect();
    await app.close();
    await sql.end();
  }
}

async function versions(stack: BenchStack): Promise<Record<string, string>> {
  const sql = new Client({ connectionString: stack.postgres.url() });
  await sql.connect();
  const redis = new Redis(stack.redis.url);
  try {
    const { rows } = await sql.query<{ server_version: string }>('SHOW server_version');
    const info = await redis.info('server');
    return {
      postgresql: rows[0]?.server_version ?? '?',
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? '?',
    };
  } finally {
    await sql.end();
    redis.disconnect();
  }
}

function passed(r: PlacementRun): boolean {
  const i = r.invariants;
  return (
    i.overReplicated + i.sameOwner + i.mismatched + i.overCapacity + i.accountingDrift === 0 &&
    r.dispatched === r.placed &&
    i.liveAttempts === r.placed
  );
}

function report(
  machine: Record<string, string>,
  placements: PlacementRun[],
  beats: HeartbeatRun[],
  totalS: number,
): string {
  const ms = (v: number) => fmt(v, v < 10 ? 1 : 0);
  const p50p95 = (values: number[]) => `${ms(percentile(values, 50))} / ${ms(percentile(values, 95))}`;
  const placingS = (r: PlacementRun) => r.placingMs / 1000;
  const placementRows = placements.map((r) => [
    r.label,
    fmt(r.shards),
    fmt(r.invariants.assignedShards),
    fmt(r.placed),
    fmt(placingS(r), 2),
    fmt(r.invariants.assignedShards / placingS(r)),
    fmt(r.placed / placingS(r)),
    fmt((r.placingMs * 1000) / r.placed),
    fmt((r.cpu.nodeS * 1_000_000) / r.placed),
    fmt(r.passes),
    ms(r.firstBatchMs),
    p50p95(r.batchMs),
    p50p95(r.dispatchMs),
    `${fmt((100 * sum(r.dispatchMs)) / (sum(r.dispatchMs) + sum(r.batchMs)))} %`,
    fmt(r.raced),
  ]);
  const checkRows = placements.map((r) => [
    r.label,
    fmt(r.invariants.liveAttempts),
    fmt(r.dispatched),
    fmt(r.invariants.partialShards),
    fmt(r.invariants.overReplicated),
    fmt(r.invariants.sameOwner),
    fmt(r.invariants.mismatched),
    fmt(r.invariants.overCapacity),
    fmt(r.invariants.accountingDrift),
    fmt(r.deadlocks),
    fmt(r.invariants.queued),
  ]);
  const beatRows = beats.map((b) => [
    b.label,
    fmt(b.count),
    fmt(b.wallMs / 1000, 1),
    fmt(b.count / (b.wallMs / 1000)),
    `${fmt((b.count / (b.wallMs / 1000) / HEARTBEAT_TARGET_PER_S) * 100)} %`,
    fmt(b.p50, 2),
    fmt(b.p99, 2),
    fmt(b.max, 1),
    fmt(b.redisCommands / b.count, 1),
  ]);
  return [
    '',
    `Machine: ${Object.entries(machine)
      .map(([k, v]) => `${k} ${v}`)
      .join(' · ')}`,
    '',
    `Placement: 1,000 online nodes of ${BENCH_OWNERS} owners (then 10,000 and 100,000), none on probation. ` +
      SCENARIOS.map(
        (c) =>
          `${c.name}: ${fmt(c.tasks * SHARDS_PER_TASK)} queued shards in ${fmt(c.tasks)} tasks, ` +
          `validation ${c.validation.mode}${c.validation.mode === ValidationMode.Quorum ? ` ${c.validation.quorum}` : ''}.`,
      ).join(' ') +
      ' A placement is one attempt (a replica); a shard is complete when all its replicas are placed. ' +
      'µs per placement: wall, then node-process CPU. Times in ms; a batch is one transaction of up to ' +
      '500 shards (read, place, write), timed commit to commit; its dispatch publishes their ' +
      'ExecuteTaskRequests after the commit, while the next batch places (dispatch share: of the sum of both).',
    table(
      [
        'scenario',
        'shards',
        'complete',
        'placed',
        'seconds',
        'shards/s',
        'placements/s',
        'µs/placement',
        'CPU µs/pl.',
        'passes',
        'first batch',
        'batch p50 / p95',
        'dispatch p50 / p95',
        'dispatch share',
        'raced',
      ],
      placementRows,
    ),
    ...placements.map((r) => `${r.label}: ${describeCpu(r.cpu)}`),
    '',
    'Checks after placement: over-replicated, same owner, mismatched, over capacity and drift must be 0; ' +
      'live = dispatched = placed. Partial: queued with a replica still to place.',
    table(
      [
        'scenario',
        'live attempts',
        'dispatched',
        'partial',
        'over-replicated',
        'same owner',
        'mismatched',
        'over capacity',
        'drift',
        'deadlocks',
        'queued',
      ],
      checkRows,
    ),
    '',
    'Quality: placed attempts of tasks with a preferred location that landed there; the load (running ' +
      'attempts / slots) of the high-trust Docker nodes, which placement fills first: mean, standard ' +
      'deviation and maximum, in % (a full scan levels it; a sample of k spreads it a little). RSS: the ' +
      'benchmark process, which hosts the first replica (its snapshot of the nodes included), after the run.',
    table(
      ['scenario', 'location honoured', 'high-group load mean', 'stddev', 'max', 'RSS MB'],
      placements.map((r) => [
        r.label,
        `${fmt(r.quality.locationHonoured, 1)} %`,
        `${fmt(r.quality.highLoadMean, 1)} %`,
        `${fmt(r.quality.highLoadStddev, 1)} %`,
        `${fmt(r.quality.highLoadMax, 1)} %`,
        fmt(r.rssMb),
      ]),
    ),
    ...placements
      .filter((r) => r.replicas === 1 && r.nodes === NODES)
      .flatMap((r) => [
        '',
        `Still queued, by reason (${r.label})`,
        table(
          ['shards', 'wait reason'],
          r.waiting.map((w) => [fmt(w.shards), w.reason]),
        ),
      ]),
    '',
    `Heartbeats: NodesService.heartbeat for ${fmt(HEARTBEAT_NODES)} nodes, ${HEARTBEAT_IN_FLIGHT} in flight, ` +
      `one process; target ${fmt(HEARTBEAT_TARGET_PER_S)}/s (20,000 nodes × 1 per 5 s). Latency in ms.`,
    table(
      ['run', 'heartbeats', 'seconds', 'per second', 'of target', 'p50', 'p99', 'max', 'Redis cmds each'],
      beatRows,
    ),
    ...beats.map((b) => `${b.label}: ${describeCpu(b.cpu)}`),
    '',
    `${placements.every(passed) ? 'All checks passed' : 'CHECKS FAILED'}; whole run ${fmt(totalS, 1)} s.`,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  say('starting PostgreSQL and Redis (throw-away, free loopback ports)');
  const stack = await BenchStack.start();
  try {
    const machine = { ...machineDescription(), ...(await versions(stack)) };
    const placements: PlacementRun[] = [];
    for (const [n, plan] of PLANS.entries()) {
      if (!ONLY || labelOf(plan).includes(ONLY)) placements.push(await placementScenario(stack, plan, n));
    }
    const beats = await heartbeatScenario(stack);
    process.stdout.write(report(machine, placements, beats, (performance.now() - began) / 1000));
    return placements.every(passed) ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`bench:scheduler failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
