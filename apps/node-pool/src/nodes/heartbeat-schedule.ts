// How often nodes heartbeat and when a silent one is lost (docs/scheduling.md "Heartbeats"). Pure.
//
// Nomad's rule, per replica: the interval grows with the nodes a replica serves so that together
// they send at most `budgetPerS` heartbeats a second (its TTL is max(min_heartbeat_ttl,
// nodes / max_heartbeats_per_second)), and the timeout keeps its ratio to the interval
// (HEARTBEAT_TIMEOUT_S / HEARTBEAT_INTERVAL_S: 15 / 5 by default, three heartbeats).

/** Settings: HEARTBEAT_INTERVAL_S, HEARTBEAT_INTERVAL_MAX_S, HEARTBEAT_BUDGET_PER_S, HEARTBEAT_TIMEOUT_S. */
export interface HeartbeatBudget {
  minIntervalS: number;
  maxIntervalS: number;
  budgetPerS: number;
  minTimeoutS: number;
}

/** What a replica sees of the load, refreshed every few seconds. */
export interface HeartbeatLoad {
  /** Nodes with a liveness entry in Redis (the whole cluster). */
  clusterNodes: number;
  /** Node-pool replicas alive (at least 1). */
  replicas: number;
  /**
   * Distinct nodes this replica heard within their deadline (nodes are not spread evenly over
   * long-lived gRPC connections). Counted, not estimated from rate × interval: that estimate
   * ratchets upwards while nodes move from a shorter interval to a longer one.
   */
  nodesHeard: number;
  /**
   * How overloaded this replica has been lately: 0 when not, each level doubles the interval (load
   * shedding), up to MAX_BUSY_LEVEL; the pacer raises it while the event loop stays saturated and
   * lowers it step by step once it is not.
   */
  busyLevel: number;
}

export interface HeartbeatSchedule {
  /** Told to every node: heartbeat again after this many seconds. */
  intervalS: number;
  /** A node not heard from for this long is lost: HEARTBEAT_TIMEOUT_S scaled as the interval is. */
  timeoutS: number;
  /** How many nodes the interval was sized for (this replica's share). */
  nodesServed: number;
}

/** How much each busy level stretches the interval a replica hands out. */
export const BUSY_STRETCH = 2;
/** At most ×8: past that the maximum interval is the limit anyway. */
export const MAX_BUSY_LEVEL = 3;

/**
 * This replica's share of the nodes is the larger of an even split of the cluster and the nodes it
 * really hears. The interval is share / budget in whole seconds, within [min, max]; doubled per
 * busy level (still at most max). Past max × budget nodes per replica the budget is exceeded: add replicas.
 */
export function heartbeatSchedule(budget: HeartbeatBudget, load: HeartbeatLoad): HeartbeatSchedule {
  const replicas = Math.max(1, Math.floor(load.replicas));
  const evenShare = Math.ceil(Math.max(0, load.clusterNodes) / replicas);
  const nodesServed = Math.max(evenShare, Math.max(0, load.nodesHeard));
  let intervalS = Math.ceil(nodesServed / Math.max(1, budget.budgetPerS));
  const level = Math.min(MAX_BUSY_LEVEL, Math.max(0, Math.floor(load.busyLevel)));
  if (level > 0) intervalS = Math.max(intervalS, budget.minIntervalS) * BUSY_STRETCH ** level;
  intervalS = Math.min(budget.maxIntervalS, Math.max(budget.minIntervalS, intervalS));
  return {
    intervalS,
    timeoutS: Math.max(
      budget.minTimeoutS,
      Math.ceil((budget.minTimeoutS * intervalS) / Math.max(1, budget.minIntervalS)),
    ),
    nodesServed,
  };
}

/**
 * How far back a liveness sweep looks: a node is lost when its deadline passed before now, or
 * before now − the extension a busy replica asked for (one timeout), so that a pool which could not
 * keep up with heartbeats delays declaring nodes lost instead of losing healthy ones. Bounded: a
 * dead node still goes offline one extension later, however long the pool stays busy.
 */
export function sweepCutoffMs(nowMs: number, busyExtensionMs: number | undefined): number {
  return nowMs - Math.max(0, busyExtensionMs ?? 0);
}
