import {
  AttemptPurpose,
  AttemptState,
  CREDIT_INVALID,
  CREDIT_VALID,
  ResultValidation,
  ShardState,
  TaskStatus,
  ValidationMode,
} from '@hivemind/contracts';
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
  type EndingAttempt,
  type PendingResult,
  type ResultCheck,
  type TaskCounters,
  type TaskStep,
  accruedReward,
  endsWithVerdicts,
  nextTaskStep,
  settleAttempt,
  standingChanges,
} from './settlement';
import { TIMED_OUT_DIGEST } from './validation';

const NOW = Date.parse('2026-12-10T12:00:00Z');
const MIN = 60_000;
// 2 cores + 4 GB: 3 CPT a minute; ten minutes cost 30 CPT: 27 to the node's owner, 3 to the platform
const PRICING = { cpuMillicores: 2000, memoryMb: 4096, gpuScore: 0, gpuName: null };
const DIGEST_A = 'a'.repeat(64);
const DIGEST_B = 'b'.repeat(64);
const OK: ResultCheck = { digest: DIGEST_A, refused: null };

function attempt(over: Partial<EndingAttempt> = {}): EndingAttempt {
  return {
    id: 'att-1',
    shardId: 'shard-1',
    taskId: 'task-1',
    nodeId: 'node-1',
    nodeOwnerId: 'owner-1',
    taskOwnerId: 'submitter',
    state: AttemptState.Running,
    fencingToken: '41',
    assignedAt: new Date(NOW - 11 * MIN),
    startedAt: new Date(NOW - 10 * MIN),
    allocation: { cpuMillicores: 2000, memoryMb: 4096, storageMb: 1024, gpuMemoryMb: 0 },
    pricing: PRICING,
    timeoutS: 3600,
    shardIndex: 4,
    isAggregate: false,
    attemptsCount: 1,
    maxAttempts: 3,
    validation: ValidationMode.None,
    quorum: 1,
    taskQuorum: 2,
    replicasWanted: 1,
    maxReplicas: 1,
    siblings: { pending: [], validating: [], live: [], nodeFailures: 0 },
    purpose: AttemptPurpose.Run,
    hasValidator: false,
    validatorAsked: false,
    ...over,
  };
}

