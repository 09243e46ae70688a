// Trust groups and earned trust (docs/design.md "Trust", docs/validation.md). Pure; shared by the
// scheduler and the console.
import { DockerStatus, TrustGroup } from './states';

export const HIGH_TRUST_MIN = 100;
export const NORMAL_TRUST_MIN = 50;
/** A new Docker node's credit score. */
export const INITIAL_CREDIT_SCORE = 50;
export const DEFAULT_USER_TRUST = 50;
/**
 * Credit score changes, only ever from validated results of other owners' tasks: a result a quorum
 * confirmed, a result a quorum refused. Crashes and lost attempts do not touch the credit score
 * (they are reliability, not honesty: see RELIABILITY_COOLDOWN_S).
 */
export const CREDIT_VALID = 2;
export const CREDIT_INVALID = -25;
/** A node leaves probation after this many consecutive valid results (an invalid one puts it back). */
export const PROBATION_RUN = 3;
/** Attempt slots of a node on probation (at most; its own max_concurrent may be lower). */
export const PROBATION_SLOTS = 2;
/** From this run of consecutive valid results, adaptive validation accepts a node's result alone. */
export const ADAPTIVE_TRUST_RUN = 10;
/** After a node fault (a lost attempt, a crash), the node is placed last for this long. */
export const RELIABILITY_COOLDOWN_S = 600;

/** high ≥ 100, normal 50–99, low < 50 or without Docker. */
export function trustGroupOf(creditScore: number, docker: DockerStatus): TrustGroup {
  if (docker !== DockerStatus.Enabled || creditScore < NORMAL_TRUST_MIN) return TrustGroup.Low;
  return creditScore >= HIGH_TRUST_MIN ? TrustGroup.High : TrustGroup.Normal;
}

/** Placement tries groups in this order. */
export const TRUST_GROUP_ORDER: readonly TrustGroup[] = [TrustGroup.High, TrustGroup.Normal, TrustGroup.Low];

/** What earned trust looks at: the node's run of valid results, and whether the operator vouches for it. */
export interface NodeStanding {
  /** Consecutive valid results for other owners' tasks. */
  validRun: number;
  /** The node's owner is an admin of the pool: the operator's own machine. */
  operator: boolean;
}

/** New nodes (and nodes whose last result was refused) are on probation until their run lifts them. */
export function onProbation(n: NodeStanding): boolean {
  return !n.operator && n.validRun < PROBATION_RUN;
}

/**
 * The probability that adaptive validation checks a trusted node's result anyway: about 1 / run
 * (BOINC's adaptive replication), so a long honest run is checked rarely but never never.
 */
export function spotCheckProbability(validRun: number): number {
  return validRun <= 0 ? 1 : Math.min(1, 1 / validRun);
}
