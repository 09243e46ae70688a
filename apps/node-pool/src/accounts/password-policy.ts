import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@hivemind/contracts';

/** zxcvbn's score (0–4) a password needs: 3 = "safely unguessable: moderate protection from offline attacks". */
export const MIN_PASSWORD_SCORE = 3;

const estimator = new ZxcvbnFactory({
  translations,
  graphs: adjacencyGraphs,
  dictionary: { ...commonDictionary, ...englishDictionary },
});

/**
 * Why a password is too weak for this user, or undefined when it is acceptable. Pure: length limits,
 * then zxcvbn's guess estimate with the username and "hivemind" as known words.
 */
export function passwordWeakness(password: string, username: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const result = estimator.check(password, [username, 'hivemind']);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const why = result.feedback.warning ?? 'it is easy to guess';
  const hint = result.feedback.suggestions[0] ?? 'Use a longer phrase of uncommon words.';
  return `password is too weak: ${why.replace(/\.$/, '')}. ${hint}`;
}
