import { Injectable, inject, signal } from '@angular/core';
import { apiError, coalesceMap } from '@hivemind/ui';
import { type Observable, catchError, forkJoin, map, of, tap, timer } from 'rxjs';
import { POLL_MS, type Sample, sampleOf, withSample } from './resource-history';
import { WorkerApi } from './worker-api';
import { type WorkerNodeView, type ResourcesView, type StatusView } from '@hivemind/contracts';

type Read = { node: WorkerNodeView; status: StatusView; resources: ResourcesView } | { error: string };

/**
 * The worker as its pages show it: identity, status and resources read together every two seconds
 * while the signed-in layout is open, and the recent samples the dashboard charts (kept across
 * pages, so a visit to the tasks page does not empty the charts).
 */
@Injectable({ providedIn: 'root' })
export class WorkerLive {
  private readonly api = inject(WorkerApi);

  readonly node = signal<WorkerNodeView | null>(null);
  readonly status = signal<StatusView | null>(null);
  readonly resources = signal<ResourcesView | null>(null);
  readonly history = signal<Sample[]>([]);
  /** Why the last read failed (the worker itself did not answer), or null. */
  readonly error = signal<string | null>(null);
  readonly readAt = signal<number | null>(null);

  /** Reads now and every POLL_MS while subscribed; one read at a time (a slow one is not cancelled). */
  watch(): Observable<unknown> {
    return timer(0, POLL_MS).pipe(
      coalesceMap(() =>
        forkJoin({ node: this.api.node(), status: this.api.status(), resources: this.api.resources() }).pipe(
          map((read): Read => read),
          catchError((error: unknown) => of<Read>({ error: apiError(error, 'The worker').message })),
        ),
      ),
      tap((read) => this.apply(read)),
    );
  }

  /** Forgets everything (signing out). */
  clear(): void {
    this.node.set(null);
    this.status.set(null);
    this.resources.set(null);
    this.history.set([]);
    this.error.set(null);
    this.readAt.set(null);
  }

  private apply(read: Read, now = Date.now()): void {
    if ('error' in read) {
      this.error.set(read.error);
      return;
    }
    this.error.set(null);
    this.node.set(read.node);
    this.status.set(read.status);
    this.resources.set(read.resources);
    this.history.update((h) => withSample(h, sampleOf(read.resources, now)));
    this.readAt.set(now);
  }
}
