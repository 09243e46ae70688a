import { Subject } from 'rxjs';
import { coalesceMap } from './coalesce';

describe(coalesceMap.name, () => {
  const setup = () => {
    const triggers = new Subject<number>();
    const reads: Subject<string>[] = [];
    const started: number[] = [];
    const results: string[] = [];
    let completed = false;
    triggers
      .pipe(
        coalesceMap((n) => {
          started.push(n);
          const read = new Subject<string>();
          reads.push(read);
          return read;
        }),
      )
      .subscribe({ next: (r) => results.push(r), complete: () => (completed = true) });
    const finish = (i: number, value: string) => {
      reads[i].next(value);
      reads[i].complete();
    };
    return { triggers, started, results, finish, completed: () => completed };
  };

  it('runs one read at a time; triggers during it make one more read, for the latest', () => {
    const { triggers, started, results, finish } = setup();
    triggers.next(1);
    triggers.next(2);
    triggers.next(3);
    expect(started).toEqual([1]);
    finish(0, 'first');
    expect(started).toEqual([1, 3]);
    finish(1, 'second');
    expect(results).toEqual(['first', 'second']);
    expect(started).toEqual([1, 3]);
  });

  it('does not cancel a slow read, and reads at once when idle', () => {
    const { triggers, started, results, finish } = setup();
    triggers.next(1);
    finish(0, 'a');
    triggers.next(2);
    expect(started).toEqual([1, 2]);
    finish(1, 'b');
    expect(results).toEqual(['a', 'b']);
  });

  it('completes after the last read once its source completes', () => {
    const { triggers, finish, completed } = setup();
    triggers.next(1);
    triggers.complete();
    expect(completed()).toBe(false);
    finish(0, 'a');
    expect(completed()).toBe(true);
  });
});
