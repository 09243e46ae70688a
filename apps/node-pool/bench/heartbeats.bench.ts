// npm run bench:heartbeats — a benchmark, not a test: heartbeats through the real gRPC server.
// Node-pool replicas in processes of their own (heartbeat-pool.ts: listening on loopback, every
// Bull processor running, the liveness sweep included) and a load generator in another
// (heartbeat-load.ts: each simulated node calls ReportStatus with its own node credential and
// obeys the interval the pool answers, as the worker does). Scenarios: 20,000 nodes on one replica,
// 100,000 nodes on three. The nodes are seeded in SQL (online, with credentials the pool accepts)
// and given liveness entries in Redis as a running cluster's nodes have; the generator starts them
// at BENCH_HB_JOIN_PER_S (2,000/s), then the warm-up runs BENCH_HB_WARMUP_S (45 s) more and the
// measure BENCH_HB_MEASURE_S (60 s). Reported: heartbeats/s, pool CPU per heartbeat (/proc), latency
// p50/p99, RSS, the intervals answered, and how many nodes went offline (must be 0). It starts its
// own throw-away PostgreSQL and Redis (libs/local-stack) on free loopback ports and removes
// everything it started. The figures go into docs/BENCHMARKS.md by hand. More settings:
// BENCH_HB_SCENARIOS ("20000x1,100000x3"), BENCH_HB_IN_FLIGHT (400), BENCH_HB_BUDGET_PER_S (the
// pool's HEARTBEAT_BUDGET_PER_S, 2000), BENCH_HB_NODE_ARGS (the replicas' node flags, e.g.
// "--max-old-space-size=256"), BENCH_HB_PROFILE (a directory: CPU profiles of the children).
import { NODE_POOL_NODE_FLAGS } from '@hivemind/config';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PostgresServer, RedisServer, freePort } from '@hivemind/local-stack';
import { CpuMeter, fmt, machineDescription, percentile, sum, table } from './bench-measure';
import { Child, asIfRunning, cpuSecondsOf, rssOf, seedHeartbeatNodes } from './bench-cluster';
import { type FromLoad, type LoadSetup, type LoadWindow, type ToLoad } from './heartbeat-load';
import { type FromPool, type HeartbeatPoolSetup, type PacerStats, type ToPool } from './heartbeat-pool';

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const SCENARIOS = (process.env.BENCH_HB_SCENARIOS ?? '20000x1,100000x3').split(',').map((s) => {
  const [nodes, replicas] = s.split('x').map(Number);
  if (!(nodes > 0 && replicas > 0)) throw new Error(`BENCH_HB_SCENARIOS: "${s}" is not <nodes>x<replicas>`);
  return { nodes, replicas };
});
/** Nodes join (first heartbeat) at this rate; the warm-up lasts until all have, plus 45 s. */
const JOIN_PER_S = num('BENCH_HB_JOIN_PER_S', 2000);
const WARMUP_EXTRA_S = num('BENCH_HB_WARMUP_S', 45);
const MEASURE_S = num('BENCH_HB_MEASURE_S', 60);
const IN_FLIGHT = num('BENCH_HB_IN_FLIGHT', 400);
const BUDGET_PER_S = num('BENCH_HB_BUDGET_PER_S', 2000);

