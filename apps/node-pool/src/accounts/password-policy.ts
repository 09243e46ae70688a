import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@hivemind/contracts';

/** zxcvbn's score (0–4) a password needs: 3 = "safely unguessable: moderate protection from offline attacks". */
export const MIN_PASSWORD_SCORE = 3;

/** Words a password is checked against besides zxcvbn's dictionaries: the user's name and ours. */
export const knownWords = (username: string): string[] => [username, 'hivemind'];

/** What zxcvbn says of a password (the fields the policy reads). */
export interface StrengthEstimate {
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** Why a password's length is refused, or undefined. Pure; checked before any estimate. */
export function lengthProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}

/** Why an estimated password is too weak, or undefined when it is acceptable. Pure. */
export function weaknessOf(estimate: StrengthEstimate): string | undefined {
  if (estimate.score >= MIN_PASSWORD_SCORE) return undefined;
  const why = estimate.warning || 'it is easy to guess';
  const hint = estimate.suggestions[0] ?? 'Use a longer phrase of uncommon words.';
  return `password is too weak: ${why.replace(/\.$/, '')}. ${hint}`;
}
