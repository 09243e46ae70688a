import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type DockerStatus, type NodeStatus } from '@hivemind/contracts';
import { NodePoolConfig } from '../config/node-pool.config';
import { inTransaction, updateReturning } from '../common/transaction';
import { DispatchService } from './dispatch.service';
import { type NodeCandidate, type Resources, type ShardDemand, placeShard } from './placement';

/** Shards read (and row-locked) per transaction of a pass. */
const BATCH = 500;
/** A pass stops after looking at this many queued shards (the next pass goes on). */
const MAX_SCAN = 50_000;

interface NodeRow {
  id: string;
  name: string;
  status: NodeStatus;
  docker_status: DockerStatus;
  credit_score: number;
  location: string;
  gpu_name: string;
  cpu_millicores: number;
  memory_mb: number;
  storage_mb: number;
  cpu_score: number;
  gpu_score: number;
  gpu_memory_mb: number;
  avail_cpu_millicores: number;
  avail_memory_mb: number;
  avail_storage_mb: number;
  avail_gpu_memory_mb: number;
  running_attempts: number;
  max_concurrent: number;
}

interface QueuedShardRow {
  id: string;
  task_id: string;
  priority: number;
  queued_at: Date;
  wait_reason: string | null;
  req_cpu_millicores: number;
  req_memory_mb: number;
  req_storage_mb: number;
  req_cpu_score: number;
  req_gpu_score: number;
  req_gpu_memory_mb: number;
  req_gpu_name: string | null;
  location: string | null;
  target_node_id: string | null;
  trust_score: number;
}

interface Allocation {
  shard: QueuedShardRow;
  node: NodeCandidate;
  demand: Resources;
}

export interface PassReport {
  scanned: number;
  placed: number;
  /** Allocations dropped because another replica took the capacity first (a new pass is due). */
  raced: number;
}

/**
 * The placement pass: takes queued shards in queue order (priority, then FIFO) with
 * `FOR UPDATE SKIP LOCKED` — so replicas running passes at once never take the same shard — fits
 * each on a node by the placement rules, and writes the allocations in the same transaction:
 * attempts with fresh fencing tokens, shard states, and the nodes' available counters through a
 * guarded UPDATE that refuses to go below zero (another replica may have used the capacity). A
 * shard that does not fit keeps its place and says why it waits; the shards behind it still get
 * their chance (backfill). The queue's order lives in PostgreSQL (idx_shards_queue); Bull only
 * carries the requests for a pass.
 */
