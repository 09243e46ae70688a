import { HttpClient, HttpParams } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  inject,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router, RouterLink } from '@angular/router';
import { NodeStatus, type NodeView, type Page } from '@hivemind/contracts';
import { Subject, type Subscription, bufferTime, debounceTime, filter } from 'rxjs';
import { apiError, Badge } from '@hivemind/ui';
import { SessionStore } from '../../core/session.store';
import { Telemetry } from '../../core/telemetry';
import { clock } from './clock';
import { cores, heartbeatAge, invalidFirst, megabytes, percent } from './node-format';
import { type NodeRow, applyNodeFrames, isNewcomer, isNodeFrame, toNodeRow } from './node-live';

const PAGE_SIZE = 100;
/** Live frames are applied in batches: one redraw for many heartbeats. */
const BATCH_MS = 500;
const STATUSES: readonly string[] = [NodeStatus.Online, NodeStatus.Draining, NodeStatus.Offline];

/**
 * The worker nodes by name, filtered by status (the `status` query parameter), kept live by the
 * telemetry's node frames; read again after the telemetry reconnects or a node it lacks appears.
 * Admins also see each node's valid and invalid results, and may put the nodes that returned invalid
 * results first (`sort=invalid`: the pages loaded, sorted here).
 */
@Component({
  selector: 'hm-nodes-page',
  imports: [RouterLink, MatButtonModule, MatButtonToggleModule, MatProgressBarModule, Badge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './nodes.page.html',
  styleUrl: './nodes.page.css',
})
export class NodesPage {
  private readonly http = inject(HttpClient);
  private readonly router = inject(Router);
  private readonly telemetry = inject(Telemetry);

  /** Query parameter: only the nodes in this status. */
  readonly status = input<string>();
  /** Query parameter: `invalid` puts the nodes that returned invalid results first (admins). */
  readonly sort = input<string>();

  protected readonly isAdmin = inject(SessionStore).isAdmin;
  protected readonly invalidSort = computed(() => this.isAdmin() && this.sort() === 'invalid');

  protected readonly filter = computed(() => {
    const status = this.status() ?? '';
    return STATUSES.includes(status) ? status : '';
  });
  protected readonly statuses = STATUSES.map((value) => ({
    value,
    label: value.charAt(0).toUpperCase() + value.slice(1),
  }));
  protected readonly rows = signal<readonly NodeRow[]>([]);
  protected readonly shown = computed(() => (this.invalidSort() ? invalidFirst(this.rows()) : this.rows()));
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly loaded = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly now = clock();
  protected readonly live = this.telemetry.connected;
  protected readonly age = heartbeatAge;
  protected readonly cores = cores;
  protected readonly megabytes = megabytes;
  protected readonly percent = percent;

  private readonly newcomers = new Subject<void>();
  private inflight?: Subscription;

  constructor() {
    toObservable(this.filter)
      .pipe(takeUntilDestroyed())
      .subscribe(() => this.load());
    this.telemetry
      .events()
      .pipe(filter(isNodeFrame), bufferTime(BATCH_MS), takeUntilDestroyed())
      .subscribe((frames) => {
        if (!frames.length) return;
        const rows = this.rows();
        this.rows.set(applyNodeFrames(rows, frames, Date.now()));
        const complete = this.loaded() && this.nextCursor() === null;
        if (frames.some((f) => isNewcomer(rows, f, this.filter(), complete))) this.newcomers.next();
      });
    this.newcomers.pipe(debounceTime(1000), takeUntilDestroyed()).subscribe(() => this.load());
    this.telemetry.reconnected.pipe(takeUntilDestroyed()).subscribe(() => this.load());
    inject(DestroyRef).onDestroy(() => this.inflight?.unsubscribe());
  }

  /** Reads the first page again, or (more) the next one. */
  protected load(more = false): void {
    const cursor = more ? this.nextCursor() : null;
    if (more && !cursor) return;
    this.inflight?.unsubscribe();
    let params = new HttpParams().set('limit', PAGE_SIZE);
    if (this.filter()) params = params.set('status', this.filter());
    if (cursor) params = params.set('cursor', cursor);
    this.loading.set(true);
    this.inflight = this.http.get<Page<NodeView>>('/api/nodes', { params }).subscribe({
      next: (page) => {
        const receivedAt = Date.now();
        const rows = page.items.map((node) => toNodeRow(node, receivedAt));
        this.rows.update((old) => (more ? [...old, ...rows] : rows));
        this.nextCursor.set(page.next_cursor);
        this.error.set(null);
        this.loading.set(false);
        this.loaded.set(true);
      },
      error: (failure: unknown) => {
        this.error.set(apiError(failure).message);
        this.loading.set(false);
      },
    });
  }

  protected setFilter(status: string): void {
    void this.router.navigate([], {
      queryParams: { status: status || null },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected setInvalidFirst(on: boolean): void {
    void this.router.navigate([], {
      queryParams: { sort: on ? 'invalid' : null },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  /** A click anywhere on a row opens the node (the name is the link for the keyboard). */
  protected open(node: NodeRow, event: MouseEvent): void {
    if ((event.target as HTMLElement).closest('a, button') || window.getSelection()?.toString()) return;
    void this.router.navigate(['/nodes', node.id]);
  }
}
