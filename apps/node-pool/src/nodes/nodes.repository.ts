import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type DockerStatus, NodeStatus, type ResourceVector } from '@hivemind/contracts';
import { type NodeSpec } from './node-registration';
import { type BucketSums, type UtilizationPoint } from './utilization';
import { isUuid } from '../common/ids';

/** A node row with its owner's username, as the services and views use it. */
export interface NodeRecord extends ResourceVector {
  id: string;
  name: string;
  ownerId: string;
  ownerUsername: string;
  hostname: string;
  port: number;
  location: string;
  status: NodeStatus;
  dockerStatus: DockerStatus;
  creditScore: number;
  agentVersion: string;
  maxConcurrent: number;
  gpuName: string;
  availCpuMillicores: number;
  availMemoryMb: number;
  availStorageMb: number;
  availCpuScore: number;
  availGpuScore: number;
  availGpuMemoryMb: number;
  runningAttempts: number;
  lastHeartbeatAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  validRun: number;
  validResults: number;
  invalidResults: number;
  nodeFaults: number;
  disprovedClaims: number;
  lastFaultAt: Date | null;
  /** The owner is an admin. */
  operator: boolean;
}

/** What a heartbeat needs to know about a node, cached by NodeDirectory. */
export interface NodeCredentialRow {
  credentialHash: string | null;
  name: string;
  status: NodeStatus;
  ownerActive: boolean;
  creditScore: number;
  dockerStatus: DockerStatus;
}

const NODE_COLUMNS = `
  n.id, n.name, n.owner_id AS "ownerId", u.username AS "ownerUsername", n.hostname, n.port, n.location,
  n.status, n.docker_status AS "dockerStatus", n.credit_score AS "creditScore",
  n.agent_version AS "agentVersion", n.max_concurrent AS "maxConcurrent",
  n.cpu_millicores AS "cpuMillicores", n.memory_mb AS "memoryMb", n.storage_mb AS "storageMb",
  n.cpu_score AS "cpuScore", n.gpu_score AS "gpuScore", n.gpu_memory_mb AS "gpuMemoryMb", n.gpu_name AS "gpuName",
  n.avail_cpu_millicores AS "availCpuMillicores", n.avail_memory_mb AS "availMemoryMb",
  n.avail_storage_mb AS "availStorageMb", n.avail_cpu_score AS "availCpuScore",
  n.avail_gpu_score AS "availGpuScore", n.avail_gpu_memory_mb AS "availGpuMemoryMb",
  n.running_attempts AS "runningAttempts", n.last_heartbeat_at AS "lastHeartbeatAt",
  n.created_at AS "createdAt", n.updated_at AS "updatedAt", n.valid_run AS "validRun",
  n.valid_results AS "validResults", n.invalid_results AS "invalidResults", n.node_faults AS "nodeFaults",
  n.disproved_claims AS "disprovedClaims", n.last_fault_at AS "lastFaultAt", u.role = 'admin' AS "operator"`;
const NODES_WITH_OWNER = `nodes n JOIN users u ON u.id = n.owner_id`;

/** Ids come from tokens and Redis; only well-formed ones reach a `::uuid` cast. */

/** Node ids per DELETE when pruning history: each statement is a range scan of the primary key. */
const PRUNE_BATCH = 500;

/**
 * Reads and writes `nodes` (all but the capacity counters and credit score, which are
 * NodeCapacityRepository's) and `node_utilization`. Raw SQL: registration, liveness transitions
 * and the utilization flush are hot or need exact locking behaviour.
 */
