import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { apiError, coalesceMap } from '@hivemind/ui';
import { catchError, map, merge, of, Subject, timer } from 'rxjs';
import { POLL_MS } from './resource-history';
import { taskCounts } from './task-counts';
import { WorkerApi } from './worker-api';
import { type FinishedAttemptView, type RunningAttemptView } from '@hivemind/contracts';

/** The attempts this node runs and has run (GET /api/tasks), re-read every two seconds; one per page. */
@Injectable()
export class WorkerTasks {
  private readonly api = inject(WorkerApi);
  private readonly destroyRef = inject(DestroyRef);
  private readonly now = new Subject<void>();

  readonly running = signal<RunningAttemptView[]>([]);
  readonly history = signal<FinishedAttemptView[]>([]);
  readonly loaded = signal(false);
  readonly error = signal<string | null>(null);
  readonly counts = computed(() => taskCounts(this.history()));

  /** Starts reading, for as long as the page lives. */
  watch(): void {
    merge(timer(0, POLL_MS), this.now)
      .pipe(
        coalesceMap(() =>
          this.api.tasks().pipe(
            map((view) => ({ view })),
            catchError((error: unknown) => of({ error: apiError(error, 'The worker').message })),
          ),
        ),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe((read) => {
        if ('error' in read) {
          this.error.set(read.error);
          return;
        }
        this.error.set(null);
        this.running.set(read.view.tasks);
        // newest first
        this.history.set(
          [...(read.view.history ?? [])].sort((a, b) => b.finished_at.localeCompare(a.finished_at)),
        );
        this.loaded.set(true);
      });
  }

  /** Reads again at once (after a stop). */
  refresh(): void {
    this.now.next();
  }
}
