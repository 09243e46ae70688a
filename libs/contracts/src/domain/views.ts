// Shapes of the REST API's answers (snake_case, as the seeds' JSON). Plain types the console and
// the CLI share; the node pool's documented response classes implement them.
import { type DockerStatus, type NodeStatus, type TrustGroup, type UserRole } from './states';

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

/** A node's resources in the units the scheduler counts: millicores, MB, scores. */
export interface NodeResourcesView {
  cpu_millicores: number;
  memory_mb: number;
  storage_mb: number;
  cpu_score: number;
  gpu_score: number;
  gpu_memory_mb: number;
}

/** A worker node as the console, the CLI and GET /api/nodes show it. */
export interface NodeView {
  id: string;
  /** The worker's NODE_ID; unique across the pool. */
  name: string;
  /** The owner's username. */
  owner: string;
  status: NodeStatus;
  docker_status: DockerStatus;
  credit_score: number;
  trust_group: TrustGroup;
  hostname: string;
  port: number;
  location: string;
  gpu_name: string;
  agent_version: string;
  /** What the node offers (as registered). */
  total: NodeResourcesView;
  /** What its live attempts leave free. */
  available: NodeResourcesView;
  running_attempts: number;
  max_concurrent: number;
  /** ISO 8601; null before the first heartbeat. */
  last_heartbeat_at: string | null;
  /** Seconds since the last heartbeat; null before the first one. */
  heartbeat_age_s: number | null;
  /** From the latest heartbeat; null when the node is not heartbeating. */
  cpu_percent: number | null;
  memory_percent: number | null;
  registered_at: string;
  /** What validation has made of its results, and its reliability (docs/validation.md). */
  standing: NodeStandingView;
}

/** A node's earned trust and its reliability. */
export interface NodeStandingView {
  /** Consecutive valid results for other owners' tasks. */
  valid_run: number;
  valid_results: number;
  invalid_results: number;
  /** New, or a result refused lately: few slots, no network access, no secrets, results replicated. */
  probation: boolean;
  /** Its owner is an admin: the operator's own machine. */
  operator: boolean;
  /** Lost attempts and failures it caused. */
  node_faults: number;
  /** Claims a task disproved (an OOM kill below the memory it offered). */
  disproved_claims: number;
  last_fault_at: string | null;
}

/** One point of a node's utilization chart: averages over the bucket. */
export interface NodeUtilizationPointView {
  /** The bucket's start, ISO 8601. */
  at: string;
  cpu_percent: number;
  memory_percent: number;
  running_attempts: number;
  /** Heartbeats averaged into this point. */
  samples: number;
}

export interface NodeUtilizationView {
  node_id: string;
  from: string;
  to: string;
  /** The width of each point's bucket, in seconds. */
  step_s: number;
  points: NodeUtilizationPointView[];
}
