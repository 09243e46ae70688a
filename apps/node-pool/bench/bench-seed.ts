// Bulk seeding and invariant checks for the benchmarks (npm run bench:scheduler), in plain SQL
// (generate_series), so seeding 50,000 shards takes a second and triggers no placement request.
import { type Client } from 'pg';
import { HIGH_TRUST_MIN, PROBATION_RUN, PROBATION_SLOTS, ValidationMode } from '@hivemind/contracts';
import { SHARD_QUORUM_OF_TASK, SHARD_WANTED_OF_TASK } from '../src/scheduling/shards.repository';

/** Owners of the seeded nodes: replicas of a shard go to nodes of different owners. */
export const BENCH_OWNERS = 100;

export interface BenchUsers {
  /** Submits almost every task: trust 100, may use every node, low-trust ones included. */
  submitter: string;
  /** Submits one task that only nodes without Docker could run: trust 50 excludes them. */
  newcomer: string;
  /** Own the nodes (plain users, not operators), BENCH_OWNERS of them. */
  owners: string[];
}

export async function seedUsers(db: Client): Promise<BenchUsers> {
  const { rows } = await db.query<{ id: string; username: string }>(
    `INSERT INTO users (username, password_hash, trust_score)
     SELECT username, '!', trust FROM (
       VALUES ('bench-submitter', 100), ('bench-newcomer', 50)
       UNION ALL SELECT format('bench-owner-%s', lpad(o::text, 3, '0')), 50 FROM generate_series(0, $1::int - 1) AS o
     ) u(username, trust)
     RETURNING id, username`,
    [BENCH_OWNERS],
  );
  const id = (name: string) => rows.find((r) => r.username === name)!.id;
  return {
    submitter: id('bench-submitter'),
    newcomer: id('bench-newcomer'),
    owners: rows
      .filter((r) => r.username.startsWith('bench-owner-'))
      .sort((a, b) => a.username.localeCompare(b.username))
      .map((r) => r.id),
  };
}

/**
 * `count` online nodes with their free resources equal to their totals. The mix, by index i:
 * - 50–60 attempt slots, 64–128 cores, 128–256 GB of memory, 500 GB of storage, CPU score 100–1000;
 * - credit score: ~15 % low (< 50), ~55 % normal, ~30 % high;
 * - 1 in 20 has an A100 (80 GB); 1 in 20 has an RTX 3060 (12 GB) and no Docker; 2 in 25 more have
 *   no Docker (low trust whatever their score);
 * - five locations in turn;
 * - owned by `owners` in contiguous blocks (node i by owner ⌊i × owners / count⌋: 10 nodes each for
 *   1,000 nodes and 100 owners, each owner with the same mix), plain users, not operators;
 * - past probation: a run of PROBATION_RUN (3) to PROBATION_RUN + 19 consecutive valid results, as
 *   nodes that have served a while have; on probation they would get PROBATION_SLOTS (2) slots each.
 */
