import { AttemptState, ShardState, TaskStatus } from '@hivemind/contracts';
import { PLATFORM, userAccount } from '../ledger/ledger-accounts';
import {
  type AttemptOutcome,
  cancelledOutcome,
  lostOutcome,
  reportedOutcome,
  timedOutOutcome,
} from './attempt-outcome';
import {
  type AttemptSettlement,
  CREDIT_COMPLETED,
  CREDIT_NODE_FAILURE,
  type EndingAttempt,
  type TaskCounters,
  type TaskStep,
  accruedReward,
  nextTaskStep,
  settleAttempt,
} from './settlement';

const NOW = Date.parse('2026-12-10T12:00:00Z');
const MIN = 60_000;
// 2 cores + 4 GB: 3 CPT a minute; ten minutes cost 30 CPT: 27 to the node's owner, 3 to the platform
const PRICING = { cpuMillicores: 2000, memoryMb: 4096, gpuScore: 0, gpuName: null };

function attempt(over: Partial<EndingAttempt> = {}): EndingAttempt {
  return {
    id: 'att-1',
    shardId: 'shard-1',
    taskId: 'task-1',
    nodeId: 'node-1',
    nodeOwnerId: 'owner-1',
    state: AttemptState.Running,
    fencingToken: '41',
    startedAt: new Date(NOW - 10 * MIN),
    allocation: { cpuMillicores: 2000, memoryMb: 4096, storageMb: 1024, gpuMemoryMb: 0 },
    pricing: PRICING,
    timeoutS: 3600,
    shardIndex: 4,
    isAggregate: false,
    attemptsCount: 1,
    maxAttempts: 3,
    ...over,
  };
}

const report = (over: Partial<Parameters<typeof reportedOutcome>[0]> = {}) =>
  reportedOutcome({
    success: true,
    exit_code: 0,
    oom_killed: false,
    failure_cause: '',
    error: '',
    duration_ms: String(10 * MIN),
    cpu_seconds: 0,
    peak_memory_mb: 0,
    output_sha256: '',
    ...over,
  });

const nodeFailure = report({ success: false, exit_code: -1, failure_cause: 'node', error: 'engine gone' });
const LAST_OF_3 = { attemptsCount: 3 };
const CHARGED_30 = [
  { payee: userAccount('owner-1'), amount: 27, key: 'att-1' },
  { payee: PLATFORM, amount: 3, key: 'att-1:fee' },
];
const STOP = { nodeId: 'node-1', attemptId: 'att-1', taskId: 'task-1', fencingToken: '41' };

interface Expected {
  state: AttemptState;
  failureCause: string | null;
  cost: number;
  charges: { payee: string; amount: number; key: string }[];
  credit: number;
  shard: AttemptSettlement['shard'];
  task: { completed: 0 | 1; failed: 0 | 1; error: string | null } | null;
  stopReason: string | null;
}

