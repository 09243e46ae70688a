import {
  type FileView,
  formatBytes,
  type NodeView,
  type QueueView,
  type SystemStatusView,
  type TaskView,
  type WalletView,
} from '@hivemind/contracts';
import { type Colors } from './output';

/** A task, shard, attempt or node state in its colour. */
export function paintState(state: string, c: Colors): string {
  switch (state.toUpperCase()) {
    case 'COMPLETED':
    case 'ONLINE':
    case 'UP':
    case 'OK':
      return c.green(state);
    case 'FAILED':
    case 'LOST':
    case 'OFFLINE':
    case 'DOWN':
      return c.red(state);
    case 'CANCELLED':
    case 'DRAINING':
    case 'DEGRADED':
      return c.yellow(state);
    case 'RUNNING':
    case 'ASSIGNED':
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

export function fileRow(f: FileView, c: Colors, now = Date.now()): string[] {
  return [
    f.name,
    f.kind,
    f.task_id ?? c.dim('-'),
    f.shard_index === null ? c.dim('-') : String(f.shard_index),
    formatBytes(f.size_bytes),
    ago(f.created_at, now),
  ];
}