export async function seedNodes(
  db: Client,
  owners: readonly string[],
  count: number,
  prefix = 'bench-node',
): Promise<void> {
  await db.query(
    `INSERT INTO nodes (name, owner_id, hostname, location, status, docker_status, credit_score, max_concurrent,
       cpu_millicores, memory_mb, storage_mb, cpu_score, gpu_score, gpu_memory_mb, gpu_name,
       avail_cpu_millicores, avail_memory_mb, avail_storage_mb, avail_cpu_score, avail_gpu_score,
       avail_gpu_memory_mb, running_attempts, last_heartbeat_at, valid_run)
     SELECT name, owner, name || '.bench.invalid', location, 'online', docker, credit, slots, cpu, mem, sto, cpu_score,
       gpu_score, gmem, gpu, cpu, mem, sto, cpu_score, gpu_score, gmem, 0, now(), valid_run
     FROM (
       SELECT format('%s-%s', $3::text, lpad(i::text, 5, '0')) AS name,
         ($1::uuid[])[1 + (i::bigint * cardinality($1::uuid[])) / $2::int] AS owner,
         $4::int + i % 20 AS valid_run,
         (ARRAY['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'])[1 + i % 5] AS location,
         CASE WHEN i % 20 = 10 OR i % 25 IN (3, 11) THEN 'disabled' ELSE 'enabled' END AS docker,
         CASE WHEN (i * 7919) % 100 < 15 THEN 20 + i % 30
              WHEN (i * 7919) % 100 < 70 THEN 50 + i % 50
              ELSE 100 + i % 60 END AS credit,
         50 + i % 11 AS slots,
         (64 + (i % 5) * 16) * 1000 AS cpu,
         (128 + (i % 3) * 64) * 1024 AS mem,
         500 * 1024 AS sto,
         100 + (i * 53) % 901 AS cpu_score,
         CASE i % 20 WHEN 0 THEN 80 WHEN 10 THEN 40 ELSE 0 END AS gpu_score,
         CASE i % 20 WHEN 0 THEN 81920 WHEN 10 THEN 12288 ELSE 0 END AS gmem,
         CASE i % 20 WHEN 0 THEN 'NVIDIA A100' WHEN 10 THEN 'NVIDIA RTX 3060' ELSE '' END AS gpu
       FROM generate_series(0, $2::int - 1) AS i
     ) n`,
    [owners, count, prefix, PROBATION_RUN],
  );
}

/**
 * `tasks` queued tasks of `shardsPerTask` QUEUED shards each, submitted over the last minutes, with
 * priorities 0–2 (and 5 for one task in ten) and mixed demands: 250–2000 millicores, 256–2048 MB,
 * 512–4096 MB of storage, a CPU score up to 300 for two tasks in three, a preferred location for
 * one in three. Tasks 0–4 need an A100 with 16 GB (the nodes hold half of them at once); task 5 an
 * H200 nobody has, task 6 512 cores, task 7 (trust 50) an RTX 3060 only nodes without Docker have:
 * those wait, each with its reason. Every task has the validation policy given (`none`: one
 * attempt per shard; `quorum`: `quorum` replicas on nodes of different owners); each shard's quorum
 * and wanted replicas come from it as the pool's own submission sets them (SHARD_QUORUM_OF_TASK).
 */
export async function seedQueue(
  db: Client,
  users: BenchUsers,
  tasks: number,
  shardsPerTask: number,
  validation: { mode: ValidationMode; quorum: number; maxReplicas: number },
): Promise<{ tasks: number; shards: number }> {
  await db.query(
    `INSERT INTO tasks (user_id, name, status, image, command, req_cpu_millicores, req_memory_mb, req_storage_mb,
       req_cpu_score, req_gpu_score, req_gpu_memory_mb, req_gpu_name, location, priority, shards_total,
       split_kind, created_at, validation, quorum, max_replicas)
     SELECT CASE WHEN g = 7 THEN $2::uuid ELSE $1::uuid END, format('bench-task-%s', g), 'QUEUED',
       'hivemind/runtime:bench', '["python3", "-c", "pass"]'::jsonb,
       CASE WHEN g = 6 THEN 512000 ELSE (ARRAY[250, 500, 1000, 2000])[1 + g % 4] END,
       (ARRAY[256, 512, 1024, 2048])[1 + (g / 4) % 4],
       (ARRAY[512, 1024, 2048, 4096])[1 + (g / 16) % 4],
       CASE WHEN g % 3 = 0 THEN 0 ELSE (g * 13) % 300 END,
       CASE WHEN g < 5 THEN 50 WHEN g IN (5, 7) THEN 20 ELSE 0 END,
       CASE WHEN g < 5 THEN 16384 WHEN g IN (5, 7) THEN 8192 ELSE 0 END,
       CASE WHEN g < 5 THEN 'NVIDIA A100' WHEN g = 5 THEN 'NVIDIA H200' WHEN g = 7 THEN 'nvidia rtx 3060' END,
       CASE WHEN g % 3 = 1 THEN (ARRAY['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'])[1 + g % 5] END,
       CASE WHEN g % 10 = 9 THEN 5 ELSE g % 3 END,
       $3::int, 'data_processing', now() - make_interval(secs => $4::int - g), $5::text, $6::int, $7::int
     FROM generate_series(0, $4::int - 1) AS g`,
    [
      users.submitter,
      users.newcomer,
      shardsPerTask,
      tasks,
      validation.mode,
      validation.quorum,
      validation.maxReplicas,
    ],
  );
  const { rowCount } = await db.query(
    `INSERT INTO shards (task_id, shard_index, priority, queued_at, params, quorum, replicas_wanted)
     SELECT t.id, s, t.priority, t.created_at + make_interval(secs => s / 1000.0), jsonb_build_object('index', s),
       ${SHARD_QUORUM_OF_TASK}, ${SHARD_WANTED_OF_TASK}
     FROM tasks t, generate_series(0, t.shards_total - 1) AS s
     WHERE t.status = 'QUEUED' AND NOT EXISTS (SELECT 1 FROM shards x WHERE x.task_id = t.id)`,
  );
  return { tasks, shards: rowCount ?? 0 };
}

