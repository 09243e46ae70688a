// REST JSON shapes of tasks, shards, attempts and logs (snake_case, as on the wire). Shared with the
// console and the CLI.

export interface TaskResourcesView {
  cpu_cores: number;
  memory_gb: number;
  storage_gb: number;
  cpu_score: number;
  gpu_score: number;
  gpu_memory_gb: number;
  gpu_name: string | null;
}

export interface TaskView {
  id: string;
  /** The submitter's own name for the task (unique among their tasks), when they gave one. */
  client_ref: string | null;
  name: string;
  owner: string;
  status: string;
  /** % of shards completed, 0–100. */
  progress: number;
  image: string | null;
  command: string[] | null;
  has_input: boolean;
  resources: TaskResourcesView;
  location: string | null;
  priority: number;
  timeout_s: number;
  max_attempts: number;
  /** How results are checked before they count (docs/validation.md). */
  validation: string;
  quorum: number;
  max_replicas: number;
  /** Compares a shard's results when their digests disagree; null: results must match exactly. */
  validator_command: string[] | null;
  network_allowed: boolean;
  split: string;
  shards_total: number;
  shards_completed: number;
  shards_failed: number;
  /** Why a queued shard of this task waits, when one does. */
  wait_reason: string | null;
  max_cost: number;
  cost: number;
  error: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface AttemptView {
  id: string;
  number: number;
  node_id: string;
  node_name: string;
  state: string;
  exit_code: number | null;
  oom_killed: boolean;
  failure_cause: string | null;
  error: string | null;
  duration_ms: number | null;
  cost: number;
  reward: number;
  /** Which live replica of its shard it was. */
  replica: number;
  /** `run` (the shard) or `validate` (the task's validator over the shard's disagreeing results). */
  purpose: string;
  /** What the pool observed (billed): start (or assignment) to end. */
  observed_ms: number | null;
  /** sha256 of the canonical result text (exit code and output files), as the pool computed it. */
  result_digest: string | null;
  /** PENDING, ACCEPTED, VALID, INVALID, INCONCLUSIVE; null when the attempt produced no result. */
  validation: string | null;
  assigned_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ShardView {
  index: number;
  is_aggregate: boolean;
  state: string;
  params: Record<string, unknown>;
  wait_reason: string | null;
  exit_code: number | null;
  has_output: boolean;
  /** Matching results of different owners it needs (0: adaptive, not decided yet). */
  quorum: number;
  /** Results it waits for now. */
  replicas_wanted: number;
  /** The attempt whose result is the shard's (its output, its exit code). */
  canonical_attempt_id: string | null;
  attempts: AttemptView[];
}

export interface TaskDetailView extends TaskView {
  /** The task's env; the names in secret_env_keys show `********` (SECRET_MASK), never the value. */
  env: Record<string, string>;
  /** The names whose values were given as secret_env, sorted. */
  secret_env_keys: string[];
  shards: ShardView[];
}

export interface SubmitTaskResultView {
  task: TaskView;
  /** False when an earlier submission with the same Idempotency-Key is returned. */
  created: boolean;
}

export interface LogChunkView {
  id: number;
  shard_index: number;
  attempt_id: string;
  seq: number;
  stream: string;
  data: string;
  created_at: string;
}

export interface TaskLogsView {
  task_id: string;
  status: string;
  chunks: LogChunkView[];
  /** Pass as `after` to continue the tail. */
  next_after: number;
}

export interface QueueView {
  queued_shards: number;
  assigned_shards: number;
  running_shards: number;
  /** The first queued shards in placement order, with why they wait. */
  head: {
    task_id: string;
    task_name: string;
    owner: string;
    shard_index: number;
    priority: number;
    queued_at: string;
    wait_reason: string | null;
  }[];
}

/** A node-pool process sharing the database and Redis with the others. */
export interface ReplicaView {
  id: string;
  hostname: string;
  pid: number;
  http_port: number;
  grpc_port: number;
  started_at: string;
  last_seen: string;
}

export interface SystemStatusView {
  status: 'ok' | 'degraded';
  postgres: 'up' | 'down';
  redis: 'up' | 'down';
  /** The live node-pool replicas (empty when Redis is down); `replica_id` is the one answering. */
  replicas: ReplicaView[];
  replica_id: string;
  nodes: { online: number; offline: number; draining: number; by_trust_group: Record<string, number> };
  tasks: Record<string, number>;
  shards: { queued: number; assigned: number; running: number };
  scheduler: { strategy: string; heartbeat_timeout_s: number };
  time: string;
}

export interface ReconcileReportView {
  nodes_fixed: number;
  attempts_lost: number;
  attempts_timed_out: number;
  attempts_redispatched: number;
  tasks_finalized: number;
  placement_requested: boolean;
}

/** A stored file's metadata: a task's input, a shard's output, a result archive or a log. */
export interface FileView {
  id: string;
  task_id: string | null;
  shard_index: number | null;
  kind: 'input' | 'output' | 'result' | 'log';
  /** The attempt that uploaded an output (a shard's replicas each upload theirs); null otherwise. */
  attempt_id: string | null;
  /**
   * An output that is its shard's result: the canonical attempt's, which downloads, the results zip
   * and the aggregate step use (docs/validation.md). False for other replicas' outputs and other files.
   */
  canonical: boolean;
  /** The uploaded file's name, or an output's path relative to /workspace/output. */
  name: string;
  sha256: string;
  size_bytes: number;
  content_type: string | null;
  created_at: string;
}
