// How the task page says durations, file names and states. Pure.
import { type AttemptView, type ShardView, TaskStatus, type TaskView } from '@hivemind/contracts';

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`; `—` when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  const minutes = Math.floor(whole / 60);
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}

/**
 * How long the pool saw an attempt run (what it bills): its observed time, else from its start (or
 * assignment) to its end, or to `now` while it runs. The node's own figure is `duration_ms`.
 */
export function attemptDuration(a: AttemptView, now: number): number | null {
  if (a.observed_ms !== null) return a.observed_ms;
  const start = a.started_at ?? a.assigned_at;
  if (!start) return null;
  return (a.finished_at ? Date.parse(a.finished_at) : now) - Date.parse(start);
}

/**
 * The node reported noticeably more time than the pool observed (more than 10 % and a second): worth
 * a look, since only the observed time is billed.
 */
export function reportOverstated(a: AttemptView): boolean {
  if (a.duration_ms === null || a.observed_ms === null) return false;
  return a.duration_ms > a.observed_ms * 1.1 + 1000;
}

/** A result digest as shown: its first 12 hex characters (the whole one goes in the title). */
export function shortDigest(digest: string | null): string {
  return digest ? digest.slice(0, 12) : '—';
}

/** A task's validation policy in one line (docs/validation.md). */
export function policyText(t: Pick<TaskView, 'validation' | 'quorum' | 'max_replicas'>): string {
  const agree = `${t.quorum} matching ${t.quorum === 1 ? 'result' : 'results'} of different owners`;
  const upTo = `up to ${plural(t.max_replicas, 'replica')} a shard`;
  // ValidationMode's values, as the API sends them
  switch (t.validation) {
    case 'none':
      return 'none — results taken as nodes report them';
    case 'quorum':
      return `quorum — ${agree}, ${upTo}`;
    case 'adaptive':
      return `adaptive — trusted nodes alone (spot-checked), others need ${agree}; ${upTo}`;
    default:
      return t.validation;
  }
}

/** Where a shard's replication stands, or '' when its task has no validation. */
export function replicationText(
  s: Pick<ShardView, 'quorum' | 'replicas_wanted'>,
  validation: string,
): string {
  if (validation === 'none') return '';
  if (s.quorum === 0) return 'replication not decided yet';
  if (s.quorum === 1) return 'one result accepted alone';
  return `needs ${s.quorum} matching results · ${plural(s.replicas_wanted, 'replica')} wanted`;
}

/** The file name of a Content-Disposition header, or the fallback. */
export function attachmentName(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (encoded) {
    try {
      return decodeURIComponent(encoded[1].trim());
    } catch {
      // malformed: try the plain one
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : fallback;
}

/** A task that can still change: it may be cancelled, and its log may grow. */
export function isLive(status: string): boolean {
  return LIVE_STATUSES.includes(status);
}

const LIVE_STATUSES: readonly string[] = [TaskStatus.Queued, TaskStatus.Running];

/** A shard's parameters in one short line (`{"seed":3}`), or '' when it has none. */
export function paramsText(params: Record<string, unknown>, max = 120): string {
  if (Object.keys(params).length === 0) return '';
  const text = JSON.stringify(params);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A command as typed: the line of `sh -c LINE`, else the arguments (quoted where they need it). */
export function commandText(argv: readonly string[]): string {
  if (argv.length === 3 && argv[0] === 'sh' && argv[1] === '-c') return argv[2];
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** `1 core`, `2.5 cores`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
