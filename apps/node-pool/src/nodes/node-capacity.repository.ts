import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type DockerStatus,
  type HeldResources,
  type NodeResourcesView,
  type NodeStatus,
  PROBATION_RUN,
  PROBATION_SLOTS,
} from '@hivemind/contracts';
import { inTransaction, updateReturning } from '../common/transaction';

/** Nodes rebuilt per transaction by `rebuildAll` (the rows it locks at once). */
export const REBUILD_CHUNK = 1000;

/** An online node as placement reads it: what it is, what it has, what it has free. */
export interface NodeCapacityRow extends NodeResourcesView {
  id: string;
  name: string;
  status: NodeStatus;
  docker_status: DockerStatus;
  credit_score: number;
  location: string;
  gpu_name: string;
  avail_cpu_millicores: number;
  avail_memory_mb: number;
  avail_storage_mb: number;
  avail_gpu_memory_mb: number;
  running_attempts: number;
  max_concurrent: number;
  owner_id: string;
  valid_run: number;
  /** The owner is an admin: the operator's own machine. */
  operator: boolean;
  /** A node fault within RELIABILITY_COOLDOWN_S. */
  recent_fault: boolean;
}

/** What validation does to a node's standing: the sum of its results' verdicts in one settlement. */
export interface StandingChange {
  nodeId: string;
  creditDelta: number;
  valid: number;
  invalid: number;
  /** Reset the run of valid results (an invalid result), else extend it by `valid`. */
  resetRun: boolean;
}

/** What one placement batch takes of one node: the sum of its new attempts' allocations. */
export interface NodeTake extends HeldResources {
  nodeId: string;
  attempts: number;
}

/**
 * The only code that writes a node's capacity counters (`avail_*`, `running_attempts`) and its
 * credit score: placement takes capacity, an attempt's end gives it back, and the counters are
 * rebuilt from the live attempts' allocations (the truth) on registration, on coming back online
 * and by the reconciler. Node rows are always locked in id order (docs/scheduling.md), so passes,
 * settlements and rebuilds on any replica cannot deadlock over them.
 */
