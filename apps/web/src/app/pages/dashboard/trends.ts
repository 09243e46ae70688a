// Per-minute trend series for the dashboard, built in the browser from live task frames, recent
// finished tasks and status samples. Pure: no Angular, no clock of its own (callers pass `now`).
import { type TaskView, type TaskFrame } from '@hivemind/contracts';

export const MINUTE_MS = 60_000;
/** How far back the trend charts look. */
export const TREND_MINUTES = 30;

export type FinishStatus = 'COMPLETED' | 'FAILED';

/** A task that ended, once per task. */
export interface Finish {
  taskId: string;
  status: FinishStatus;
  /** ms since the epoch */
  at: number;
}

/** One reading of a number (e.g. nodes online) at a time. */
export interface Sample {
  at: number;
  value: number;
}

export interface Trends {
  /** The start of each minute, oldest first; the last one is the minute in progress. */
  minutes: number[];
  completed: number[];
  failed: number[];
  /** The last reading in each minute; null for a minute without one. */
  nodesOnline: (number | null)[];
}

function isFinishStatus(status: string | null | undefined): status is FinishStatus {
  return status === 'COMPLETED' || status === 'FAILED';
}

/** A `finished` (or `status`) frame of a task that ended COMPLETED or FAILED; else null. */
export function finishOfFrame(frame: TaskFrame): Finish | null {
  if (frame.event !== 'finished' && frame.event !== 'status') return null;
  if (!isFinishStatus(frame.status)) return null;
  const at = Date.parse(frame.at);
  return Number.isNaN(at) ? null : { taskId: frame.task_id, status: frame.status, at };
}

/** A task read over REST that ended COMPLETED or FAILED (at its finished_at); else null. */
export function finishOfTask(task: Pick<TaskView, 'id' | 'status' | 'finished_at'>): Finish | null {
  if (!isFinishStatus(task.status) || !task.finished_at) return null;
  const at = Date.parse(task.finished_at);
  return Number.isNaN(at) ? null : { taskId: task.id, status: task.status, at };
}

/** The start of the oldest minute a trend of `minutes` minutes shows at `now`. */
export function windowStart(now: number, minutes = TREND_MINUTES): number {
  return Math.floor(now / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS;
}

/**
 * Adds finishes to a list: one per task (the first seen wins, so a task announced twice counts
 * once), none older than the window, oldest first.
 */
export function withFinishes(
  list: readonly Finish[],
  added: readonly Finish[],
  now: number,
  minutes = TREND_MINUTES,
): Finish[] {
  const from = windowStart(now, minutes);
  const seen = new Set(list.map((f) => f.taskId));
  const merged = list.filter((f) => f.at >= from);
  for (const f of added) {
    if (f.at < from || seen.has(f.taskId)) continue;
    seen.add(f.taskId);
    merged.push(f);
  }
  return merged.sort((a, b) => a.at - b.at);
}

/** Adds a sample and drops those older than the window. */
export function withSample(
  list: readonly Sample[],
  sample: Sample,
  now: number,
  minutes = TREND_MINUTES,
): Sample[] {
  const from = windowStart(now, minutes);
  return [...list.filter((s) => s.at >= from), sample].sort((a, b) => a.at - b.at);
}

/** The index of a time's minute among the window's minutes, or -1 outside it. Future times count as now. */
function bucketOf(at: number, from: number, minutes: number): number {
  if (at < from) return -1;
  return Math.min(Math.floor((at - from) / MINUTE_MS), minutes - 1);
}

/** Finishes, failures and node readings per minute over the last `minutes` minutes up to `now`. */
export function trendsAt(
  finishes: readonly Finish[],
  samples: readonly Sample[],
  now: number,
  minutes = TREND_MINUTES,
): Trends {
  const from = windowStart(now, minutes);
  const trends: Trends = {
    minutes: Array.from({ length: minutes }, (_, i) => from + i * MINUTE_MS),
    completed: new Array<number>(minutes).fill(0),
    failed: new Array<number>(minutes).fill(0),
    nodesOnline: new Array<number | null>(minutes).fill(null),
  };
  for (const f of finishes) {
    const i = bucketOf(f.at, from, minutes);
    if (i < 0) continue;
    if (f.status === 'COMPLETED') trends.completed[i] = (trends.completed[i] ?? 0) + 1;
    else trends.failed[i] = (trends.failed[i] ?? 0) + 1;
  }
  for (const s of [...samples].sort((a, b) => a.at - b.at)) {
    const i = bucketOf(s.at, from, minutes);
    if (i >= 0) trends.nodesOnline[i] = s.value;
  }
  return trends;
}

/** "14:05": a minute's start in local time. */
export function minuteLabel(start: number): string {
  const d = new Date(start);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