/** Another replica's result already in, waiting for validation. */
function pending(n: number, digest: string | null, over: Partial<PendingResult> = {}): PendingResult {
  return {
    attemptId: `att-${n}`,
    nodeId: `node-${n}`,
    ownerId: `owner-${n}`,
    digest,
    cost: 30,
    succeeded: true,
    exitCode: 0,
    error: 'exit code 0',
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
/** Two attempts of the shard failed on their nodes before this one: the budget of 3 is spent with it. */
const LAST_OF_3: Partial<EndingAttempt> = {
  attemptsCount: 3,
  siblings: { pending: [], validating: [], live: [], nodeFailures: 2 },
};
const charged = (id: string, owner: string, amount = 30) => [
  { payee: userAccount(owner), amount: amount - Math.floor(amount / 10), key: id },
  { payee: PLATFORM, amount: Math.floor(amount / 10), key: `${id}:fee` },
];
const CHARGED_30 = charged('att-1', 'owner-1');
const STOP = { nodeId: 'node-1', attemptId: 'att-1', taskId: 'task-1', fencingToken: '41' };

interface Expected {
  state: AttemptState;
  failureCause: string | null;
  cost: number;
  validation: ResultValidation | null;
  charges: { payee: string; amount: number; key: string }[];
  fault: boolean;
  shard: AttemptSettlement['shard'];
  task: { completed: 0 | 1; failed: 0 | 1; error: string | null } | null;
  stopReason: string | null;
}

describe(`${settleAttempt.name}: one result (validation none, or accepted alone)`, () => {
  it.each<[string, AttemptOutcome, ResultCheck | null, Partial<EndingAttempt>, Expected]>([
    [
      'completed: accepted and charged, no credit (not validated), the shard completes with its output',
      report({ output_sha256: 'ab'.repeat(32) }),
      OK,
      {},
      {
        state: AttemptState.Completed,
        failureCause: null,
        cost: 30,
        validation: ResultValidation.Pending,
        charges: CHARGED_30,
        fault: false,
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-1' },
        task: { completed: 1, failed: 0, error: null },
        stopReason: null,
      },
    ],
    [
      'task failure (exit code 3): charged, the shard fails without a retry',
      report({ success: false, exit_code: 3 }),
      OK,
      {},
      {
        state: AttemptState.Failed,
        failureCause: 'task',
        cost: 30,
        validation: ResultValidation.Pending,
        charges: CHARGED_30,
        fault: false,
        shard: { state: ShardState.Failed, exitCode: 3, canonicalAttemptId: 'att-1' },
        task: { completed: 0, failed: 1, error: 'shard 4 failed: exit code 3' },
        stopReason: null,
      },
    ],
    [
      'OOM kill at the memory the task asked: the task failed, charged, the task says out of memory',
      { ...report({ success: false, exit_code: 137, oom_killed: true }), peakMemoryMb: 4090 },
      OK,
      {},
      {
        state: AttemptState.Failed,
        failureCause: 'task',
        cost: 30,
        validation: ResultValidation.Pending,
        charges: CHARGED_30,
        fault: false,
        shard: { state: ShardState.Failed, exitCode: 137, canonicalAttemptId: 'att-1' },
        task: { completed: 0, failed: 1, error: 'shard 4 failed: killed: out of memory' },
        stopReason: null,
      },
    ],
    [
      'OOM kill far below the memory the node offered: its claim is disproved, a node failure, re-queued',
      { ...report({ success: false, exit_code: 137, oom_killed: true }), peakMemoryMb: 900 },
      OK,
      {},
      {
        state: AttemptState.Failed,
        failureCause: 'node',
        cost: 0,
        validation: null,
        charges: [],
        fault: true,
        shard: { state: ShardState.Queued, waitReason: 're-queued: attempt 1 of 3 failed on its node' },
        task: null,
        stopReason: null,
      },
    ],
    [
      'node failure with attempts left: free, a reliability fault (no credit change), re-queued',
      nodeFailure,
      null,
      {},
      {
        state: AttemptState.Failed,
        failureCause: 'node',
        cost: 0,
        validation: null,
        charges: [],
        fault: true,
        shard: { state: ShardState.Queued, waitReason: 're-queued: attempt 1 of 3 failed on its node' },
        task: null,
        stopReason: null,
      },
    ],
    [
      'node failure on the last attempt: free, the shard fails',
      nodeFailure,
      null,
      LAST_OF_3,
      {
        state: AttemptState.Failed,
        failureCause: 'node',
        cost: 0,
        validation: null,
        charges: [],
        fault: true,
        shard: { state: ShardState.Failed, exitCode: -1, canonicalAttemptId: null },
        task: { completed: 0, failed: 1, error: 'shard 4 failed: engine gone' },
        stopReason: null,
      },
    ],
    [
      'lost with attempts left: free, re-queued, the node told to stop it',
      lostOutcome('the node stopped heartbeating'),
      null,
      { attemptsCount: 2, siblings: { pending: [], validating: [], live: [], nodeFailures: 1 } },
      {
        state: AttemptState.Lost,
        failureCause: 'node',
        cost: 0,
        validation: null,
        charges: [],
        fault: true,
        shard: { state: ShardState.Queued, waitReason: 're-queued: attempt 2 of 3 was lost' },
        task: null,
        stopReason: 'the node stopped heartbeating',
      },
    ],
    [
      'lost on the last attempt: the shard fails',
      lostOutcome('the node is offline'),
      null,
      LAST_OF_3,
      {
        state: AttemptState.Lost,
        failureCause: 'node',
        cost: 0,
        validation: null,
        charges: [],
        fault: true,
        shard: { state: ShardState.Failed, exitCode: null, canonicalAttemptId: null },
        task: { completed: 0, failed: 1, error: 'shard 4 failed: the node is offline' },
        stopReason: 'the node is offline',
      },
    ],
    [
      'cancelled: free, shard and task left to the cancel, the node told to stop',
      cancelledOutcome('bob'),
      null,
      {},
      {
        state: AttemptState.Cancelled,
        failureCause: 'user',
        cost: 0,
        validation: null,
        charges: [],
        fault: false,
        shard: null,
        task: null,
        stopReason: 'cancelled by bob',
      },
    ],
    [
      'timed out (the reconciler): charged up to the timeout, the shard fails',
      timedOutOutcome(600, 120),
      { digest: TIMED_OUT_DIGEST, refused: null },
      { timeoutS: 600, startedAt: new Date(NOW - 12 * MIN) },
      {
        state: AttemptState.Failed,
        failureCause: 'task',
        cost: 30,
        validation: ResultValidation.Pending,
        charges: CHARGED_30,
        fault: false,
        shard: { state: ShardState.Failed, exitCode: null, canonicalAttemptId: 'att-1' },
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
      OK,
      { isAggregate: true, shardIndex: 3 },
      {
        state: AttemptState.Completed,
        failureCause: null,
        cost: 30,
        validation: ResultValidation.Pending,
        charges: CHARGED_30,
        fault: false,
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-1' },
        task: { completed: 1, failed: 0, error: null },
        stopReason: null,
      },
    ],
  ])('%s', (_name, outcome, check, over, expected) => {
    const plan = settleAttempt(attempt(over), outcome, NOW, check);
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.attempt).toMatchObject({
      state: expected.state,
      failureCause: expected.failureCause,
      cost: expected.cost,
      reward: expected.charges[0]?.amount ?? 0,
      validation: expected.validation,
    });
    expect(plan.charges).toEqual(expected.charges);
    expect(plan.node).toMatchObject({
      nodeId: 'node-1',
      release: attempt().allocation,
      fault: expected.fault,
    });
    // one result accepted alone moves no standing: only a quorum's verdict does
    expect(standingChanges(plan.verdicts)).toEqual([]);
    expect(plan.verdicts.map((v) => v.validation)).toEqual(
      expected.validation ? [ResultValidation.Accepted] : [],
    );
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
      expect(settleAttempt(attempt({ state }), report(), NOW, OK)).toEqual({
        ignored: `attempt att-1 was already recorded as ${state}`,
      });
    },
  );

  it.each<[string, Partial<AttemptOutcome>, Partial<EndingAttempt>, number, number]>([
    ['the pool’s clock wins over the node’s duration', { durationMs: 90 * MIN }, {}, 10 * MIN, 30],
    [
      'a node claiming 30 minutes 5 ms after the start is billed 5 ms',
      { durationMs: 30 * MIN },
      { startedAt: new Date(NOW - 5) },
      5,
      1,
    ],
    ['never reported running: from the assignment', { durationMs: null }, { startedAt: null }, 11 * MIN, 33],
    [
      'longer than the timeout: charged up to the timeout',
      {},
      { startedAt: new Date(NOW - 90 * MIN) },
      90 * MIN,
      180,
    ],
    ['a part of a minute is rounded up to a whole CPT', {}, { startedAt: new Date(NOW - 1000) }, 1000, 1],
  ])('%s', (_name, over, attemptOver, observedMs, cost) => {
    const plan = settleAttempt(attempt(attemptOver), { ...report(), ...over }, NOW, OK);
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.attempt.observedMs).toBe(observedMs);
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
        durationMs: 7 * MIN,
      },
      NOW,
      OK,
    );
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.attempt).toMatchObject({
      cpuSeconds: 12.5,
      peakMemoryMb: 300,
      oomKilled: false,
      durationMs: 7 * MIN,
    });
    expect(plan.attempt.error).toHaveLength(4000);
    expect(plan.task?.error).toHaveLength(4000);
  });
});

