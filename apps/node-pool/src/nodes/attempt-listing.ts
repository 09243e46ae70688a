// What a heartbeat says the node runs, kept for the reconciler (scheduling/unlisted-attempts.ts): the
// last few listings per node, so that an attempt the pool has RUNNING but its node no longer names
// is noticed long before its timeout. Pure: no Redis here.
import { isUuid } from '../common/ids';

/** Listings kept per node: the reconciler asks for this many in a row without an attempt. */
export const LISTINGS_KEPT = 3;
/** A heartbeat naming more attempts than this is not kept (no node runs that many at once). */
export const MAX_LISTED_ATTEMPTS = 1024;

/** One heartbeat's list of the attempts its node runs, as the pool received it. */
export interface AttemptListing {
  /** When the pool received it (Unix ms, the pool's clock). */
  atMs: number;
  attemptIds: ReadonlySet<string>;
}

/**
 * The stored form of a heartbeat's list (`<ms>|<id>,<id>…`), or undefined when it is not kept: no
 * list given (a caller without one), or more ids than any node runs. Ids that are not UUIDs name no
 * attempt and are left out, so a hostile list costs at most MAX_LISTED_ATTEMPTS × 36 bytes.
 */
export function encodeListing(ids: readonly string[] | undefined, atMs: number): string | undefined {
  if (!ids || ids.length > MAX_LISTED_ATTEMPTS) return undefined;
  return `${atMs}|${ids.filter((id) => id.length === 36 && isUuid(id)).join(',')}`;
}

/** A stored listing back; undefined when it is not one (written by something else). */
export function decodeListing(raw: string): AttemptListing | undefined {
  const bar = raw.indexOf('|');
  const atMs = Number(raw.slice(0, bar));
  if (bar <= 0 || !Number.isSafeInteger(atMs)) return undefined;
  const ids = raw.slice(bar + 1);
  return { atMs, attemptIds: new Set(ids ? ids.split(',') : []) };
}
