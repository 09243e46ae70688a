import type { Queue } from 'bull';
import { COALESCE_MS, PlacementTrigger } from './placement-trigger';

/** A queue that records the jobs added (ids and reasons). */
function recordingQueue() {
  const added: { jobId: string; reason: string }[] = [];
  const queue = {
    add: (_name: string, data: { reason: string }, options: { jobId: string }) => {
      added.push({ jobId: options.jobId, reason: data.reason });
      return Promise.resolve();
    },
  } as unknown as Queue;
  return { queue, added };
}

describe(PlacementTrigger.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('adds a pass at once on an idle pool: no coalescing window to wait out', () => {
    const { queue, added } = recordingQueue();
    new PlacementTrigger(queue).request('task submitted');
    expect(added).toEqual([{ jobId: `pass:${1_000_000 / COALESCE_MS}`, reason: 'task submitted' }]);
  });

  it('runs an idle request on this replica when its runner takes it, and queues it when the runner declines', async () => {
    const { queue, added } = recordingQueue();
    const trigger = new PlacementTrigger(queue);
    const ran: string[] = [];
    let free = true;
    trigger.useRunner((reason) => {
      if (free) ran.push(reason);
      return Promise.resolve(free);
    });
    trigger.request('task submitted');
    await Promise.resolve();
    await Promise.resolve();
    expect(ran).toEqual(['task submitted']);
    expect(added).toEqual([]);
    free = false;
    jest.advanceTimersByTime(COALESCE_MS);
    trigger.request('node registered');
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(added.map((a) => a.reason)).toEqual(['node registered']);
  });

  it('under load, coalesces the requests of a window into one pass, in a slot of its own', () => {
    const { queue, added } = recordingQueue();
    const trigger = new PlacementTrigger(queue);
    trigger.request('a');
    jest.advanceTimersByTime(10);
    trigger.request('b');
    trigger.request('c');
    expect(added).toHaveLength(1);
    jest.advanceTimersByTime(COALESCE_MS);
    expect(added).toHaveLength(2);
    expect(added[1].reason).toBe('b, c');
    expect(added[1].jobId).not.toBe(added[0].jobId);
    // quiet for a window again: the next request goes at once
    jest.advanceTimersByTime(COALESCE_MS * 2);
    trigger.request('d');
    expect(added.map((a) => a.reason)).toEqual(['a', 'b, c', 'd']);
  });
});
