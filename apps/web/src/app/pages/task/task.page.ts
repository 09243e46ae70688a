import { DatePipe, DecimalPipe, KeyValuePipe } from '@angular/common';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Title } from '@angular/platform-browser';
import { RouterLink } from '@angular/router';
import { type AttemptView, type ShardView, type TaskDetailView, type TaskFrame } from '@hivemind/contracts';
import {
  EMPTY,
  Subject,
  asyncScheduler,
  catchError,
  filter,
  interval,
  merge,
  of,
  switchMap,
  throttleTime,
} from 'rxjs';
import { apiError, Badge, coalesceMap } from '@hivemind/ui';
import { SessionStore } from '../../core/session.store';
import { Telemetry } from '../../core/telemetry';
import {
  attachmentName,
  attemptDuration,
  commandText,
  formatDuration,
  isLive,
  paramsText,
  plural,
  policyText,
  replicationText,
  reportOverstated,
  shortDigest,
} from './format';
import { TaskLog } from './task-log';

/** Task frames are followed by a read of the task, at most this often. */
const REFRESH_MS = 1000;
/**
 * A live task is read this often without the telemetry socket, and while shards wait to be placed:
 * their wait reasons change without a frame.
 */
const POLL_MS = 5000;
/** Shards shown at first, and added by "Show more". */
const SHARD_STEP = 50;

interface CancelResult {
  task_id: string;
  status: string;
  refunded: number;
}

/**
 * One task: its status, progress and cost, its live log, its shards with their attempts; results
 * download and cancel. Read again on the telemetry's frames for it.
 */
