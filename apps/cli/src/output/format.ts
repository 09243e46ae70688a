import {
  type AuditEventView,
  type FileView,
  formatBytes,
  type NodeView,
  type QueueView,
  type ShardView,
  type SystemStatusView,
  type TaskDetailView,
  type TaskView,
  type WalletView,
} from '@hivemind/contracts';
import { type Colors } from './output';
import { shortDuration } from './progress';

/** A task, shard, attempt or node state, or a result's validation, in its colour. */
export function paintState(state: string, c: Colors): string {
  switch (state.toUpperCase()) {
    case 'COMPLETED':
    case 'ONLINE':
    case 'UP':
    case 'OK':
    case 'VALID':
    case 'ACCEPTED':
      return c.green(state);
    case 'FAILED':
    case 'LOST':
    case 'OFFLINE':
    case 'DOWN':
    case 'INVALID':
      return c.red(state);
    case 'CANCELLED':
    case 'DRAINING':
    case 'DEGRADED':
    case 'INCONCLUSIVE':
      return c.yellow(state);
    case 'RUNNING':
    case 'ASSIGNED':
    case 'VALIDATING':
    case 'PENDING':
      return c.cyan(state);
    default:
      return state;
  }
}

/** `2026-05-01T10:00:00Z` → `5m ago`, relative to `now`. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** Up to 2 decimals, no trailing zeros: 1 → "1", 0.25 → "0.25", 1/3 → "0.33". */
export const num = (n: number): string => String(Number(n.toFixed(2)));

export const TASK_HEAD = ['ID', 'NAME', 'STATUS', 'SHARDS', 'IMAGE', 'COST', 'CREATED'];

export function taskRow(t: TaskView, c: Colors, now = Date.now()): string[] {
  const failed = t.shards_failed ? c.red(` ${t.shards_failed} failed`) : '';
  return [
    t.id,
    t.name || c.dim('-'),
    paintState(t.status, c),
    `${t.shards_completed}/${t.shards_total} (${t.progress}%)${failed}`,
    t.image ?? c.dim('(zip)'),
    `${t.cost}/${t.max_cost}`,
    ago(t.created_at, now),
  ];
}

export const WORKER_HEAD = [
  'NAME',
  'STATUS',
  'OWNER',
  'TRUST',
  'CPU free/total',
  'MEMORY free/total',
  'GPU',
  'TASKS',
  'HEARTBEAT',
];

export function workerRow(n: NodeView, c: Colors): string[] {
  const gb = (mb: number) => num(mb / 1024);
  const gpu = n.total.gpu_score || n.total.gpu_memory_mb ? n.gpu_name || `score ${n.total.gpu_score}` : '-';
  return [
    n.name,
    paintState(n.status, c),
    n.owner,
    `${n.trust_group} (${n.credit_score})`,
    `${num(n.available.cpu_millicores / 1000)}/${num(n.total.cpu_millicores / 1000)} cores`,
    `${gb(n.available.memory_mb)}/${gb(n.total.memory_mb)} GB`,
    gpu,
    `${n.running_attempts}/${n.max_concurrent}`,
    n.heartbeat_age_s === null ? c.dim('never') : `${n.heartbeat_age_s}s ago`,
  ];
}

export const QUEUE_HEAD = ['TASK', 'NAME', 'OWNER', 'SHARD', 'PRIORITY', 'QUEUED', 'WAITING BECAUSE'];

export function queueSummary(q: QueueView): string {
  return `Shards: ${q.queued_shards} queued, ${q.assigned_shards} assigned, ${q.running_shards} running`;
}

export function queueRow(h: QueueView['head'][number], c: Colors, now = Date.now()): string[] {
  return [
    h.task_id,
    h.task_name || c.dim('-'),
    h.owner,
    String(h.shard_index),
    String(h.priority),
    ago(h.queued_at, now),
    h.wait_reason ?? c.dim('-'),
  ];
}

