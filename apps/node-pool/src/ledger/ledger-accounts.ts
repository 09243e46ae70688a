// The ledger's account names (pure). Every movement debits one and credits another.

/** Where new CPT comes from (sign-up grants); the only account whose balance goes below zero. */
export const MINT = 'mint';
/** Holds each running task's maximum cost until it is charged or released. */
export const ESCROW = 'escrow';
/** The platform's own account (fees). */
export const PLATFORM = 'platform';

export const SYSTEM_ACCOUNTS = [MINT, ESCROW, PLATFORM] as const;

export const userAccount = (userId: string): string => `user:${userId}`;

/** Kinds of ledger transactions, as stored in ledger_transactions.kind. */
export enum MovementKind {
  SignupGrant = 'signup_grant',
  Transfer = 'transfer',
  Hold = 'hold',
  Charge = 'charge',
  Release = 'release',
}
