// A node's utilization history as the node page charts it, kept up to date with live heartbeats.
// Pure.
import { type NodeUtilizationPointView, type NodeUtilizationView, type NodeFrame } from '@hivemind/contracts';
import { type Series } from '@hivemind/ui/charts';

/** The windows one may pick, in hours (GET /api/nodes/:id/utilization?hours=, 1–168). */
export const WINDOWS = [
  { hours: 1, label: '1 h' },
  { hours: 24, label: '24 h' },
  { hours: 168, label: '7 d' },
] as const;

export const CHART_COLORS = { cpu: '#4dd0e1', memory: '#ffb74d', running: '#ce93d8' } as const;

/** The history of one window: points by bucket start, `step_s` wide, up to `toMs`. */
export interface Utilization {
  hours: number;
  stepMs: number;
  toMs: number;
  points: readonly NodeUtilizationPointView[];
}

export function fromHistory(view: NodeUtilizationView, hours: number): Utilization {
  return { hours, stepMs: view.step_s * 1000, toMs: Date.parse(view.to), points: view.points };
}

const bucketOf = (ms: number, stepMs: number): number => ms - (((ms % stepMs) + stepMs) % stepMs);
const round2 = (value: number): number => Math.round(value * 100) / 100;
const windowStart = (u: Utilization): number => bucketOf(u.toMs - u.hours * 3600_000, u.stepMs);

/**
 * The history with a live heartbeat added as the server would: averaged into its bucket (weighted
 * by the heartbeats already in it) or starting a new one; buckets that left the window dropped.
 * Frames without figures, and heartbeats older than the history's end, change nothing.
 */
export function addHeartbeat(u: Utilization, frame: NodeFrame): Utilization {
  const atMs = Date.parse(frame.at);
  const { cpu_percent: cpu, memory_percent: memory, running_attempts: running } = frame;
  if (frame.event !== 'heartbeat' || cpu === undefined || memory === undefined || !Number.isFinite(atMs))
    return u;
  const bucket = bucketOf(atMs, u.stepMs);
  const last = u.points[u.points.length - 1];
  const lastAt = last ? Date.parse(last.at) : -Infinity;
  if (bucket < lastAt) return u;
  let points: NodeUtilizationPointView[];
  if (last && bucket === lastAt) {
    const n = last.samples;
    const avg = (old: number, value: number) => round2((old * n + value) / (n + 1));
    points = [
      ...u.points.slice(0, -1),
      {
        at: last.at,
        cpu_percent: avg(last.cpu_percent, cpu),
        memory_percent: avg(last.memory_percent, memory),
        running_attempts: avg(last.running_attempts, running ?? last.running_attempts),
        samples: n + 1,
      },
    ];
  } else {
    const point = {
      at: new Date(bucket).toISOString(),
      cpu_percent: cpu,
      memory_percent: memory,
      running_attempts: running ?? 0,
      samples: 1,
    };
    points = [...u.points, point];
  }
  const next = { ...u, toMs: Math.max(u.toMs, atMs), points };
  const start = windowStart(next);
  return { ...next, points: points.filter((p) => Date.parse(p.at) >= start) };
}

/** A bucket's label: the time of day, with the weekday when the window spans days. */
export function bucketLabel(atMs: number, hours: number): string {
  const date = new Date(atMs);
  const time = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  return hours > 24 ? `${date.toLocaleDateString(undefined, { weekday: 'short' })} ${time}` : time;
}

export interface UtilizationChart {
  labels: string[];
  cpu: Series[];
  memory: Series[];
  running: Series[];
  /** Whether any heartbeat fell in the window. */
  empty: boolean;
}

/**
 * One label per bucket across the whole window, so that the x axis is time and a silent stretch
 * shows as a gap (null) rather than being squeezed out; the three series over those labels.
 */
export function utilizationChart(u: Utilization, label = bucketLabel): UtilizationChart {
  const byBucket = new Map(u.points.map((p) => [Date.parse(p.at), p]));
  const labels: string[] = [];
  const cpu: (number | null)[] = [];
  const memory: (number | null)[] = [];
  const running: (number | null)[] = [];
  for (let at = windowStart(u); at <= u.toMs; at += u.stepMs) {
    const point = byBucket.get(at);
    labels.push(label(at, u.hours));
    cpu.push(point?.cpu_percent ?? null);
    memory.push(point?.memory_percent ?? null);
    running.push(point?.running_attempts ?? null);
  }
  return {
    labels,
    cpu: [{ label: 'CPU %', values: cpu, color: CHART_COLORS.cpu }],
    memory: [{ label: 'Memory %', values: memory, color: CHART_COLORS.memory }],
    running: [{ label: 'Running attempts', values: running, color: CHART_COLORS.running }],
    empty: u.points.length === 0,
  };
}
