// Raw rows of the task queries (PostgreSQL names) and their REST views.
import {
  type AttemptView,
  type LogChunkView,
  type ShardView,
  type TaskView,
  TaskStatus,
} from '@hivemind/contracts';
import { type TaskDemandColumns } from '../scheduling/shards.repository';

export interface TaskRow extends TaskDemandColumns {
  id: string;
  user_id: string;
  owner: string;
  client_ref: string | null;
  name: string;
  status: TaskStatus;
  image: string | null;
  command: string[] | null;
  input_file_id: string | null;
  input_sha256: string | null;
  input_size: string | null;
  env: Record<string, string>;
  /** The names of the secret env (its values are never read into a row). */
  secret_env_keys: string[];
  priority: number;
  timeout_s: number;
  max_attempts: number;
  validation: string;
  quorum: number;
  max_replicas: number;
  validator: { command: string[] } | null;
  network_allowed: boolean;
  split_kind: string;
  split_params: Record<string, unknown>;
  aggregate: { image?: string; command?: string[] } | null;
  target_node_id: string | null;
  shards_total: number;
  shards_completed: number;
  shards_failed: number;
  max_cost: string;
  cost: string;
  error: string | null;
  wait_reason: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function progressOf(t: Pick<TaskRow, 'shards_completed' | 'shards_total'>): number {
  return t.shards_total > 0 ? Math.floor((t.shards_completed * 100) / t.shards_total) : 0;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTaskView(t: TaskRow): TaskView {
  return {
    id: t.id,
    client_ref: t.client_ref,
    name: t.name,
    owner: t.owner,
    status: t.status,
    progress: progressOf(t),
    image: t.image,
    command: t.command,
    has_input: t.input_file_id !== null,
    resources: {
      cpu_cores: t.req_cpu_millicores / 1000,
      memory_gb: t.req_memory_mb / 1024,
      storage_gb: t.req_storage_mb / 1024,
      cpu_score: t.req_cpu_score,
      gpu_score: t.req_gpu_score,
      gpu_memory_gb: t.req_gpu_memory_mb / 1024,
      gpu_name: t.req_gpu_name,
    },
    location: t.location,
    priority: t.priority,
    timeout_s: t.timeout_s,
    max_attempts: t.max_attempts,
    validation: t.validation,
    quorum: t.quorum,
    max_replicas: t.max_replicas,
    validator_command: t.validator?.command ?? null,
    network_allowed: t.network_allowed,
    split: t.split_kind,
    shards_total: t.shards_total,
    shards_completed: t.shards_completed,
    shards_failed: t.shards_failed,
    wait_reason: t.status === TaskStatus.Queued || t.status === TaskStatus.Running ? t.wait_reason : null,
    max_cost: Number(t.max_cost),
    cost: Number(t.cost),
    error: t.error,
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
    started_at: iso(t.started_at),
    finished_at: iso(t.finished_at),
  };
}

export interface ShardRow {
  id: string;
  shard_index: number;
  is_aggregate: boolean;
  state: string;
  params: Record<string, unknown>;
  wait_reason: string | null;
  exit_code: number | null;
  output_file_id: string | null;
  quorum: number;
  replicas_wanted: number;
  canonical_attempt_id: string | null;
}

export interface AttemptRow {
  id: string;
  shard_id: string;
  attempt_number: number;
  node_id: string;
  node_name: string;
  state: string;
  exit_code: number | null;
  oom_killed: boolean;
  failure_cause: string | null;
  error: string | null;
  duration_ms: string | null;
  cost: string;
  reward: string;
  replica: number;
  purpose: string;
  observed_ms: string | null;
  result_digest: string | null;
  validation: string | null;
  assigned_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function toShardView(s: ShardRow, attempts: readonly AttemptRow[]): ShardView {
  return {
    index: s.shard_index,
    is_aggregate: s.is_aggregate,
    state: s.state,
    params: s.params,
    wait_reason: s.state === 'QUEUED' || s.state === 'VALIDATING' ? s.wait_reason : null,
    exit_code: s.exit_code,
    has_output: s.output_file_id !== null,
    quorum: s.quorum,
    replicas_wanted: s.replicas_wanted,
    canonical_attempt_id: s.canonical_attempt_id,
    attempts: attempts.filter((a) => a.shard_id === s.id).map(toAttemptView),
  };
}

export function toAttemptView(a: AttemptRow): AttemptView {
  return {
    id: a.id,
    number: a.attempt_number,
    node_id: a.node_id,
    node_name: a.node_name,
    state: a.state,
    exit_code: a.exit_code,
    oom_killed: a.oom_killed,
    failure_cause: a.failure_cause,
    error: a.error,
    duration_ms: a.duration_ms === null ? null : Number(a.duration_ms),
    cost: Number(a.cost),
    reward: Number(a.reward),
    replica: a.replica,
    purpose: a.purpose,
    observed_ms: a.observed_ms === null ? null : Number(a.observed_ms),
    result_digest: a.result_digest,
    validation: a.validation,
    assigned_at: a.assigned_at.toISOString(),
    started_at: iso(a.started_at),
    finished_at: iso(a.finished_at),
  };
}

export interface LogChunkRow {
  id: string;
  shard_index: number;
  attempt_id: string;
  seq: string;
  stream: string;
  data: string;
  created_at: Date;
}

export function toLogChunkView(c: LogChunkRow): LogChunkView {
  return {
    id: Number(c.id),
    shard_index: c.shard_index,
    attempt_id: c.attempt_id,
    seq: Number(c.seq),
    stream: c.stream,
    data: c.data,
    created_at: c.created_at.toISOString(),
  };
}
