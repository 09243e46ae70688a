import { Injectable, Logger } from '@nestjs/common';
import { type TaskTelemetryEvent } from '../telemetry/telemetry-events';
import { TelemetryService } from '../telemetry/telemetry.service';
import { TaskStateRepository, type TaskProgressRow } from './task-state.repository';

/** What an `attempt` event adds to the task's state. */
export interface AttemptEventFields {
  attemptId?: string;
  attemptState?: string;
  nodeId?: string;
  shardIndex?: number;
}

export type TaskEventListener = (event: TaskTelemetryEvent) => void;

/**
 * Publishes a task's live events on /ws/telemetry with its state as committed: the state the
 * committed transaction left (the caller passes it), or else read after the commit — either way
 * the event never shows a state that was rolled back. Fire and forget.
 *
 * This replica's own listeners (`listen`: the requests waiting for a task's end) hear each event
 * as it is published, without waiting for Redis to echo it back; the echo reaches them too (and
 * every other replica's), so a listener must not mind hearing an event twice.
 */
@Injectable()
export class TaskEvents {
  private readonly logger = new Logger(TaskEvents.name);
  private readonly listeners = new Set<TaskEventListener>();

  constructor(
    private readonly tasks: TaskStateRepository,
    private readonly telemetry: TelemetryService,
  ) {}

  publish(
    taskId: string,
    event: TaskTelemetryEvent['event'],
    extra: AttemptEventFields = {},
    committed?: TaskProgressRow,
  ): void {
    if (committed) return this.send(taskId, event, extra, committed);
    void this.tasks
      .progressOf(taskId)
      .then((t) => t && this.send(taskId, event, extra, t))
      .catch((error: Error) => this.logger.debug(`telemetry for task ${taskId}: ${error.message}`));
  }

  /** Calls `listener` with this replica's task events as they are published; returns the function that stops it. */
  listen(listener: TaskEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private send(
    taskId: string,
    event: TaskTelemetryEvent['event'],
    extra: AttemptEventFields,
    t: TaskProgressRow,
  ): void {
    const published: TaskTelemetryEvent = {
      type: 'task',
      event,
      taskId,
      userId: t.user_id,
      status: t.status,
      progress: t.shards_total ? Math.floor((t.shards_completed * 100) / t.shards_total) : 0,
      ...extra,
      at: new Date().toISOString(),
    };
    this.telemetry.publish(published);
    for (const listener of this.listeners) {
      try {
        listener(published);
      } catch (error) {
        this.logger.error(`task event listener failed: ${(error as Error).message}`);
      }
    }
  }
}
