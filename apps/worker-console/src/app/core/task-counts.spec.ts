import { taskCounts } from './task-counts';
import { type FinishedAttemptView } from '@hivemind/contracts';

const ended = (status: string): FinishedAttemptView => ({
  attempt_id: `a-${status}`,
  task_id: 't',
  // statuses a newer worker might add are counted too
  status: status as FinishedAttemptView['status'],
  exit_code: null,
  started_at: null,
  finished_at: '2026-12-06T00:00:00.000Z',
});

describe(taskCounts.name, () => {
  it.each([
    [[], []],
    [
      ['failed', 'completed', 'completed', 'stopped'],
      [
        { status: 'completed', count: 2 },
        { status: 'failed', count: 1 },
        { status: 'stopped', count: 1 },
      ],
    ],
    [
      ['zeta', 'cancelled', 'alpha'],
      [
        { status: 'cancelled', count: 1 },
        { status: 'alpha', count: 1 },
        { status: 'zeta', count: 1 },
      ],
    ],
  ])('%p → %p', (statuses, counts) => {
    expect(taskCounts(statuses.map(ended))).toEqual(counts);
  });
});
