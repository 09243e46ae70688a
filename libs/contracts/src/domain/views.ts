// Shapes of the REST API's answers (snake_case, as the seeds' JSON). Plain types the console and
// the CLI share; the node pool's documented response classes implement them.
import { type UserRole } from './states';

export interface UserView {
  id: string;
  username: string;
  role: UserRole;
  trust_score: number;
  disabled: boolean;
  created_at: string;
}

export interface SessionView {
  access_token: string;
  token_type: 'Bearer';
  /** ISO 8601 */
  expires_at: string;
  refresh_token: string;
  user: UserView;
}

export interface WalletView {
  /** available + held, in CPT */
  balance: number;
  /** In escrow for the user's unfinished tasks. */
  held: number;
  available: number;
}

export interface LedgerMovementView {
  id: string;
  transaction_id: string;
  kind: string;
  /** Positive: credited to the user; negative: debited. */
  amount: number;
  balance_after: number;
  /** The other side: a username, or `escrow`, `mint`, `platform`. */
  counterparty: string | null;
  task_id: string | null;
  memo: string;
  created_at: string;
}

export interface TransferResultView {
  transaction_id: string;
  /** False when an earlier transfer with the same Idempotency-Key is returned. */
  created: boolean;
  wallet: WalletView;
}

/** Every HTTP error. */
export interface ErrorView {
  statusCode: number;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
}
