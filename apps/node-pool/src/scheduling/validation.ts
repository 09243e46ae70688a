// Result validation (docs/validation.md): which of a shard's results count. Pure decisions, no IO.
//
// A result is what a node reports of a shard it ran to its end — completed, or failed by the task
// itself (an exit code, an OOM kill, a timeout) — named by its digest (the exit code and every output
// file's sha256, recomputed by the pool from the upload). Matching digests from nodes of *different
// owners* form a quorum: one owner's nodes count once, however many of them agree.
import { createHash } from 'node:crypto';
import { ResultValidation, spotCheckProbability } from '@hivemind/contracts';

/**
 * The digest of a result the pool observed itself: an attempt still running past its timeout. Two
 * nodes timing out agree; a node that times out where others finish is contradicted.
 */
export const TIMED_OUT_DIGEST = createHash('sha256').update('hivemind-result v1\ntimed out\n').digest('hex');

/** One result of a shard, as validation compares it. */
export interface ShardResult {
  attemptId: string;
  nodeId: string;
  ownerId: string;
  /** Null: the pool does not believe the node's report (its digest differs from its own upload). */
  digest: string | null;
  /** The would-be charge for the attempt (pool-observed time at the task's rate). */
  cost: number;
}

/** Where a shard's replication stands, besides its results. */
export interface Replication {
  /** Matching results of different owners needed. */
  quorum: number;
  /** Results the shard waits for now. */
  wanted: number;
  maxReplicas: number;
  /** Replicas placed and still running. */
  live: number;
  /** False when no more replica can be placed (its node-failure budget is spent). */
  canAddReplicas: boolean;
}

export type Judgement =
  /** A quorum agrees: `valid` agree with the canonical result, `invalid` differ from it. */
  | { kind: 'decided'; canonical: ShardResult; valid: ShardResult[]; invalid: ShardResult[]; alone: boolean }
  /** More results are due: `place` replicas are still to be placed, the rest are running. */
  | { kind: 'wait'; place: number; reason: string }
  /** Every result is in and no quorum: ask for more replicas (wanted grows). */
  | { kind: 'more'; wanted: number; reason: string }
  /** No quorum is reachable within max_replicas. */
  | { kind: 'inconclusive'; reason: string };

interface Group {
  digest: string;
  members: ShardResult[];
  owners: Set<string>;
}

/** Results grouped by digest, best supported first (ties: the group whose first result came first). */
function groupsOf(results: readonly ShardResult[]): Group[] {
  const byDigest = new Map<string, Group>();
  for (const r of results) {
    if (r.digest === null) continue;
    const g = byDigest.get(r.digest) ?? { digest: r.digest, members: [], owners: new Set<string>() };
    g.members.push(r);
    g.owners.add(r.ownerId);
    byDigest.set(r.digest, g);
  }
  // Map keeps insertion order, so a stable sort keeps the earlier group first on a tie
  return [...byDigest.values()].sort((a, b) => b.owners.size - a.owners.size);
}

/**
 * Judges a shard's results (in the order they came in). A quorum of different owners decides; short
 * of one, the shard waits for its running replicas, asks for as many more as could still reach the
 * quorum, or — when even every replica left could not — is inconclusive.
 */
export function judgeResults(results: readonly ShardResult[], r: Replication): Judgement {
  const [best] = groupsOf(results);
  const support = best?.owners.size ?? 0;
  if (best && support >= r.quorum) {
    return {
      kind: 'decided',
      canonical: best.members[0],
      valid: best.members,
      invalid: results.filter((x) => x.digest !== best.digest),
      alone: r.quorum <= 1,
    };
  }
  const pending = r.wanted - results.length - r.live;
  const tally = `${results.length} result(s) in, ${support} of ${r.quorum} needed agree`;
  if (pending > 0 && r.canAddReplicas) {
    return { kind: 'wait', place: pending, reason: `${tally}: placing ${pending} more replica(s)` };
  }
  if (r.live > 0)
    return { kind: 'wait', place: 0, reason: `${tally}: waiting for ${r.live} running replica(s)` };
  // every result is in: each new replica (of a new owner) can add one to the best group at most
  const left = r.canAddReplicas ? r.maxReplicas - results.length : 0;
  if (support + left < r.quorum) {
    return {
      kind: 'inconclusive',
      reason: `inconclusive: ${results.length} result(s), no ${r.quorum} of different owners agree (max_replicas ${r.maxReplicas})`,
    };
  }
  const wanted = Math.min(r.maxReplicas, results.length + (r.quorum - support));
  return {
    kind: 'more',
    wanted,
    reason: `results disagree (${tally}): replica ${results.length + 1} of at most ${r.maxReplicas}`,
  };
}

/** What a decided judgement makes of each result. */
export function verdictOf(j: Extract<Judgement, { kind: 'decided' }>, attemptId: string): ResultValidation {
  if (j.invalid.some((x) => x.attemptId === attemptId)) return ResultValidation.Invalid;
  return j.alone ? ResultValidation.Accepted : ResultValidation.Valid;
}

/**
 * Adaptive validation's choice for a shard's first replica: accepted alone on a node the task's
 * owner may trust — the operator's, the owner's own, or one with a long enough run of valid results,
 * except for a random spot-check with probability ~1/run — and replicated to `quorum` otherwise.
 */
export function adaptiveQuorum(
  node: { ownerId: string; operator: boolean; validRun: number },
  taskOwnerId: string,
  quorum: number,
  trustRun: number,
  random: () => number,
): number {
  if (node.operator || node.ownerId === taskOwnerId) return 1;
  if (node.validRun < trustRun) return quorum;
  return random() < spotCheckProbability(node.validRun) ? quorum : 1;
}