@Component({
  selector: 'hm-task-page',
  imports: [
    DatePipe,
    DecimalPipe,
    KeyValuePipe,
    RouterLink,
    MatButtonModule,
    MatProgressBarModule,
    Badge,
    TaskLog,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './task.page.html',
  styleUrl: './task.page.css',
})
export class TaskPage {
  private readonly http = inject(HttpClient);
  private readonly telemetry = inject(Telemetry);
  private readonly injector = inject(Injector);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly session = inject(SessionStore);

  /** Route parameter. */
  readonly id = input.required<string>();

  protected readonly task = signal<TaskDetailView | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notFound = signal(false);
  protected readonly live = computed(() => isLive(this.task()?.status ?? ''));
  /** Shards wait to be placed. */
  private readonly waiting = computed(() => {
    const t = this.task();
    return !!t && (t.status === 'QUEUED' || t.shards.some((s) => s.state === 'QUEUED'));
  });
  protected readonly hasOutput = computed(() => !!this.task()?.shards.some((s) => s.has_output));
  protected readonly others = computed(() => {
    const t = this.task();
    return !!t && t.owner !== this.session.user()?.username;
  });
  protected readonly shardLimit = signal(SHARD_STEP);
  protected readonly shards = computed(() => this.task()?.shards.slice(0, this.shardLimit()) ?? []);
  protected readonly now = signal(Date.now());
  protected readonly cancelStep = signal<'idle' | 'confirm' | 'busy'>('idle');
  protected readonly notice = signal<string | null>(null);
  protected readonly actionError = signal<string | null>(null);
  protected readonly downloading = signal(false);
  protected readonly duration = formatDuration;
  protected readonly params = paramsText;
  protected readonly command = commandText;
  protected readonly plural = plural;
  protected readonly policy = policyText;
  protected readonly replication = replicationText;
  protected readonly digest = shortDigest;
  protected readonly overstated = reportOverstated;

  private readonly reload = new Subject<void>();

  constructor() {
    const destroyRef = inject(DestroyRef);
    const title = inject(Title);
    effect(() => {
      const t = this.task();
      if (t) title.setTitle(`${t.name || 'Task ' + t.id.slice(0, 8)} · HiveMind`);
    });

    toObservable(this.id)
      .pipe(
        switchMap((id) => {
          this.task.set(null);
          this.notFound.set(false);
          this.error.set(null);
          this.shardLimit.set(SHARD_STEP);
          const frames = this.telemetry
            .events()
            .pipe(filter((f): f is TaskFrame => f.type === 'task' && f.task_id === id));
          const polled = interval(POLL_MS).pipe(
            filter(() => this.live() && (!this.telemetry.connected() || this.waiting())),
          );
          return merge(of(null), frames, this.telemetry.reconnected, this.reload, polled).pipe(
            throttleTime(REFRESH_MS, asyncScheduler, { leading: true, trailing: true }),
            coalesceMap(() => this.read(id)),
          );
        }),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((task) => {
        this.task.set(task);
        this.now.set(Date.now());
        this.error.set(null);
      });

    // running attempts' durations tick while the task is live
    interval(1000)
      .pipe(
        filter(() => this.live()),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(() => this.now.set(Date.now()));
  }

  protected attemptTime(a: AttemptView): string {
    return formatDuration(attemptDuration(a, this.now()));
  }

  protected shardLabel(s: ShardView): string {
    return s.is_aggregate ? 'Aggregate' : `Shard ${s.index}`;
  }

  protected showMoreShards(): void {
    this.shardLimit.update((n) => n + SHARD_STEP);
  }

  protected askCancel(): void {
    this.cancelStep.set('confirm');
    this.actionError.set(null);
    this.focus('[data-testid="confirm-cancel"]');
  }

  protected keepRunning(): void {
    this.cancelStep.set('idle');
    this.focus('[data-testid="cancel-task"]');
  }

  protected confirmCancel(): void {
    this.cancelStep.set('busy');
    this.http.post<CancelResult>(`/api/tasks/${this.id()}/cancel`, {}).subscribe({
      next: (result) => {
        this.cancelStep.set('idle');
        this.notice.set(`Cancelled: ${result.refunded} CPT returned from escrow.`);
        this.reload.next();
      },
      error: (failure: unknown) => {
        this.cancelStep.set('idle');
        this.actionError.set(apiError(failure).message);
        this.reload.next();
      },
    });
  }

  protected download(): void {
    if (this.downloading()) return;
    this.downloading.set(true);
    this.actionError.set(null);
    const id = this.id();
    this.http.get(`/api/tasks/${id}/results`, { observe: 'response', responseType: 'blob' }).subscribe({
      next: (response) => {
        this.downloading.set(false);
        if (!response.body) return;
        const name = attachmentName(response.headers.get('content-disposition'), `${id}-results.zip`);
        save(response.body, name);
      },
      error: (failure: unknown) => {
        this.downloading.set(false);
        void blobErrorMessage(failure).then((message) => this.actionError.set(message));
      },
    });
  }

  private read(id: string) {
    return this.http.get<TaskDetailView>(`/api/tasks/${id}`).pipe(
      catchError((failure: unknown) => {
        if (failure instanceof HttpErrorResponse && (failure.status === 404 || failure.status === 400)) {
          this.notFound.set(true);
        }
        this.error.set(apiError(failure).message);
        return EMPTY;
      }),
    );
  }

  private focus(selector: string): void {
    afterNextRender(() => this.host.nativeElement.querySelector<HTMLElement>(selector)?.focus(), {
      injector: this.injector,
    });
  }
}

/** Saves a downloaded file under its name, as a link to it would. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A refusal of a Blob request: its JSON body arrives as a Blob. */
async function blobErrorMessage(failure: unknown): Promise<string> {
  if (failure instanceof HttpErrorResponse && failure.error instanceof Blob) {
    try {
      const body: unknown = JSON.parse(await failure.error.text());
      return apiError(
        new HttpErrorResponse({ error: body, status: failure.status, statusText: failure.statusText }),
      ).message;
    } catch {
      // not JSON: said by status below
    }
  }
  return apiError(failure).message;
}