describe(`${settleAttempt.name}: replicas and quorum`, () => {
  /** A shard of a quorum-2 task, at most 4 replicas. */
  const quorum2 = (over: Partial<EndingAttempt> = {}) =>
    attempt({ validation: ValidationMode.Quorum, quorum: 2, replicasWanted: 2, maxReplicas: 4, ...over });
  const siblings = (p: PendingResult[], live = 0, nodeFailures = 0) => ({
    pending: p,
    validating: [],
    live: Array.from({ length: live }, (_, i) => ({ attemptId: `live-${i}` })),
    nodeFailures,
  });

  it.each<[string, Partial<EndingAttempt>, ResultCheck | null, Partial<AttemptSettlement>, string[]]>([
    [
      'first of two results, the other replica running: the shard waits VALIDATING, nothing paid',
      { siblings: siblings([], 1) },
      OK,
      {
        shard: {
          state: ShardState.Validating,
          waitReason: '1 result(s) in, 1 of 2 needed agree: waiting for 1 running replica(s)',
        },
        charges: [],
        task: null,
      },
      [],
    ],
    [
      'first of two results, the other replica not placed yet: back in the queue for it',
      { siblings: siblings([]) },
      OK,
      {
        shard: {
          state: ShardState.Queued,
          waitReason: '1 result(s) in, 1 of 2 needed agree: placing 1 more replica(s)',
        },
        charges: [],
        task: null,
      },
      [],
    ],
    [
      'second result matches: both valid, both paid, +2 credit to each node, the shard completes with the first',
      { siblings: siblings([pending(2, DIGEST_A)]) },
      OK,
      {
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-2' },
        charges: [...charged('att-2', 'owner-2'), ...CHARGED_30],
        task: { completed: 1, failed: 0, cost: 60, error: null },
      },
      ['att-2:VALID:2:extend', 'att-1:VALID:2:extend'],
    ],
    [
      'results disagree: no money, one more replica (3 of at most 4)',
      { siblings: siblings([pending(2, DIGEST_B)]) },
      OK,
      {
        shard: {
          state: ShardState.Queued,
          waitReason: 'results disagree (2 result(s) in, 1 of 2 needed agree): replica 3 of at most 4',
          wanted: 3,
        },
        charges: [],
        task: null,
      },
      [],
    ],
    [
      'the third replica sides with one: those two valid and paid, the odd one invalid, unpaid, penalised',
      { replicasWanted: 3, siblings: siblings([pending(2, DIGEST_B), pending(3, DIGEST_A)]) },
      OK,
      {
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-3' },
        charges: [...charged('att-3', 'owner-3'), ...CHARGED_30],
        task: { completed: 1, failed: 0, cost: 60, error: null },
      },
      ['att-2:INVALID:-25:reset', 'att-3:VALID:2:extend', 'att-1:VALID:2:extend'],
    ],
    [
      'two nodes of one owner agree: one owner counts once, no quorum, another replica asked',
      { nodeOwnerId: 'mallory', siblings: siblings([pending(2, DIGEST_A, { ownerId: 'mallory' })]) },
      OK,
      {
        shard: {
          state: ShardState.Queued,
          waitReason: 'results disagree (2 result(s) in, 1 of 2 needed agree): replica 3 of at most 4',
          wanted: 3,
        },
        charges: [],
        task: null,
      },
      [],
    ],
    [
      'nondeterministic: four different results: inconclusive, the shard fails, every result paid, no standing moves',
      {
        replicasWanted: 4,
        siblings: siblings([pending(2, DIGEST_B), pending(3, 'c'.repeat(64)), pending(4, 'd'.repeat(64))]),
      },
      OK,
      {
        shard: { state: ShardState.Failed, exitCode: null, canonicalAttemptId: null },
        charges: [
          ...charged('att-2', 'owner-2'),
          ...charged('att-3', 'owner-3'),
          ...charged('att-4', 'owner-4'),
          ...CHARGED_30,
        ],
        task: {
          completed: 0,
          failed: 1,
          cost: 120,
          error: 'shard 4 failed: inconclusive: 4 result(s), no 2 of different owners agree (max_replicas 4)',
        },
      },
      [
        'att-2:INCONCLUSIVE:0:keep',
        'att-3:INCONCLUSIVE:0:keep',
        'att-4:INCONCLUSIVE:0:keep',
        'att-1:INCONCLUSIVE:0:keep',
      ],
    ],
    [
      'the node’s digest differs from its own upload: not believed, invalid once the quorum forms without it',
      { replicasWanted: 3, siblings: siblings([pending(2, DIGEST_A), pending(3, DIGEST_A)]) },
      { digest: DIGEST_A, refused: 'refused: the node reported result digest x, its upload gives y' },
      {
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-2' },
        charges: [...charged('att-2', 'owner-2'), ...charged('att-3', 'owner-3')],
        task: { completed: 1, failed: 0, cost: 60, error: null },
      },
      ['att-2:VALID:2:extend', 'att-3:VALID:2:extend', 'att-1:INVALID:-25:reset'],
    ],
    [
      'the submitter’s own node in the quorum: paid, but no credit or run from its owner’s task',
      { nodeOwnerId: 'submitter', siblings: siblings([pending(2, DIGEST_A)]) },
      OK,
      {
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-2' },
        charges: [...charged('att-2', 'owner-2'), ...charged('att-1', 'submitter')],
        task: { completed: 1, failed: 0, cost: 60, error: null },
      },
      ['att-2:VALID:2:extend', 'att-1:VALID:0:keep'],
    ],
    [
      'quorum reached while a third replica still runs: it is no longer needed and ends with the shard',
      { replicasWanted: 3, siblings: siblings([pending(2, DIGEST_A)], 1) },
      OK,
      {
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-2' },
        cancelReplicas: ['live-0'],
        task: { completed: 1, failed: 0, cost: 60, error: null },
      },
      ['att-2:VALID:2:extend', 'att-1:VALID:2:extend'],
    ],
    [
      'a quorum on the same failure (exit 3 twice): the shard fails as the task’s own failure, both paid',
      { siblings: siblings([pending(2, DIGEST_B, { succeeded: false, exitCode: 3, error: 'exit code 3' })]) },
      { digest: DIGEST_B, refused: null },
      {
        shard: { state: ShardState.Failed, exitCode: 3, canonicalAttemptId: 'att-2' },
        task: { completed: 0, failed: 1, cost: 60, error: 'shard 4 failed: exit code 3' },
      },
      ['att-2:VALID:2:extend', 'att-1:VALID:2:extend'],
    ],
    [
      'a timeout contradicted by two finished replicas: invalid, unpaid',
      { replicasWanted: 3, siblings: siblings([pending(2, DIGEST_A), pending(3, DIGEST_A)]) },
      { digest: TIMED_OUT_DIGEST, refused: null },
      {
        shard: { state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-2' },
        task: { completed: 1, failed: 0, cost: 60, error: null },
      },
      ['att-2:VALID:2:extend', 'att-3:VALID:2:extend', 'att-1:INVALID:-25:reset'],
    ],
  ])('%s', (_name, over, check, expected, verdicts) => {
    const plan = settleAttempt(quorum2(over), report(), NOW, check);
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan).toMatchObject(expected);
    expect(plan.verdicts.map((v) => `${v.attemptId}:${v.validation}:${v.creditDelta}:${v.run}`)).toEqual(
      verdicts,
    );
    for (const v of plan.verdicts) {
      if (v.validation === ResultValidation.Invalid) expect([v.cost, v.reward]).toEqual([0, 0]);
    }
    expect(CREDIT_VALID).toBe(2);
    expect(CREDIT_INVALID).toBe(-25);
  });

  it('a node failure of a replica with a result in: the replica is placed again, the result waits', () => {
    const plan = settleAttempt(
      quorum2({ siblings: siblings([pending(2, DIGEST_A)]) }),
      nodeFailure,
      NOW,
      null,
    );
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.shard).toEqual({
      state: ShardState.Queued,
      waitReason: 're-queued: attempt 1 of 3 failed on its node',
    });
    expect(plan.verdicts).toEqual([]);
    expect(plan.charges).toEqual([]);
  });

  it('node failures spend the budget with one result in: inconclusive, the one result paid', () => {
    const plan = settleAttempt(
      quorum2({ siblings: siblings([pending(2, DIGEST_A)], 0, 2) }),
      lostOutcome('gone'),
      NOW,
      null,
    );
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.shard).toMatchObject({ state: ShardState.Failed });
    expect(plan.verdicts.map((v) => v.validation)).toEqual([ResultValidation.Inconclusive]);
    expect(plan.charges).toEqual(charged('att-2', 'owner-2'));
  });

  it('adaptive: a re-queued shard with nothing in and nothing running decides its quorum afresh', () => {
    const plan = settleAttempt(
      attempt({ validation: ValidationMode.Adaptive, quorum: 1, replicasWanted: 1, maxReplicas: 4 }),
      lostOutcome('gone'),
      NOW,
      null,
    );
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(plan.shard).toEqual({
      state: ShardState.Queued,
      waitReason: 're-queued: attempt 1 of 3 was lost',
      quorum: 0,
      wanted: 1,
    });
  });
});

