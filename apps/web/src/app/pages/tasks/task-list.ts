// The task list's state and how it changes: pages loaded, live frames applied, a refresh merged in.
// Pure.
import { PAGE_SIZE_MAX, type Page, TaskStatus, type TaskView, type TaskFrame } from '@hivemind/contracts';

export const PAGE_SIZE = 25;
export const STATUSES: readonly TaskStatus[] = Object.values(TaskStatus);

export interface TaskFilter {
  status: TaskStatus | null;
  search: string;
  /** Admins: everyone's tasks. */
  all: boolean;
}

export interface TaskList {
  items: readonly TaskView[];
  /** For "Load more"; null when the last page is loaded. */
  cursor: string | null;
}

export const EMPTY_LIST: TaskList = { items: [], cursor: null };

/** A `status` query parameter → a status to filter on, or none. */
export function parseStatus(raw: string | undefined): TaskStatus | null {
  const status = raw?.toUpperCase();
  return STATUSES.find((s) => s === status) ?? null;
}

/** The query of GET /api/tasks. */
export function listQuery(filter: TaskFilter, limit: number, cursor?: string | null): Record<string, string> {
  const query: Record<string, string> = { limit: String(limit) };
  if (filter.status) query['status'] = filter.status;
  if (filter.search) query['search'] = filter.search;
  if (filter.all) query['all'] = 'true';
  if (cursor) query['cursor'] = cursor;
  return query;
}

/** The next page appended (a task already listed is not repeated). */
export function appendPage(list: TaskList, page: Page<TaskView>): TaskList {
  const known = new Set(list.items.map((t) => t.id));
  return { items: [...list.items, ...page.items.filter((t) => !known.has(t.id))], cursor: page.next_cursor };
}

/** How many rows a refresh reads again: the ones shown, within one page's limits. */
export function refreshLimit(list: TaskList): number {
  return Math.min(PAGE_SIZE_MAX, Math.max(PAGE_SIZE, list.items.length));
}

/**
 * A fresh read of the first `limit` rows merged in: it replaces them (new tasks appear, tasks that
 * left the filter go); rows beyond it, when more were loaded, stay as they were.
 */
export function mergeRefresh(list: TaskList, fresh: Page<TaskView>, limit: number): TaskList {
  if (list.items.length <= limit || fresh.next_cursor === null)
    return { items: fresh.items, cursor: fresh.next_cursor };
  const last = fresh.items[fresh.items.length - 1];
  const ids = new Set(fresh.items.map((t) => t.id));
  const rest = list.items.filter((t) => !ids.has(t.id) && (!last || isOlder(t, last)));
  return { items: [...fresh.items, ...rest], cursor: list.cursor };
}

/** Newest first, as the pool lists them: by creation time, then id. */
function isOlder(a: TaskView, b: TaskView): boolean {
  return a.created_at < b.created_at || (a.created_at === b.created_at && a.id < b.id);
}

/** A task frame's status and progress applied to its row at once (the refresh that follows brings the rest). */
export function applyTaskFrame(list: TaskList, frame: TaskFrame): TaskList {
  const index = list.items.findIndex((t) => t.id === frame.task_id);
  if (index < 0) return list;
  const task = list.items[index];
  const status = frame.status ?? task.status;
  const progress = frame.progress ?? task.progress;
  if (status === task.status && progress === task.progress) return list;
  const items = list.items.slice();
  items[index] = { ...task, status, progress };
  return { ...list, items };
}
