import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { type Page, type SystemStatusView, type TaskView, type NodeFrame } from '@hivemind/contracts';
import { catchError, exhaustMap, filter, map, merge, of, share, type Observable } from 'rxjs';
import { apiError } from '@hivemind/ui';
import { type Series, TrendChart } from '@hivemind/ui/charts';
import { SessionStore } from '../../core/session.store';
import { Telemetry } from '../../core/telemetry';
import {
  type Alert,
  FAILURE_SPIKE_THRESHOLD,
  degradedAlert,
  failureSpike,
  nodeLostAlert,
  withAlert,
} from './alerts';
import { changesStatus, statusReads } from './refresh';
import {
  type Finish,
  TREND_MINUTES,
  finishOfFrame,
  finishOfTask,
  minuteLabel,
  trendsAt,
  withFinishes,
  withSample,
  type Sample,
} from './trends';

/** Recent finished tasks read over REST on opening, so the trends do not start empty. */
const HISTORY_PAGE = 100;
const COLORS = { completed: '#4dd0e1', failed: '#ff6b6b', nodes: '#f5b301' };

type StatusRead = { status: SystemStatusView } | { error: string };

/**
 * The pool at a glance: its stores, nodes by trust group, tasks by status, the queue; trends of
 * the last 30 minutes and alerts, kept live by /ws/telemetry and re-reads of /api/system/status.
 */
@Component({
  selector: 'hm-dashboard-page',
  imports: [DatePipe, MatButtonModule, MatCardModule, TrendChart],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
})
export class DashboardPage {
  private readonly http = inject(HttpClient);
  private readonly telemetry = inject(Telemetry);
  protected readonly admin = inject(SessionStore).isAdmin;
  protected readonly live = this.telemetry.connected;

  protected readonly status = signal<SystemStatusView | null>(null);
  protected readonly error = signal<string | null>(null);
  /** When the shown status was read (this browser's clock). */
  protected readonly readAt = signal<number | null>(null);
  /** "2 node-pool replicas: a:8080 (this one), b:8080" */
  protected readonly replicas = computed(() => {
    const s = this.status();
    if (!s) return '';
    const names = s.replicas.map(
      (r) => `${r.hostname}:${r.http_port}${r.id === s.replica_id ? ' (this one)' : ''}`,
    );
    const count = `${s.replicas.length} node-pool replica${s.replicas.length === 1 ? '' : 's'}`;
    return names.length ? `${count}: ${names.join(', ')}` : count;
  });
  protected readonly taskStates = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];

  private readonly now = signal(Date.now());
  private readonly finishes = signal<Finish[]>([]);
  private readonly samples = signal<Sample[]>([]);
  private spikeActive = false;
  protected readonly historyError = signal<string | null>(null);
  protected readonly alerts = signal<readonly Alert[]>([]);

  private readonly trends = computed(() => trendsAt(this.finishes(), this.samples(), this.now()));
  protected readonly labels = computed(() => this.trends().minutes.map(minuteLabel));
  protected readonly throughput = computed<Series[]>(() => [
    { label: 'Completed per minute', values: this.trends().completed, color: COLORS.completed },
  ]);
  protected readonly failures = computed<Series[]>(() => [
    { label: 'Failed per minute', values: this.trends().failed, color: COLORS.failed },
  ]);
  protected readonly nodesOnline = computed<Series[]>(() => [
    { label: 'Nodes online', values: this.trends().nodesOnline, color: COLORS.nodes },
  ]);
  protected readonly totals = computed(() => ({
    completed: this.trends().completed.reduce((a, b) => a + b, 0),
    failed: this.trends().failed.reduce((a, b) => a + b, 0),
  }));
  protected readonly minutes = TREND_MINUTES;
  protected readonly spikeThreshold = FAILURE_SPIKE_THRESHOLD;

  constructor() {
    const events = this.telemetry.events().pipe(takeUntilDestroyed(), share());
    events.subscribe((frame) => {
      if (frame.type === 'task') {
        const finish = finishOfFrame(frame);
        if (finish) this.addFinishes([finish]);
      } else if (frame.type === 'node') {
        this.nodeEvent(frame);
      }
    });
    const changes = merge(events.pipe(filter(changesStatus)), this.telemetry.reconnected);
    statusReads(changes)
      .pipe(
        exhaustMap(() => this.readStatus()),
        takeUntilDestroyed(),
      )
      .subscribe((read) => this.statusRead(read));
    this.readHistory();
  }

  protected iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  protected clearAlerts(): void {
    this.alerts.set([]);
  }

  private readStatus(): Observable<StatusRead> {
    return this.http.get<SystemStatusView>('/api/system/status').pipe(
      map((status) => ({ status })),
      catchError((failure: unknown) => of({ error: apiError(failure).message })),
    );
  }

  private statusRead(read: StatusRead): void {
    const now = Date.now();
    this.now.set(now);
    this.evaluateSpike(now);
    if ('error' in read) {
      this.error.set(read.error);
      return;
    }
    this.alerts.update((list) => withAlert(list, degradedAlert(this.status(), read.status, now)));
    this.status.set(read.status);
    this.readAt.set(now);
    this.error.set(null);
    this.samples.update((list) => withSample(list, { at: now, value: read.status.nodes.online }, now));
  }

  private nodeEvent(frame: NodeFrame): void {
    this.alerts.update((list) => withAlert(list, nodeLostAlert(frame)));
  }

  private addFinishes(added: Finish[]): void {
    const now = Date.now();
    this.now.set(now);
    this.finishes.update((list) => withFinishes(list, added, now));
    this.evaluateSpike(now);
  }

  private evaluateSpike(now: number): void {
    const spike = failureSpike(this.finishes(), now, this.spikeActive);
    this.spikeActive = spike.active;
    this.alerts.update((list) => withAlert(list, spike.alert));
  }

  /** The latest completed and failed tasks (everyone's for an admin), for the minutes before the page opened. */
  private readHistory(): void {
    const read = (status: string) =>
      this.http.get<Page<TaskView>>('/api/tasks', {
        params: { status, limit: HISTORY_PAGE, ...(this.admin() ? { all: true } : {}) },
      });
    merge(read('COMPLETED'), read('FAILED'))
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (page) => this.addFinishes(page.items.map(finishOfTask).filter((f): f is Finish => f !== null)),
        error: (failure: unknown) => this.historyError.set(apiError(failure).message),
      });
  }
}
