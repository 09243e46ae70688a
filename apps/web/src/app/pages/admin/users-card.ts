import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { type Page, type UserView } from '@hivemind/contracts';
import { Subject, catchError, debounceTime, distinctUntilChanged, map, of, switchMap } from 'rxjs';
import { apiError } from '@hivemind/ui';
import { SessionStore } from '../../core/session.store';
import { mergeUsers } from './user-edits';
import { UserRow } from './user-row';

const PAGE_SIZE = 50;
const SEARCH_DEBOUNCE_MS = 300;

interface Load {
  search: string;
  cursor: string | null;
}

/** Every user, by username: search by part of a name, keyset "Load more", each row editable. */
@Component({
  selector: 'hm-users-card',
  imports: [
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    UserRow,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './users-card.html',
  styleUrl: './users-card.css',
})
export class UsersCard {
  private readonly http = inject(HttpClient);
  private readonly session = inject(SessionStore);
  protected readonly me = computed(() => this.session.user()?.id);

  protected readonly users = signal<UserView[]>([]);
  protected readonly search = signal('');
  protected readonly next = signal<string | null>(null);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  private readonly searches = new Subject<string>();
  private readonly loads = new Subject<Load>();

  constructor() {
    this.searches
      .pipe(
        map((text) => text.trim()),
        debounceTime(SEARCH_DEBOUNCE_MS),
        distinctUntilChanged(),
        takeUntilDestroyed(),
      )
      .subscribe((search) => this.loads.next({ search, cursor: null }));
    this.loads
      .pipe(
        switchMap((load) => {
          this.loading.set(true);
          const params = { limit: PAGE_SIZE, ...(load.search ? { search: load.search } : {}) };
          return this.http
            .get<Page<UserView>>('/api/admin/users', {
              params: load.cursor ? { ...params, cursor: load.cursor } : params,
            })
            .pipe(
              map((page) => ({ load, page, error: null })),
              catchError((failure: unknown) => of({ load, page: null, error: apiError(failure).message })),
            );
        }),
        takeUntilDestroyed(),
      )
      .subscribe(({ load, page, error }) => {
        this.loading.set(false);
        this.error.set(error);
        if (!page) return;
        this.search.set(load.search);
        this.users.update((shown) => (load.cursor ? mergeUsers(shown, page.items) : page.items));
        this.next.set(page.next_cursor);
      });
    this.loads.next({ search: '', cursor: null });
  }

  protected searchFor(text: string): void {
    this.searches.next(text);
  }

  protected loadMore(): void {
    const cursor = this.next();
    if (cursor && !this.loading()) this.loads.next({ search: this.search(), cursor });
  }
}
