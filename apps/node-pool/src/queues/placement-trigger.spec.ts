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

  it('runs a request at once on this replica when no pass runs here, and queues it (coalesced) while one does', async () => {
    const { queue, added } = recordingQueue();
    const trigger = new PlacementTrigger(queue);
    const ran: string[] = [];
    let busy = false;
    let paused = false;
    trigger.useRunner({
      busy: () => busy,
      run: (reason) => {
        if (!paused) ran.push(reason);
        return Promise.resolve(!paused);
      },
    });
    trigger.request('task submitted');
    trigger.request('attempt ended'); // a moment later, still free: at once again
    await Promise.resolve();
    expect(ran).toEqual(['task submitted', 'attempt ended']);
    expect(added).toEqual([]);
    busy = true;
    trigger.request('node registered');
    trigger.request('task submitted');
    expect(added).toHaveLength(0); // within the window of the last request: coalesced
    jest.advanceTimersByTime(COALESCE_MS + 1);
    expect(added.map((a) => a.reason)).toEqual(['node registered, task submitted']);
    busy = false;
    paused = true;
    jest.advanceTimersByTime(COALESCE_MS * 2);
    trigger.request('safety');
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(added.map((a) => a.reason)).toEqual(['node registered, task submitted', 'safety']);
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