describe(settleAttempt.name, () => {
  it.each<[string, AttemptOutcome, Partial<EndingAttempt>, Expected]>([
    [
      'completed: charged, +2 credit, the shard completes with its output',
      report({ output_sha256: 'ab'.repeat(32) }),
      {},
      {
        state: AttemptState.Completed,
        failureCause: null,
        cost: 30,
        charges: CHARGED_30,
        credit: CREDIT_COMPLETED,
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-1' },
        task: { completed: 1, failed: 0, error: null },
        stopReason: null,
      },
    ],
    [
      'task failure (exit code 3): charged, no credit change, the shard fails without a retry',
      report({ success: false, exit_code: 3 }),
      {},
      {
        state: AttemptState.Failed,
        failureCause: 'task',
        cost: 30,
        charges: CHARGED_30,
        credit: 0,
        shard: { state: ShardState.Failed, exitCode: 3 },
        task: { completed: 0, failed: 1, error: 'shard 4 failed: exit code 3' },
        stopReason: null,
      },
    ],
    [
      'OOM kill: the task failed, charged, the task says out of memory',
      report({ success: false, exit_code: 137, oom_killed: true }),
      {},
      {
        state: AttemptState.Failed,
        failureCause: 'task',
        cost: 30,
        charges: CHARGED_30,
        credit: 0,
        shard: { state: ShardState.Failed, exitCode: 137 },
        task: { completed: 0, failed: 1, error: 'shard 4 failed: killed: out of memory' },
        stopReason: null,
      },
    ],
    [
      'node failure with attempts left: free, −5 credit, re-queued',
      nodeFailure,
      {},
      {
        state: AttemptState.Failed,
        failureCause: 'node',
        cost: 0,
        charges: [],
        credit: CREDIT_NODE_FAILURE,
        shard: { state: ShardState.Queued, waitReason: 're-queued: attempt 1 of 3 failed on its node' },
        task: { completed: 0, failed: 0, error: null },
        stopReason: null,
      },
    ],
    [
      'node failure on the last attempt: free, −5 credit, the shard fails',
      nodeFailure,
      LAST_OF_3,
      {
        state: AttemptState.Failed,
        failureCause: 'node',
        cost: 0,
        charges: [],
        credit: CREDIT_NODE_FAILURE,
        shard: { state: ShardState.Failed, exitCode: -1 },
        task: { completed: 0, failed: 1, error: 'shard 4 failed: engine gone' },
        stopReason: null,
      },
    ],
    [
      'lost with attempts left: free, −5 credit, re-queued, the node told to stop it',
      lostOutcome('the node stopped heartbeating'),
      { attemptsCount: 2 },
      {
        state: AttemptState.Lost,
        failureCause: 'node',
        cost: 0,
        charges: [],
        credit: CREDIT_NODE_FAILURE,
        shard: { state: ShardState.Queued, waitReason: 're-queued: attempt 2 of 3 was lost' },
        task: { completed: 0, failed: 0, error: null },
        stopReason: 'the node stopped heartbeating',
      },
    ],
    [
      'lost on the last attempt: the shard fails',
      lostOutcome('the node is offline'),
      LAST_OF_3,
      {
        state: AttemptState.Lost,
        failureCause: 'node',
        cost: 0,
        charges: [],
        credit: CREDIT_NODE_FAILURE,
        shard: { state: ShardState.Failed, exitCode: null },
        task: { completed: 0, failed: 1, error: 'shard 4 failed: the node is offline' },
        stopReason: 'the node is offline',
      },
    ],
    [
      'cancelled: free, no credit change, shard and task left to the cancel, the node told to stop',
      cancelledOutcome('bob'),
      {},
      {
        state: AttemptState.Cancelled,
        failureCause: 'user',
        cost: 0,
        charges: [],
        credit: 0,
        shard: null,
        task: null,
        stopReason: 'cancelled by bob',
      },
    ],
    [
      'timed out (the reconciler): charged up to the timeout, the shard fails',
      timedOutOutcome(600, 120),
      { timeoutS: 600, startedAt: new Date(NOW - 12 * MIN) },
      {
        state: AttemptState.Failed,
        failureCause: 'task',
        cost: 30,
        charges: CHARGED_30,
        credit: 0,
        shard: { state: ShardState.Failed, exitCode: null },
        task: {
          completed: 0,
          failed: 1,
          error: 'shard 4 failed: timed out: still running 120 s after its 600 s timeout',
        },
        stopReason: null,
      },
    ],
    [
      'the aggregate step completes like any shard',
      report(),
      { isAggregate: true, shardIndex: 3 },
      {
        state: AttemptState.Completed,
        failureCause: null,
        cost: 30,
        charges: CHARGED_30,
        credit: CREDIT_COMPLETED,
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-1' },
        task: { completed: 1, failed: 0, error: null },
        stopReason: null,
      },
    ],
  ])('%s', (_name, outcome, over, expected) => {
    const plan = settleAttempt(attempt(over), outcome, NOW);
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.attempt).toMatchObject({
      state: expected.state,
      failureCause: expected.failureCause,
      cost: expected.cost,
      reward: expected.charges[0]?.amount ?? 0,
    });
    expect(plan.charges).toEqual(expected.charges);
    expect(plan.node).toEqual({
      nodeId: 'node-1',
      release: attempt().allocation,
      creditDelta: expected.credit,
    });
    expect(plan.shard).toEqual(expected.shard);
    expect(plan.task).toEqual(expected.task && { ...expected.task, cost: expected.cost });
    expect(plan.stop).toEqual(expected.stopReason ? { ...STOP, reason: expected.stopReason } : null);
    expect(plan.placementReason).toBe(`attempt ${expected.state.toLowerCase()}`);
    expect(plan.event).toEqual({
      attemptId: 'att-1',
      attemptState: expected.state,
      nodeId: 'node-1',
      shardIndex: over.shardIndex ?? 4,
    });
  });

  it.each([AttemptState.Completed, AttemptState.Failed, AttemptState.Lost, AttemptState.Cancelled])(
    'fenced / late: an attempt already %s is left as it is',
    (state) => {
      expect(settleAttempt(attempt({ state }), report(), NOW)).toEqual({
        ignored: `attempt att-1 was already recorded as ${state}`,
      });
    },
  );

  it.each<[string, Partial<AttemptOutcome>, Partial<EndingAttempt>, number, number]>([
    ['the node’s duration wins over the start time', { durationMs: 2 * MIN }, {}, 2 * MIN, 6],
    ['without a duration, the time since the start', { durationMs: null }, {}, 10 * MIN, 30],
    ['never started and no duration: nothing', { durationMs: null }, { startedAt: null }, 0, 0],
    ['longer than the timeout: charged up to the timeout', { durationMs: 90 * MIN }, {}, 90 * MIN, 180],
    ['a part of a minute is rounded up to a whole CPT', { durationMs: 1000 }, {}, 1000, 1],
  ])('%s', (_name, over, attemptOver, durationMs, cost) => {
    const plan = settleAttempt(attempt(attemptOver), { ...report(), ...over }, NOW);
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.attempt.durationMs).toBe(durationMs);
    expect(plan.attempt.cost).toBe(cost);
    expect(plan.charges.reduce((sum, c) => sum + c.amount, 0)).toBe(cost);
  });

  it('keeps the usage the node reported and 4,000 characters of an error', () => {
    const plan = settleAttempt(
      attempt(),
      {
        ...report({ success: false, exit_code: 1, error: 'x'.repeat(5000) }),
        cpuSeconds: 12.5,
        peakMemoryMb: 300,
      },
      NOW,
    );
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.attempt).toMatchObject({ cpuSeconds: 12.5, peakMemoryMb: 300, oomKilled: false });
    expect(plan.attempt.error).toHaveLength(4000);
    expect(plan.task?.error).toHaveLength(4000);
  });
});

