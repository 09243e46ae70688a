import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type DockerStatus,
  type HeldResources,
  type NodeResourcesView,
  type NodeStatus,
} from '@hivemind/contracts';
import { inTransaction, updateReturning } from '../common/transaction';

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

  /** The online nodes, read (not locked) as the snapshot a placement batch places against. */
  online(m: EntityManager): Promise<NodeCapacityRow[]> {
    return m.query<NodeCapacityRow[]>(
      `SELECT id, name, status, docker_status, credit_score, location, gpu_name, cpu_millicores, memory_mb,
         storage_mb, cpu_score, gpu_score, gpu_memory_mb, avail_cpu_millicores, avail_memory_mb,
         avail_storage_mb, avail_gpu_memory_mb, running_attempts, max_concurrent
       FROM nodes WHERE status = 'online'`,
    );
  }

  /**
   * Takes capacity for a batch, node by node, through one guarded UPDATE that refuses to go below
   * zero or past the attempt slots (another replica may have used the capacity since the snapshot).
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
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[]) AS d(id, cpu, mem, sto, gmem, cnt)
       WHERE n.id = d.id AND n.status = 'online'
         AND n.avail_cpu_millicores >= d.cpu AND n.avail_memory_mb >= d.mem
         AND n.avail_storage_mb >= d.sto AND n.avail_gpu_memory_mb >= d.gmem
         AND n.running_attempts + d.cnt <= n.max_concurrent
       RETURNING n.id`,
      [
        ids,
        sorted.map((t) => t.cpuMillicores),
        sorted.map((t) => t.memoryMb),
        sorted.map((t) => t.storageMb),
        sorted.map((t) => t.gpuMemoryMb),
        sorted.map((t) => t.attempts),
      ],
    );
    return new Set(updated.map((r) => r.id));
  }

  /** Gives an ended attempt's allocation and slot back to its node, and moves its credit score. */
  async giveBack(m: EntityManager, nodeId: string, held: HeldResources, creditDelta: number): Promise<void> {
    await m.query(
      `UPDATE nodes SET avail_cpu_millicores = avail_cpu_millicores + $2, avail_memory_mb = avail_memory_mb + $3,
         avail_storage_mb = avail_storage_mb + $4, avail_gpu_memory_mb = avail_gpu_memory_mb + $5,
         running_attempts = greatest(running_attempts - 1, 0), credit_score = greatest(credit_score + $6, 0),
         updated_at = now()
       WHERE id = $1`,
      [nodeId, held.cpuMillicores, held.memoryMb, held.storageMb, held.gpuMemoryMb, creditDelta],
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
          avail_gpu_memory_mb, running_attempts) =
         (SELECT n.cpu_millicores - COALESCE(SUM(a.alloc_cpu_millicores), 0),
                 n.memory_mb - COALESCE(SUM(a.alloc_memory_mb), 0),
                 n.storage_mb - COALESCE(SUM(a.alloc_storage_mb), 0),
                 n.cpu_score - COALESCE(SUM(a.alloc_cpu_score), 0),
                 n.gpu_score - COALESCE(SUM(a.alloc_gpu_score), 0),
                 n.gpu_memory_mb - COALESCE(SUM(a.alloc_gpu_memory_mb), 0),
                 COUNT(a.id)
            FROM attempts a
           WHERE a.node_id = n.id AND a.state IN ('ASSIGNED', 'RUNNING'))
       WHERE n.id = $1`,
      [nodeId],
    );
  }

  /**
   * Available = total − the allocations of live attempts, for every node; returns how many nodes
   * were off. The node rows are locked first (in id order, like every writer), so no allocation or
   * completion is half-way meanwhile.
   */
  rebuildAll(): Promise<number> {
    return inTransaction(this.dataSource, async (m) => {
      await m.query(`SELECT id FROM nodes ORDER BY id FOR UPDATE`);
      const fixed = await updateReturning<{ id: string }>(
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
           GROUP BY n2.id
         ) l
         WHERE n.id = l.id AND (n.avail_cpu_millicores, n.avail_memory_mb, n.avail_storage_mb, n.avail_gpu_memory_mb,
           n.running_attempts) IS DISTINCT FROM
           (n.cpu_millicores - l.cpu, n.memory_mb - l.mem, n.storage_mb - l.sto, n.gpu_memory_mb - l.gmem, l.cnt::int)
         RETURNING n.id`,
      );
      return fixed.length;
    });
  }
}
