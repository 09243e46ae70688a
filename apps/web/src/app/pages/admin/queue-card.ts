import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { RouterLink } from '@angular/router';
import { type QueueView } from '@hivemind/contracts';
import { apiError } from '@hivemind/ui';

/** How many of the queue's first shards the card lists. */
const HEAD_SHOWN = 10;

/** The placement queue (GET /api/queue) and the way to Bull Board. */
@Component({
  selector: 'hm-queue-card',
  imports: [MatButtonModule, MatCardModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './queue-card.html',
  styleUrl: './queue-card.css',
})
export class QueueCard {
  private readonly http = inject(HttpClient);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly queue = signal<QueueView | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly headShown = HEAD_SHOWN;

  constructor() {
    this.refresh();
    this.authorizeBoard();
  }

  protected refresh(): void {
    this.loading.set(true);
    this.http
      .get<QueueView>('/api/queue')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (queue) => {
          this.queue.set(queue);
          this.error.set(null);
          this.loading.set(false);
        },
        error: (failure: unknown) => {
          this.error.set(apiError(failure).message);
          this.loading.set(false);
        },
      });
  }

  /**
   * Bull Board reads the admin's token from a cookie for /admin that only the pool can set
   * (HttpOnly: no script reads it): asked for when the card opens, and again as the link is used,
   * so that it follows a refreshed token.
   */
  protected authorizeBoard(): void {
    this.http
      .post<void>('/api/auth/board-session', null)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ error: () => undefined });
  }
}
