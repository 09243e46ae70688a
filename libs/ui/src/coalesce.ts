import { Observable, type OperatorFunction, type Subscription } from 'rxjs';

/**
 * Like exhaustMap, without losing the last word: `work` runs for one value at a time, and values
 * that arrive while it runs make one more run, for the latest of them, once it ends. A slow read
 * (a task of many shards) is never cancelled by the next trigger, nor left stale by it.
 */
export function coalesceMap<T, R>(work: (value: T) => Observable<R>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let inner: Subscription | undefined;
      let running = false;
      let pending: { value: T } | null = null;
      let sourceDone = false;
      const run = (value: T) => {
        running = true;
        inner = work(value).subscribe({
          next: (result) => subscriber.next(result),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            running = false;
            const next = pending;
            pending = null;
            if (next) run(next.value);
            else if (sourceDone) subscriber.complete();
          },
        });
      };
      const outer = source.subscribe({
        next: (value) => {
          if (running) pending = { value };
          else run(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          if (!running) subscriber.complete();
        },
      });
      return () => {
        outer.unsubscribe();
        inner?.unsubscribe();
      };
    });
}