export function systemStatusLines(s: SystemStatusView, c: Colors): string[] {
  const tasks = Object.entries(s.tasks)
    .map(([status, n]) => `${n} ${status.toLowerCase()}`)
    .join(', ');
  const groups = Object.entries(s.nodes.by_trust_group)
    .map(([group, n]) => `${n} ${group}`)
    .join(', ');
  return [
    `Pool:     ${paintState(s.status, c)} (${s.replicas.length} replica${s.replicas.length === 1 ? '' : 's'}, scheduler ${s.scheduler.strategy}, heartbeat timeout ${s.scheduler.heartbeat_timeout_s}s)`,
    `Workers:  ${s.nodes.online} online, ${s.nodes.draining} draining, ${s.nodes.offline} offline (trust: ${groups})`,
    `Tasks:    ${tasks}`,
    `Queue:    ${s.shards.queued} shards queued, ${s.shards.assigned} assigned, ${s.shards.running} running`,
  ];
}

export function walletLine(w: WalletView): string {
  return `Balance: ${w.balance} CPT (available ${w.available}, held in escrow ${w.held})`;
}

export const FILE_HEAD = ['NAME', 'KIND', 'TASK', 'SHARD', 'SIZE', 'CREATED'];

/** A file's row; an output that is its shard's result (the canonical replica's) says so. */
export function fileRow(f: FileView, c: Colors, now = Date.now()): string[] {
  return [
    f.name,
    f.canonical ? `${f.kind} (canonical)` : f.kind,
    f.task_id ?? c.dim('-'),
    f.shard_index === null ? c.dim('-') : String(f.shard_index),
    formatBytes(f.size_bytes),
    ago(f.created_at, now),
  ];
}

/** `850ms`, `12.3s`, `4m05s`; `-` when unknown. */
export function millis(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  return shortDuration(ms / 1000);
}

/** A result digest's first 12 hex characters (`--json` has the whole one). */
export const shortDigest = (digest: string | null): string => (digest ? digest.slice(0, 12) : '-');

/** A task's validation policy in one line (docs/validation.md). */
export function policyLine(t: Pick<TaskView, 'validation' | 'quorum' | 'max_replicas'>): string {
  const agree = `${t.quorum} matching result${t.quorum === 1 ? '' : 's'} of different owners`;
  const upTo = `up to ${t.max_replicas} replica${t.max_replicas === 1 ? '' : 's'} a shard`;
  // ValidationMode's values, as the API sends them
  switch (t.validation) {
    case 'none':
      return 'none: results taken as reported';
    case 'quorum':
      return `quorum: ${agree}, ${upTo}`;
    case 'adaptive':
      return `adaptive: trusted nodes alone (spot-checked), others ${agree}; ${upTo}`;
    default:
      return t.validation;
  }
}

/** One task's summary lines, above its attempts. */
export function taskDetailLines(t: TaskDetailView, c: Colors, now = Date.now()): string[] {
  const failed = t.shards_failed ? c.red(`, ${t.shards_failed} failed`) : '';
  const lines = [
    `Task:       ${t.id}${t.name ? ` (${t.name})` : ''} ${paintState(t.status, c)}`,
    `Owner:      ${t.owner}, created ${ago(t.created_at, now)}`,
    `Image:      ${t.image ?? '(the input zip in the runtime image)'}`,
    `Shards:     ${t.shards_completed}/${t.shards_total} completed (${t.progress}%)${failed}`,
    `Cost:       ${t.cost} of up to ${t.max_cost} CPT`,
    `Validation: ${policyLine(t)}`,
  ];
  if (t.wait_reason) lines.push(`Waiting:    ${t.wait_reason}`);
  if (t.error) lines.push(`Error:      ${c.red(t.error)}`);
  return lines;
}

export const ATTEMPT_HEAD = [
  'SHARD',
  'ATTEMPT',
  'REPLICA',
  'NODE',
  'STATE',
  'VALIDATION',
  'EXIT',
  'DIGEST',
  'OBSERVED',
  'REPORTED',
  'COST',
];

