// The dashboard's alert rules. Pure: the page feeds them frames, finishes and status answers.
import { type SystemStatusView, type NodeFrame } from '@hivemind/contracts';
import { type Finish } from './trends';

/** A failure spike: at least this many tasks failed within FAILURE_SPIKE_WINDOW_MS. */
export const FAILURE_SPIKE_THRESHOLD = 5;
export const FAILURE_SPIKE_WINDOW_MS = 5 * 60_000;
/** The list keeps the newest alerts only. */
export const MAX_ALERTS = 50;

export type AlertKind = 'node-lost' | 'failure-spike' | 'degraded';

export interface Alert {
  /** Stable per occurrence, so the same event never shows twice. */
  id: string;
  kind: AlertKind;
  message: string;
  /** ms since the epoch */
  at: number;
}

/** A node the pool marked offline (its heartbeats stopped). */
export function nodeLostAlert(frame: NodeFrame): Alert | null {
  if (frame.event !== 'offline') return null;
  const at = Date.parse(frame.at);
  if (Number.isNaN(at)) return null;
  return {
    id: `node-lost:${frame.node_id}:${frame.at}`,
    kind: 'node-lost',
    message: `Node ${frame.name} went offline`,
    at,
  };
}

/** How many tasks failed in the window that ends at `now`. */
export function failuresWithin(
  finishes: readonly Finish[],
  now: number,
  windowMs = FAILURE_SPIKE_WINDOW_MS,
): number {
  return finishes.filter((f) => f.status === 'FAILED' && f.at > now - windowMs && f.at <= now).length;
}

export interface SpikeState {
  /** Whether the failures are at or over the threshold (an alert was raised and not re-armed). */
  active: boolean;
  alert: Alert | null;
}

/**
 * Raises one alert when failures in the last 5 minutes reach the threshold; it re-arms once
 * they fall below it again, so a lasting spike is one alert, not one per failure.
 */
export function failureSpike(
  finishes: readonly Finish[],
  now: number,
  wasActive: boolean,
  threshold = FAILURE_SPIKE_THRESHOLD,
): SpikeState {
  const failures = failuresWithin(finishes, now);
  if (failures < threshold) return { active: false, alert: null };
  if (wasActive) return { active: true, alert: null };
  return {
    active: true,
    alert: {
      id: `failure-spike:${now}`,
      kind: 'failure-spike',
      message: `Failure spike: ${failures} tasks failed in the last ${FAILURE_SPIKE_WINDOW_MS / 60_000} minutes`,
      at: now,
    },
  };
}

/** The system turned degraded (PostgreSQL or Redis down) since the previous answer. */
export function degradedAlert(
  previous: SystemStatusView | null,
  next: SystemStatusView,
  now: number,
): Alert | null {
  if (next.status !== 'degraded' || previous?.status === 'degraded') return null;
  const down = [next.postgres === 'down' && 'PostgreSQL', next.redis === 'down' && 'Redis'].filter(Boolean);
  return {
    id: `degraded:${now}`,
    kind: 'degraded',
    message: down.length ? `System degraded: ${down.join(' and ')} down` : 'System degraded',
    at: now,
  };
}

/** Adds an alert (once per id), newest first, keeping at most MAX_ALERTS. */
export function withAlert(alerts: readonly Alert[], alert: Alert | null, max = MAX_ALERTS): readonly Alert[] {
  if (!alert || alerts.some((a) => a.id === alert.id)) return alerts;
  return [...alerts, alert].sort((a, b) => b.at - a.at).slice(0, max);
}
