// How the console writes a node's figures: pure, shared by the node list and the node page.
import {
  ADAPTIVE_TRUST_RUN,
  type NodeStandingView,
  type NodeView,
  PROBATION_RUN,
  PROBATION_SLOTS,
  spotCheckProbability,
} from '@hivemind/contracts';

/**
 * How long ago the last heartbeat was, from the browser's clock: `just now`, `3 s ago`, `4 min ago`,
 * `2 h ago`, `3 d ago`; `never` before the first heartbeat.
 */
export function heartbeatAge(seenAtMs: number | null, nowMs: number): string {
  if (seenAtMs === null) return 'never';
  const seconds = Math.floor((nowMs - seenAtMs) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

const trim = (value: number, digits: number): string => String(Number(value.toFixed(digits)));

/** 8000 → `8`, 3500 → `3.5`, 250 → `0.25` (cores from millicores). */
export function cores(millicores: number): string {
  return trim(millicores / 1000, 2);
}

/** 512 → `512 MB`, 16384 → `16 GB`, 15900 → `15.5 GB`, 2097152 → `2 TB`. */
export function megabytes(mb: number): string {
  if (mb < 1024) return `${trim(mb, 0)} MB`;
  if (mb < 1024 * 1024) return `${trim(mb / 1024, 1)} GB`;
  return `${trim(mb / 1024 / 1024, 1)} TB`;
}

/** 37.46 → `37 %`; `—` when unknown (the node is not heartbeating). */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value)} %`;
}

/** What a node's standing means for its work, in one sentence (docs/validation.md). */
export function standingText(s: NodeStandingView): string {
  if (s.operator) return 'The operator’s node: its results are accepted alone.';
  if (s.probation) {
    return (
      `On probation: ${s.valid_run} of ${PROBATION_RUN} valid results in a row to leave it ` +
      `(at most ${PROBATION_SLOTS} attempts at a time, no network, no secrets, results replicated).`
    );
  }
  if (s.valid_run < ADAPTIVE_TRUST_RUN) {
    return `Adaptive validation replicates its results until ${ADAPTIVE_TRUST_RUN} valid in a row (${s.valid_run} so far).`;
  }
  const oneIn = Math.round(1 / spotCheckProbability(s.valid_run));
  return `Trusted: adaptive validation accepts its results alone, spot-checked about 1 in ${oneIn}.`;
}

/** When the node last caused a fault (a lost attempt, a crash): `4 min ago`, or `never`. */
export function lastFault(s: NodeStandingView, nowMs: number): string {
  return heartbeatAge(s.last_fault_at ? Date.parse(s.last_fault_at) : null, nowMs);
}

/** The rows with the nodes that returned invalid results first (most first); the rest by name. */
export function invalidFirst<T extends Pick<NodeView, 'name' | 'standing'>>(rows: readonly T[]): T[] {
  return [...rows].sort(
    (a, b) =>
      b.standing.invalid_results - a.standing.invalid_results ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
