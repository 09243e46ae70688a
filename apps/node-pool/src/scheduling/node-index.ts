// The online nodes as placement looks them up: pure, no IO (docs/scheduling.md "Placement at
// scale"). Placement asks for the best node of the highest trust group that has one; instead of
// scoring every node for every shard, the index keeps the nodes with a free slot in lists by what
// placement filters on (trust group; GPU model; location) and scores a bounded sample of the
// nodes that fit — Nomad's limit iterator, the power of k choices. The sample's size is the
// `candidates` setting (PLACEMENT_CANDIDATES); 0 scores every node, as a full scan would.
import {
  NodeStatus,
  TASK_LIMITS,
  TRUST_GROUP_ORDER,
  type TrustGroup,
  trustGroupOf,
} from '@hivemind/contracts';
import {
  type NodeCandidate,
  type Placement,
  type ShardDemand,
  canRunOn,
  compareForPlacement,
  placeShard,
  slotsOf,
  whyWaiting,
} from './placement';

/** A set of node ids with O(1) add, remove and random access (swap-remove on an array). */
export class FreeList {
  private readonly ids: string[] = [];
  private readonly at = new Map<string, number>();

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.at.has(id);
  }

  add(id: string): void {
    if (this.at.has(id)) return;
    this.at.set(id, this.ids.length);
    this.ids.push(id);
  }

  remove(id: string): void {
    const i = this.at.get(id);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    this.at.delete(id);
    if (last !== id) {
      this.ids[i] = last;
      this.at.set(last, i);
    }
  }

  get(i: number): string {
    return this.ids[i];
  }
}

/** Where a node is filed: its trust group, GPU model and location, lower-cased. */
interface Filing {
  group: TrustGroup;
  gpu: string;
  location: string;
  free: boolean;
}

/** Upper bound on the nodes one shard's search looks at, when the sample is bounded. */
const MAX_WALK = 20_000;

/** The online nodes of one replica's snapshot, filed for placement. */
export class NodeIndex {
  private readonly nodes = new Map<string, NodeCandidate>();
  private readonly filed = new Map<string, Filing>();
  /** Nodes with a free slot, by trust group; by group and GPU model; by group and location. */
  private readonly byGroup = new Map<string, FreeList>();
  private readonly byGpu = new Map<string, FreeList>();
  private readonly byLocation = new Map<string, FreeList>();
  /** Nodes looked at by the searches so far (the bench reads it). */
  examined = 0;
  /** `all()` as last built (until a node joins or leaves). */
  private listed?: NodeCandidate[];

  /**
   * @param candidates nodes that fit scored per shard (0: all of them, the exact order)
   * @param random a source in [0, 1) for where each search starts
   */
  constructor(
    readonly candidates: number,
    private readonly random: () => number = Math.random,
  ) {}

  get size(): number {
    return this.nodes.size;
  }

  get(id: string): NodeCandidate | undefined {
    return this.nodes.get(id);
  }

  /** Every node (one array, kept until a node joins or leaves: do not change it). */
  all(): readonly NodeCandidate[] {
    this.listed ??= [...this.nodes.values()];
    return this.listed;
  }

  /** Whether any node has a free slot (and room for the smallest shard). */
  hasFree(): boolean {
    for (const list of this.byGroup.values()) if (list.size > 0) return true;
    return false;
  }

  /** Adds or replaces a node (as read now); a node that is not online leaves the index. */
  put(node: NodeCandidate): void {
    if (node.status !== NodeStatus.Online) {
      this.remove(node.id);
      return;
    }
    if (this.nodes.get(node.id) !== node) this.listed = undefined;
    this.nodes.set(node.id, node);
    this.refile(node);
  }

  remove(id: string): void {
    const filing = this.filed.get(id);
    if (filing?.free) this.unlist(id, filing);
    this.filed.delete(id);
    if (this.nodes.delete(id)) this.listed = undefined;
  }