@Injectable()
export class NodesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Inserts the node, or updates the caller's node of that name (its credit score untouched), and
   * locks the row until the transaction ends. Returns undefined when the name belongs to another
   * user: the conditional DO UPDATE makes "same owner?" and "update" one atomic step.
   * A re-registration keeps a node drained by an admin draining (a worker restart is not an undrain).
   * `now` is the pool's clock, the one heartbeats are timed with in Redis (see markOffline).
   */
  async upsertRegistration(
    manager: EntityManager,
    ownerId: string,
    spec: NodeSpec,
    creditScore: number,
    credentialHash: string,
    now: Date,
  ): Promise<{ id: string; created: boolean } | undefined> {
    const rows = await manager.query<{ id: string; created: boolean }[]>(
      `INSERT INTO nodes (name, owner_id, hostname, port, location, status, docker_status, credit_score,
         credential_hash, agent_version, max_concurrent, cpu_millicores, memory_mb, storage_mb, cpu_score,
         gpu_score, gpu_memory_mb, gpu_name, last_heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, 'online', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (name) DO UPDATE SET
         hostname = EXCLUDED.hostname, port = EXCLUDED.port, location = EXCLUDED.location,
         status = CASE WHEN nodes.status = 'draining' THEN 'draining' ELSE 'online' END,
         docker_status = EXCLUDED.docker_status, credential_hash = EXCLUDED.credential_hash,
         agent_version = EXCLUDED.agent_version, max_concurrent = EXCLUDED.max_concurrent,
         cpu_millicores = EXCLUDED.cpu_millicores, memory_mb = EXCLUDED.memory_mb,
         storage_mb = EXCLUDED.storage_mb, cpu_score = EXCLUDED.cpu_score, gpu_score = EXCLUDED.gpu_score,
         gpu_memory_mb = EXCLUDED.gpu_memory_mb, gpu_name = EXCLUDED.gpu_name,
         last_heartbeat_at = EXCLUDED.last_heartbeat_at, updated_at = now()
       WHERE nodes.owner_id = EXCLUDED.owner_id
       RETURNING id, (xmax = 0) AS created`,
      [
        spec.name,
        ownerId,
        spec.hostname,
        spec.port,
        spec.location,
        spec.dockerStatus,
        creditScore,
        credentialHash,
        spec.agentVersion,
        spec.maxConcurrent,
        spec.cpuMillicores,
        spec.memoryMb,
        spec.storageMb,
        spec.cpuScore,
        spec.gpuScore,
        spec.gpuMemoryMb,
        spec.gpuName,
        now.toISOString(),
      ],
    );
    return rows[0];
  }

  /**
   * offline → online (a heartbeat after the node was declared lost): one statement, no
   * transaction, and nothing at all for a node that is not offline. The free resources are not
   * rebuilt here: every writer keeps them in the transaction that changes an attempt (take,
   * giveBack — also while the node is offline), and a rebuild inside this one statement would read
   * the attempts from a snapshot taken before the row lock (READ COMMITTED), so an attempt ended
   * concurrently would be subtracted again. The reconciler's rebuildAll remains the safety net.
   */
  async markOnlineIfOffline(nodeId: string, now: Date): Promise<NodeRecord | undefined> {
    if (!isUuid(nodeId)) return undefined;
    const [rows] = await this.dataSource.query<[NodeRecord[], number]>(
      `UPDATE nodes n SET status = 'online', last_heartbeat_at = $2, updated_at = now()
         FROM users u
        WHERE n.id = $1 AND n.status = 'offline' AND u.id = n.owner_id
        RETURNING ${NODE_COLUMNS}`,
      [nodeId, now.toISOString()],
    );
    return rows[0];
  }

  /** Nodes PostgreSQL considers alive (online or draining): the liveness sweep's reference list. */
  async idsNotOffline(): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM nodes WHERE status <> 'offline'`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Declares silent nodes offline in one statement, recording when each was last seen. The guard
   * `last_heartbeat_at <= seen` skips a node that came back online (which writes a later
   * last_heartbeat_at, from the same clock as the Redis times) after the sweep read it as stale,
   * e.g. when two sweeps overlap.
   */
  async markOffline(
    stale: readonly { id: string; lastSeenMs: number }[],
  ): Promise<{ id: string; name: string }[]> {
    const valid = stale.filter((s) => isUuid(s.id));
    if (!valid.length) return [];
    const [rows] = await this.dataSource.query<[{ id: string; name: string }[], number]>(
      `UPDATE nodes n SET status = 'offline', last_heartbeat_at = v.seen, updated_at = now()
         FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, seen)
        WHERE n.id = v.id AND n.status <> 'offline'
          AND (n.last_heartbeat_at IS NULL OR n.last_heartbeat_at <= v.seen)
        RETURNING n.id, n.name`,
      [valid.map((s) => s.id), valid.map((s) => new Date(s.lastSeenMs).toISOString())],
    );
    return rows;
  }

  async findCredential(nodeId: string): Promise<NodeCredentialRow | undefined> {
    if (!isUuid(nodeId)) return undefined;
    const rows = await this.dataSource.query<NodeCredentialRow[]>(
      `SELECT n.credential_hash AS "credentialHash", n.name, n.status, (u.disabled_at IS NULL) AS "ownerActive",
              n.credit_score AS "creditScore", n.docker_status AS "dockerStatus"
         FROM ${NODES_WITH_OWNER} WHERE n.id = $1`,
      [nodeId],
    );
    return rows[0];
  }

  /**
   * CPT the node's attempts have earned its owner (their rewards, whole CPT). Read at registration
   * only, for the worker's own console: one aggregate per registration, never per heartbeat.
   */
  async cptEarned(nodeId: string): Promise<number> {
    if (!isUuid(nodeId)) return 0;
    const rows = await this.dataSource.query<{ earned: string }[]>(
      `SELECT COALESCE(SUM(reward), 0)::text AS earned FROM attempts WHERE node_id = $1`,
      [nodeId],
    );
    return Number(rows[0]?.earned ?? 0);
  }

  async findById(id: string, manager?: EntityManager): Promise<NodeRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await (manager ?? this.dataSource.manager).query<NodeRecord[]>(
      `SELECT ${NODE_COLUMNS} FROM ${NODES_WITH_OWNER} WHERE n.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** A page of nodes by name (keyset: after `afterName`), optionally by status and owner. */
  page(options: {
    limit: number;
    afterName?: string;
    status?: NodeStatus;
    ownerUsername?: string;
  }): Promise<NodeRecord[]> {
    return this.dataSource.query<NodeRecord[]>(
      `SELECT ${NODE_COLUMNS} FROM ${NODES_WITH_OWNER}
        WHERE ($1::varchar IS NULL OR n.status = $1)
          AND ($2::varchar IS NULL OR u.username = $2)
          AND ($3::varchar IS NULL OR n.name > $3)
        ORDER BY n.name LIMIT $4`,
      [options.status ?? null, options.ownerUsername ?? null, options.afterName ?? null, options.limit],
    );
  }

  /** Every node, by name (the seed's GetNodeList has no paging). */
  all(): Promise<NodeRecord[]> {
    return this.dataSource.query<NodeRecord[]>(
      `SELECT ${NODE_COLUMNS} FROM ${NODES_WITH_OWNER} ORDER BY n.name`,
    );
  }

  /** Moves a node from one status to another; false when it was not in `from`. */
  /** Ends the node's credential (and the client certificates bound to it); false when there is no such node. */
  async revokeCredential(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [rows] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE nodes SET credential_hash = NULL, updated_at = now() WHERE id = $1 RETURNING id`,
      [id],
    );
    return rows.length === 1;
  }

  async changeStatus(id: string, from: NodeStatus, to: NodeStatus): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [rows] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE nodes SET status = $3, updated_at = now() WHERE id = $1 AND status = $2 RETURNING id`,
      [id, from, to],
    );
    return rows.length === 1;
  }

  /**
   * Writes finished utilization buckets in one statement. A bucket already stored (a late
   * heartbeat's part of it, flushed after the rest) is merged as a sample-weighted average.
   * Buckets of nodes that no longer exist are skipped rather than failing the whole batch.
   */
  async upsertUtilization(rows: readonly BucketSums[]): Promise<number> {
    const valid = rows.filter((r) => isUuid(r.nodeId) && r.samples > 0);
    if (!valid.length) return 0;
    const stored = await this.dataSource.query<{ node_id: string }[]>(
      `INSERT INTO node_utilization (node_id, bucket, cpu_percent, memory_percent, running_attempts, samples)
       SELECT v.node_id, v.bucket, v.cpu, v.memory, v.running, v.samples
         FROM unnest($1::uuid[], $2::timestamptz[], $3::real[], $4::real[], $5::int[], $6::int[])
              AS v(node_id, bucket, cpu, memory, running, samples)
        WHERE EXISTS (SELECT 1 FROM nodes n WHERE n.id = v.node_id)
       ON CONFLICT (node_id, bucket) DO UPDATE SET
         cpu_percent = (node_utilization.cpu_percent * node_utilization.samples
                        + EXCLUDED.cpu_percent * EXCLUDED.samples) / (node_utilization.samples + EXCLUDED.samples),
         memory_percent = (node_utilization.memory_percent * node_utilization.samples
                        + EXCLUDED.memory_percent * EXCLUDED.samples) / (node_utilization.samples + EXCLUDED.samples),
         running_attempts = round((node_utilization.running_attempts * node_utilization.samples
                        + EXCLUDED.running_attempts * EXCLUDED.samples)::numeric
                        / (node_utilization.samples + EXCLUDED.samples)),
         samples = node_utilization.samples + EXCLUDED.samples
       RETURNING node_id`,
      [
        valid.map((r) => r.nodeId),
        valid.map((r) => new Date(r.bucketMs).toISOString()),
        valid.map((r) => r.cpuSum / r.samples),
        valid.map((r) => r.memorySum / r.samples),
        valid.map((r) => Math.round(r.runningSum / r.samples)),
        valid.map((r) => r.samples),
      ],
    );
    return stored.length;
  }

  /** A node's stored buckets since `since`, oldest first (a range scan of the primary key). */
  async utilization(nodeId: string, since: Date): Promise<UtilizationPoint[]> {
    const rows = await this.dataSource.query<
      {
        bucket: Date;
        cpu_percent: number;
        memory_percent: number;
        running_attempts: number;
        samples: number;
      }[]
    >(
      `SELECT bucket, cpu_percent, memory_percent, running_attempts, samples
         FROM node_utilization WHERE node_id = $1 AND bucket >= $2 ORDER BY bucket`,
      [nodeId, since.toISOString()],
    );
    return rows.map((r) => ({
      atMs: r.bucket.getTime(),
      cpuPercent: r.cpu_percent,
      memoryPercent: r.memory_percent,
      runningAttempts: r.running_attempts,
      samples: r.samples,
    }));
  }

  /**
   * Deletes buckets older than `before`. In batches of nodes rather than one DELETE: each
   * statement is a range scan of (node_id, bucket), so pruning needs no index on `bucket`
   * alone and never holds one long transaction over the whole table (old history rows are
   * independent; a prune interrupted halfway simply continues next time).
   */
  async pruneUtilization(before: Date): Promise<number> {
    const ids = (await this.dataSource.query<{ id: string }[]>(`SELECT id FROM nodes ORDER BY id`)).map(
      (r) => r.id,
    );
    let deleted = 0;
    for (let i = 0; i < ids.length; i += PRUNE_BATCH) {
      const [, count] = await this.dataSource.query<[unknown[], number]>(
        `DELETE FROM node_utilization WHERE node_id = ANY($1::uuid[]) AND bucket < $2`,
        [ids.slice(i, i + PRUNE_BATCH), before.toISOString()],
      );
      deleted += count;
    }
    return deleted;
  }
}