/** Statistics as a running system would have them (autovacuum would get there within a minute). */
export async function analyze(db: Client): Promise<void> {
  await db.query('ANALYZE');
}

export interface Invariants {
  liveAttempts: number;
  /** Shards with every wanted replica placed (out of the queue, ASSIGNED). */
  assignedShards: number;
  /** Shards still QUEUED with some replicas placed: a replica of another owner still to place. */
  partialShards: number;
  /** Shards with more attempts than replicas wanted (none ends during the benchmark): must be 0. */
  overReplicated: number;
  /** Shards with two live attempts on nodes of one owner (anti-affinity broken): must be 0. */
  sameOwner: number;
  /**
   * ASSIGNED shards without exactly their wanted live attempts, QUEUED shards with all of them, and
   * live attempts whose shard is neither: must be 0.
   */
  mismatched: number;
  /**
   * Nodes with running_attempts > max_concurrent (or > PROBATION_SLOTS on probation) or a negative
   * free resource: must be 0.
   */
  overCapacity: number;
  /** Nodes whose counters differ from the sum of their live attempts' allocations: must be 0. */
  accountingDrift: number;
  queued: number;
}

export async function checkInvariants(db: Client): Promise<Invariants> {
  const live = `state IN ('ASSIGNED', 'RUNNING')`;
  const { rows } = await db.query<Record<keyof Invariants, string>>(
    `WITH per_shard AS (
       SELECT s.id, s.state, s.replicas_wanted, count(a.id) AS attempts,
         count(a.id) FILTER (WHERE a.${live}) AS live, count(DISTINCT n.owner_id) FILTER (WHERE a.${live}) AS owners
       FROM shards s LEFT JOIN attempts a ON a.shard_id = s.id LEFT JOIN nodes n ON n.id = a.node_id
       GROUP BY s.id)
     SELECT
       (SELECT count(*) FROM attempts WHERE ${live}) AS "liveAttempts",
       (SELECT count(*) FROM per_shard WHERE state = 'ASSIGNED') AS "assignedShards",
       (SELECT count(*) FROM per_shard WHERE state = 'QUEUED' AND live > 0) AS "partialShards",
       (SELECT count(*) FROM per_shard WHERE attempts > replicas_wanted) AS "overReplicated",
       (SELECT count(*) FROM per_shard WHERE owners < live) AS "sameOwner",
       (SELECT count(*) FROM per_shard WHERE (state = 'ASSIGNED' AND live <> replicas_wanted)
          OR (state = 'QUEUED' AND live >= replicas_wanted) OR (state NOT IN ('ASSIGNED', 'QUEUED') AND live > 0))
         AS "mismatched",
       (SELECT count(*) FROM nodes n JOIN users u ON u.id = n.owner_id
          WHERE n.running_attempts > n.max_concurrent OR n.avail_cpu_millicores < 0
          OR n.avail_memory_mb < 0 OR n.avail_storage_mb < 0 OR n.avail_gpu_memory_mb < 0
          OR (n.valid_run < $1 AND u.role <> 'admin' AND n.running_attempts > $2)) AS "overCapacity",
       (SELECT count(*) FROM nodes n
          LEFT JOIN (
            SELECT node_id, count(*) AS c, sum(alloc_cpu_millicores) AS cpu, sum(alloc_memory_mb) AS mem,
              sum(alloc_storage_mb) AS sto, sum(alloc_gpu_memory_mb) AS gmem
            FROM attempts WHERE ${live} GROUP BY node_id) p ON p.node_id = n.id
          WHERE n.running_attempts <> coalesce(p.c, 0)
            OR n.avail_cpu_millicores <> n.cpu_millicores - coalesce(p.cpu, 0)
            OR n.avail_memory_mb <> n.memory_mb - coalesce(p.mem, 0)
            OR n.avail_storage_mb <> n.storage_mb - coalesce(p.sto, 0)
            OR n.avail_gpu_memory_mb <> n.gpu_memory_mb - coalesce(p.gmem, 0)) AS "accountingDrift",
       (SELECT count(*) FROM shards WHERE state = 'QUEUED') AS "queued"`,
    [PROBATION_RUN, PROBATION_SLOTS],
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)])) as unknown as Invariants;
}

