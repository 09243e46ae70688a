import { DatePipe, DecimalPipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { type MatChipListboxChange, MatChipsModule } from '@angular/material/chips';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { type Page, type TaskView, type TaskFrame } from '@hivemind/contracts';
import {
  EMPTY,
  type Observable,
  type Subscription,
  asyncScheduler,
  catchError,
  debounceTime,
  distinctUntilChanged,
  filter,
  map,
  merge,
  switchMap,
  tap,
  throttleTime,
} from 'rxjs';
import { apiError, Badge, coalesceMap } from '@hivemind/ui';
import { SessionStore } from '../../core/session.store';
import { Telemetry } from '../../core/telemetry';
import {
  EMPTY_LIST,
  PAGE_SIZE,
  STATUSES,
  type TaskFilter,
  type TaskList,
  appendPage,
  applyTaskFrame,
  listQuery,
  mergeRefresh,
  parseStatus,
  refreshLimit,
} from './task-list';

/** Live task frames are followed by a read of the list, at most this often. */
const REFRESH_MS = 2000;
const SEARCH_DEBOUNCE_MS = 300;

/**
 * The user's tasks, newest first (admins: everyone's with `all`), filtered by status and name (the
 * `status`, `q` and `all` query parameters, so the back button keeps them), kept live by the
 * telemetry's task frames.
 */
@Component({
  selector: 'hm-tasks-page',
  imports: [
    DatePipe,
    DecimalPipe,
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatChipsModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSlideToggleModule,
    Badge,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './tasks.page.html',
  styleUrl: './tasks.page.css',
})
export class TasksPage {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly telemetry = inject(Telemetry);
  protected readonly session = inject(SessionStore);

  /** Query parameters. */
  readonly status = input<string>();
  readonly q = input<string>();
  readonly all = input<string>();

  protected readonly filter = computed<TaskFilter>(() => ({
    status: parseStatus(this.status()),
    search: (this.q() ?? '').trim(),
    all: this.all() === 'true' && this.session.isAdmin(),
  }));
  protected readonly statuses = STATUSES;
  protected readonly search = new FormControl('', { nonNullable: true });
  protected readonly list = signal<TaskList>(EMPTY_LIST);
  protected readonly loaded = signal(false);
  protected readonly loading = signal(false);
  protected readonly loadingMore = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly live = this.telemetry.connected;

  /** The search text last sent to the URL: the URL coming back with it is not typed over. */
  private sentSearch = '';
  private more?: Subscription;

  constructor() {
    const destroyRef = inject(DestroyRef);
    effect(() => {
      const q = this.q() ?? '';
      if (q !== this.sentSearch) {
        this.sentSearch = q;
        this.search.setValue(q, { emitEvent: false });
      }
    });
    this.search.valueChanges
      .pipe(
        debounceTime(SEARCH_DEBOUNCE_MS),
        map((text) => text.trim()),
        distinctUntilChanged(),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((text) => {
        this.sentSearch = text;
        this.navigate({ q: text || null });
      });

    // the first page, again whenever the filter changes
    toObservable(this.filter)
      .pipe(
        distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
        tap(() => {
          this.more?.unsubscribe();
          this.loadingMore.set(false);
          this.loading.set(true);
        }),
        switchMap((f) => this.read(f, PAGE_SIZE)),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((page) => this.show(appendPage(EMPTY_LIST, page)));

    // live: a task frame updates its row at once, then the list is read again (throttled)
    const frames = this.telemetry.events().pipe(
      filter((f): f is TaskFrame => f.type === 'task'),
      tap((frame) => this.list.update((list) => applyTaskFrame(list, frame))),
    );
    merge(frames, this.telemetry.reconnected)
      .pipe(
        filter(() => this.loaded()),
        throttleTime(REFRESH_MS, asyncScheduler, { leading: true, trailing: true }),
        coalesceMap(() => {
          const f = this.filter();
          const limit = refreshLimit(this.list());
          return this.read(f, limit).pipe(map((page) => ({ page, limit, f })));
        }),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(({ page, limit, f }) => {
        // a read for a filter since changed is stale
        if (f === this.filter() && !this.loading()) this.show(mergeRefresh(this.list(), page, limit));
      });
  }

  protected setStatus(change: MatChipListboxChange): void {
    const status = change.value as string | undefined;
    // clicking the selected chip unselects it: "All" then
    if (!status) change.source.value = '';
    this.navigate({ status: status ? status.toLowerCase() : null });
  }

  protected setAll(all: boolean): void {
    this.navigate({ all: all ? 'true' : null });
  }

  protected loadMore(): void {
    const cursor = this.list().cursor;
    if (!cursor || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.more = this.http
      .get<Page<TaskView>>('/api/tasks', { params: listQuery(this.filter(), PAGE_SIZE, cursor) })
      .subscribe({
        next: (page) => {
          this.loadingMore.set(false);
          this.list.update((list) => appendPage(list, page));
        },
        error: (failure: unknown) => {
          this.loadingMore.set(false);
          this.error.set(apiError(failure).message);
        },
      });
  }

  /** A page of the list; a failure is shown and ends only this read. */
  private read(f: TaskFilter, limit: number): Observable<Page<TaskView>> {
    return this.http.get<Page<TaskView>>('/api/tasks', { params: listQuery(f, limit) }).pipe(
      catchError((failure: unknown) => {
        this.loading.set(false);
        this.error.set(apiError(failure).message);
        return EMPTY;
      }),
    );
  }

  private show(list: TaskList): void {
    this.list.set(list);
    this.loaded.set(true);
    this.loading.set(false);
    this.error.set(null);
  }

  private navigate(queryParams: Record<string, string | null>): void {
    void this.router.navigate([], { queryParams, queryParamsHandling: 'merge', replaceUrl: true });
  }
}
