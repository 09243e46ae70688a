import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { TERMINAL_TASK } from '../scheduling/settlement';
import { TaskEvents } from '../scheduling/task-events';
import { type TelemetryEvent } from '../telemetry/telemetry-events';
import { TelemetryService } from '../telemetry/telemetry.service';
import { type TaskStatus } from '@hivemind/contracts';

/** Requests a replica holds waiting for a task's end at most; past it a wait answers at once. */
export const MAX_TASK_WAITERS = 10_000;

/** One request waiting for a task's end (TaskEndWaiter.watch). */
export interface TaskEndWatch {
  /** Resolves when an event says the task has ended; never rejects. */
  readonly ended: Promise<void>;
  /** Stops watching (always call it: the waiter holds the watch until then). */
  close(): void;
}

/**
 * Holds GET /api/tasks/:id?wait= until the task ends, as Nomad's blocking queries do, so that a
 * client need not poll: one telemetry listener per replica (task events reach every replica
 * through Redis, after their commit) wakes the requests waiting for that task — and the events this
 * replica publishes wake them at once, before Redis echoes them (TaskEvents.listen). Bounded: at most
 * MAX_TASK_WAITERS watches at once; beyond, `watch` answers undefined and the request answers the
 * state as it is.
 */
@Injectable()
export class TaskEndWaiter implements OnModuleDestroy {
  private readonly waiting = new Map<string, Set<() => void>>();
  private count = 0;
  private readonly unlisten: (() => void)[];

  constructor(telemetry: TelemetryService, events: TaskEvents) {
    const wakeIfEnded = (event: TelemetryEvent): void => {
      if (event.type !== 'task' || !TERMINAL_TASK.includes(event.status as TaskStatus)) return;
      for (const wake of this.waiting.get(event.taskId) ?? []) wake();
    };
    this.unlisten = [telemetry.listen(wakeIfEnded), events.listen(wakeIfEnded)];
  }

  /** Watch `taskId`: call before reading the task's state, so an end between the two is not missed. */
  watch(taskId: string): TaskEndWatch | undefined {
    if (this.count >= MAX_TASK_WAITERS) return undefined;
    let wake!: () => void;
    const ended = new Promise<void>((resolve) => (wake = resolve));
    const set = this.waiting.get(taskId) ?? new Set();
    set.add(wake);
    this.waiting.set(taskId, set);
    this.count += 1;
    let open = true;
    return {
      ended,
      close: () => {
        if (!open) return;
        open = false;
        this.count -= 1;
        set.delete(wake);
        if (!set.size && this.waiting.get(taskId) === set) this.waiting.delete(taskId);
        wake();
      },
    };
  }

  /** Watches open now (tests, metrics). */
  get watching(): number {
    return this.count;
  }

  onModuleDestroy(): void {
    for (const stop of this.unlisten) stop();
    for (const set of this.waiting.values()) for (const wake of set) wake();
  }
}
