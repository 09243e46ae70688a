import { Injectable, Logger } from '@nestjs/common';
import { type TaskTelemetryEvent } from '../telemetry/telemetry-events';
import { TelemetryService } from '../telemetry/telemetry.service';
import { TaskStateRepository } from './task-state.repository';

/** What an `attempt` event adds to the task's state. */
export interface AttemptEventFields {
  attemptId?: string;
  attemptState?: string;
  nodeId?: string;
  shardIndex?: number;
}

/**
 * Publishes a task's live events on /ws/telemetry with its state as committed (read after the
 * commit, so the event never shows a state that was rolled back). Fire and forget.
 */
@Injectable()
export class TaskEvents {
  private readonly logger = new Logger(TaskEvents.name);

  constructor(
    private readonly tasks: TaskStateRepository,
    private readonly telemetry: TelemetryService,
  ) {}

  publish(taskId: string, event: TaskTelemetryEvent['event'], extra: AttemptEventFields = {}): void {
    void this.tasks
      .progressOf(taskId)
      .then((t) => {
        if (!t) return;
        this.telemetry.publish({
          type: 'task',
          event,
          taskId,
          userId: t.user_id,
          status: t.status,
          progress: t.shards_total ? Math.floor((t.shards_completed * 100) / t.shards_total) : 0,
          ...extra,
          at: new Date().toISOString(),
        });
      })
      .catch((error: Error) => this.logger.debug(`telemetry for task ${taskId}: ${error.message}`));
  }
}
