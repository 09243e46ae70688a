// The worker's own HTTP API (docs/worker.md "Worker console and its API"): one contract for the
// worker, which answers with these, and its console, which reads them.

/** POST and GET /api/session. */
export interface ConsoleSessionView {
  username: string;
  role: 'owner' | 'admin';
  expires_at: string;
  /** Signed in against the cached verifier while the pool was unreachable. */
  offline: boolean;
}

/** The `vpn` of /api/status and /api/node (docs/worker.md "Joining the VPN"). */
export interface VpnView {
  state: 'disabled' | 'joining' | 'up' | 'down' | 'error';
  message?: string;
  address?: string | null;
  pool_address?: string | null;
  interface?: string | null;
  implementation?: string | null;
  error?: string | null;
  since?: string | null;
}

/** GET /api/node: who this node is, as the pool last said (cached on disk). */
export interface WorkerNodeView {
  node_id: string;
  node_uuid: string | null;
  /** The owner's username (and id, once the pool has said it). */
  owner: string;
  owner_id: string | null;
  trust_score: number | null;
  trust_group: string | null;
  cpt_earned: string | number | null;
  pool: { address: string; connected: boolean; last_heartbeat: string | null; last_error: string | null };
  vpn: VpnView | null;
  cached_at: string | null;
}

export interface Cores {
  cpu_cores: number;
  memory_gb: number;
}

/** GET /api/status (the seed's fields and more). */
export interface StatusView {
  node_id: string;
  status: string;
  is_registered: boolean;
  connected: boolean;
  last_error: string | null;
  executor: string;
  storage_quota: string;
  docker_available: boolean;
  cpu_percent: number;
  memory_percent: number;
  available_resources: Cores;
  total_resources: Cores;
  running_tasks: number;
  max_concurrent_tasks: number;
  trust_score: number | null;
  trust_group: string | null;
  last_heartbeat: string | null;
  pool_address: string;
  vpn: VpnView;
}

export interface GpuView {
  name: string;
  memory_gb?: number;
  /** Not reported by every worker: charted when present. */
  utilization_percent?: number | null;
}

/** GET /api/resources. */
export interface ResourcesView {
  total: Cores;
  available: Cores;
  cpu_percent: number;
  memory_percent: number;
  gpu: GpuView[];
  disk: { total_gb: number | null; free_gb: number | null; path: string };
  docker: { available: boolean; version?: string };
  running_tasks: number;
}

/** One attempt this node runs or waits to run. */
export interface RunningAttemptView {
  attempt_id: string;
  task_id: string;
  shard_index: number;
  status: string;
  image: string;
  received_at: string;
  start_time: string | null;
  elapsed: number;
  cpt_reward: string;
  resources: { cpu_millicores: number; memory_mb: number; storage_mb: number };
}

/** One finished attempt (since the worker started). */
export interface FinishedAttemptView {
  attempt_id: string;
  task_id: string;
  /** completed (exit 0) | failed | stopped (by this node's operator) | cancelled (by the pool) */
  status: 'completed' | 'failed' | 'stopped' | 'cancelled';
  exit_code: number | null;
  started_at: string | null;
  finished_at: string;
  error?: string;
}

/** GET /api/tasks. */
export interface TasksView {
  tasks: RunningAttemptView[];
  history: FinishedAttemptView[];
}

/** One line of an attempt's output (GET /api/tasks/:id/logs). */
export interface LogLineView {
  stream: string;
  text: string;
  /** The engine's timestamp of the batch the line came in, else when the worker spooled it. */
  at: string;
}