/** Shards still queued, by the reason they wait. */
export async function waitReasons(db: Client): Promise<{ reason: string; shards: number }[]> {
  const { rows } = await db.query<{ reason: string; shards: string }>(
    `SELECT coalesce(wait_reason, '(none yet)') AS reason, count(*) AS shards FROM shards WHERE state = 'QUEUED'
     GROUP BY 1 ORDER BY 2 DESC, 1`,
  );
  return rows.map((r) => ({ reason: r.reason, shards: Number(r.shards) }));
}

/** Deadlocks PostgreSQL detected (and aborted) in the current database since it was created. */
export async function deadlocks(db: Client): Promise<number> {
  const { rows } = await db.query<{ deadlocks: string }>(
    `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Number(rows[0]?.deadlocks ?? 0);
}

/** The ids of the nodes whose name starts with `prefix`. */
export async function nodeIds(db: Client, prefix: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM nodes WHERE name LIKE $1 || '-%' ORDER BY name`,
    [prefix],
  );
  return rows.map((r) => r.id);
}

/** How well placement spread the load and honoured preferred locations (docs/BENCHMARKS.md). */
export interface PlacementQuality {
  /** Placed attempts of tasks with a preferred location that landed there, in %. */
  locationHonoured: number;
  /**
   * Over the nodes of the high trust group that have Docker (placed first): the spread of their
   * load (running attempts / slots) as its standard deviation and its maximum, in %.
   */
  highLoadStddev: number;
  highLoadMax: number;
  highLoadMean: number;
}

export async function placementQuality(db: Client): Promise<PlacementQuality> {
  const { rows } = await db.query<Record<keyof PlacementQuality, string>>(
    `SELECT
       (SELECT coalesce(100.0 * count(*) FILTER (WHERE n.location = t.location) / nullif(count(*), 0), 0)
          FROM attempts a JOIN shards s ON s.id = a.shard_id JOIN tasks t ON t.id = s.task_id
          JOIN nodes n ON n.id = a.node_id
         WHERE t.location IS NOT NULL AND a.state IN ('ASSIGNED', 'RUNNING')) AS "locationHonoured",
       coalesce(100 * stddev_pop(running_attempts::float / max_concurrent), 0) AS "highLoadStddev",
       coalesce(100 * max(running_attempts::float / max_concurrent), 0) AS "highLoadMax",
       coalesce(100 * avg(running_attempts::float / max_concurrent), 0) AS "highLoadMean"
     FROM nodes WHERE credit_score >= $1 AND docker_status = 'enabled'`,
    [HIGH_TRUST_MIN],
  );
  return Object.fromEntries(
    Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]),
  ) as unknown as PlacementQuality;
}
