/** The longest a worker waits between heartbeats, whatever the pool says (docs/worker.md). */
export const HEARTBEAT_INTERVAL_MAX_S = 300;
/** Heartbeats leave up to this share of the interval early, so nodes started together spread out. */
export const HEARTBEAT_JITTER = 0.1;

/**
 * How long to wait before the next heartbeat (ms). Pure. The pool's interval
 * (`heartbeat_interval_s`, stretched as the cluster grows) is obeyed within bounds: never faster
 * than this worker's HEARTBEAT_INTERVAL_S, never slower than HEARTBEAT_INTERVAL_MAX_S; an older pool
 * that says nothing (0) leaves the worker's own. `random` in [0, 1) takes up to 10 % off, never adds.
 */
export function nextHeartbeatMs(ownIntervalMs: number, poolIntervalS: number, random: number): number {
  const told = Number.isFinite(poolIntervalS) && poolIntervalS > 0 ? poolIntervalS * 1000 : 0;
  const base = Math.min(HEARTBEAT_INTERVAL_MAX_S * 1000, Math.max(ownIntervalMs, told));
  const jitter = Math.min(Math.max(random, 0), 1) * HEARTBEAT_JITTER;
  // the worker's own setting is a floor the jitter does not go below
  return Math.round(Math.max(Math.min(ownIntervalMs, base), base * (1 - jitter)));
}
