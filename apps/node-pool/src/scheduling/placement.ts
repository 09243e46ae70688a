// Placement rules (docs/design.md "Placement"): pure functions, no IO. The scheduler loads
// candidate nodes and a shard's demand, asks `placeShard`, and makes the allocation atomically in
// PostgreSQL; a shard that cannot be placed keeps the reason it waits.
import {
  DockerStatus,
  HIGH_TRUST_MIN,
  NodeStatus,
  PROBATION_SLOTS,
  onProbation,
  type ResourceVector,
  TRUST_GROUP_ORDER,
  TrustGroup,
  trustGroupOf,
} from '@hivemind/contracts';

/** Integer resource units: no floating point in placement. */
export type Resources = ResourceVector;

export interface NodeCandidate {
  id: string;
  name: string;
  status: NodeStatus;
  docker: DockerStatus;
  creditScore: number;
  location: string;
  gpuName: string;
  /** What the node offers in all. */
  total: Resources;
  /** What is free now (total minus the allocations of its live attempts). */
  available: Resources;
  runningAttempts: number;
  maxConcurrent: number;
  ownerId: string;
  /** Consecutive valid results for other owners' tasks (earned trust). */
  validRun: number;
  /** The owner is an admin: the operator's own machine, trusted as the pool is. */
  operator: boolean;
  /** A fault (lost attempt, crash) lately: placed after the others of its trust group for a while. */
  recentFault: boolean;
}

export interface ShardDemand {
  resources: Resources;
  /** Case-insensitive match with the node's GPU name when set. */
  gpuName?: string;
  /** Preferred, not required. */
  location?: string;
  /** The submitting user's trust score. */
  userTrust: number;
  /** The task lets its containers reach the network: not on a node on probation. */
  networkAllowed?: boolean;
  /** The task has secret env values: not on a node on probation. */
  hasSecrets?: boolean;
  /** Owners whose nodes already hold a replica of the shard (live or with a result in). */
  excludedOwners?: ReadonlySet<string>;
}

export type SchedulerStrategyName = 'trust-aware' | 'round-robin';

export type Placement = { node: NodeCandidate } | { waiting: string };

const RESOURCE_LABELS: Record<keyof Resources, (v: number) => string> = {
  cpuMillicores: (v) => `${v / 1000} CPU cores`,
  memoryMb: (v) => `${v} MB of memory`,
  storageMb: (v) => `${v} MB of storage`,
  cpuScore: (v) => `a CPU score of ${v}`,
  gpuScore: (v) => `a GPU score of ${v}`,
  gpuMemoryMb: (v) => `${v} MB of GPU memory`,
};

/** The first resource `have` lacks for `need`, or undefined when everything fits. */
export function missingResource(have: Resources, need: Resources): keyof Resources | undefined {
  return (Object.keys(RESOURCE_LABELS) as (keyof Resources)[]).find((key) => have[key] < need[key]);
}

function gpuMatches(node: NodeCandidate, demand: ShardDemand): boolean {
  return !demand.gpuName || node.gpuName.toLowerCase() === demand.gpuName.toLowerCase();
}

/**
 * Whether a user of this trust may use the node: low-trust nodes only for high-trust users
 * (≥ 100); nodes without Docker only for users with trust above 50.
 */
export function trustAllows(node: Pick<NodeCandidate, 'creditScore' | 'docker'>, userTrust: number): boolean {
  if (node.docker !== DockerStatus.Enabled && userTrust <= 50) return false;
  return trustGroupOf(node.creditScore, node.docker) !== TrustGroup.Low || userTrust >= HIGH_TRUST_MIN;
}

/** Attempt slots the node may use: few while it is on probation. */
export function slotsOf(node: NodeCandidate): number {
  return onProbation(node) ? Math.min(node.maxConcurrent, PROBATION_SLOTS) : node.maxConcurrent;
}

/** A node on probation gets no task that reaches the network or carries secrets. */
export function probationAllows(node: NodeCandidate, demand: ShardDemand): boolean {
  return !onProbation(node) || (!demand.networkAllowed && !demand.hasSecrets);
}

function ownerFree(node: NodeCandidate, demand: ShardDemand): boolean {
  return !demand.excludedOwners?.has(node.ownerId);
}

/** Whether the shard may run on the node now. */
export function canRunOn(node: NodeCandidate, demand: ShardDemand): boolean {
  return (
    node.status === NodeStatus.Online &&
    node.runningAttempts < slotsOf(node) &&
    trustAllows(node, demand.userTrust) &&
    probationAllows(node, demand) &&
    ownerFree(node, demand) &&
    gpuMatches(node, demand) &&
    missingResource(node.available, demand.resources) === undefined
  );
}

