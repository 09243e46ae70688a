// The validator step's answer (docs/validation.md "Fuzzy results"): a task-supplied command compared
// a shard's results that no quorum matched exactly, and wrote groups.json — the candidates split
// into groups of equivalent results. Pure: parsing it, bounded, and judging the results by it.
import { z } from 'zod';
import { type ShardResult } from './validation';

/** groups.json is read whole: at most this many bytes. */
export const MAX_GROUPS_BYTES = 64 * 1024;

const GroupsFile = z
  .object({
    groups: z.array(z.array(z.string().max(64)).min(1).max(64)).max(64),
  })
  .strict();

/** A validator's grouping: each candidate's group, by attempt id (candidates in no group: none). */
export type ValidatorGroups = ReadonlyMap<string, number>;

/**
 * Reads groups.json against the candidates it was asked about: JSON of `{"groups": [[id, …], …]}`,
 * only candidate ids, each in one group at most. A candidate in no group agrees with nobody. A
 * malformed answer is refused with the reason (the validator's own result then agrees with nothing).
 */
export function parseValidatorGroups(
  text: string,
  candidates: readonly string[],
): { groups: ValidatorGroups } | { refused: string } {
  if (Buffer.byteLength(text) > MAX_GROUPS_BYTES) {
    return { refused: `groups.json is over ${MAX_GROUPS_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { refused: 'groups.json is not JSON' };
  }
  const parsed = GroupsFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { refused: `groups.json: ${issue.path.join('.') || 'the document'}: ${issue.message}` };
  }
  const known = new Set(candidates);
  const groups = new Map<string, number>();
  for (const [index, members] of parsed.data.groups.entries()) {
    for (const id of members) {
      if (!known.has(id)) return { refused: `groups.json names ${JSON.stringify(id)}, not a candidate` };
      if (groups.has(id)) return { refused: `groups.json puts ${id} in two groups` };
      groups.set(id, index);
    }
  }
  return { groups };
}

/**
 * The results as the validator grouped them: one label per group in place of the digest, so
 * `judgeResults` counts owners per group exactly as it counts them per digest. A result the pool
 * does not believe (null digest) stays unbelieved; one the validator left out agrees with nobody.
 */
export function regrouped(results: readonly ShardResult[], groups: ValidatorGroups): ShardResult[] {
  return results.map((r) => {
    if (r.digest === null) return r;
    const group = groups.get(r.attemptId);
    return { ...r, digest: group === undefined ? `alone:${r.attemptId}` : `group:${group}` };
  });
}

/**
 * Whether a shard whose results no quorum matched exactly should ask its validator: the task has
 * one, it has not answered yet, nothing runs, and at least `quorum` owners' believed results are
 * in (fewer could never form a quorum, however they are grouped).
 */
export function wantsValidator(
  results: readonly ShardResult[],
  s: { quorum: number; hasValidator: boolean; validated: boolean; live: number },
): boolean {
  if (!s.hasValidator || s.validated || s.live > 0) return false;
  const owners = new Set(results.filter((r) => r.digest !== null).map((r) => r.ownerId));
  return owners.size >= s.quorum;
}
