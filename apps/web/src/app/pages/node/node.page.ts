import { HttpClient } from '@angular/common/http';
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
import { Title } from '@angular/platform-browser';
import { RouterLink } from '@angular/router';
import { NodeStatus, type NodeUtilizationView, type NodeView } from '@hivemind/contracts';
import { EMPTY, catchError, filter, map, merge, switchMap, tap } from 'rxjs';
import { apiError, Badge } from '@hivemind/ui';
import { LineChart } from '@hivemind/ui/charts';
import { SessionStore } from '../../core/session.store';
import { Telemetry } from '../../core/telemetry';
import { clock } from '../nodes/clock';
import { cores, heartbeatAge, lastFault, megabytes, percent, standingText } from '../nodes/node-format';
import { type NodeRow, applyNodeFrame, isNodeFrame, toNodeRow } from '../nodes/node-live';
import { type Utilization, WINDOWS, addHeartbeat, fromHistory, utilizationChart } from './utilization-chart';

/**
 * One node: its figures and trust, its standing (validated results, probation, faults), its CPU, memory and attempts over a chosen window (live
 * heartbeats appended), and, for admins, draining and undraining it.
 */
@Component({
  selector: 'hm-node-page',
  imports: [RouterLink, MatButtonModule, MatButtonToggleModule, MatProgressBarModule, LineChart, Badge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './node.page.html',
  styleUrl: './node.page.css',
})
export class NodePage {
  private readonly http = inject(HttpClient);
  private readonly telemetry = inject(Telemetry);
  private readonly title = inject(Title);
  private readonly destroyRef = inject(DestroyRef);

  /** Route parameter. */
  readonly id = input.required<string>();

  protected readonly isAdmin = inject(SessionStore).isAdmin;
  protected readonly node = signal<NodeRow | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly hours = signal<number>(1);
  protected readonly windows = WINDOWS;
  protected readonly history = signal<Utilization | null>(null);
  protected readonly historyError = signal<string | null>(null);
  protected readonly chart = computed(() => {
    const history = this.history();
    return history ? utilizationChart(history) : null;
  });
  protected readonly windowLabel = computed(() => WINDOWS.find((w) => w.hours === this.hours())?.label ?? '');
  protected readonly busy = signal(false);
  protected readonly actionError = signal<string | null>(null);
  protected readonly actionDone = signal<string | null>(null);
  protected readonly draining = computed(() => this.node()?.status === NodeStatus.Draining);
  protected readonly now = clock();
  protected readonly age = heartbeatAge;
  protected readonly cores = cores;
  protected readonly megabytes = megabytes;
  protected readonly percent = percent;
  protected readonly standing = standingText;
  protected readonly lastFault = lastFault;

  constructor() {
    const id$ = toObservable(this.id);
    const again$ = this.telemetry.reconnected.pipe(map(() => this.id()));
    merge(id$, again$)
      .pipe(
        switchMap((id) =>
          this.http.get<NodeView>(`/api/nodes/${encodeURIComponent(id)}`).pipe(
            catchError((failure: unknown) => {
              this.error.set(apiError(failure).message);
              return EMPTY;
            }),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((node) => this.show(node));

    const window$ = toObservable(computed(() => ({ id: this.id(), hours: this.hours() })));
    const windowAgain$ = this.telemetry.reconnected.pipe(map(() => ({ id: this.id(), hours: this.hours() })));
    merge(window$, windowAgain$)
      .pipe(
        tap(() => this.historyError.set(null)),
        switchMap(({ id, hours }) =>
          this.http
            .get<NodeUtilizationView>(`/api/nodes/${encodeURIComponent(id)}/utilization`, {
              params: { hours },
            })
            .pipe(
              map((view) => fromHistory(view, hours)),
              catchError((failure: unknown) => {
                this.historyError.set(apiError(failure).message);
                return EMPTY;
              }),
            ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((history) => this.history.set(history));

    this.telemetry
      .events()
      .pipe(
        filter(isNodeFrame),
        filter((frame) => frame.node_id === this.id()),
        takeUntilDestroyed(),
      )
      .subscribe((frame) => {
        const node = this.node();
        if (node) this.node.set(applyNodeFrame(node, frame, Date.now()));
        const history = this.history();
        if (history) this.history.set(addHeartbeat(history, frame));
      });
  }

  protected setWindow(hours: number): void {
    this.hours.set(hours);
  }

  /** Drains the node, or undrains it; the server's refusal (e.g. an offline node) is shown. */
  protected act(action: 'drain' | 'undrain'): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.actionError.set(null);
    this.actionDone.set(null);
    this.http
      .post<NodeView>(`/api/nodes/${encodeURIComponent(this.id())}/${action}`, {})
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (node) => {
          this.show(node);
          this.busy.set(false);
          this.actionDone.set(
            action === 'drain'
              ? 'Draining: the node takes no new attempts and finishes those it runs.'
              : 'Undrained: the node takes new attempts again.',
          );
        },
        error: (failure: unknown) => {
          this.busy.set(false);
          this.actionError.set(apiError(failure).message);
        },
      });
  }

  private show(node: NodeView): void {
    this.node.set(toNodeRow(node, Date.now()));
    this.error.set(null);
    this.title.setTitle(`${node.name} · Node · HiveMind`);
  }
}
