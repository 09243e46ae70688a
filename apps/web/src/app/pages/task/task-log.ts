import { DecimalPipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  afterRenderEffect,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { type LogChunkView, type TaskLogsView } from '@hivemind/contracts';
import {
  EMPTY,
  type Observable,
  catchError,
  exhaustMap,
  expand,
  filter,
  finalize,
  interval,
  map,
  merge,
  switchMap,
} from 'rxjs';
import { apiError } from '@hivemind/ui';
import { Telemetry } from '../../core/telemetry';
import { LogBuffer, type LogLine } from './log-buffer';

/** Chunks per REST page (the pool's most). */
const PAGE = 1000;
/** Without the telemetry socket, a live task's log is polled this often. */
const POLL_MS = 5000;
/** Closer than this to the end of the panel counts as at the end: the panel follows new lines. */
const AT_END_PX = 32;

/**
 * A task's log: what the pool has stored (paged over REST), then the live lines of the telemetry
 * socket; after a reconnect, what was missed is read again over REST. The panel follows new lines
 * while it is scrolled to the end.
 */
@Component({
  selector: 'hm-task-log',
  imports: [DecimalPipe, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="bar">
      <h2 id="log-title">Log</h2>
      <span class="muted" role="status">
        {{ lines().length | number }} {{ lines().length === 1 ? 'line' : 'lines' }}
        @if (dropped()) {
          · the {{ dropped() | number }} before them are not kept here
        }
      </span>
      @if (!follow()) {
        <button mat-stroked-button type="button" data-testid="log-follow" (click)="toEnd()">Follow ↓</button>
      }
    </div>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <div
      #panel
      class="log"
      data-testid="log"
      role="log"
      aria-live="off"
      aria-labelledby="log-title"
      tabindex="0"
      (scroll)="scrolled()"
    >
      @for (line of lines(); track line.key) {
        <div class="line" [class.stderr]="line.stream === 'stderr'" [class.system]="line.stream === 'system'">
          @if (shardPrefix()) {
            <span class="shard" aria-hidden="true">#{{ line.shard }}</span>
          }
          <span [textContent]="line.text"></span>
        </div>
      } @empty {
        <p class="muted">{{ loading() ? 'Loading the log…' : 'No output yet.' }}</p>
      }
    </div>
  `,
  styles: `
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1rem;
      margin-bottom: 0.5rem;
    }
    h2 {
      margin: 0;
      font-size: 1.1rem;
    }
    .muted {
      color: var(--hm-muted);
      font-size: 0.85rem;
    }
    .bar button {
      margin-left: auto;
    }
    .error {
      color: var(--hm-danger);
    }
    .log {
      min-height: 6rem;
      max-height: min(28rem, 60vh);
      overflow: auto;
      padding: 0.5rem 0.75rem;
      border: 1px solid var(--hm-border);
      border-radius: 8px;
      background: #0a0c10;
      font:
        0.8rem/1.45 ui-monospace,
        'SFMono-Regular',
        Menlo,
        monospace;
    }
    .line {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .stderr {
      color: #ff8a80;
    }
    .system {
      color: #4dd0e1;
      font-style: italic;
    }
    .shard {
      display: inline-block;
      min-width: 2.5em;
      margin-right: 0.5em;
      color: var(--hm-muted);
      user-select: none;
    }
  `,
})
export class TaskLog {
  private readonly http = inject(HttpClient);
  private readonly telemetry = inject(Telemetry);

  readonly taskId = input.required<string>();
  /** The task may still write: without the socket, the log is polled. */
  readonly live = input(false);
  /** Mark each line with its shard (tasks of more than one shard). */
  readonly shardPrefix = input(false);

  protected readonly lines = signal<readonly LogLine[]>([]);
  protected readonly dropped = signal(0);
  protected readonly loading = signal(true);
  protected readonly error = signal<string | null>(null);
  protected readonly follow = signal(true);
  private readonly panel = viewChild.required<ElementRef<HTMLElement>>('panel');
  private buffer = new LogBuffer();
  private publishQueued = false;

  constructor() {
    toObservable(this.taskId)
      .pipe(
        switchMap((id) => {
          this.buffer = new LogBuffer();
          this.publish();
          this.loading.set(true);
          this.error.set(null);
          const stored = this.read(id, 0).pipe(finalize(() => this.loading.set(false)));
          const live = this.telemetry.logs(id).pipe(map((frame) => [frame]));
          const missed = this.telemetry.reconnected.pipe(exhaustMap(() => this.read(id, this.buffer.lastId)));
          const polled = interval(POLL_MS).pipe(
            filter(() => this.live() && !this.telemetry.connected() && !this.loading()),
            exhaustMap(() => this.read(id, this.buffer.lastId)),
          );
          return merge(live, stored, missed, polled);
        }),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((chunks) => {
        if (this.buffer.add(chunks)) this.schedulePublish();
      });

    afterRenderEffect(() => {
      this.lines();
      if (!this.follow()) return;
      const panel = this.panel().nativeElement;
      panel.scrollTop = panel.scrollHeight;
    });
  }

  protected scrolled(): void {
    const panel = this.panel().nativeElement;
    this.follow.set(panel.scrollHeight - panel.scrollTop - panel.clientHeight < AT_END_PX);
  }

  protected toEnd(): void {
    this.follow.set(true);
  }

  /** The chunks after `after`, page by page. */
  private read(id: string, after: number): Observable<LogChunkView[]> {
    const page = (from: number) =>
      this.http.get<TaskLogsView>(`/api/tasks/${id}/logs`, { params: { after: from, limit: PAGE } });
    return page(after).pipe(
      expand((answer) => (answer.chunks.length === PAGE ? page(answer.next_after) : EMPTY)),
      map((answer) => answer.chunks),
      catchError((failure: unknown) => {
        this.error.set(`The log could not be read: ${apiError(failure).message}`);
        return EMPTY;
      }),
    );
  }

  /** Many chunks in a row (a REST page, a batch of frames) make one redraw. */
  private schedulePublish(): void {
    if (this.publishQueued) return;
    this.publishQueued = true;
    queueMicrotask(() => {
      this.publishQueued = false;
      this.publish();
    });
  }

  private publish(): void {
    this.lines.set(this.buffer.snapshot());
    this.dropped.set(this.buffer.dropped);
  }
}
