import { Injectable, Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { ADAPTIVE_TRUST_RUN } from '@hivemind/contracts';
import { NodePoolConfig } from '../config/node-pool.config';
import { NodeCapacityRepository, type NodeTake } from '../nodes/node-capacity.repository';
import { AttemptsRepository, type ShardReplicaRow } from './attempts.repository';
import { DispatchService } from './dispatch.service';
import { type NodeIndex } from './node-index';
import {
  type NodeCandidate,
  type Placement,
  type Resources,
  type ShardDemand,
  placeShard,
} from './placement';
import { PlacementNodes } from './placement-nodes';
import {
  type QueueCursor,
  type QueuedShardRow,
  type ShardPlacement,
  ShardsRepository,
} from './shards.repository';
import { TaskStateRepository } from './task-state.repository';
import { Transactions } from './transactions';
import { adaptiveQuorum } from './validation';

/** Shards read (and row-locked) per transaction of a pass. */
const BATCH = 500;
/** A pass stops after looking at this many queued shards (the next pass goes on). */
const MAX_SCAN = 50_000;
/**
 * Wait reasons worked out per batch (each looks at every node of the snapshot); past these, a
 * shard that fits nowhere keeps the reason it has (it waits just the same).
 */
const EXPLAINED_PER_BATCH = 16;

interface Allocation {
  shard: QueuedShardRow;
  node: NodeCandidate;
  demand: Resources;
  replica: number;
}

/** What a batch decided for one shard's replicas, before the allocations are granted. */
interface ShardPlan {
  shard: QueuedShardRow;
  toPlace: number;
  quorum: number;
  wanted: number;
  hasResults: boolean;
  /** Why the replicas not placed wait (null when all were). */
  waiting: string | null;
  /** Replicas already placed or in (for the wait reason's count). */
  before: number;
}

/** A queued shard's replicas so far: owners that hold one, live replica numbers, results in. */
interface ReplicasSoFar {
  owners: Set<string>;
  liveReplicas: Set<number>;
  live: number;
  results: number;
}

/** A pass that learnt, before its first write, that placement is paused: it rolled back. */
export class PlacementPaused extends Error {
  constructor() {
    super('placement is paused');
  }
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
  /** Adaptive validation's spot-checks draw from this (a test may seed it). */
  random: () => number = Math.random;

  constructor(
    private readonly tx: Transactions,
    private readonly config: NodePoolConfig,
    private readonly dispatch: DispatchService,
    private readonly capacity: NodeCapacityRepository,
    private readonly nodes: PlacementNodes,
    private readonly shards: ShardsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly tasks: TaskStateRepository,
  ) {}

  /**
   * Batches back to back; a batch's dispatch (after its commit) runs while the next batch places,
   * one dispatch in flight at a time. A batch's snapshot delta (PlacementNodes) is read on a
   * connection of its own while the batch's transaction locks its shards: an idle submission's pass
   * does not wait for one round trip before the other. `go`: whether placement may write (asked of
   * Redis meanwhile by an idle replica's runner); each batch awaits it before its first write, and
   * a "no" rolls the batch back and rejects with PlacementPaused.
   */
  async runPass(go?: Promise<boolean>): Promise<PassReport> {
    const report: PassReport = { scanned: 0, placed: 0, raced: 0 };
    let cursor: QueueCursor | undefined;
    let dispatching: Promise<void> = Promise.resolve();
    let dispatchError: Error | undefined;
    try {
      while (report.scanned < MAX_SCAN) {
        // the snapshot's delta is read while the batch's transaction begins and locks its shards
        const index = this.nodes.current();
        index.catch(() => undefined); // a batch that fails before awaiting it reports its own error
        const batch = await this.tx
          .run((m) => this.placeBatch(m, index, cursor, go))
          .catch((error: unknown) => {
            // the batch changed the snapshot's figures for allocations that were rolled back
            this.nodes.invalidate();
            throw error;
          });
        report.scanned += batch.scanned;
        report.placed += batch.attemptIds.length;
        report.raced += batch.raced;
        if (batch.attemptIds.length) {
          await dispatching;
          dispatching = this.dispatch.sendAssigned(batch.attemptIds).catch((error: unknown) => {
            dispatchError ??= error instanceof Error ? error : new Error(String(error));
          });
        }
        if (batch.scanned < BATCH || !batch.capacityLeft || !batch.last) break;
        cursor = batch.last;
      }
    } finally {
      await dispatching;
    }
    // the reconciler sends again what stayed ASSIGNED without being sent
    if (dispatchError) throw dispatchError;
    if (report.placed || report.raced) {
      this.logger.debug(
        `placement pass: ${report.placed} placed, ${report.scanned} scanned, ${report.raced} raced`,
      );
    }
    return report;
  }

  private async placeBatch(
    m: EntityManager,
    indexRead: Promise<NodeIndex>,
    cursor: QueueCursor | undefined,
    go: Promise<boolean> | undefined,
  ) {
    // without free capacity the batch is still read, to keep the head of the queue's wait reasons true
    const shards = await this.shards.lockQueued(m, BATCH, cursor);
    const sofar = replicasSoFar(
      await this.attempts.replicasOf(
        m,
        shards.filter((s) => s.attempts_count > 0).map((s) => s.id),
      ),
    );
    const index = await indexRead;
    const allocations: Allocation[] = [];
    const plans: ShardPlan[] = [];
    const waits = new Map<string, string>();
    // capacity only shrinks during a batch: a demand that found no node finds none later in it
    const unplaceable = new Map<string, string>();
    const explaining = { left: EXPLAINED_PER_BATCH };
    for (const shard of shards) {
      const had = sofar.get(shard.id) ?? { owners: new Set(), liveReplicas: new Set(), live: 0, results: 0 };
      const demand: ShardDemand = { ...toDemand(shard), excludedOwners: had.owners };
      const plan: ShardPlan = {
        shard,
        quorum: shard.quorum,
        wanted: shard.replicas_wanted,
        toPlace: shard.replicas_wanted - had.live - had.results,
        hasResults: had.results > 0,
        waiting: null,
        before: had.live + had.results,
      };
      let placed = 0;
      while (placed < plan.toPlace) {
        const placement = this.place(index, shard.target_node_id, demand, unplaceable, explaining);
        if ('waiting' in placement) {
          plan.waiting = shard.target_node_id
            ? `dispatched to one node: ${placement.waiting}`
            : placement.waiting;
          break;
        }
        const node = placement.node;
        if (plan.quorum === 0) {
          // adaptive validation decides with its first replica's node: alone if trusted, else a quorum
          plan.quorum = adaptiveQuorum(
            node,
            shard.user_id,
            shard.task_quorum,
            ADAPTIVE_TRUST_RUN,
            this.random,
          );
          plan.wanted = plan.quorum;
          plan.toPlace = plan.wanted - had.live - had.results;
        }
        allocations.push({ shard, node, demand: demand.resources, replica: nextReplica(had.liveReplicas) });
        this.lastNodeName = node.name;
        had.owners.add(node.ownerId);
        placed++;
        // the rest of this batch sees the node as it will be after this allocation
        node.runningAttempts += 1;
        node.available.cpuMillicores -= demand.resources.cpuMillicores;
        node.available.memoryMb -= demand.resources.memoryMb;
        node.available.storageMb -= demand.resources.storageMb;
        node.available.gpuMemoryMb -= demand.resources.gpuMemoryMb;
        index.refile(node);
      }
      if (placed > 0 || plan.toPlace <= 0) plans.push(plan);
      else if (plan.waiting && plan.waiting !== shard.wait_reason)
        waits.set(shard.id, plan.waiting.slice(0, 255));
    }

    // the batch's first write: not while placement is paused (the transaction rolls back)
    if (go && !(await go)) throw new PlacementPaused();
    const { attemptIds, raced } = await this.allocate(m, allocations, plans);
    await this.shards.setWaitReasons(m, waits);
    const last = shards[shards.length - 1];
    return {
      scanned: shards.length,
      attemptIds,
      raced,
      capacityLeft: index.hasFree(),
      last: last ? { priority: last.priority, queuedAt: last.queued_at, id: last.id } : undefined,
    };
  }

  /**
   * A node for one replica of a shard: the shard's own node when it was dispatched to one; the
   * snapshot's sample (NodeIndex.place) for trust-aware placement; every node in name order for
   * round-robin (a strategy for small clusters: its cost grows with the cluster).
   */
  private place(
    index: NodeIndex,
    targetNodeId: string | null,
    demand: ShardDemand,
    unplaceable: Map<string, string>,
    explaining: { left: number },
  ): Placement {
    const strategy = this.config.scheduling.strategy;
    if (targetNodeId) {
      const target = index.get(targetNodeId);
      return placeShard(demand, target ? [target] : [], strategy, this.lastNodeName);
    }
    if (strategy === 'round-robin') return placeShard(demand, index.all(), strategy, this.lastNodeName);
    const key = demandKey(demand);
    const known = unplaceable.get(key);
    if (known !== undefined) return { waiting: known };
    const placement = index.place(demand, explaining.left > 0);
    if ('waiting' in placement) {
      unplaceable.set(key, placement.waiting);
      if (placement.waiting) explaining.left--;
    }
    return placement;
  }

  /** Writes the allocations; those on a node whose capacity another replica took are dropped. */
  private async allocate(
    m: EntityManager,
    allocations: Allocation[],
    plans: readonly ShardPlan[],
  ): Promise<{ attemptIds: string[]; raced: number }> {
    const granted = allocations.length ? await this.capacity.take(m, takesPerNode(allocations)) : new Set();
    const kept = allocations.filter((a) => granted.has(a.node.id));
    const raced = allocations.length - kept.length;
    // the snapshot counted on capacity these nodes no longer have: read them again
    if (raced)
      this.nodes.rereadLater(allocations.filter((a) => !granted.has(a.node.id)).map((a) => a.node.id));
    const keptPerShard = new Map<string, number>();
    for (const a of kept) keptPerShard.set(a.shard.id, (keptPerShard.get(a.shard.id) ?? 0) + 1);
    const placed: ShardPlacement[] = [];
    for (const p of plans) {
      const n = keptPerShard.get(p.shard.id) ?? 0;
      if (n === 0 && p.toPlace > 0) continue; // raced away: the shard stays as it was
      const complete = n >= p.toPlace;
      placed.push({
        id: p.shard.id,
        placed: n,
        quorum: p.quorum,
        wanted: p.wanted,
        complete,
        hasResults: p.hasResults,
        waitReason: complete
          ? null
          : `replica ${p.before + n + 1} of ${p.wanted}: ${p.waiting || 'another placement pass will place it'}`.slice(
              0,
              255,
            ),
      });
    }
    await this.shards.markPlaced(m, placed);
    if (kept.length === 0) return { attemptIds: [], raced };
    const attemptIds = await this.attempts.insertAllocated(
      m,
      kept.map((a) => ({ shardId: a.shard.id, nodeId: a.node.id, replica: a.replica, ...held(a.demand) })),
    );
    await this.tasks.markStarted(m, [...new Set(kept.map((a) => a.shard.task_id))]);
    return { attemptIds, raced };
  }
}

/** Per shard: the owners, live replica numbers and counts of the attempts it already has. */
function replicasSoFar(rows: readonly ShardReplicaRow[]): Map<string, ReplicasSoFar> {
  const map = new Map<string, ReplicasSoFar>();
  for (const r of rows) {
    const s = map.get(r.shard_id) ?? { owners: new Set(), liveReplicas: new Set(), live: 0, results: 0 };
    s.owners.add(r.owner_id);
    if (r.live) {
      s.live++;
      s.liveReplicas.add(r.replica);
    } else s.results++;
    map.set(r.shard_id, s);
  }
  return map;
}

/** The lowest replica number no live attempt of the shard uses (taken by the caller's set). */
function nextReplica(used: Set<number>): number {
  let n = 0;
  while (used.has(n)) n++;
  used.add(n);
  return n;
}

/** What a batch's allocations take of each node, summed. */
function takesPerNode(allocations: readonly Allocation[]): NodeTake[] {
  const perNode = new Map<string, NodeTake>();
  for (const a of allocations) {
    const t = perNode.get(a.node.id) ?? {
      nodeId: a.node.id,
      cpuMillicores: 0,
      memoryMb: 0,
      storageMb: 0,
      gpuMemoryMb: 0,
      attempts: 0,
    };
    t.cpuMillicores += a.demand.cpuMillicores;
    t.memoryMb += a.demand.memoryMb;
    t.storageMb += a.demand.storageMb;
    t.gpuMemoryMb += a.demand.gpuMemoryMb;
    t.attempts += 1;
    perNode.set(a.node.id, t);
  }
  return [...perNode.values()];
}

/** The part of a demand an attempt holds while it lives (scores are thresholds). */
function held(r: Resources) {
  return {
    cpuMillicores: r.cpuMillicores,
    memoryMb: r.memoryMb,
    storageMb: r.storageMb,
    gpuMemoryMb: r.gpuMemoryMb,
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
    networkAllowed: s.network_allowed,
    hasSecrets: s.has_secrets,
  };
}

/** What makes two demands alike for placement (the same nodes fit both). */
function demandKey(d: ShardDemand): string {
  const r = d.resources;
  return [
    r.cpuMillicores,
    r.memoryMb,
    r.storageMb,
    r.cpuScore,
    r.gpuScore,
    r.gpuMemoryMb,
    d.gpuName?.toLowerCase() ?? '',
    d.location?.toLowerCase() ?? '',
    d.userTrust,
    d.networkAllowed ? 1 : 0,
    d.hasSecrets ? 1 : 0,
    [...(d.excludedOwners ?? [])].sort().join(','),
  ].join('|');
}