const began = performance.now();
const say = (line: string) =>
  process.stdout.write(`[bench +${((performance.now() - began) / 1000).toFixed(1)} s] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ScenarioResult {
  label: string;
  window: LoadWindow;
  poolCpuS: number[];
  loadCpuS: number;
  postgresS: number;
  redisS: number;
  machineBusyS: number;
  rss: { rssMb: number; peakMb: number }[];
  stats: PacerStats[];
  wentOffline: number;
  offlineAtEnd: number;
  backOnlineTotal: number;
  failedTotal: number;
}

async function scenario(
  stack: { postgres: PostgresServer; redis: RedisServer; dir: string },
  nodes: number,
  replicas: number,
): Promise<ScenarioResult> {
  const label = `${fmt(nodes)} nodes, ${replicas} replica${replicas > 1 ? 's' : ''}`;
  const name = `hb${nodes}x${replicas}`;
  const databaseUrl = await stack.postgres.ensureDatabase(name);
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const jwtSecret = randomBytes(32).toString('hex');
  const pools: Child<ToPool, FromPool>[] = [];
  let load: Child<ToLoad, FromLoad> | undefined;
  try {
    const setupOf = async (): Promise<HeartbeatPoolSetup> => ({
      databaseUrl,
      redisUrl: stack.redis.url,
      queuePrefix: name,
      jwtSecret,
      dir: stack.dir,
      httpPort: await freePort(),
      grpcPort: await freePort(),
      budgetPerS: BUDGET_PER_S,
    });
    const setups: HeartbeatPoolSetup[] = [];
    // the first replica migrates the database; the nodes are seeded after it, the others start then
    const startPool = async () => {
      const setup = await setupOf();
      // started as a deployed replica is (NODE_POOL_NODE_FLAGS)
      const pool = Child.fork<ToPool, FromPool>('heartbeat-pool.js', NODE_POOL_NODE_FLAGS);
      pools.push(pool);
      await pool.ask({ kind: 'setup', setup }, 'ready');
      setups.push(setup);
    };
    await startPool();
    say(`${label}: replica 1 up; seeding ${fmt(nodes)} nodes`);
    await seedHeartbeatNodes(sql, nodes);
    await asIfRunning(stack.redis.url, name, sql, Math.ceil(nodes / JOIN_PER_S) + 120);
    for (let r = 1; r < replicas; r++) await startPool();
    const rows = (
      await sql.query<{ id: string; name: string; ownerId: string }>(
        `SELECT id, name, owner_id AS "ownerId" FROM nodes ORDER BY name`,
      )
    ).rows;
    say(`${label}: ${replicas} replica(s) up; starting the load generator`);
    load = Child.fork<ToLoad, FromLoad>('heartbeat-load.js');
    const setup: LoadSetup = {
      targets: setups.map((s) => `127.0.0.1:${s.grpcPort}`),
      jwtSecret,
      nodes: rows,
      inFlight: IN_FLIGHT,
      ownIntervalS: 5,
      joinPerS: JOIN_PER_S,
    };
    await load.ask({ kind: 'start', setup }, 'started');

    let backOnlineTotal = 0;
    let failedTotal = 0;
    const take = async () => {
      const { window } = (await load!.ask({ kind: 'take' }, 'window')) as Extract<
        FromLoad,
        { kind: 'window' }
      >;
      backOnlineTotal += window.backOnline;
      failedTotal += window.failed;
      return window;
    };
    const statsOf = async (final = false) =>
      Promise.all(
        pools.map(
          async (p) =>
            ((await p.ask({ kind: 'stats', final }, 'stats')) as Extract<FromPool, { kind: 'stats' }>).stats,
        ),
      );
    const progress = async (phase: string) => {
      const w = await take();
      const stats = await statsOf();
      say(
        `${label} ${phase}: ${fmt(w.ok / w.seconds)} ok/s, ${fmt(w.joined)} joined, ${w.failed} failed ${JSON.stringify(w.errors)}, ` +
          `${w.backOnline} back online, p99 ${fmt(percentile(w.latencyMs, 99), 1)} ms, ` +
          `lag p99 ${fmt(percentile(w.lagMs, 99), 1)} ms; pools: ${stats
            .map((s) => `${s.intervalS}/${s.timeoutS} s${s.busy ? ' busy' : ''} (${s.nodesHeard} heard)`)
            .join(', ')}`,
      );
    };
    const warmupS = Math.ceil(nodes / JOIN_PER_S) + WARMUP_EXTRA_S;
    for (let t = 0; t < warmupS; t += 15) {
      await sleep(Math.min(15, warmupS - t) * 1000);
      await progress('warm-up');
    }
    await take(); // the measured window starts now
    const cpu = new CpuMeter();
    cpu.start();
    const poolPids = pools.map((p) => p.process.pid!);
    const poolCpu0 = poolPids.map(cpuSecondsOf);
    const loadCpu0 = cpuSecondsOf(load.process.pid!);
    await sleep(MEASURE_S * 1000);
    const window = await take();
    const poolCpuS = poolPids.map((pid, i) => cpuSecondsOf(pid) - poolCpu0[i]);
    const loadCpuS = cpuSecondsOf(load.process.pid!) - loadCpu0;
    const usage = cpu.stop();
    const rss = poolPids.map(rssOf);
    const stats = await statsOf(true);
    const mb = (b: number) => fmt(b / 2 ** 20);
    for (const [i, s] of stats.entries()) {
      const m = s.memory;
      say(
        `${label}, replica ${i + 1}: heap used ${mb(m.heapUsed)} MB of ${mb(m.heapTotal)}, ` +
          `external ${mb(m.external)} MB (array buffers ${mb(m.arrayBuffers)}), RSS ${mb(m.rss)} MB; ` +
          s.spaces
            .filter((x) => x.size >= 2 ** 20)
            .map((x) => `${x.name} ${mb(x.used)}/${mb(x.size)}`)
            .join(', '),
      );
    }
    const { rows: counts } = await sql.query<{ offline: string; seen: string }>(
      `SELECT count(*) FILTER (WHERE status = 'offline') AS offline,
              count(*) FILTER (WHERE last_heartbeat_at > now() - interval '1 hour') AS seen FROM nodes`,
    );
    const offlineAtEnd = Number(counts[0].offline);
    return {
      label,
      window,
      poolCpuS,
      loadCpuS,
      postgresS: usage.postgresS,
      redisS: usage.redisS,
      machineBusyS: usage.machineBusyS,
      rss,
      stats,
      // every node that went offline and came back said "back online"; those still offline count too
      wentOffline: backOnlineTotal + offlineAtEnd,
      offlineAtEnd,
      backOnlineTotal,
      failedTotal,
    };
  } finally {
    await load?.close({ kind: 'stop' });
    for (const pool of pools) await pool.close({ kind: 'close' });
    await sql.end();
  }
}

function report(results: ScenarioResult[]): void {
  const rows = results.map((r) => {
    const w = r.window;
    const perS = w.ok / w.seconds;
    const poolS = sum(r.poolCpuS);
    const intervals = Object.entries(w.intervals)
      .sort((a, b) => b[1] - a[1])
      .map(([s, n]) => `${s} s ${Math.round((100 * n) / Math.max(1, w.ok))} %`)
      .slice(0, 3)
      .join(', ');
    return [
      r.label,
      fmt(w.ok),
      fmt(w.seconds, 1),
      fmt(perS),
      intervals,
      r.stats.map((s) => `${s.timeoutS}`).join(' / '),
      fmt(poolS / w.seconds, 2),
      fmt((poolS / Math.max(1, w.ok)) * 1e6),
      `${fmt(percentile(w.latencyMs, 50), 1)} / ${fmt(percentile(w.latencyMs, 99), 1)} / ${fmt(Math.max(...w.latencyMs), 1)}`,
      r.rss.map((m) => `${fmt(m.rssMb)} (${fmt(m.peakMb)})`).join(' / '),
      fmt(r.wentOffline),
      fmt(r.failedTotal),
    ];
  });
  process.stdout.write(
    `\n${table(
      [
        'scenario',
        'heartbeats',
        'seconds',
        'per second',
        'intervals answered',
        'timeout s',
        'pool cores',
        'pool µs each',
        'p50 / p99 / max ms',
        'RSS MB (peak) per replica',
        'went offline',
        'failed',
      ],
      rows,
    )}\n`,
  );
  process.stdout.write(
    `\n${table(
      [
        'scenario',
        'pool CPU s per replica',
        'load generator s',
        'PostgreSQL s',
        'Redis s',
        'machine busy s',
        'lag p99 ms',
      ],
      results.map((r) => [
        r.label,
        r.poolCpuS.map((s) => fmt(s, 1)).join(' / '),
        fmt(r.loadCpuS, 1),
        fmt(r.postgresS, 1),
        fmt(r.redisS, 1),
        fmt(r.machineBusyS, 1),
        fmt(percentile(r.window.lagMs, 99), 1),
      ]),
    )}\n`,
  );
  process.stdout.write(`\n${JSON.stringify(machineDescription())}\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hivemind-hb-bench-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as an unprivileged user when we are root
  const [postgres, redis] = await Promise.all([
    freePort().then((port) => PostgresServer.start({ dataDir: join(dir, 'postgres'), port })),
    freePort().then((port) => RedisServer.start({ dir: join(dir, 'redis'), port })),
  ]);
  const results: ScenarioResult[] = [];
  try {
    for (const { nodes, replicas } of SCENARIOS)
      results.push(await scenario({ postgres, redis, dir }, nodes, replicas));
    report(results);
  } finally {
    await Promise.allSettled([postgres.stop(), redis.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
