import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { apiError, coalesceMap } from '@hivemind/ui';
import { catchError, map, of, switchMap, timer } from 'rxjs';
import { POLL_MS } from '../../core/resource-history';
import { LOG_TAIL, WorkerApi } from '../../core/worker-api';
import { type LogLineView } from '@hivemind/contracts';

/** The last lines of an attempt's output, re-read every two seconds while shown. */
@Component({
  selector: 'hm-task-logs',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    <pre tabindex="0" [attr.aria-label]="'Last ' + tail + ' lines of the output'" data-testid="log-tail">{{
      text()
    }}</pre>
  `,
  styles: `
    pre {
      margin: 0.5rem 0 0;
      padding: 0.5rem;
      max-height: 20rem;
      overflow: auto;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      background: var(--hm-bg);
      border: 1px solid var(--hm-border);
      border-radius: 4px;
      font-size: 0.85rem;
    }
    .error {
      color: var(--hm-danger);
    }
  `,
})
export class TaskLogs {
  readonly attemptId = input.required<string>();
  protected readonly tail = LOG_TAIL;
  protected readonly text = signal('(no output yet)');
  protected readonly error = signal<string | null>(null);
  private readonly api = inject(WorkerApi);

  constructor() {
    toObservable(this.attemptId)
      .pipe(
        switchMap((id) =>
          timer(0, POLL_MS).pipe(
            coalesceMap(() =>
              this.api.logs(id).pipe(
                map((lines) => ({ lines })),
                catchError((error: unknown) => of({ error: apiError(error, 'The worker').message })),
              ),
            ),
          ),
        ),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((read) => {
        if ('error' in read) return this.error.set(read.error);
        this.error.set(null);
        this.text.set(read.lines.length ? linesText(read.lines) : '(no output yet)');
      });
  }
}

const linesText = (lines: LogLineView[]): string =>
  lines.map((l) => (l.stream === 'stderr' ? `! ${l.text}` : l.text)).join('\n');
