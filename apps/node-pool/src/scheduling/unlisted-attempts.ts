// Which RUNNING attempts their node no longer runs (docs/scheduling.md "Reconciler"): every
// heartbeat names the attempts the node runs; an attempt that the node's last few heartbeats, all
// received well after the attempt started, leave out is over on the node — its worker restarted,
// lost it, or ended it without a report the pool took. The reconciler declares it LOST (a node
// failure: retried elsewhere) instead of waiting for its timeout. Pure: no IO.
import { type AttemptListing, LISTINGS_KEPT } from '../nodes/attempt-listing';

/** A RUNNING attempt as the reconciler reads it. */
export interface RunningAttempt {
  id: string;
  nodeId: string;
  startedAtMs: number;
}

export interface UnlistedRule {
  /** Heartbeats in a row that must leave the attempt out. */
  heartbeats: number;
  /**
   * Only listings received this long after the attempt started count: a heartbeat the node built
   * before the attempt reached it can arrive after the attempt's first report (they travel apart).
   */
  marginMs: number;
}

export const UNLISTED_RULE: UnlistedRule = { heartbeats: LISTINGS_KEPT, marginMs: 10_000 };

/**
 * The ids of the attempts whose node's newest `rule.heartbeats` listings were all received at
 * least `rule.marginMs` after the attempt started and none names it. A node with fewer listings
 * than that (new, silent, or a caller that sends none) decides nothing: liveness handles silence.
 */
export function unlistedAttempts(
  attempts: readonly RunningAttempt[],
  listings: ReadonlyMap<string, readonly AttemptListing[]>,
  rule: UnlistedRule = UNLISTED_RULE,
): string[] {
  return attempts
    .filter((a) => {
      const newest = [...(listings.get(a.nodeId) ?? [])]
        .sort((x, y) => y.atMs - x.atMs)
        .slice(0, rule.heartbeats);
      if (newest.length < rule.heartbeats) return false;
      return newest.every((l) => l.atMs >= a.startedAtMs + rule.marginMs && !l.attemptIds.has(a.id));
    })
    .map((a) => a.id);
}
