// @hivemind/ui loads @angular/common/http, whose partially compiled classes the JIT compiler finishes in tests.
import '@angular/compiler';
import { type TaskView, TaskStatus, type TaskFrame } from '@hivemind/contracts';
import { toneOf as stateTone } from '@hivemind/ui';
import {
  EMPTY_LIST,
  PAGE_SIZE,
  appendPage,
  applyTaskFrame,
  listQuery,
  mergeRefresh,
  parseStatus,
  refreshLimit,
} from './task-list';

/** Task n was created n minutes after midnight: a higher n is newer. */
const task = (n: number, over: Partial<TaskView> = {}): TaskView =>
  ({
    id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    name: `task ${n}`,
    status: TaskStatus.Running,
    progress: 0,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    ...over,
  }) as TaskView;
const newestFirst = (...ns: number[]) => ns.map((n) => task(n));
const ids = (items: readonly TaskView[]) => items.map((t) => t.name);

describe(listQuery.name, () => {
  it('asks only for the filters set', () => {
    expect(listQuery({ status: null, search: '', all: false }, 25)).toEqual({ limit: '25' });
    expect(listQuery({ status: TaskStatus.Failed, search: 'render', all: true }, 50, 'abc')).toEqual({
      limit: '50',
      status: 'FAILED',
      search: 'render',
      all: 'true',
      cursor: 'abc',
    });
  });
});

describe(parseStatus.name, () => {
  it('takes a known status in any case, and nothing else', () => {
    expect(parseStatus('running')).toBe(TaskStatus.Running);
    expect(parseStatus('QUEUED')).toBe(TaskStatus.Queued);
    expect(parseStatus('bogus')).toBeNull();
    expect(parseStatus(undefined)).toBeNull();
  });
});

describe(appendPage.name, () => {
  it('appends the next page without repeating a task and keeps its cursor', () => {
    const first = appendPage(EMPTY_LIST, { items: newestFirst(9, 8), next_cursor: 'c1' });
    const second = appendPage(first, { items: newestFirst(8, 7), next_cursor: null });
    expect(ids(second.items)).toEqual(['task 9', 'task 8', 'task 7']);
    expect(second.cursor).toBeNull();
  });
});

describe(mergeRefresh.name, () => {
  it('replaces the list when the refresh covers it: new tasks appear, tasks out of the filter go', () => {
    const list = { items: newestFirst(9, 8, 7), cursor: null };
    const merged = mergeRefresh(
      list,
      { items: newestFirst(10, 9, 7), next_cursor: null },
      refreshLimit(list),
    );
    expect(ids(merged.items)).toEqual(['task 10', 'task 9', 'task 7']);
  });

  it('keeps the rows beyond the refresh, and the cursor after them', () => {
    const list = { items: newestFirst(9, 8, 7, 6, 5), cursor: 'after-5' };
    const merged = mergeRefresh(list, { items: newestFirst(10, 9, 8), next_cursor: 'after-8' }, 3);
    expect(ids(merged.items)).toEqual(['task 10', 'task 9', 'task 8', 'task 7', 'task 6', 'task 5']);
    expect(merged.cursor).toBe('after-5');
  });

  it('reads again as many rows as are shown, at least a page and at most the pool’s limit', () => {
    expect(refreshLimit(EMPTY_LIST)).toBe(PAGE_SIZE);
    expect(
      refreshLimit({ items: newestFirst(...Array.from({ length: 60 }, (_, i) => i)), cursor: 'x' }),
    ).toBe(60);
    expect(refreshLimit({ items: Array.from({ length: 900 }, (_, i) => task(i)), cursor: 'x' })).toBe(500);
  });
});

describe(applyTaskFrame.name, () => {
  const frame = (over: Partial<TaskFrame>): TaskFrame => ({
    type: 'task',
    event: 'status',
    task_id: task(8).id,
    user_id: 'u',
    status: TaskStatus.Running,
    progress: 0,
    at: '2026-01-01T00:00:00Z',
    ...over,
  });

  it("updates the row's status and progress at once", () => {
    const list = { items: newestFirst(9, 8), cursor: null };
    const next = applyTaskFrame(list, frame({ status: 'COMPLETED', progress: 100 }));
    expect(next.items[1]).toMatchObject({ status: 'COMPLETED', progress: 100 });
    expect(next.items[0]).toBe(list.items[0]);
  });

  it('leaves the list as it is for a task it does not show, or a frame that changes nothing', () => {
    const list = { items: newestFirst(9, 8), cursor: null };
    expect(applyTaskFrame(list, frame({ task_id: 'elsewhere', status: 'FAILED' }))).toBe(list);
    expect(applyTaskFrame(list, frame({ event: 'attempt', attempt_state: 'RUNNING' }))).toBe(list);
  });
});

describe(stateTone.name, () => {
  it.each([
    ['QUEUED', 'waiting'],
    ['ASSIGNED', 'waiting'],
    ['RUNNING', 'running'],
    ['COMPLETED', 'done'],
    ['FAILED', 'failed'],
    ['LOST', 'failed'],
    ['CANCELLED', 'off'],
  ])('%s → %s', (state, tone) => {
    expect(stateTone(state)).toBe(tone);
  });
});