/** Quorum 2 reached with the third result: verdicts on this attempt and on both earlier results. */
function quorumReached(): AttemptSettlement {
  const plan = settleAttempt(
    attempt({
      validation: ValidationMode.Quorum,
      quorum: 2,
      replicasWanted: 3,
      maxReplicas: 4,
      siblings: {
        pending: [pending(2, DIGEST_B), pending(3, DIGEST_A, { ownerId: 'submitter' })],
        validating: [],
        live: [],
        nodeFailures: 0,
      },
    }),
    report(),
    NOW,
    OK,
  );
  if ('ignored' in plan) throw new Error(plan.ignored);
  return plan;
}

describe(standingChanges.name, () => {
  it('sums a settlement’s verdicts per node and leaves nodes without a change out', () => {
    const plan = quorumReached();
    expect(standingChanges(plan.verdicts)).toEqual([
      { nodeId: 'node-2', creditDelta: -25, valid: 0, invalid: 1, resetRun: true },
      { nodeId: 'node-1', creditDelta: 2, valid: 1, invalid: 0, resetRun: false },
    ]);
  });
});

describe(endsWithVerdicts.name, () => {
  it('writes a verdict on an attempt that ends here with its end, and leaves the others to their own write', () => {
    const plan = quorumReached();
    const own = plan.verdicts.find((v) => v.attemptId === 'att-1')!;
    expect(own).toBeDefined();
    const writes = endsWithVerdicts([{ attemptId: 'att-1', end: plan.attempt }], plan.verdicts);
    // the end carries its verdict: what the end and then the verdict's own write would have left
    expect(writes.ends).toEqual([
      {
        attemptId: 'att-1',
        end: { ...plan.attempt, validation: own.validation, cost: own.cost, reward: own.reward },
      },
    ]);
    expect(writes.verdicts).toEqual(plan.verdicts.filter((v) => v.attemptId !== 'att-1'));
    expect(writes.verdicts.length).toBe(plan.verdicts.length - 1);
  });

  it('leaves an end without a verdict as it is', () => {
    const plan = settleAttempt(attempt(), lostOutcome('gone'), NOW);
    if ('ignored' in plan) throw new Error(plan.ignored);
    expect(endsWithVerdicts([{ attemptId: 'att-1', end: plan.attempt }], [])).toEqual({
      ends: [{ attemptId: 'att-1', end: plan.attempt }],
      verdicts: [],
    });
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

describe(`${settleAttempt.name}: the validator step`, () => {
  const DIGEST_C = 'c'.repeat(64);
  const GROUPS_DIGEST = 'd'.repeat(64);
  /** A quorum-2 task with a validator whose shard had three disagreeing results. */
  const validating = (over: Partial<EndingAttempt> = {}) =>
    attempt({
      id: 'val-2',
      nodeId: 'node-v2',
      nodeOwnerId: 'owner-v2',
      purpose: AttemptPurpose.Validate,
      validation: ValidationMode.Quorum,
      quorum: 2,
      replicasWanted: 5,
      maxReplicas: 4,
      hasValidator: true,
      validatorAsked: true,
      siblings: {
        pending: [pending(1, DIGEST_A), pending(2, DIGEST_B), pending(3, DIGEST_C)],
        validating: [
          pending(11, GROUPS_DIGEST, { attemptId: 'val-1', nodeId: 'node-v1', ownerId: 'owner-v1' }),
        ],
        live: [],
        nodeFailures: 0,
      },
      ...over,
    });
  const groups = (g: string[][]) => JSON.stringify({ groups: g });
  const settle = (
    a: EndingAttempt,
    outcome: ReturnType<typeof report>,
    check: ResultCheck,
  ): AttemptSettlement => {
    const plan = settleAttempt(a, outcome, NOW, check);
    if ('ignored' in plan) throw new Error(plan.ignored);
    return plan;
  };

  it('three results of three owners disagree: the validator is asked, nothing is judged yet', () => {
    const plan = settle(
      attempt({
        validation: ValidationMode.Quorum,
        quorum: 2,
        replicasWanted: 3,
        maxReplicas: 4,
        hasValidator: true,
        siblings: {
          pending: [pending(2, DIGEST_B), pending(3, DIGEST_C)],
          validating: [],
          live: [],
          nodeFailures: 0,
        },
      }),
      report(),
      { digest: DIGEST_A, refused: null },
    );
    expect(plan.shard).toMatchObject({ state: ShardState.Validating, askValidator: true });
    expect(plan.verdicts).toEqual([]);
    expect(plan.charges).toEqual([]);
    expect(plan.task).toBeNull();
  });

  it('without a validator the same results ask for another replica', () => {
    const plan = settle(
      attempt({
        validation: ValidationMode.Quorum,
        quorum: 2,
        replicasWanted: 2,
        maxReplicas: 4,
        siblings: { pending: [pending(2, DIGEST_B)], validating: [], live: [], nodeFailures: 0 },
      }),
      report(),
      { digest: DIGEST_A, refused: null },
    );
    expect(plan.shard).toMatchObject({ state: ShardState.Queued, wanted: 3 });
  });

  it('the validator asked once is not asked again: the shard is judged as before', () => {
    const plan = settle(
      attempt({
        validation: ValidationMode.Quorum,
        quorum: 2,
        replicasWanted: 2,
        maxReplicas: 2,
        hasValidator: true,
        validatorAsked: true,
        siblings: { pending: [pending(2, DIGEST_B)], validating: [], live: [], nodeFailures: 0 },
      }),
      report(),
      { digest: DIGEST_A, refused: null },
    );
    expect(plan.shard).toMatchObject({ state: ShardState.Failed });
  });

  it('two validators agree on a grouping: the grouped results are valid, the odd one invalid, the shard completes', () => {
    const plan = settle(validating(), report(), {
      digest: GROUPS_DIGEST,
      refused: null,
      groupsText: groups([['att-1', 'att-3'], ['att-2']]),
    });
    expect(plan.shard).toEqual({ state: ShardState.Completed, exitCode: 0, outputOfAttempt: 'att-1' });
    const byId = Object.fromEntries(plan.verdicts.map((v) => [v.attemptId, v.validation]));
    expect(byId).toEqual({
      'att-1': ResultValidation.Valid,
      'att-2': ResultValidation.Invalid,
      'att-3': ResultValidation.Valid,
      'val-1': ResultValidation.Valid,
      'val-2': ResultValidation.Valid,
    });
    // the invalid result is not paid; the two valid results and both validator runs are
    expect(plan.task).toMatchObject({ completed: 1, failed: 0, cost: 30 * 3 + plan.attempt.cost });
    expect(plan.charges.map((c) => c.key)).not.toContain('att-2');
  });

  it('the first validator in waits for the second', () => {
    const plan = settle(validating({ siblings: { ...validating().siblings, validating: [] } }), report(), {
      digest: GROUPS_DIGEST,
      refused: null,
      groupsText: groups([['att-1', 'att-3']]),
    });
    expect(plan.shard).toMatchObject({ state: ShardState.Queued });
    expect(plan.verdicts).toEqual([]);
  });

  it.each<[string, ResultCheck, RegExp]>([
    [
      'validators that disagree',
      { digest: DIGEST_A, refused: null, groupsText: groups([['att-1', 'att-2']]) },
      /inconclusive: the validator's 2 run\(s\) disagree/,
    ],
    [
      'a grouping that forms no quorum',
      { digest: GROUPS_DIGEST, refused: null, groupsText: groups([['att-1'], ['att-2'], ['att-3']]) },
      /inconclusive: the validator found no 2 owners' results equivalent/,
    ],
    [
      'a groups.json that names a stranger',
      { digest: GROUPS_DIGEST, refused: null, groupsText: groups([['att-1', 'att-9']]) },
      /the validator's answer is unusable \(groups.json names "att-9", not a candidate\)/,
    ],
    [
      'no groups.json',
      { digest: GROUPS_DIGEST, refused: null, groupsText: null },
      /the validator's answer is unusable \(no groups.json\)/,
    ],
  ])(
    '%s: the shard fails inconclusive, every run paid, no standing moves for the results',
    (_n, check, error) => {
      const plan = settle(validating(), report(), check);
      expect(plan.shard).toMatchObject({ state: ShardState.Failed, canonicalAttemptId: null });
      expect(plan.task?.error).toMatch(error);
      const results = plan.verdicts.filter((v) => v.attemptId.startsWith('att-'));
      expect(results.map((v) => v.validation)).toEqual(Array(3).fill(ResultValidation.Inconclusive));
      expect(results.every((v) => v.creditDelta === 0 && v.cost === 30)).toBe(true);
    },
  );

  it('one owner’s results grouped together still count once', () => {
    const plan = settle(
      validating({
        siblings: {
          ...validating().siblings,
          pending: [
            pending(1, DIGEST_A, { ownerId: 'twin' }),
            pending(2, DIGEST_B, { ownerId: 'twin' }),
            pending(3, DIGEST_C),
          ],
        },
      }),
      report(),
      { digest: GROUPS_DIGEST, refused: null, groupsText: groups([['att-1', 'att-2'], ['att-3']]) },
    );
    expect(plan.shard).toMatchObject({ state: ShardState.Failed });
  });
});
