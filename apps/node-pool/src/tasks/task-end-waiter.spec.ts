import { TaskStatus } from '@hivemind/contracts';
import { TaskEvents } from '../scheduling/task-events';
import { type TelemetryEvent } from '../telemetry/telemetry-events';
import { type TelemetryListener } from '../telemetry/telemetry.service';
import { TaskEndWaiter } from './task-end-waiter';

const TASK = 'c3c3c3c3-0000-4000-8000-000000000003';
const state = (status: TaskStatus) => ({ user_id: 'u1', status, shards_completed: 1, shards_total: 1 });

/** A telemetry service whose Redis never echoes anything back (only what other replicas send). */
function setUp() {
  const redisListeners: TelemetryListener[] = [];
  const sent: TelemetryEvent[] = [];
  const telemetry = {
    listen: (l: TelemetryListener) => (redisListeners.push(l), () => undefined),
    publish: (e: TelemetryEvent) => void sent.push(e),
  };
  const reads: string[] = [];
  const tasks = {
    progressOf: (id: string) => (reads.push(id), Promise.resolve(state(TaskStatus.Completed))),
  };
  const events = new TaskEvents(tasks as never, telemetry as never);
  const waiter = new TaskEndWaiter(telemetry as never, events);
  const fromAnotherReplica = (e: TelemetryEvent) => redisListeners.forEach((l) => l(e));
  return { events, waiter, sent, reads, fromAnotherReplica };
}

const woken = (watch: { ended: Promise<void> }) =>
  Promise.race([watch.ended.then(() => true), new Promise((r) => setImmediate(() => r(false)))]);

describe(TaskEndWaiter.name, () => {
  it("is woken by this replica's own event as it is published, without Redis's echo", async () => {
    const { events, waiter, sent, reads } = setUp();
    const watch = waiter.watch(TASK)!;
    events.publish(TASK, 'attempt', {}, state(TaskStatus.Running));
    expect(await woken(watch)).toBe(false);
    events.publish(TASK, 'finished', {}, state(TaskStatus.Completed));
    expect(await woken(watch)).toBe(true);
    // the committed state went out as given (nothing read again), to Redis as well
    expect(reads).toEqual([]);
    expect(sent.map((e) => e.type === 'task' && e.status)).toEqual(['RUNNING', 'COMPLETED']);
    watch.close();
    expect(waiter.watching).toBe(0);
  });

  it("is woken by another replica's event through Redis", async () => {
    const { waiter, fromAnotherReplica } = setUp();
    const watch = waiter.watch(TASK)!;
    fromAnotherReplica({ type: 'log', taskId: TASK } as TelemetryEvent);
    expect(await woken(watch)).toBe(false);
    fromAnotherReplica({ type: 'task', event: 'finished', taskId: TASK, status: 'FAILED' } as TelemetryEvent);
    expect(await woken(watch)).toBe(true);
    watch.close();
  });

  it('reads the state after the commit when the caller has none', async () => {
    const { events, waiter, reads } = setUp();
    const watch = waiter.watch(TASK)!;
    events.publish(TASK, 'cancelled');
    expect(await watch.ended.then(() => true)).toBe(true);
    expect(reads).toEqual([TASK]);
    watch.close();
  });
});
