import { AttemptState } from '@hivemind/contracts';
import { type FenceSubject, fenceRefusal } from './fencing';

const live: FenceSubject = { nodeId: 'node-1', state: AttemptState.Running, fencingToken: '7' };
const caller = { nodeId: 'node-1', fencingToken: '7' };

describe(fenceRefusal.name, () => {
  it.each<[string, FenceSubject | undefined, typeof caller, string | null]>([
    ['its node, its token, running: accepted', live, caller, null],
    ['assigned, not yet started: accepted', { ...live, state: AttemptState.Assigned }, caller, null],
    [
      'ended by its node (a resent report): accepted, settlement ignores it',
      { ...live, state: AttemptState.Completed },
      caller,
      null,
    ],
    ['no such attempt', undefined, caller, "attempt a-1 is not this node's"],
    ['another node’s attempt', live, { ...caller, nodeId: 'node-2' }, "attempt a-1 is not this node's"],
    [
      'a stale token (reassigned)',
      live,
      { ...caller, fencingToken: '6' },
      'attempt a-1: stale fencing token 6 (current 7)',
    ],
    [
      'declared LOST',
      { ...live, state: AttemptState.Lost },
      caller,
      'attempt a-1 was declared LOST and reassigned',
    ],
    ['cancelled', { ...live, state: AttemptState.Cancelled }, caller, 'attempt a-1 was cancelled'],
  ])('%s', (_name, attempt, from, refusal) => {
    expect(fenceRefusal('a-1', attempt, from)).toBe(refusal);
  });
});
