/** The one rpc a node repeats for as long as it lives (a heartbeat). */
export const HEARTBEAT_RPC = '/nodepool.NodeManagerService/ReportStatus';

/** Entries kept at most (a node heartbeating to this replica is one entry of ~100 bytes). */
export const HEARTBEAT_METER_MAX_NODES = 250_000;

/** Packed entry: count in the current window × 2^32 + second (since the meter began) last heard. */
const SECONDS = 2 ** 32;

/**
 * Per replica, in memory: the heartbeats of each node (by the node credential's subject, its
 * signature checked) in fixed windows, and when each node was last heard. It is the heartbeats' rate
 * limit — `limit` per `windowS` per node, with no Redis round trip (docs/security.md "Rate limits") —
 * and tells the pacer how many nodes this replica really serves. One number per node: at 100,000
 * nodes a few MB. Bounded: entries older than the horizon are pruned, and past
 * HEARTBEAT_METER_MAX_NODES the oldest go first.
 */
export class HeartbeatMeter {
  private readonly nodes = new Map<string, number>();
  private readonly originMs: number;
  private heard = 0;

  constructor(
    private readonly limit: number,
    private readonly windowS: number,
    nowMs = Date.now(),
  ) {
    this.originMs = nowMs;
  }

  /** Counts one heartbeat of `nodeId`; false when it is over its limit for the current window. */
  admit(nodeId: string, nowMs = Date.now()): boolean {
    const second = Math.max(0, Math.floor((nowMs - this.originMs) / 1000));
    const packed = this.nodes.get(nodeId);
    let count = 0;
    if (packed !== undefined) {
      const last = packed % SECONDS;
      const sameWindow = Math.floor(last / this.windowS) === Math.floor(second / this.windowS);
      count = sameWindow ? Math.floor(packed / SECONDS) : 0;
      // re-inserted so that the Map's order stays oldest-heard first
      this.nodes.delete(nodeId);
    } else if (this.nodes.size >= HEARTBEAT_METER_MAX_NODES) {
      const oldest = this.nodes.keys().next().value;
      if (oldest !== undefined) this.nodes.delete(oldest);
    }
    if (count >= this.limit) {
      this.nodes.set(nodeId, count * SECONDS + second);
      return false;
    }
    this.nodes.set(nodeId, (count + 1) * SECONDS + second);
    this.heard += 1;
    return true;
  }

  /** Heartbeats admitted since the last call (the pacer's observed rate). */
  takeHeard(): number {
    const heard = this.heard;
    this.heard = 0;
    return heard;
  }

  /** Drops nodes not heard for `horizonS` and returns how many are left (nodes served lately). */
  prune(horizonS: number, nowMs = Date.now()): number {
    const cutoff = Math.floor((nowMs - this.originMs) / 1000) - horizonS;
    for (const [nodeId, packed] of this.nodes) {
      // oldest first: stop at the first node heard recently
      if (packed % SECONDS >= cutoff) break;
      this.nodes.delete(nodeId);
    }
    return this.nodes.size;
  }

  get size(): number {
    return this.nodes.size;
  }
}
