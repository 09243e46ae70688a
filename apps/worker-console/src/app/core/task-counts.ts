// The dashboard's task statistics. Pure.
import { type FinishedAttemptView } from '@hivemind/contracts';

/** The order the console lists finished attempts' outcomes in; others follow by name. */
const ORDER = ['completed', 'failed', 'stopped', 'cancelled'];

/** How many finished attempts ended each way, in ORDER, outcomes with none left out. */
export function taskCounts(history: readonly FinishedAttemptView[]): { status: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const attempt of history) counts.set(attempt.status, (counts.get(attempt.status) ?? 0) + 1);
  const rank = (status: string) => (ORDER.includes(status) ? ORDER.indexOf(status) : ORDER.length);
  return [...counts]
    .map(([status, count]) => ({ status, count }))
    .sort((a, b) => rank(a.status) - rank(b.status) || a.status.localeCompare(b.status));
}
