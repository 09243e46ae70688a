import {
  type Finish,
  MINUTE_MS,
  finishOfFrame,
  finishOfTask,
  minuteLabel,
  trendsAt,
  windowStart,
  withFinishes,
  withSample,
} from './trends';
import { type TaskEvent, type TaskFrame } from '@hivemind/contracts';

const T0 = Date.UTC(2026, 4, 1, 10, 0, 0);
const at = (minutes: number, seconds = 0) => T0 + minutes * MINUTE_MS + seconds * 1000;
const frame = (over: Partial<TaskFrame>): TaskFrame => ({
  type: 'task',
  event: 'finished',
  task_id: 't1',
  user_id: 'u1',
  status: 'COMPLETED',
  progress: 100,
  at: new Date(at(0)).toISOString(),
  ...over,
});
const finish = (taskId: string, status: Finish['status'], when: number): Finish => ({
  taskId,
  status,
  at: when,
});

describe(finishOfFrame.name, () => {
  it.each<[TaskEvent, string, boolean]>([
    ['finished', 'COMPLETED', true],
    ['finished', 'FAILED', true],
    ['status', 'FAILED', true],
    ['finished', 'CANCELLED', false],
    ['status', 'RUNNING', false],
    ['attempt', 'COMPLETED', false],
    ['shard', 'FAILED', false],
  ])('a %s frame with status %s is a finish: %s', (event, status, counts) => {
    expect(finishOfFrame(frame({ event, status })) !== null).toBe(counts);
  });

  it('reads the task and the time', () => {
    expect(finishOfFrame(frame({ task_id: 't9', status: 'FAILED' }))).toEqual(finish('t9', 'FAILED', at(0)));
  });

  it('ignores a frame without a readable time', () => {
    expect(finishOfFrame(frame({ at: 'soon' }))).toBeNull();
  });
});

describe(finishOfTask.name, () => {
  it('takes a finished task at its finished_at', () => {
    const finishedAt = new Date(at(3)).toISOString();
    expect(finishOfTask({ id: 't1', status: 'COMPLETED', finished_at: finishedAt })).toEqual(
      finish('t1', 'COMPLETED', at(3)),
    );
  });

  it('skips a cancelled task and one without finished_at', () => {
    expect(
      finishOfTask({ id: 't1', status: 'CANCELLED', finished_at: new Date(at(3)).toISOString() }),
    ).toBeNull();
    expect(finishOfTask({ id: 't1', status: 'FAILED', finished_at: null })).toBeNull();
  });
});

describe(windowStart.name, () => {
  it('starts 29 whole minutes before the minute in progress', () => {
    expect(windowStart(at(30, 42))).toBe(at(1));
    expect(windowStart(at(30, 42), 5)).toBe(at(26));
  });
});

describe(withFinishes.name, () => {
  const now = at(40);

  it('counts a task once, whichever way it was heard of first', () => {
    const list = withFinishes([], [finish('t1', 'COMPLETED', at(35))], now);
    const again = withFinishes(
      list,
      [finish('t1', 'COMPLETED', at(36)), finish('t2', 'FAILED', at(34))],
      now,
    );
    expect(again).toEqual([finish('t2', 'FAILED', at(34)), finish('t1', 'COMPLETED', at(35))]);
  });

  it('drops finishes older than the window, kept or added', () => {
    const list = [finish('old', 'COMPLETED', at(5)), finish('kept', 'COMPLETED', at(20))];
    expect(withFinishes(list, [finish('older', 'FAILED', at(10, 59))], now)).toEqual([
      finish('kept', 'COMPLETED', at(20)),
    ]);
  });
});

describe(withSample.name, () => {
  it('keeps samples in time order within the window', () => {
    const list = [
      { at: at(1), value: 1 },
      { at: at(20), value: 2 },
    ];
    expect(withSample(list, { at: at(15), value: 3 }, at(40))).toEqual([
      { at: at(15), value: 3 },
      { at: at(20), value: 2 },
    ]);
  });
});

describe(trendsAt.name, () => {
  const now = at(29, 30); // the window is minutes 0…29

  it('has one bucket per minute, the last the minute in progress', () => {
    const trends = trendsAt([], [], now);
    expect(trends.minutes).toHaveLength(30);
    expect(trends.minutes[0]).toBe(at(0));
    expect(trends.minutes[29]).toBe(at(29));
    expect(trends.completed).toEqual(new Array(30).fill(0));
    expect(trends.nodesOnline).toEqual(new Array(30).fill(null));
  });

  it('counts completions and failures in the minute they happened', () => {
    const trends = trendsAt(
      [
        finish('a', 'COMPLETED', at(0)),
        finish('b', 'COMPLETED', at(0, 59)),
        finish('c', 'FAILED', at(1)),
        finish('d', 'COMPLETED', at(29, 10)),
        finish('e', 'FAILED', at(-1)),
      ],
      [],
      now,
    );
    expect(trends.completed.slice(0, 2)).toEqual([2, 0]);
    expect(trends.completed[29]).toBe(1);
    expect(trends.failed.slice(0, 2)).toEqual([0, 1]);
    expect(trends.failed.reduce((a, b) => a + b)).toBe(1);
  });

  it('puts a time a little ahead of the clock (server skew) in the minute in progress', () => {
    expect(trendsAt([finish('a', 'FAILED', at(31))], [], now).failed[29]).toBe(1);
  });

  it('takes the last node reading of each minute and leaves minutes without one empty', () => {
    const trends = trendsAt(
      [],
      [
        { at: at(3, 50), value: 4 },
        { at: at(3, 5), value: 2 },
        { at: at(5), value: 3 },
      ],
      now,
    );
    expect(trends.nodesOnline.slice(2, 6)).toEqual([null, 4, null, 3]);
  });
});

describe(minuteLabel.name, () => {
  it('shows hours and minutes, zero-padded, in local time', () => {
    const d = new Date(2026, 0, 2, 7, 5, 0);
    expect(minuteLabel(d.getTime())).toBe('07:05');
  });
});