describe(nextTaskStep.name, () => {
  const counters = (
    completed: number,
    failed: number,
    total: number,
    hasAggregate = false,
  ): TaskCounters => ({
    completed,
    failed,
    total,
    hasAggregate,
  });
  it.each<[string, TaskCounters, boolean, TaskStep]>([
    ['a shard of three completes', counters(1, 0, 3), false, { kind: 'continue' }],
    ['a shard re-queued (nothing counted)', counters(0, 0, 3), false, { kind: 'continue' }],
    [
      'the last shard completes: the task completes (and its hold is refunded)',
      counters(3, 0, 3),
      false,
      { kind: 'end', status: TaskStatus.Completed },
    ],
    [
      'the last shard ends with one failed: the task fails (partially done)',
      counters(2, 1, 3),
      false,
      { kind: 'end', status: TaskStatus.Failed },
    ],
    ['every shard failed', counters(0, 3, 3), false, { kind: 'end', status: TaskStatus.Failed }],
    [
      'a failure with shards still open, no aggregate step: wait for them',
      counters(0, 1, 3),
      false,
      { kind: 'continue' },
    ],
    ['aggregate: shards still open', counters(1, 0, 4, true), false, { kind: 'continue' }],
    ['aggregate: every shard completed', counters(3, 0, 4, true), false, { kind: 'aggregate' }],
    [
      'aggregate: the step itself completes',
      counters(4, 0, 4, true),
      true,
      { kind: 'end', status: TaskStatus.Completed },
    ],
    [
      'aggregate: the step itself fails',
      counters(3, 1, 4, true),
      true,
      { kind: 'end', status: TaskStatus.Failed },
    ],
    [
      'aggregate: the step re-queued after its node failed',
      counters(3, 0, 4, true),
      true,
      { kind: 'continue' },
    ],
    [
      'aggregate: a shard failed, so the step never runs',
      counters(1, 1, 4, true),
      false,
      { kind: 'end-when-idle', status: TaskStatus.Failed },
    ],
  ])('%s', (_name, t, isAggregate, step) => {
    expect(nextTaskStep(t, { isAggregate })).toEqual(step);
  });
});

describe(accruedReward.name, () => {
  it.each<[string, Date | null, number]>([
    ['not started', null, 0],
    ['ten minutes in: 30 CPT, 27 to the owner', new Date(NOW - 10 * MIN), 27],
    ['past its timeout: the timeout’s worth', new Date(NOW - 120 * MIN), 162],
  ])('%s', (_name, startedAt, reward) => {
    expect(accruedReward(PRICING, 3600, startedAt, NOW)).toBe(reward);
  });
});