/** Load in [0, 1]: the larger of the busy share of attempts, cores and memory. */
export function loadOf(node: NodeCandidate): number {
  const share = (free: number, total: number) => (total > 0 ? 1 - free / total : 1);
  return Math.max(
    node.maxConcurrent > 0 ? node.runningAttempts / node.maxConcurrent : 1,
    share(node.available.cpuMillicores, node.total.cpuMillicores),
    share(node.available.memoryMb, node.total.memoryMb),
  );
}

/**
 * Trust-aware order: trust group (high → normal → low), no recent fault, preferred location, least
 * load, name.
 */
export function compareForPlacement(demand: ShardDemand) {
  const groupRank = (n: NodeCandidate) => TRUST_GROUP_ORDER.indexOf(trustGroupOf(n.creditScore, n.docker));
  const locationRank = (n: NodeCandidate) =>
    demand.location && n.location.toLowerCase() === demand.location.toLowerCase() ? 0 : 1;
  return (a: NodeCandidate, b: NodeCandidate): number =>
    groupRank(a) - groupRank(b) ||
    Number(a.recentFault) - Number(b.recentFault) ||
    locationRank(a) - locationRank(b) ||
    loadOf(a) - loadOf(b) ||
    a.name.localeCompare(b.name);
}

/**
 * Chooses a node for the shard. `trust-aware` orders the fitting nodes by compareForPlacement;
 * `round-robin` (CloudAI) takes the first fitting node after `lastNodeName` in name order.
 * Without a fitting node, says why the shard waits.
 */
export function placeShard(
  demand: ShardDemand,
  nodes: readonly NodeCandidate[],
  strategy: SchedulerStrategyName = 'trust-aware',
  lastNodeName = '',
): Placement {
  const fitting = nodes.filter((n) => canRunOn(n, demand));
  if (fitting.length === 0) return { waiting: whyWaiting(demand, nodes) };
  if (strategy === 'round-robin') {
    const byName = [...fitting].sort((a, b) => a.name.localeCompare(b.name));
    return { node: byName.find((n) => n.name.localeCompare(lastNodeName) > 0) ?? byName[0] };
  }
  // the best by the (total) placement order, in one pass: a pass places thousands of shards
  const better = compareForPlacement(demand);
  return { node: fitting.reduce((best, n) => (better(n, best) < 0 ? n : best)) };
}

/** The most useful reason a shard cannot be placed on any of `nodes` now. */
export function whyWaiting(demand: ShardDemand, nodes: readonly NodeCandidate[]): string {
  const online = nodes.filter((n) => n.status === NodeStatus.Online);
  if (online.length === 0) return 'no node is online';
  const gpu = online.filter((n) => gpuMatches(n, demand));
  if (gpu.length === 0) return `no online node has the GPU "${demand.gpuName}"`;
  const big = gpu.filter((n) => missingResource(n.total, demand.resources) === undefined);
  if (big.length === 0) {
    const lacking = missingResource(bestTotals(gpu), demand.resources);
    if (lacking) return `no online node offers ${RESOURCE_LABELS[lacking](demand.resources[lacking])}`;
    const asked = (Object.keys(RESOURCE_LABELS) as (keyof Resources)[]).filter(
      (k) => demand.resources[k] > 0,
    );
    return `no online node offers ${asked.map((k) => RESOURCE_LABELS[k](demand.resources[k])).join(' and ')} together`;
  }
  const allowed = big.filter((n) => trustAllows(n, demand.userTrust));
  if (allowed.length === 0) {
    return `your trust score (${demand.userTrust}) excludes the nodes that would fit: low-trust nodes take tasks only from users with trust ≥ ${HIGH_TRUST_MIN}, nodes without Docker only from users with trust above 50`;
  }
  const earned = allowed.filter((n) => probationAllows(n, demand));
  if (earned.length === 0) {
    const what = demand.hasSecrets ? 'secret env values' : 'network access';
    return `the ${allowed.length} node(s) that would fit are on probation (new, or a result refused lately), and a task with ${what} runs only on nodes that have earned trust`;
  }
  const others = earned.filter((n) => ownerFree(n, demand));
  if (others.length === 0) {
    return `a replica needs a node of another owner: the ${earned.length} node(s) that fit belong to owners that already ran this shard (one owner's nodes never form a quorum)`;
  }
  const held = others.filter((n) => onProbation(n) && n.runningAttempts >= slotsOf(n)).length;
  if (held > 0) {
    return `waiting for capacity: the ${others.length} node(s) that fit are busy (${held} of them on probation, ${PROBATION_SLOTS} attempts at a time until they earn trust)`;
  }
  return `waiting for capacity: the ${others.length} node(s) that fit are busy`;
}

function bestTotals(nodes: readonly NodeCandidate[]): Resources {
  const keys = Object.keys(RESOURCE_LABELS) as (keyof Resources)[];
  return Object.fromEntries(
    keys.map((k) => [k, Math.max(...nodes.map((n) => n.total[k]))]),
  ) as unknown as Resources;
}
