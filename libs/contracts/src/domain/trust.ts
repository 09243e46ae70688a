// Trust groups (docs/design.md "Trust"). Pure; shared by the scheduler and the console.
import { DockerStatus, TrustGroup } from './states';

export const HIGH_TRUST_MIN = 100;
export const NORMAL_TRUST_MIN = 50;
/** A new Docker node's credit score. */
export const INITIAL_CREDIT_SCORE = 50;
export const DEFAULT_USER_TRUST = 50;
/** Credit score changes per attempt outcome. */
export const CREDIT_COMPLETED = 2;
export const CREDIT_NODE_FAILURE = -5;

/** high ≥ 100, normal 50–99, low < 50 or without Docker. */
export function trustGroupOf(creditScore: number, docker: DockerStatus): TrustGroup {
  if (docker !== DockerStatus.Enabled || creditScore < NORMAL_TRUST_MIN) return TrustGroup.Low;
  return creditScore >= HIGH_TRUST_MIN ? TrustGroup.High : TrustGroup.Normal;
}

/** Placement tries groups in this order. */
export const TRUST_GROUP_ORDER: readonly TrustGroup[] = [TrustGroup.High, TrustGroup.Normal, TrustGroup.Low];
