import {
  AttemptPurpose,
  AttemptState,
  ShardState,
  TaskStatus,
  UserRole,
  ValidationMode,
} from '@hivemind/contracts';
import { type AuthUser } from '../accounts/auth-user';
import { DomainError } from '../common/domain-error';
import { PostProcessingJob } from '../queues/queue-names';
import { LifecycleService } from './lifecycle.service';
import { type EndingAttempt, type ResultCheck, type TaskCounters } from './settlement';

// The order of the calls is the point: the lock order (shard → attempt → node → task → ledger),
// charges before the refund, and effects only after the commit. Strict fakes: a call nobody
// stubbed fails the test.

const ATTEMPT = 'a1a1a1a1-0000-4000-8000-000000000001';
const TASK = 'b2b2b2b2-0000-4000-8000-000000000002';
const MIN = 60_000;
/** The digest the pool computed from the attempt's upload. */
const CHECK: ResultCheck = { digest: 'a'.repeat(64), refused: null };

function ending(over: Partial<EndingAttempt> = {}): EndingAttempt {
  return {
    id: ATTEMPT,
    shardId: 'shard-1',
    taskId: TASK,
    nodeId: 'node-1',
    nodeOwnerId: 'owner-1',
    taskOwnerId: 'user-1',
    state: AttemptState.Running,
    fencingToken: '9',
    assignedAt: new Date(Date.now() - 11 * MIN),
    startedAt: new Date(Date.now() - 10 * MIN),
    allocation: { cpuMillicores: 1000, memoryMb: 1024, storageMb: 0, gpuMemoryMb: 0 },
    pricing: { cpuMillicores: 2000, memoryMb: 4096, gpuScore: 0, gpuName: null },
    timeoutS: 3600,
    shardIndex: 0,
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

type Stubs = Record<string, (...args: unknown[]) => unknown>;

function setUp(stubs: Record<string, Stubs>) {
  const calls: string[] = [];
  let committed = false;
  const fake = (name: string) =>
    new Proxy(
      {},
      {
        get: (_target, method: string) => {
          const stub = stubs[name]?.[method];
          return (...args: unknown[]) => {
            if (!stub) throw new Error(`unexpected call ${name}.${method}`);
            calls.push(`${name}.${method}${committed ? ' (after commit)' : ''}`);
            return stub(...args);
          };
        },
      },
    );
  const tx = {
    run: async (work: (m: unknown) => Promise<unknown>) => {
      const result = await work({});
      committed = true;
      return result;
    },
  };
  const service = new LifecycleService(
    tx as never,
    fake('attempts') as never,
    fake('shards') as never,
    fake('capacity') as never,
    fake('tasks') as never,
    fake('ledger') as never,
    fake('dispatch') as never,
    fake('placement') as never,
    fake('events') as never,
    fake('postProcessing') as never,
    {
      // refusals are audited around the work (AuditService's own concern); the event itself is
      // recorded by the service, inside the transaction
      refusalsOf: (_event: unknown, work: () => Promise<unknown>) => work(),
      record: () => {
        calls.push(`audit.record${committed ? ' (after commit)' : ''}`);
        return Promise.resolve();
      },
    } as never,
  );
  return { service, calls };
}

const loading = (a: EndingAttempt) => ({
  attempts: {
    lockEnding: () => Promise.resolve(a),
    recordEnd: () => Promise.resolve(),
    recordVerdicts: () => Promise.resolve(),
  },
  shards: { lockOfAttempt: () => Promise.resolve(true), settle: () => Promise.resolve() },
  capacity: {
    lockInOrder: () => Promise.resolve(),
    giveBack: () => Promise.resolve(),
    changeStanding: () => Promise.resolve(),
  },
});

const counters = (t: TaskCounters) => () =>
  Promise.resolve({
    counters: t,
    state: {
      user_id: 'user-1',
      status: TaskStatus.Running,
      shards_completed: t.completed,
      shards_total: t.total,
    },
  });
const ok = () => Promise.resolve();

describe(LifecycleService.name, () => {
  it('the last shard completes: written in the lock order, charged, then the task ends and is refunded', async () => {
    const a = ending();
    const base = loading(a);
    const published: unknown[][] = [];
    const ENDED = { user_id: 'user-1', status: TaskStatus.Completed, shards_completed: 2, shards_total: 2 };
    const { service, calls } = setUp({
      ...base,
      tasks: {
        addShardEnd: counters({ completed: 2, failed: 0, total: 2, hasAggregate: false }),
        end: () => Promise.resolve(true),
      },
      ledger: { chargeWithin: ok, releaseIfHeldWithin: () => Promise.resolve({ refunded: 5 }) },
      placement: { request: () => undefined },
      events: { publish: (...args) => void published.push(args) },
    });
    const result = await service.complete(
      { id: ATTEMPT },
      { state: AttemptState.Completed, exitCode: 0 },
      CHECK,
    );
    expect(result).toEqual({ recorded: true, message: `attempt ${ATTEMPT} recorded as COMPLETED` });
    expect(calls).toEqual([
      'shards.lockOfAttempt',
      'attempts.lockEnding',
      'attempts.recordEnd',
      'attempts.recordVerdicts',
      'capacity.lockInOrder',
      'capacity.giveBack',
      'capacity.changeStanding',
      'shards.settle',
      'tasks.addShardEnd',
      'ledger.chargeWithin',
      'ledger.chargeWithin',
      'tasks.end',
      'ledger.releaseIfHeldWithin',
      'events.publish (after commit)',
      'placement.request (after commit)',
      'events.publish (after commit)',
    ]);
    // the events carry the task as the transaction left it (ended), not a read after the commit
    expect(published).toEqual([
      [TASK, 'attempt', expect.objectContaining({ attemptState: AttemptState.Completed }), ENDED],
      [TASK, 'finished', {}, ENDED],
    ]);
  });

  it('a lost attempt with attempts left: re-queued, free, the node told to stop after the commit', async () => {
    const a = ending();
    const settled: unknown[] = [];
    const { service, calls } = setUp({
      ...loading(a),
      shards: {
        lockOfAttempt: () => Promise.resolve(true),
        settle: (...args) => Promise.resolve(void settled.push(args[2])),
      },
      dispatch: { sendStop: ok },
      placement: { request: () => undefined },
      events: { publish: () => undefined },
    });
    expect(await service.loseAttempts([ATTEMPT], 'the node is offline')).toBe(1);
    expect(settled).toEqual([{ state: ShardState.Queued, waitReason: 're-queued: attempt 1 of 3 was lost' }]);
    expect(calls.filter((c) => c.endsWith('(after commit)'))).toEqual([
      'dispatch.sendStop (after commit)',
      'events.publish (after commit)',
      'placement.request (after commit)',
    ]);
    expect(calls).not.toContain('ledger.chargeWithin');
  });

  it('every shard but the aggregate step completed: the step is queued after the commit', async () => {
    const a = ending();
    const jobs: unknown[] = [];
    const { service, calls } = setUp({
      ...loading(a),
      tasks: { addShardEnd: counters({ completed: 2, failed: 0, total: 3, hasAggregate: true }) },
      ledger: { chargeWithin: ok },
      placement: { request: () => undefined },
      events: { publish: () => undefined },
      postProcessing: { add: (...args) => Promise.resolve(void jobs.push(args)) },
    });
    await service.complete({ id: ATTEMPT }, { state: AttemptState.Completed, exitCode: 0 }, CHECK);
    expect(calls).toContain('postProcessing.add (after commit)');
    expect(jobs).toEqual([
      [PostProcessingJob.PrepareAggregate, { taskId: TASK }, { jobId: `aggregate:${TASK}` }],
    ]);
  });

  it('a shard fails while the aggregate task still has shards open: the task waits', async () => {
    const a = ending();
    const { service, calls } = setUp({
      ...loading(a),
      shards: { lockOfAttempt: () => Promise.resolve(true), settle: ok, countOpen: () => Promise.resolve(1) },
      tasks: { addShardEnd: counters({ completed: 0, failed: 1, total: 3, hasAggregate: true }) },
      ledger: { chargeWithin: ok },
      placement: { request: () => undefined },
      events: { publish: () => undefined },
    });
    await service.complete(
      { id: ATTEMPT },
      { state: AttemptState.Failed, cause: 'task', exitCode: 2 },
      CHECK,
    );
    expect(calls).toContain('shards.countOpen');
    expect(calls).not.toContain('tasks.end');
  });

  it('a late report for an attempt already ended changes nothing and has no effects', async () => {
    const a = ending({ state: AttemptState.Lost });
    const { service, calls } = setUp({
      attempts: loading(a).attempts,
      shards: { lockOfAttempt: () => Promise.resolve(true) },
    });
    expect(await service.complete({ id: ATTEMPT }, { state: AttemptState.Completed })).toEqual({
      recorded: false,
      message: `attempt ${ATTEMPT} was already recorded as LOST`,
    });
    expect(calls).toEqual(['shards.lockOfAttempt', 'attempts.lockEnding']);
  });

  it('a transaction that fails runs none of its effects', async () => {
    const a = ending();
    const { service, calls } = setUp({
      ...loading(a),
      tasks: { addShardEnd: counters({ completed: 1, failed: 0, total: 1, hasAggregate: false }) },
      ledger: { chargeWithin: () => Promise.reject(new DomainError('insufficient_funds', 'hold spent')) },
      placement: { request: () => undefined },
      events: { publish: () => undefined },
    });
    await expect(
      service.complete({ id: ATTEMPT }, { state: AttemptState.Completed, exitCode: 0 }, CHECK),
    ).rejects.toThrow('hold spent');
    expect(calls.some((c) => c.endsWith('(after commit)'))).toBe(false);
  });

  describe('cancel', () => {
    const owner: AuthUser = { id: 'user-1', username: 'ann', role: UserRole.User, trustScore: 50 };
    const other: AuthUser = { ...owner, id: 'user-2', username: 'bob' };

    it('locks the shards, ends the live attempts, cancels the rest, refunds the hold', async () => {
      const a = ending();
      const { service, calls } = setUp({
        ...loading(a),
        attempts: { ...loading(a).attempts, liveIdsOfTask: () => Promise.resolve([ATTEMPT]) },
        shards: { lockOfAttempt: () => Promise.resolve(true), lockOfTask: ok, cancelOpen: ok },
        tasks: {
          findForCancel: () => Promise.resolve({ id: TASK, user_id: owner.id, status: TaskStatus.Running }),
          markCancelled: ok,
        },
        ledger: { releaseIfHeldWithin: () => Promise.resolve({ refunded: 40 }) },
        dispatch: { sendStop: ok },
        placement: { request: () => undefined },
        events: { publish: () => undefined },
      });
      expect(await service.cancel(owner, TASK)).toEqual({ status: TaskStatus.Cancelled, refunded: 40 });
      expect(calls.slice(0, 11)).toEqual([
        'tasks.findForCancel',
        'shards.lockOfTask',
        'attempts.liveIdsOfTask',
        'shards.lockOfAttempt',
        'attempts.lockEnding',
        'attempts.recordEnd',
        'attempts.recordVerdicts',
        'capacity.lockInOrder',
        'capacity.giveBack',
        'capacity.changeStanding',
        'shards.cancelOpen',
      ]);
      expect(calls).toContain('dispatch.sendStop (after commit)');
      expect(calls).toContain('audit.record');
      expect(calls).not.toContain('shards.settle');
      expect(calls).not.toContain('tasks.addShardEnd');
    });

    it.each<[string, AuthUser, TaskStatus, string]>([
      ["another user's task", other, TaskStatus.Running, 'not_found'],
      ['an ended task', owner, TaskStatus.Completed, 'conflict'],
    ])('refuses %s', async (_name, user, status, kind) => {
      const { service, calls } = setUp({
        tasks: { findForCancel: () => Promise.resolve({ id: TASK, user_id: owner.id, status }) },
      });
      await expect(service.cancel(user, TASK)).rejects.toMatchObject({ kind });
      expect(calls).toEqual(['tasks.findForCancel']);
    });
  });
});
