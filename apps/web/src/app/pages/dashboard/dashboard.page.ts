import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatCardModule } from '@angular/material/card';
import { type SystemStatusView } from '@hivemind/contracts';
import { switchMap, timer } from 'rxjs';
import { apiError } from '../../core/api-error';

const REFRESH_MS = 5000;

/** The pool at a glance: its stores, nodes by trust group, tasks by status, the queue. */
@Component({
  selector: 'hm-dashboard-page',
  imports: [MatCardModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
})
export class DashboardPage {
  protected readonly status = signal<SystemStatusView | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly taskStates = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];

  constructor() {
    const http = inject(HttpClient);
    timer(0, REFRESH_MS)
      .pipe(
        switchMap(() => http.get<SystemStatusView>('/api/system/status')),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe({
        next: (status) => {
          this.status.set(status);
          this.error.set(null);
        },
        error: (failure: unknown) => this.error.set(apiError(failure).message),
      });
  }
}
