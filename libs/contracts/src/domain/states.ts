// The work model's states (docs/design.md "The work model"). String values are what the APIs, the database
// and the console show; they never change meaning once released.

/** One assignment of a shard to one node. */
export enum AttemptState {
  Assigned = 'ASSIGNED',
  Running = 'RUNNING',
  Completed = 'COMPLETED',
  Failed = 'FAILED',
  Cancelled = 'CANCELLED',
  /** The node stopped heartbeating, or the attempt was fenced off. */
  Lost = 'LOST',
}

/** A piece of a task; placed again (a new attempt) after a LOST attempt, up to max attempts. */
export enum ShardState {
  Queued = 'QUEUED',
  Assigned = 'ASSIGNED',
  Running = 'RUNNING',
  /** Some of its replicas' results are in; the pool waits for the others to compare them. */
  Validating = 'VALIDATING',
  Completed = 'COMPLETED',
  Failed = 'FAILED',
  Cancelled = 'CANCELLED',
}

/** How a task's results are checked before they count (docs/validation.md). */
export enum ValidationMode {
  /** Every result is accepted as its node reports it. */
  None = 'none',
  /** Every shard runs on `quorum` nodes of different owners whose results must match. */
  Quorum = 'quorum',
  /** Replicated until the node has earned trust; then accepted alone, with random spot-checks. */
  Adaptive = 'adaptive',
}

/** What validation made of one attempt's result. */
export enum ResultValidation {
  /** In, waiting for the other replicas. */
  Pending = 'PENDING',
  /** Taken without a comparison (validation none, a trusted node, the owner's own node). */
  Accepted = 'ACCEPTED',
  /** Matched the quorum. */
  Valid = 'VALID',
  /** Differed from the quorum, or from the node's own upload. */
  Invalid = 'INVALID',
  /** No quorum could be reached within the task's replicas. */
  Inconclusive = 'INCONCLUSIVE',
}

/** What an attempt does: run the shard, or compare its disagreeing results with the task's validator. */
export enum AttemptPurpose {
  Run = 'run',
  Validate = 'validate',
}

/** Derived from the task's shards. */
export enum TaskStatus {
  Queued = 'QUEUED',
  Running = 'RUNNING',
  Completed = 'COMPLETED',
  Failed = 'FAILED',
  Cancelled = 'CANCELLED',
}

export enum NodeStatus {
  Online = 'online',
  Offline = 'offline',
  /** Takes no new attempts; finishes the ones it has. */
  Draining = 'draining',
}

export enum DockerStatus {
  Enabled = 'enabled',
  Disabled = 'disabled',
}

export enum TrustGroup {
  High = 'high',
  Normal = 'normal',
  Low = 'low',
}

export enum UserRole {
  User = 'user',
  Admin = 'admin',
}

/** How a task is split into shards (the master seed's task splitter). */
export enum SplitKind {
  None = 'none',
  DataProcessing = 'data_processing',
  MachineLearning = 'machine_learning',
  Simulation = 'simulation',
}

export enum LogStream {
  Stdout = 'stdout',
  Stderr = 'stderr',
  /** Lines the platform itself writes into a task's log (pulling image, timeout, …). */
  System = 'system',
}

export const TERMINAL_ATTEMPT_STATES: readonly AttemptState[] = [
  AttemptState.Completed,
  AttemptState.Failed,
  AttemptState.Cancelled,
  AttemptState.Lost,
];

export const TERMINAL_SHARD_STATES: readonly ShardState[] = [
  ShardState.Completed,
  ShardState.Failed,
  ShardState.Cancelled,
];