@Injectable()
export class SchedulerService {
  private readonly logger = new Logger(SchedulerService.name);
  /** round-robin: the last node used, by name. */
  private lastNodeName = '';

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: NodePoolConfig,
    private readonly dispatch: DispatchService,
  ) {}

  async runPass(): Promise<PassReport> {
    const report: PassReport = { scanned: 0, placed: 0, raced: 0 };
    let cursor: { priority: number; queuedAt: Date; id: string } | undefined;
    while (report.scanned < MAX_SCAN) {
      const batch = await inTransaction(this.db, (m) => this.placeBatch(m, cursor));
      report.scanned += batch.scanned;
      report.placed += batch.attemptIds.length;
      report.raced += batch.raced;
      if (batch.attemptIds.length) await this.dispatch.sendAssigned(batch.attemptIds);
      if (batch.scanned < BATCH || !batch.capacityLeft || !batch.last) break;
      cursor = batch.last;
    }
    if (report.placed || report.raced) {
      this.logger.debug(
        `placement pass: ${report.placed} placed, ${report.scanned} scanned, ${report.raced} raced`,
      );
    }
    return report;
  }

  private async placeBatch(m: EntityManager, cursor?: { priority: number; queuedAt: Date; id: string }) {
    const nodes = (
      await m.query<NodeRow[]>(
        `SELECT id, name, status, docker_status, credit_score, location, gpu_name, cpu_millicores, memory_mb,
           storage_mb, cpu_score, gpu_score, gpu_memory_mb, avail_cpu_millicores, avail_memory_mb,
           avail_storage_mb, avail_gpu_memory_mb, running_attempts, max_concurrent
         FROM nodes WHERE status = 'online'`,
      )
    ).map(toCandidate);
    // without free capacity the batch is still read, to keep the head of the queue's wait reasons true
    const free = () => nodes.some((n) => n.runningAttempts < n.maxConcurrent);

    const shards = await m.query<QueuedShardRow[]>(
      `SELECT s.id, s.task_id, s.priority, s.queued_at, s.wait_reason, t.req_cpu_millicores, t.req_memory_mb,
         t.req_storage_mb, t.req_cpu_score, t.req_gpu_score, t.req_gpu_memory_mb, t.req_gpu_name, t.location,
         t.target_node_id, u.trust_score
       FROM shards s JOIN tasks t ON t.id = s.task_id JOIN users u ON u.id = t.user_id
       WHERE s.state = 'QUEUED'
         ${cursor ? `AND (s.priority < $2 OR (s.priority = $2 AND (s.queued_at, s.id) > ($3, $4)))` : ''}
       ORDER BY s.priority DESC, s.queued_at, s.id
       LIMIT $1
       FOR UPDATE OF s SKIP LOCKED`,
      cursor ? [BATCH, cursor.priority, cursor.queuedAt, cursor.id] : [BATCH],
    );
    const allocations: Allocation[] = [];
    const waits = new Map<string, string>();
    for (const shard of shards) {
      const demand = toDemand(shard);
      const eligible = shard.target_node_id ? nodes.filter((n) => n.id === shard.target_node_id) : nodes;
      const placement = placeShard(demand, eligible, this.config.scheduling.strategy, this.lastNodeName);
      if ('waiting' in placement) {
        const reason = shard.target_node_id
          ? `dispatched to one node: ${placement.waiting}`
          : placement.waiting;
        if (reason !== shard.wait_reason) waits.set(shard.id, reason.slice(0, 255));
        continue;
      }
      const node = placement.node;
      allocations.push({ shard, node, demand: demand.resources });
      this.lastNodeName = node.name;
      // the rest of this batch sees the node as it will be after this allocation
      node.runningAttempts += 1;
      node.available.cpuMillicores -= demand.resources.cpuMillicores;
      node.available.memoryMb -= demand.resources.memoryMb;
      node.available.storageMb -= demand.resources.storageMb;
      node.available.gpuMemoryMb -= demand.resources.gpuMemoryMb;
    }

    const { attemptIds, raced } = await this.allocate(m, allocations);
    if (waits.size) {
      await m.query(
        `UPDATE shards s SET wait_reason = d.reason FROM unnest($1::uuid[], $2::text[]) AS d(id, reason)
         WHERE s.id = d.id`,
        [[...waits.keys()], [...waits.values()]],
      );
    }
    const last = shards[shards.length - 1];
    return {
      scanned: shards.length,
      attemptIds,
      raced,
      capacityLeft: free(),
      last: last ? { priority: last.priority, queuedAt: last.queued_at, id: last.id } : undefined,
    };
  }

  /** Writes the allocations; those on a node whose capacity another replica took are dropped. */
  private async allocate(
    m: EntityManager,
    allocations: Allocation[],
  ): Promise<{ attemptIds: string[]; raced: number }> {
    if (allocations.length === 0) return { attemptIds: [], raced: 0 };
    const perNode = new Map<string, { cpu: number; mem: number; sto: number; gmem: number; count: number }>();
    for (const a of allocations) {
      const t = perNode.get(a.node.id) ?? { cpu: 0, mem: 0, sto: 0, gmem: 0, count: 0 };
      t.cpu += a.demand.cpuMillicores;
      t.mem += a.demand.memoryMb;
      t.sto += a.demand.storageMb;
      t.gmem += a.demand.gpuMemoryMb;
      t.count += 1;
      perNode.set(a.node.id, t);
    }
    const ids = [...perNode.keys()].sort();
    // lock the nodes in one order (id) so that concurrent passes and completions cannot deadlock
    await m.query(`SELECT id FROM nodes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
    const totals = ids.map((id) => perNode.get(id)!);
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
        totals.map((t) => t.cpu),
        totals.map((t) => t.mem),
        totals.map((t) => t.sto),
        totals.map((t) => t.gmem),
        totals.map((t) => t.count),
      ],
    );
    const granted = new Set(updated.map((r) => r.id));
    const kept = allocations.filter((a) => granted.has(a.node.id));
    const raced = allocations.length - kept.length;
    if (kept.length === 0) return { attemptIds: [], raced };

    const shardIds = kept.map((a) => a.shard.id);
    await m.query(
      `UPDATE shards SET state = 'ASSIGNED', attempts_count = attempts_count + 1, wait_reason = NULL,
         updated_at = now() WHERE id = ANY($1::uuid[])`,
      [shardIds],
    );
    const attempts = await m.query<{ id: string }[]>(
      `INSERT INTO attempts (shard_id, task_id, node_id, attempt_number, fencing_token, alloc_cpu_millicores,
         alloc_memory_mb, alloc_storage_mb, alloc_gpu_memory_mb)
       SELECT s.id, s.task_id, d.node_id, s.attempts_count, nextval('attempt_fencing_tokens'), d.cpu, d.mem, d.sto, d.gmem
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::int[], $6::int[])
         AS d(shard_id, node_id, cpu, mem, sto, gmem)
       JOIN shards s ON s.id = d.shard_id
       RETURNING id`,
      [
        shardIds,
        kept.map((a) => a.node.id),
        kept.map((a) => a.demand.cpuMillicores),
        kept.map((a) => a.demand.memoryMb),
        kept.map((a) => a.demand.storageMb),
        kept.map((a) => a.demand.gpuMemoryMb),
      ],
    );
    await m.query(
      `UPDATE tasks SET status = 'RUNNING', started_at = coalesce(started_at, now()), updated_at = now()
       WHERE id = ANY($1::uuid[]) AND status = 'QUEUED'`,
      [[...new Set(kept.map((a) => a.shard.task_id))]],
    );
    return { attemptIds: attempts.map((a) => a.id), raced };
  }
}

function toCandidate(n: NodeRow): NodeCandidate {
  return {
    id: n.id,
    name: n.name,
    status: n.status,
    docker: n.docker_status,
    creditScore: n.credit_score,
    location: n.location,
    gpuName: n.gpu_name,
    total: {
      cpuMillicores: n.cpu_millicores,
      memoryMb: n.memory_mb,
      storageMb: n.storage_mb,
      cpuScore: n.cpu_score,
      gpuScore: n.gpu_score,
      gpuMemoryMb: n.gpu_memory_mb,
    },
    // scores describe the node's speed; they are thresholds, not consumed by attempts
    available: {
      cpuMillicores: n.avail_cpu_millicores,
      memoryMb: n.avail_memory_mb,
      storageMb: n.avail_storage_mb,
      cpuScore: n.cpu_score,
      gpuScore: n.gpu_score,
      gpuMemoryMb: n.avail_gpu_memory_mb,
    },
    runningAttempts: n.running_attempts,
    maxConcurrent: n.max_concurrent,
  };
}

function toDemand(s: QueuedShardRow): ShardDemand {
  return {
    resources: {
      cpuMillicores: s.req_cpu_millicores,
      memoryMb: s.req_memory_mb,
      storageMb: s.req_storage_mb,
      cpuScore: s.req_cpu_score,
      gpuScore: s.req_gpu_score,
      gpuMemoryMb: s.req_gpu_memory_mb,
    },
    gpuName: s.req_gpu_name ?? undefined,
    location: s.location ?? undefined,
    userTrust: s.trust_score,
  };
}
