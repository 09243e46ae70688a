import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { AUDIT_OUTCOMES, type AuditEventView, type AuditOutcome, type Page } from '@hivemind/contracts';
import { Subject, catchError, map, of, switchMap } from 'rxjs';
import { apiError, Badge } from '@hivemind/ui';
import {
  ACTION_CHOICES,
  type AuditFilters,
  NO_FILTERS,
  actorLabel,
  appendEvents,
  auditQuery,
  targetLabel,
} from './audit-filters';

const PAGE_SIZE = 50;

interface Load {
  filters: AuditFilters;
  cursor: string | null;
}

/**
 * Admins: the audit trail (docs/security.md "Audit trail"), newest first: filter by action or area,
 * actor, outcome and time; "Load more" pages on.
 */
@Component({
  selector: 'hm-audit-page',
  imports: [
    Badge,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit.page.html',
  styleUrl: './audit.page.css',
})
export class AuditPage {
  private readonly http = inject(HttpClient);

  protected readonly actions = ACTION_CHOICES;
  protected readonly outcomes = AUDIT_OUTCOMES;
  protected readonly events = signal<AuditEventView[]>([]);
  protected readonly filters = signal<AuditFilters>(NO_FILTERS);
  protected readonly next = signal<string | null>(null);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly fieldError = signal<{ field: keyof AuditFilters; message: string } | null>(null);
  protected readonly actorLabel = actorLabel;
  protected readonly targetLabel = targetLabel;
  private readonly loads = new Subject<Load>();

  constructor() {
    this.loads
      .pipe(
        switchMap((load) => {
          const query = auditQuery(load.filters, load.cursor, PAGE_SIZE);
          if (query.error) return of({ load, page: null, error: null, field: query.error });
          this.loading.set(true);
          return this.http.get<Page<AuditEventView>>('/api/admin/audit', { params: query.params }).pipe(
            map((page) => ({ load, page, error: null, field: null })),
            catchError((failure: unknown) =>
              of({ load, page: null, error: apiError(failure).message, field: null }),
            ),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe(({ load, page, error, field }) => {
        this.loading.set(false);
        this.error.set(error);
        this.fieldError.set(field);
        if (!page) return;
        this.filters.set(load.filters);
        this.events.update((shown) => (load.cursor ? appendEvents(shown, page.items) : page.items));
        this.next.set(page.next_cursor);
      });
    this.loads.next({ filters: NO_FILTERS, cursor: null });
  }

  protected apply(action: string, actor: string, outcome: string, since: string): void {
    this.loads.next({
      filters: { action, actor, outcome: outcome as '' | AuditOutcome, since },
      cursor: null,
    });
  }

  protected loadMore(): void {
    const cursor = this.next();
    if (cursor && !this.loading()) this.loads.next({ filters: this.filters(), cursor });
  }

  protected errorAt(field: keyof AuditFilters): string | null {
    const error = this.fieldError();
    return error?.field === field ? error.message : null;
  }
}
