import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { type ReconcileReportView } from '@hivemind/contracts';
import { apiError } from '@hivemind/ui';

/** POST /api/admin/reconcile on demand (it also runs every 60 s) and what it found. */
@Component({
  selector: 'hm-reconciler-card',
  imports: [DatePipe, MatButtonModule, MatCardModule, MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './reconciler-card.html',
  styleUrl: './reconciler-card.css',
})
export class ReconcilerCard {
  private readonly http = inject(HttpClient);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly report = signal<{ view: ReconcileReportView; at: number } | null>(null);
  protected readonly running = signal(false);
  protected readonly error = signal<string | null>(null);

  protected run(): void {
    if (this.running()) return;
    this.running.set(true);
    this.error.set(null);
    this.http
      .post<ReconcileReportView>('/api/admin/reconcile', {})
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (view) => {
          this.report.set({ view, at: Date.now() });
          this.running.set(false);
        },
        error: (failure: unknown) => {
          this.error.set(apiError(failure).message);
          this.running.set(false);
        },
      });
  }
}