/** Marks the canonical attempt (the one whose result is the shard's) in the REPLICA column. */
export const CANONICAL_MARK = '*';

/** The REPLICA cell: the number, `*` on the canonical attempt, `validator` on the validator's runs. */
function replicaCell(a: ShardView['attempts'][number], s: ShardView, c: Colors): string {
  if (a.purpose === 'validate') return c.dim(`${a.replica} validator`);
  return a.id === s.canonical_attempt_id ? c.bold(`${a.replica}${CANONICAL_MARK}`) : String(a.replica);
}

/**
 * A shard's attempts, one row each (the shard and its state on the first); a shard without an
 * attempt is one row of dashes. The canonical attempt's replica is marked with `*`.
 */
export function shardAttemptRows(s: ShardView, c: Colors): string[][] {
  const shard = `${s.is_aggregate ? 'aggregate' : s.index} ${paintState(s.state, c)}`;
  if (!s.attempts.length) return [[shard, ...ATTEMPT_HEAD.slice(1).map(() => c.dim('-'))]];
  return s.attempts.map((a, i) => [
    i === 0 ? shard : '',
    String(a.number),
    replicaCell(a, s, c),
    a.node_name,
    paintState(a.state, c),
    a.validation ? paintState(a.validation, c) : c.dim('-'),
    a.exit_code === null ? c.dim('-') : `${a.exit_code}${a.oom_killed ? ' OOM' : ''}`,
    shortDigest(a.result_digest),
    millis(a.observed_ms),
    millis(a.duration_ms),
    String(a.cost),
  ]);
}

/** One worker: what it is and offers, and its standing (validated results, run, probation, faults). */
export function workerDetailLines(n: NodeView, c: Colors, now = Date.now()): string[] {
  const [, , , trust, cpu, memory, gpu, tasks, heartbeat] = workerRow(n, c);
  const s = n.standing;
  const invalid = s.invalid_results ? c.red(`${s.invalid_results} invalid`) : '0 invalid';
  const flags = [s.operator ? "the operator's node" : '', s.probation ? c.yellow('on probation') : '']
    .filter(Boolean)
    .join(', ');
  const claims = `${s.disproved_claims} disproved claim${s.disproved_claims === 1 ? '' : 's'}`;
  return [
    `Worker:     ${n.name} ${paintState(n.status, c)} (id ${n.id}, owner ${n.owner})`,
    `Trust:      ${trust}, docker ${n.docker_status}`,
    `Resources:  ${cpu}, ${memory} free; GPU ${gpu}; tasks ${tasks}; heartbeat ${heartbeat}`,
    `Results:    ${s.valid_results} valid, ${invalid}; valid run ${s.valid_run}${flags ? ` (${flags})` : ''}`,
    `Faults:     ${s.node_faults} (last ${s.last_fault_at ? ago(s.last_fault_at, now) : 'never'}), ${claims}`,
  ];
}

export const AUDIT_HEAD = ['TIME', 'ACTION', 'OUTCOME', 'ACTOR', 'ADDRESS', 'TARGET', 'REQUEST'];

/**
 * One audit event: the time in UTC to the second, the outcome in its colour, the actor (a refused
 * login names the username tried, in parentheses), the target as `type:id` with a UUID cut to 8.
 */
export function auditRow(e: AuditEventView, c: Colors): string[] {
  const tried = typeof e.detail.username === 'string' ? `(${e.detail.username})` : '-';
  const outcome =
    e.outcome === 'ok'
      ? c.green(e.outcome)
      : e.outcome === 'refused'
        ? c.yellow(e.outcome)
        : c.red(e.outcome);
  const id =
    e.target_id && /^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(e.target_id) ? e.target_id.slice(0, 8) : e.target_id;
  return [
    e.at.slice(0, 19).replace('T', ' '),
    e.action,
    outcome,
    e.actor_username ?? tried,
    e.address ?? '-',
    e.target_type ? `${e.target_type}:${id ?? ''}` : '-',
    e.request_id ?? '-',
  ];
}
