import { Injectable, Logger } from '@nestjs/common';
import { RELIABILITY_COOLDOWN_S } from '@hivemind/contracts';
import { NodePoolConfig } from '../config/node-pool.config';
import { NodeCapacityRepository, type NodeCapacityRow } from '../nodes/node-capacity.repository';
import { NodeIndex } from './node-index';
import { type NodeCandidate } from './placement';

/** Every node is read afresh this often (what a change the deltas missed costs at most). */
export const FULL_READ_INTERVAL_MS = 30_000;
/**
 * A delta looks at the rows stamped (`updated_at`, the time of the write) since the oldest
 * transaction that had written and was still open when the previous read began — whatever it
 * commits later was stamped after that. When PostgreSQL hides other roles' sessions, it looks this
 * far back instead (a transaction open longer is seen by the next full read). Rows the previous
 * read already saw are not sent again either way.
 */
export const DELTA_OVERLAP_MS = 5_000;
/** Clock granularity margin on the above. */
const DELTA_MARGIN_MS = 50;

/** A read of every online node, made beside the passes (see `PlacementNodes.refresh`). */
interface WholeRead {
  index: NodeIndex;
  since: { at: Date; snapshot: string };
  /** When it was asked for (the clock `current` is given). */
  askedAt: number;
}

/**
 * This replica's snapshot of the online nodes for placement (docs/scheduling.md "Placement at
 * scale"): read whole at first and every FULL_READ_INTERVAL_MS, and in between brought up to date
 * from the rows changed since the last read (`nodes.updated_at`, indexed, and the row versions the
 * last read's snapshot did not see) — so a placement batch costs what changed, not the cluster's
 * size. The periodic whole read is made beside the passes, not in one's way (at 100,000 nodes it
 * takes over a second): the batches go on with deltas meanwhile, and the next one after it has
 * arrived takes it up and reads the changes since it began. The snapshot may be stale by a batch's
 * time, as it always was: capacity is taken by a guarded UPDATE (NodeCapacityRepository.take) that
 * refuses what another replica used first, and the nodes refused are read again.
 */
@Injectable()
export class PlacementNodes {
  private readonly logger = new Logger(PlacementNodes.name);
  private index?: NodeIndex;
  private since?: { at: Date; snapshot: string };
  private fullReadAt = 0;
  private readonly reread = new Set<string>();
  private pending?: Promise<NodeIndex>;
  /** Bumped by `invalidate`: a whole read asked for before it is thrown away when it arrives. */
  private generation = 0;
  /** The whole read in progress beside the passes, if any, and the one arrived, if any. */
  private wholeReading?: Promise<void>;
  private wholeRead?: WholeRead;

  constructor(
    private readonly config: NodePoolConfig,
    private readonly capacity: NodeCapacityRepository,
  ) {}

  /** The snapshot, brought up to date (concurrent callers share one read). */
  current(now = Date.now()): Promise<NodeIndex> {
    this.pending ??= this.refresh(now).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Reads these nodes again with the next delta (their take was refused: our figures are off). */
  rereadLater(nodeIds: Iterable<string>): void {
    for (const id of nodeIds) this.reread.add(id);
  }

  /** Forgets the snapshot (a batch failed half-way through it): the next use reads every node. */
  invalidate(): void {
    this.index = undefined;
    this.wholeRead = undefined;
    this.generation++;
  }

  /** A whole read in progress beside the passes (tests wait for it). */
  settled(): Promise<void> {
    return this.wholeReading ?? Promise.resolve();
  }

  private async refresh(now: number): Promise<NodeIndex> {
    if (!this.index || !this.since) {
      // nothing to place with meanwhile: this read is waited for
      const read = await this.readWhole(now);
      this.adopt(read);
      return read.index;
    }
    const arrived = this.wholeRead;
    if (arrived) {
      // its delta (below) brings it up to what changed while it was read
      this.wholeRead = undefined;
      this.adopt(arrived);
    } else if (now - this.fullReadAt >= FULL_READ_INTERVAL_MS && !this.wholeReading) {
      this.fullReadAt = now;
      const generation = this.generation;
      this.wholeReading = this.readWhole(now)
        .then((read) => {
          if (generation === this.generation) this.wholeRead = read;
        })
        .catch((error: unknown) => {
          // the deltas go on; the next interval reads again
          this.logger.warn(`reading every node for placement failed: ${(error as Error).message}`);
        })
        .finally(() => (this.wholeReading = undefined));
    }
    const reread = [...this.reread];
    const { rows, readAt, snapshot, changesFrom } = await this.capacity.snapshot(
      RELIABILITY_COOLDOWN_S,
      this.since,
      reread,
    );
    for (const id of reread) this.reread.delete(id);
    const index = this.index;
    for (const row of rows) index.put(toCandidate(row));
    this.since = sinceAfter(readAt, snapshot, changesFrom);
    return index;
  }

  private async readWhole(now: number): Promise<WholeRead> {
    const { rows, readAt, snapshot, changesFrom } = await this.capacity.snapshot(RELIABILITY_COOLDOWN_S);
    const index = new NodeIndex(this.config.scheduling.placementCandidates);
    for (const row of rows) index.put(toCandidate(row));
    return { index, since: sinceAfter(readAt, snapshot, changesFrom), askedAt: now };
  }

  private adopt(read: WholeRead): void {
    this.index = read.index;
    this.since = read.since;
    this.fullReadAt = read.askedAt;
  }
}

/** Where the next delta starts after a read made at `readAt` (see DELTA_OVERLAP_MS). */
function sinceAfter(readAt: Date, snapshot: string, changesFrom?: Date): { at: Date; snapshot: string } {
  const from = changesFrom ? changesFrom.getTime() - DELTA_MARGIN_MS : readAt.getTime() - DELTA_OVERLAP_MS;
  return { at: new Date(from), snapshot };
}

export function toCandidate(n: NodeCapacityRow): NodeCandidate {
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
    ownerId: n.owner_id,
    validRun: n.valid_run,
    operator: n.operator,
    recentFault: n.recent_fault,
  };
}
