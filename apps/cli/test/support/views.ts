// A task with replicated shards and a worker with a standing, as the REST API answers: the shapes the
// task-info and worker outputs are specified against.
import { type AttemptView, type NodeView, type ShardView, type TaskDetailView } from '@hivemind/contracts';

export const TASK_ID = '4f1c0000-0000-4000-8000-000000000001';
export const DIGEST_A = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
export const DIGEST_B = '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752';

export const attempt = (patch: Partial<AttemptView>): AttemptView => ({
  id: 'a1',
  number: 1,
  node_id: 'n1',
  node_name: 'w1',
  state: 'COMPLETED',
  exit_code: 0,
  oom_killed: false,
  failure_cause: null,
  error: null,
  duration_ms: 1200,
  cost: 2,
  reward: 1,
  replica: 1,
  observed_ms: 1250,
  result_digest: DIGEST_A,
  validation: 'VALID',
  assigned_at: '2026-05-01T09:58:00.000Z',
  started_at: '2026-05-01T09:58:01.000Z',
  finished_at: '2026-05-01T09:58:02.000Z',
  ...patch,
});

export const shard = (patch: Partial<ShardView>): ShardView => ({
  index: 0,
  is_aggregate: false,
  state: 'COMPLETED',
  params: {},
  wait_reason: null,
  exit_code: 0,
  has_output: true,
  quorum: 2,
  replicas_wanted: 2,
  canonical_attempt_id: null,
  attempts: [],
  ...patch,
});

/** Shard 0 validated by two owners against a third's wrong result; shard 1 still waits for a replica. */
export const replicatedTask = (): TaskDetailView => ({
  id: TASK_ID,
  name: 'render',
  owner: 'alice',
  status: 'RUNNING',
  progress: 50,
  image: 'alpine:3',
  command: null,
  has_input: false,
  resources: {
    cpu_cores: 1,
    memory_gb: 0.5,
    storage_gb: 1,
    cpu_score: 0,
    gpu_score: 0,
    gpu_memory_gb: 0,
    gpu_name: null,
  },
  location: null,
  priority: 0,
  timeout_s: 3600,
  max_attempts: 3,
  validation: 'quorum',
  quorum: 2,
  max_replicas: 4,
  network_allowed: false,
  split: 'none',
  shards_total: 2,
  shards_completed: 1,
  shards_failed: 0,
  wait_reason: 'replica 2 of 2: a replica needs a node of another owner',
  max_cost: 544,
  cost: 4,
  error: null,
  created_at: '2026-05-01T09:58:00.000Z',
  updated_at: '2026-05-01T09:59:00.000Z',
  started_at: '2026-05-01T09:58:01.000Z',
  finished_at: null,
  env: {},
  secret_env_keys: [],
  shards: [
    shard({
      canonical_attempt_id: 'a1',
      replicas_wanted: 3,
      attempts: [
        attempt({}),
        attempt({
          id: 'a2',
          number: 2,
          replica: 2,
          node_name: 'rogue',
          result_digest: DIGEST_B,
          validation: 'INVALID',
          observed_ms: 5,
          duration_ms: 1_800_000,
          cost: 0,
        }),
        attempt({
          id: 'a3',
          number: 3,
          replica: 3,
          node_name: 'w3',
          observed_ms: 61_000,
          duration_ms: 60_500,
        }),
      ],
    }),
    shard({
      index: 1,
      state: 'VALIDATING',
      exit_code: null,
      has_output: false,
      attempts: [
        attempt({
          id: 'b1',
          node_name: 'w1',
          validation: 'PENDING',
          exit_code: 137,
          oom_killed: true,
          result_digest: DIGEST_B,
        }),
      ],
    }),
    shard({ index: 2, is_aggregate: true, state: 'QUEUED', exit_code: null, has_output: false }),
  ],
});

const res = (cpu: number, mem: number) => ({
  cpu_millicores: cpu,
  memory_mb: mem,
  storage_mb: 0,
  cpu_score: 0,
  gpu_score: 0,
  gpu_memory_mb: 0,
});

export const NODE_ID = '7a2e0000-0000-4000-8000-000000000002';

export const worker = (patch: Partial<NodeView> = {}): NodeView => ({
  id: NODE_ID,
  name: 'rogue',
  owner: 'mallory',
  status: 'online' as NodeView['status'],
  docker_status: 'enabled' as NodeView['docker_status'],
  credit_score: 25,
  trust_group: 'low' as NodeView['trust_group'],
  hostname: 'rogue.lan',
  port: 50052,
  location: '',
  gpu_name: '',
  agent_version: '1.0.0',
  total: res(4000, 8192),
  available: res(2500, 6144),
  running_attempts: 1,
  max_concurrent: 4,
  last_heartbeat_at: '2026-05-01T09:59:58.000Z',
  heartbeat_age_s: 2,
  cpu_percent: 5,
  memory_percent: 20,
  registered_at: '2026-04-01T00:00:00.000Z',
  standing: {
    valid_run: 0,
    valid_results: 3,
    invalid_results: 2,
    probation: true,
    operator: false,
    node_faults: 1,
    disproved_claims: 1,
    last_fault_at: '2026-05-01T09:55:00.000Z',
  },
  ...patch,
});
