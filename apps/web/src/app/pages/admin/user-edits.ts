// What an admin may change on a user, checked before it is sent. Pure.
import { type UserRole, type UserView } from '@hivemind/contracts';

/** The limits of UpdateUserDto.trust_score (libs/contracts/src/dto/admin.dto.ts). */
export const TRUST_SCORE_MIN = 0;
export const TRUST_SCORE_MAX = 1000;

export type UserField = 'role' | 'trust_score' | 'disabled';

/** A PATCH /api/admin/users/:id body that changes one field. */
export type UserChange = { role: UserRole } | { trust_score: number } | { disabled: boolean };

/** The typed trust score as a number, or why it cannot be sent. */
export function parseTrustScore(text: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  const range = `from ${TRUST_SCORE_MIN} to ${TRUST_SCORE_MAX}`;
  if (!trimmed) return { error: `Enter a trust score ${range}` };
  if (!/^\d+$/.test(trimmed)) return { error: `The trust score is a whole number ${range}` };
  const value = Number(trimmed);
  if (value < TRUST_SCORE_MIN || value > TRUST_SCORE_MAX) return { error: `The trust score goes ${range}` };
  return { value };
}

/** The field a change is about. */
export function fieldOf(change: UserChange): UserField {
  if ('role' in change) return 'role';
  return 'trust_score' in change ? 'trust_score' : 'disabled';
}

/** The server's refusal for a field: its message for that field if it named one, else its message. */
export function refusalFor(
  field: UserField,
  refusal: { message: string; fields: Record<string, string> },
): string {
  return refusal.fields[field] ?? refusal.message;
}

/** Users merged by id, a later page's copy winning, in the server's (username) order. */
export function mergeUsers(shown: readonly UserView[], page: readonly UserView[]): UserView[] {
  const ids = new Set(page.map((u) => u.id));
  return [...shown.filter((u) => !ids.has(u.id)), ...page];
}

/** The user as shown, with only `field` taken from the server's answer (answers to other fields may race). */
export function withField(shown: UserView, answer: UserView, field: UserField): UserView {
  switch (field) {
    case 'role':
      return { ...shown, role: answer.role };
    case 'trust_score':
      return { ...shown, trust_score: answer.trust_score };
    case 'disabled':
      return { ...shown, disabled: answer.disabled };
  }
}
