import { type Observable, asyncScheduler, map, merge, throttleTime, timer } from 'rxjs';
import { type TelemetryFrame } from '@hivemind/contracts';

/** /api/system/status is read at most this often. */
export const STATUS_MIN_INTERVAL_MS = 5_000;
/** …and at least this often, live events or not (PostgreSQL and Redis going down send none). */
export const STATUS_FALLBACK_MS = 15_000;

/** Frames after which the status' counts may have changed (heartbeats and logs do not change them). */
export function changesStatus(frame: TelemetryFrame): boolean {
  if (frame.type === 'node') return frame.event !== 'heartbeat';
  return frame.type === 'task';
}

/**
 * When to re-read the status: at once, then on a timer and after changes, at most once per
 * `minIntervalMs` (a burst of changes is one read when the interval opens, none is lost).
 */
export function statusReads(
  changes: Observable<unknown>,
  minIntervalMs = STATUS_MIN_INTERVAL_MS,
  fallbackMs = STATUS_FALLBACK_MS,
): Observable<void> {
  return merge(timer(0, fallbackMs), changes).pipe(
    throttleTime(minIntervalMs, asyncScheduler, { leading: true, trailing: true }),
    map(() => undefined),
  );
}
