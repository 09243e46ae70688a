import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { apiError, Badge } from '@hivemind/ui';
import { duration, share } from '../../core/format';
import { WorkerApi } from '../../core/worker-api';
import { WorkerTasks } from '../../core/worker-tasks';
import { type RunningAttemptView } from '@hivemind/contracts';
import { StopDialog, type StopDialogData } from './stop-dialog';
import { TaskLogs } from './task-logs';

/** What this node runs (with a stop for each) and what it ran since it started, each with its output's tail. */
@Component({
  selector: 'hm-tasks-page',
  imports: [DatePipe, MatButtonModule, MatCardModule, Badge, TaskLogs],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './tasks.page.html',
  styleUrl: './tasks.page.css',
  providers: [WorkerTasks],
})
export class TasksPage {
  protected readonly tasks = inject(WorkerTasks);
  private readonly api = inject(WorkerApi);
  private readonly dialog = inject(MatDialog);
  protected readonly duration = duration;
  protected readonly share = share;

  /** The attempt whose output is shown. */
  protected readonly logsOf = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly stopError = signal<string | null>(null);
  protected readonly stopping = signal<string | null>(null);

  constructor() {
    this.tasks.watch();
  }

  protected toggleLogs(attemptId: string): void {
    this.logsOf.update((shown) => (shown === attemptId ? null : attemptId));
  }

  protected askStop(attempt: RunningAttemptView): void {
    const data: StopDialogData = { taskId: attempt.task_id, attemptId: attempt.attempt_id };
    this.dialog
      .open<StopDialog, StopDialogData, boolean>(StopDialog, { data, maxWidth: 'calc(100vw - 2rem)' })
      .afterClosed()
      .subscribe((confirmed) => {
        if (confirmed) this.stop(attempt);
      });
  }

  private stop(attempt: RunningAttemptView): void {
    this.stopping.set(attempt.attempt_id);
    this.notice.set(null);
    this.stopError.set(null);
    this.api.stop(attempt.attempt_id).subscribe({
      next: () => {
        this.stopping.set(null);
        this.notice.set(`Task ${attempt.task_id} stopped: the node pool runs its shard again.`);
        this.tasks.refresh();
      },
      error: (failure: unknown) => {
        this.stopping.set(null);
        this.stopError.set(apiError(failure, 'The worker').message);
        this.tasks.refresh();
      },
    });
  }
}
