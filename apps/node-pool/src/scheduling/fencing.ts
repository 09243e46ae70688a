// Fencing (docs/scheduling.md "The worker protocol"): a report counts only when it comes from the
// node that holds the attempt, under the attempt's current fencing token, while the pool has not
// ended the attempt itself. Pure: no IO.
import { AttemptState } from '@hivemind/contracts';

/** The attempt a report names, as far as fencing goes. */
export interface FenceSubject {
  nodeId: string;
  state: AttemptState;
  fencingToken: string;
}

/** Why the report about `attemptId` must be refused (and its node told to stop it), or null. */
export function fenceRefusal(
  attemptId: string,
  attempt: FenceSubject | undefined,
  caller: { nodeId: string; fencingToken: string },
): string | null {
  if (!attempt || attempt.nodeId !== caller.nodeId) return `attempt ${attemptId} is not this node's`;
  if (attempt.fencingToken !== String(caller.fencingToken)) {
    return `attempt ${attemptId}: stale fencing token ${caller.fencingToken} (current ${attempt.fencingToken})`;
  }
  if (attempt.state === AttemptState.Lost) return `attempt ${attemptId} was declared LOST and reassigned`;
  if (attempt.state === AttemptState.Cancelled) return `attempt ${attemptId} was cancelled`;
  return null;
}
