// The transfer form's rules, its idempotency key and how a ledger movement reads. Pure.
import {
  type LedgerMovementView,
  USERNAME_PATTERN,
  USERNAME_RULE,
  normalizeUsername,
} from '@hivemind/contracts';

export const MEMO_MAX_LENGTH = 200;

/** What the form holds (an empty number input gives null). */
export interface TransferInput {
  to: string;
  amount: number | string | null;
  memo: string;
}

/** POST /api/wallet/transfer's body (TransferDto). */
export interface TransferRequest {
  to: string;
  amount: number;
  memo?: string;
}

export type TransferCheck =
  { request: TransferRequest; fields?: undefined } | { request?: undefined; fields: Record<string, string> };

/**
 * The request the form makes, or a message per field that is wrong: the server's own rules
 * (TransferDto), checked first so that a typo does not cost a round trip. The server still decides,
 * e.g. whether the recipient exists and the balance suffices.
 */
export function checkTransfer(input: TransferInput, self?: string): TransferCheck {
  const fields: Record<string, string> = {};
  const to = normalizeUsername(input.to);
  if (!to) fields['to'] = 'Enter the username of the recipient';
  else if (!USERNAME_PATTERN.test(to)) fields['to'] = `Not a username: ${USERNAME_RULE}`;
  else if (self && to === normalizeUsername(self)) fields['to'] = 'You cannot send CPT to yourself';

  const raw = typeof input.amount === 'string' ? input.amount.trim() : input.amount;
  const amount = raw === null || raw === '' ? NaN : Number(raw);
  if (raw === null || raw === '') fields['amount'] = 'Enter an amount';
  else if (!Number.isInteger(amount)) fields['amount'] = 'A whole number of CPT';
  else if (amount < 1) fields['amount'] = 'At least 1 CPT';
  else if (amount > Number.MAX_SAFE_INTEGER) fields['amount'] = 'That is more CPT than exist';

  const memo = input.memo.trim();
  if (memo.length > MEMO_MAX_LENGTH) fields['memo'] = `At most ${MEMO_MAX_LENGTH} characters`;

  if (Object.keys(fields).length) return { fields };
  return { request: memo ? { to, amount, memo } : { to, amount } };
}

/** The Idempotency-Key of a transfer being attempted, and the body it was made for. */
export interface PendingTransfer {
  key: string;
  body: string;
}

/**
 * The key for this submission: the pending one when the same transfer is tried again (a retry after
 * an unanswered request must not send the CPT twice), a fresh one for a different transfer.
 */
export function keyFor(
  pending: PendingTransfer | null,
  request: TransferRequest,
  newKey: () => string,
): PendingTransfer {
  const body = JSON.stringify(request);
  return pending?.body === body ? pending : { key: newKey(), body };
}

/**
 * Whether a failed transfer may have been made after all, so that trying again must reuse its key:
 * no answer, a timeout or a server error. A refusal (400, 402, 404, 409) made nothing.
 */
export function mayHaveHappened(status: number): boolean {
  return status === 0 || status === 408 || status >= 500;
}

/** What newIdempotencyKey needs of `crypto`. */
export interface RandomSource {
  randomUUID?: () => string;
  getRandomValues(array: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer>;
}

/**
 * A random UUID for an Idempotency-Key. `crypto.randomUUID` exists only in secure contexts (HTTPS or
 * localhost): a console served over plain HTTP on a LAN gets one built from getRandomValues.
 */
export function newIdempotencyKey(source: RandomSource = crypto): string {
  if (typeof source.randomUUID === 'function') return source.randomUUID();
  const bytes = source.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const KINDS: Record<string, string> = {
  signup_grant: 'Welcome grant',
  transfer: 'Transfer',
  hold: 'Held for a task',
  charge: 'Task charge',
  release: 'Released from hold',
  reward: 'Reward',
  refund: 'Refund',
  adjustment: 'Adjustment',
};

/** `signup_grant` → `Welcome grant`; an unknown kind as it is, readable. */
export function movementKind(kind: string): string {
  const known = KINDS[kind];
  if (known) return known;
  const words = kind.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** 25 → `+25`, -25 → `-25`, with thousands separators. */
export function signedAmount(amount: number): string {
  const digits = Math.abs(amount).toLocaleString('en-US');
  return amount > 0 ? `+${digits}` : amount < 0 ? `-${digits}` : '0';
}

/** The other side of a movement: `to bob`, `from alice`, `to escrow`, `from mint`; empty if none. */
export function counterpartyOf(movement: Pick<LedgerMovementView, 'amount' | 'counterparty'>): string {
  const other = movement.counterparty;
  if (!other) return '';
  return movement.amount < 0 ? `to ${other}` : `from ${other}`;
}