  /** Files the node again after its figures changed (an allocation of this batch). */
  refile(node: NodeCandidate): void {
    const filing: Filing = {
      group: trustGroupOf(node.creditScore, node.docker),
      gpu: node.gpuName.toLowerCase(),
      location: node.location.toLowerCase(),
      free: hasFreeSlot(node),
    };
    const before = this.filed.get(node.id);
    if (
      before &&
      before.free === filing.free &&
      before.group === filing.group &&
      before.gpu === filing.gpu &&
      before.location === filing.location
    )
      return;
    if (before?.free) this.unlist(node.id, before);
    if (filing.free) this.list(node.id, filing);
    this.filed.set(node.id, filing);
  }

  /**
   * The node for a shard: the best of a sample of the nodes that fit, in the highest trust group
   * that has any (placement.ts `compareForPlacement` decides among them). Every node that fits is
   * a candidate; the search stops after `candidates` of them, starting at a random place.
   * Without a fitting node it says why, as placeShard would (whyWaiting over every node), or — with
   * `explain` false — answers an empty reason, sparing that look at every node.
   */
  place(demand: ShardDemand, explain = true): Placement {
    if (this.candidates <= 0) return placeShard(demand, this.all());
    for (const group of TRUST_GROUP_ORDER) {
      const found = this.sample(demand, group);
      if (found.length) {
        const better = compareForPlacement(demand);
        return { node: found.reduce((best, n) => (better(n, best) < 0 ? n : best)) };
      }
    }
    return { waiting: explain ? whyWaiting(demand, this.all()) : '' };
  }

  /** Up to `candidates` nodes of the group that fit, preferring the demand's location. */
  private sample(demand: ShardDemand, group: TrustGroup): NodeCandidate[] {
    const found: NodeCandidate[] = [];
    if (demand.gpuName) {
      this.walk(this.byGpu.get(key(group, demand.gpuName.toLowerCase())), demand, found);
      return found;
    }
    if (demand.location) {
      this.walk(this.byLocation.get(key(group, demand.location.toLowerCase())), demand, found);
      // a node without a recent fault elsewhere ranks before a faulty one in the preferred place
      if (found.some((n) => !n.recentFault)) return found;
    }
    this.walk(this.byGroup.get(group), demand, found);
    return found;
  }

  /** Collects nodes that fit from `list`, from a random start, until `candidates` more are found. */
  private walk(list: FreeList | undefined, demand: ShardDemand, found: NodeCandidate[]): void {
    if (!list || list.size === 0) return;
    const want = found.length + this.candidates;
    const seen = new Set(found.map((n) => n.id));
    const steps = Math.min(list.size, MAX_WALK);
    const start = Math.floor(this.random() * list.size);
    for (let i = 0; i < steps && found.length < want; i++) {
      const node = this.nodes.get(list.get((start + i) % list.size));
      this.examined++;
      if (node && !seen.has(node.id) && canRunOn(node, demand)) found.push(node);
    }
  }

  private list(id: string, f: Filing): void {
    listIn(this.byGroup, f.group, id);
    listIn(this.byGpu, key(f.group, f.gpu), id);
    listIn(this.byLocation, key(f.group, f.location), id);
  }

  private unlist(id: string, f: Filing): void {
    this.byGroup.get(f.group)?.remove(id);
    this.byGpu.get(key(f.group, f.gpu))?.remove(id);
    this.byLocation.get(key(f.group, f.location))?.remove(id);
  }
}

/** The least a shard can ask for (task-limits.ts): a node with less left is full. */
const LEAST_CPU_MILLICORES = Math.ceil(TASK_LIMITS.cpu_cores.min * 1000);
const LEAST_MEMORY_MB = Math.ceil(TASK_LIMITS.memory_gb.min * 1024);

/** A node is on the free lists while it has an attempt slot and room for the smallest shard. */
export function hasFreeSlot(node: NodeCandidate): boolean {
  return (
    node.runningAttempts < slotsOf(node) &&
    node.available.cpuMillicores >= LEAST_CPU_MILLICORES &&
    node.available.memoryMb >= LEAST_MEMORY_MB
  );
}

function key(group: TrustGroup, value: string): string {
  return `${group}\u0000${value}`;
}

function listIn(lists: Map<string, FreeList>, k: string, id: string): void {
  let list = lists.get(k);
  if (!list) lists.set(k, (list = new FreeList()));
  list.add(id);
}
