import { TestScheduler } from 'rxjs/testing';
import { type NodeEvent, type TelemetryFrame } from '@hivemind/contracts';
import { changesStatus, statusReads } from './refresh';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe(statusReads.name, () => {
  it('reads at once, then on the fallback timer when nothing happens', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const reads = statusReads(cold('-'), 5, 15);
      expectObservable(reads, '^ 40ms !').toBe('a 14ms b 14ms c', {
        a: undefined,
        b: undefined,
        c: undefined,
      });
    });
  });

  it('turns a burst of changes into one read when the interval opens, never more than one per interval', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // reads at 0 (timer); changes at 1, 2, 3 → one read at 5; a change at 7 → read at 10; timer at 15
      const reads = statusReads(cold('-xxx---x'), 5, 15);
      expectObservable(reads, '^ 16ms !').toBe('a 4ms b 4ms c 4ms d', {
        a: undefined,
        b: undefined,
        c: undefined,
        d: undefined,
      });
    });
  });

  it('answers a change at once when the last read is older than the interval', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const reads = statusReads(cold('--------x'), 5, 15);
      expectObservable(reads, '^ 10ms !').toBe('a 7ms b', { a: undefined, b: undefined });
    });
  });
});

describe(changesStatus.name, () => {
  const node = (event: NodeEvent): TelemetryFrame => ({
    type: 'node',
    event,
    node_id: 'n1',
    name: 'n',
    status: 'ONLINE',
    at: '',
  });

  it.each<[TelemetryFrame, boolean]>([
    [node('online'), true],
    [node('offline'), true],
    [node('draining'), true],
    [node('heartbeat'), false],
    [
      { type: 'task', event: 'shard', task_id: 't', user_id: 'u', status: 'RUNNING', progress: 0, at: '' },
      true,
    ],
    [{ type: 'pong' }, false],
  ])('%j → %s', (frame, changes) => {
    expect(changesStatus(frame)).toBe(changes);
  });
});
