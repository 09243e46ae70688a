// What the benchmarks that run a real cluster share (npm run bench:heartbeats, npm run
// bench:submit): child processes spoken to by messages (a replica, the load generator), their CPU
// time and memory from /proc, and a cluster's nodes seeded as a running cluster's are. Benchmark
// code: never imported by the platform.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { type Client } from 'pg';

/** Owners of the seeded nodes (plain users, trust 50). */
export const OWNERS = 100;

/** A child process spoken to by messages: ask, then wait for the answer of `kind`. */
export class Child<To, From extends { kind: string }> {
  constructor(readonly process: ChildProcess) {}

  static fork<To, From extends { kind: string }>(
    file: string,
    nodeFlags: readonly string[] = [],
  ): Child<To, From> {
    // BENCH_HB_PROFILE=<dir>: a CPU profile of each child (node --cpu-prof), written when it ends
    const profile = process.env.BENCH_HB_PROFILE;
    return new Child(
      fork(join(__dirname, file), [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        execArgv: [
          ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
          ...nodeFlags,
          // e.g. --heapsnapshot-signal=SIGUSR2, to look at a replica's memory (later flags win)
          ...(process.env.BENCH_HB_NODE_ARGS ?? '').split(' ').filter(Boolean),
        ],
      }),
    );
  }

  ask(message: To, kind: From['kind']): Promise<From> {
    return new Promise((resolve, reject) => {
      const onMessage = (answer: From) => {
        if (answer.kind !== kind && answer.kind !== 'error') return;
        cleanup();
        if (answer.kind === 'error') reject(new Error((answer as unknown as { message: string }).message));
        else resolve(answer);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`child exited (${code ?? this.process.signalCode}) before answering ${kind}`));
      };
      const cleanup = () => {
        this.process.off('message', onMessage);
        this.process.off('exit', onExit);
      };
      this.process.on('message', onMessage);
      this.process.once('exit', onExit);
      this.process.send(message as object);
    });
  }

  async close(message: To): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.send(message as object);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}

/** utime + stime of one process, in seconds. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Gives every thread of a process (Linux: a nice value is a thread's) the nice value `nice`; threads
 * it starts later inherit it from the thread that starts them.
 */
export function reniceProcess(pid: number, nice: number): void {
  for (const tid of readdirSync(`/proc/${pid}/task`)) setPriority(Number(tid), nice);
}

/** VmRSS and VmHWM (peak) of one process, in MB. */
export function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Owners, then `count` online nodes whose credentials are `bench-<id>` (heartbeat-load.ts). */
export async function seedHeartbeatNodes(sql: Client, count: number): Promise<void> {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO users (username, password_hash, trust_score)
     SELECT format('hb-owner-%s', o), '!', 50 FROM generate_series(1, $1::int) AS o RETURNING id`,
    [OWNERS],
  );
  await sql.query(
    `INSERT INTO nodes (name, owner_id, hostname, status, docker_status, max_concurrent, cpu_millicores, memory_mb,
       storage_mb, avail_cpu_millicores, avail_memory_mb, avail_storage_mb, last_heartbeat_at)
     SELECT format('hb-node-%s', lpad(i::text, 6, '0')), ($1::uuid[])[1 + i % cardinality($1::uuid[])],
       'hb.bench.invalid', 'online', 'enabled', 4, 8000, 16384, 102400, 8000, 16384, 102400, now()
     FROM generate_series(0, $2::int - 1) AS i`,
    [rows.map((r) => r.id), count],
  );
  // sha256 of the jti "bench-<id>", as NodeCredentialService.hashOf computes it
  await sql.query(
    `UPDATE nodes SET credential_hash = encode(sha256(convert_to('bench-' || id::text, 'UTF8')), 'hex')`,
  );
  await sql.query('ANALYZE');
}

/**
 * The nodes as a running cluster's are: a liveness entry each in Redis, with a deadline past the
 * time the load generator takes to start them all (`graceS`). What is measured is the steady state,
 * not 100,000 nodes starting within a minute (each node's first heartbeat after that is an ordinary
 * one, and sets its deadline as the pool decides).
 */
export async function asIfRunning(
  redisUrl: string,
  prefix: string,
  sql: Client,
  graceS: number,
): Promise<void> {
  const redis = new Redis(redisUrl, { keyPrefix: `${prefix}:` });
  try {
    const ids = (await sql.query<{ id: string }>(`SELECT id FROM nodes`)).rows.map((r) => r.id);
    const now = Date.now();
    for (let i = 0; i < ids.length; i += 5000) {
      const chunk = ids.slice(i, i + 5000);
      await redis
        .multi()
        .zadd('nodes:seen', ...chunk.flatMap((id) => [now, id]))
        .zadd('nodes:deadline', ...chunk.flatMap((id) => [now + graceS * 1000, id]))
        .exec();
    }
  } finally {
    redis.disconnect();
  }
}
