import { TELEMETRY_TOPICS, type TelemetryTopic } from '@hivemind/contracts';
import { type TelemetryEvent } from './telemetry-events';

export type { TelemetryTopic };

/** What a connected client gets unless it says otherwise. */
export const DEFAULT_TOPICS: readonly TelemetryTopic[] = TELEMETRY_TOPICS;

/** Who is watching, and what they asked for. */
export interface TelemetryViewer {
  userId: string;
  admin: boolean;
  topics: ReadonlySet<TelemetryTopic>;
  /** Tasks whose log lines this viewer subscribed to (each checked with mayWatchTask). */
  logTasks: ReadonlySet<string>;
}

/**
 * Whether `viewer` gets `event`: node events (no owner) go to every logged-in viewer, a user's
 * task events to that user and to admins, each only while its topic is on; log lines only to the
 * viewers that subscribed to that task and may see it.
 */
export function canSee(viewer: TelemetryViewer, event: TelemetryEvent): boolean {
  if (event.type === 'log') return viewer.logTasks.has(event.taskId) && mayWatchTask(viewer, event.userId);
  if (!viewer.topics.has(event.type)) return false;
  return event.userId === undefined || mayWatchTask(viewer, event.userId);
}

/** Whether `viewer` may watch a task owned by `ownerId` (null: no such task). */
export function mayWatchTask(
  viewer: Pick<TelemetryViewer, 'userId' | 'admin'>,
  ownerId: string | null,
): boolean {
  return ownerId !== null && (viewer.admin || ownerId === viewer.userId);
}