@Injectable()
export class NodeCapacityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The snapshot placement places against, read (not locked) outside any batch's transaction:
   * every online node, or — with `since` — the nodes changed after it (whatever their status: those
   * no longer online leave the snapshot) and the nodes `reread` names. A row counts as changed when
   * its `updated_at` is after `since.at` (the index narrows the search to recent changes) and the
   * version read was not visible to the previous read (`since.snapshot`, PostgreSQL's
   * pg_snapshot): a row the previous read already saw is not sent again. `readAt`, `snapshot` and
   * `changesFrom` (what the next read's `since.at` can be) describe this read, for the next one.
   */
  async snapshot(
    faultCooldownS: number,
    since?: { at: Date; snapshot: string },
    reread: readonly string[] = [],
  ): Promise<{ rows: NodeCapacityRow[]; readAt: Date; snapshot: string; changesFrom?: Date }> {
    // a row's xmin (32 bits) widened to the xid8 of the epoch it belongs to: never newer than xmax
    const changed = `NOT pg_visible_in_snapshot(
         (CASE WHEN n.xmin::text::bigint <= (meta.xmax & 4294967295) THEN (meta.xmax >> 32) << 32
               ELSE ((meta.xmax >> 32) - 1) << 32 END | n.xmin::text::bigint)::text::xid8,
         $3::pg_snapshot)`;
    // One statement, so one snapshot for the clock, the pg_snapshot (the statement's own), the open
    // transactions and the rows; the LEFT JOIN answers the clock even when no row changed.
    // changes_from: the start of the oldest transaction that has written and not ended (a row it
    // stamps commits later, stamped after that) — unknown when another role's sessions are hidden.
    const found = await this.dataSource.query<
      (Partial<NodeCapacityRow> & { read_at: Date; snapshot: string; changes_from: Date | null })[]
    >(
      `WITH meta AS (
         SELECT statement_timestamp() AS read_at, pg_current_snapshot()::text AS snapshot,
           pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,
           (SELECT CASE WHEN count(*) FILTER (WHERE state IS NULL AND backend_type = 'client backend') > 0
                   THEN NULL
                   ELSE least(statement_timestamp(), min(xact_start) FILTER (WHERE backend_xid IS NOT NULL)) END
              FROM pg_stat_activity) AS changes_from)
       SELECT meta.read_at, meta.snapshot, meta.changes_from, r.*
       FROM meta LEFT JOIN LATERAL (
         SELECT n.id, n.name, n.status, n.docker_status, n.credit_score, n.location, n.gpu_name, n.cpu_millicores,
           n.memory_mb, n.storage_mb, n.cpu_score, n.gpu_score, n.gpu_memory_mb, n.avail_cpu_millicores,
           n.avail_memory_mb, n.avail_storage_mb, n.avail_gpu_memory_mb, n.running_attempts, n.max_concurrent,
           n.owner_id, n.valid_run, u.role = 'admin' AS operator,
           coalesce(n.last_fault_at > now() - make_interval(secs => $1), false) AS recent_fault
         FROM nodes n JOIN users u ON u.id = n.owner_id
         WHERE ${
           since ? `(n.updated_at > $2 AND ${changed}) OR n.id = ANY($4::uuid[])` : `n.status = 'online'`
         }) r ON true`,
      since ? [faultCooldownS, since.at.toISOString(), since.snapshot, [...reread]] : [faultCooldownS],
    );
    const [meta] = found;
    return {
      rows: found.filter((r): r is typeof r & NodeCapacityRow => r.id !== null && r.id !== undefined),
      readAt: new Date(meta.read_at),
      snapshot: meta.snapshot,
      ...(meta.changes_from ? { changesFrom: new Date(meta.changes_from) } : {}),
    };
  }

  /**
   * Locks these nodes in id order (the one order every writer of nodes uses), for a caller that
   * writes each of them next; one node alone needs no statement of its own: the caller's first
   * write locks it.
   */
  async lockInOrder(m: EntityManager, nodeIds: readonly string[]): Promise<void> {
    const ids = [...new Set(nodeIds)].sort();
    if (ids.length < 2) return;
    await m.query(`SELECT id FROM nodes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  /**
   * Takes capacity for a batch, node by node, through one guarded UPDATE that refuses to go below
   * zero or past the attempt slots — a node on probation has PROBATION_SLOTS at most (placement.ts
   * `slotsOf`) — since another replica may have used the capacity since the snapshot.
   * Returns the nodes that granted their take; the others' allocations are to be dropped.
   */
  async take(m: EntityManager, takes: readonly NodeTake[]): Promise<Set<string>> {
    const sorted = [...takes].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    const ids = sorted.map((t) => t.nodeId);
    // lock the nodes in one order (id) so that concurrent passes and completions cannot deadlock
    await m.query(`SELECT id FROM nodes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
    const updated = await updateReturning<{ id: string }>(
      m,
      `UPDATE nodes n SET
         avail_cpu_millicores = n.avail_cpu_millicores - d.cpu,
         avail_memory_mb = n.avail_memory_mb - d.mem,
         avail_storage_mb = n.avail_storage_mb - d.sto,
         avail_gpu_memory_mb = n.avail_gpu_memory_mb - d.gmem,
         running_attempts = n.running_attempts + d.cnt,
         updated_at = now()
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[]) AS d(id, cpu, mem, sto, gmem, cnt),
         users u
       WHERE n.id = d.id AND u.id = n.owner_id AND n.status = 'online'
         AND n.avail_cpu_millicores >= d.cpu AND n.avail_memory_mb >= d.mem
         AND n.avail_storage_mb >= d.sto AND n.avail_gpu_memory_mb >= d.gmem
         AND n.running_attempts + d.cnt <= CASE WHEN u.role <> 'admin' AND n.valid_run < $7
           THEN LEAST(n.max_concurrent, $8) ELSE n.max_concurrent END
       RETURNING n.id`,
      [
        ids,
        sorted.map((t) => t.cpuMillicores),
        sorted.map((t) => t.memoryMb),
        sorted.map((t) => t.storageMb),
        sorted.map((t) => t.gpuMemoryMb),
        sorted.map((t) => t.attempts),
        PROBATION_RUN,
        PROBATION_SLOTS,
      ],
    );
    return new Set(updated.map((r) => r.id));
  }

  /**
   * Gives an ended attempt's allocation and slot back to its node; a fault (a lost attempt, a crash)
   * and a claim a task disproved are counted against its reliability, never its credit score.
   */
  async giveBack(
    m: EntityManager,
    nodeId: string,
    held: HeldResources,
    fault: boolean,
    disprovedClaim: boolean,
  ): Promise<void> {
    await m.query(
      `UPDATE nodes SET avail_cpu_millicores = avail_cpu_millicores + $2, avail_memory_mb = avail_memory_mb + $3,
         avail_storage_mb = avail_storage_mb + $4, avail_gpu_memory_mb = avail_gpu_memory_mb + $5,
         running_attempts = greatest(running_attempts - 1, 0),
         node_faults = node_faults + CASE WHEN $6 THEN 1 ELSE 0 END,
         last_fault_at = CASE WHEN $6 THEN now() ELSE last_fault_at END,
         disproved_claims = disproved_claims + CASE WHEN $7 THEN 1 ELSE 0 END,
         updated_at = now()
       WHERE id = $1`,
      [nodeId, held.cpuMillicores, held.memoryMb, held.storageMb, held.gpuMemoryMb, fault, disprovedClaim],
    );
  }

  /** Validation's verdicts on nodes' results: credit score, valid/invalid counts, the run (nodes locked). */
  async changeStanding(m: EntityManager, changes: readonly StandingChange[]): Promise<void> {
    if (changes.length === 0) return;
    await m.query(
      `UPDATE nodes n SET credit_score = greatest(n.credit_score + d.credit, 0),
         valid_results = n.valid_results + d.valid, invalid_results = n.invalid_results + d.invalid,
         valid_run = CASE WHEN d.reset THEN 0 ELSE n.valid_run + d.valid END, updated_at = now()
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::bool[]) AS d(id, credit, valid, invalid, reset)
       WHERE n.id = d.id`,
      [
        changes.map((c) => c.nodeId),
        changes.map((c) => c.creditDelta),
        changes.map((c) => c.valid),
        changes.map((c) => c.invalid),
        changes.map((c) => c.resetRun),
      ],
    );
  }

  /**
   * Rebuilds the node's `avail_*` and `running_attempts` caches from the allocations of its live
   * attempts (the truth), in one statement. Call it with the node row already locked, as a separate
   * statement: under READ COMMITTED it then reads every attempt committed before the lock was
   * taken, and a placement that allocates on this node waits for our lock and subtracts from the
   * rebuilt figures, so nothing is counted twice or missed. (The avail figures go negative when a
   * node comes back smaller than what it still runs: honest, and nothing more fits on it.)
   */
  async recompute(manager: EntityManager, nodeId: string): Promise<void> {
    await manager.query(
      `UPDATE nodes n SET
         (avail_cpu_millicores, avail_memory_mb, avail_storage_mb, avail_cpu_score, avail_gpu_score,
          avail_gpu_memory_mb, running_attempts, updated_at) =
         (SELECT n.cpu_millicores - COALESCE(SUM(a.alloc_cpu_millicores), 0),
                 n.memory_mb - COALESCE(SUM(a.alloc_memory_mb), 0),
                 n.storage_mb - COALESCE(SUM(a.alloc_storage_mb), 0),
                 n.cpu_score - COALESCE(SUM(a.alloc_cpu_score), 0),
                 n.gpu_score - COALESCE(SUM(a.alloc_gpu_score), 0),
                 n.gpu_memory_mb - COALESCE(SUM(a.alloc_gpu_memory_mb), 0),
                 COUNT(a.id), now()
            FROM attempts a
           WHERE a.node_id = n.id AND a.state IN ('ASSIGNED', 'RUNNING'))
       WHERE n.id = $1`,
      [nodeId],
    );
  }

  /**
   * Available = total − the allocations of live attempts, for every node; returns how many nodes
   * were off. In chunks of `chunk` nodes in id order, one transaction each: a chunk's node rows are
   * locked first (in id order, like every writer), so no allocation or completion on them is
   * half-way meanwhile — and at 100,000 nodes no placement or completion waits for the whole
   * cluster's rebuild, only for its own chunk's (a node's counters depend on its attempts alone).
   */
  async rebuildAll(chunk = REBUILD_CHUNK): Promise<number> {
    let fixed = 0;
    let after: string | undefined;
    for (;;) {
      const done = await inTransaction(this.dataSource, async (m) => {
        const ids = (
          await m.query<{ id: string }[]>(
            `SELECT id FROM nodes ${after ? 'WHERE id > $2' : ''} ORDER BY id LIMIT $1 FOR UPDATE`,
            after ? [chunk, after] : [chunk],
          )
        ).map((r) => r.id);
        if (ids.length === 0) return { fixed: 0, last: undefined, more: false };
        const rows = await updateReturning<{ id: string }>(
          m,
          `UPDATE nodes n SET
             avail_cpu_millicores = n.cpu_millicores - l.cpu, avail_memory_mb = n.memory_mb - l.mem,
             avail_storage_mb = n.storage_mb - l.sto, avail_gpu_memory_mb = n.gpu_memory_mb - l.gmem,
             avail_cpu_score = n.cpu_score, avail_gpu_score = n.gpu_score,
             running_attempts = l.cnt, updated_at = now()
           FROM (
             SELECT n2.id, coalesce(sum(a.alloc_cpu_millicores), 0) AS cpu, coalesce(sum(a.alloc_memory_mb), 0) AS mem,
               coalesce(sum(a.alloc_storage_mb), 0) AS sto, coalesce(sum(a.alloc_gpu_memory_mb), 0) AS gmem,
               count(a.id) AS cnt
             FROM nodes n2 LEFT JOIN attempts a ON a.node_id = n2.id AND a.state IN ('ASSIGNED', 'RUNNING')
             WHERE n2.id = ANY($1::uuid[])
             GROUP BY n2.id
           ) l
           WHERE n.id = l.id AND (n.avail_cpu_millicores, n.avail_memory_mb, n.avail_storage_mb, n.avail_gpu_memory_mb,
             n.running_attempts) IS DISTINCT FROM
             (n.cpu_millicores - l.cpu, n.memory_mb - l.mem, n.storage_mb - l.sto, n.gpu_memory_mb - l.gmem, l.cnt::int)
           RETURNING n.id`,
          [ids],
        );
        return { fixed: rows.length, last: ids[ids.length - 1], more: ids.length === chunk };
      });
      fixed += done.fixed;
      if (!done.more) return fixed;
      after = done.last;
    }
  }
}
