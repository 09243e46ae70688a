// Settlement: what the end of an attempt does to money, the node, the shard and the task
// (docs/scheduling.md "Life cycle", "Money"). Pure decisions over what the life cycle read under
// its locks; they return a plan of writes and after-commit effects, which LifecycleService commits
// through the repositories. No IO, no framework.
//
// Two decisions, because the task row is locked last (shard → attempt → node → task → ledger): the
// attempt's settlement is decided from the locked attempt; the task's next step from the task's
// counters as the UPDATE that adds this shard's end returns them (another shard of the same task
// may have ended a moment before, and that UPDATE is what serialises the two).
import {
  AttemptState,
  type PricedDemand,
  ShardState,
  TaskStatus,
  costOf,
  ratePerMinute,
  splitCharge,
} from '@hivemind/contracts';
import { PLATFORM, userAccount } from '../ledger/ledger-accounts';
import { type AttemptOutcome, type FailureCause } from './attempt-outcome';
import { type Resources } from './placement';

export const LIVE_ATTEMPT_STATES: readonly AttemptState[] = [AttemptState.Assigned, AttemptState.Running];
export const TERMINAL_TASK: readonly TaskStatus[] = [
  TaskStatus.Completed,
  TaskStatus.Failed,
  TaskStatus.Cancelled,
];
/** Credit score changes of the node: a completed attempt, a failure the node caused. */
export const CREDIT_COMPLETED = 2;
export const CREDIT_NODE_FAILURE = -5;
/** Error texts are kept to this many characters. */
const MAX_ERROR_CHARS = 4000;

/** What a live attempt holds of its node (CPU and GPU scores are thresholds, not held). */
export type Allocation = Pick<Resources, 'cpuMillicores' | 'memoryMb' | 'storageMb' | 'gpuMemoryMb'>;

/** An attempt as settling needs it, read with its shard and itself locked. */
export interface EndingAttempt {
  id: string;
  shardId: string;
  taskId: string;
  nodeId: string;
  /** The node's owner: the reward goes to their account. */
  nodeOwnerId: string;
  state: AttemptState;
  fencingToken: string;
  startedAt: Date | null;
  allocation: Allocation;
  /** The task's request, as far as its price goes. */
  pricing: PricedDemand;
  timeoutS: number;
  shardIndex: number;
  isAggregate: boolean;
  /** Attempts made at the shard so far, this one included. */
  attemptsCount: number;
  maxAttempts: number;
}

/** The attempt row's end. */
export interface AttemptEnd {
  state: AttemptOutcome['state'];
  exitCode: number | null;
  oomKilled: boolean;
  failureCause: FailureCause | null;
  error: string | null;
  durationMs: number;
  cpuSeconds: number | null;
  peakMemoryMb: number | null;
  outputSha256: string | null;
  cost: number;
  reward: number;
}

/** A payment out of the task's escrow hold; `key` makes a retried charge a no-op. */
export interface Charge {
  payee: string;
  amount: number;
  key: string;
}

/** The shard after the attempt: back to the queue for another attempt, or ended. */
export type ShardEnd =
  | { state: ShardState.Queued; waitReason: string }
  | { state: ShardState.Failed; exitCode: number | null }
  /** Its output is the newest output file the attempt uploaded. */
  | { state: ShardState.Completed; exitCode: number | null; outputOfAttempt: string };

/** What the shard's end adds to the task's counters. */
export interface TaskDelta {
  completed: 0 | 1;
  failed: 0 | 1;
  cost: number;
  /** The task's error, if it has none yet. */
  error: string | null;
}

/** The plan for one attempt's end. */
export interface AttemptSettlement {
  attempt: AttemptEnd;
  /** Resources back to the node, and its credit change. */
  node: { nodeId: string; release: Allocation; creditDelta: number };
  charges: Charge[];
  /** Null for a cancelled attempt: the cancel settles the task's shards and the task itself. */
  shard: ShardEnd | null;
  task: TaskDelta | null;
  // after the commit:
  /** Tell the node to kill the container (an end the pool decided, not the node). */
  stop: { nodeId: string; attemptId: string; taskId: string; fencingToken: string; reason: string } | null;
  /** A slot was freed, and maybe a shard re-queued. */
  placementReason: string;
  event: { attemptId: string; attemptState: AttemptState; nodeId: string; shardIndex: number };
}

/**
 * Settles the end of a locked attempt. An attempt that is no longer live (a second report, or a
 * report racing the pool's own end of it) changes nothing: `ignored` says how it ended.
 */
export function settleAttempt(
  a: EndingAttempt,
  outcome: AttemptOutcome,
  nowMs: number,
): AttemptSettlement | { ignored: string } {
  if (!LIVE_ATTEMPT_STATES.includes(a.state)) {
    return { ignored: `attempt ${a.id} was already recorded as ${a.state}` };
  }
  const completed = outcome.state === AttemptState.Completed;
  const lost = outcome.state === AttemptState.Lost;
  const nodeFault = outcome.cause === 'node' || lost;
  const durationMs = outcome.durationMs ?? (a.startedAt ? nowMs - a.startedAt.getTime() : 0);
  // the user pays for attempts that finish the shard (completed, or failed by the task itself)
  const billable = completed || (outcome.state === AttemptState.Failed && !nodeFault);
  const rate = ratePerMinute(a.pricing);
  const cost = billable ? Math.min(costOf(rate, durationMs), costOf(rate, a.timeoutS * 1000)) : 0;
  const { reward, fee } = splitCharge(cost);

  const charges: Charge[] = [];
  if (reward > 0) charges.push({ payee: userAccount(a.nodeOwnerId), amount: reward, key: a.id });
  if (fee > 0) charges.push({ payee: PLATFORM, amount: fee, key: `${a.id}:fee` });

  const endedByNode = completed || outcome.state === AttemptState.Failed;
  const settlesShard = outcome.state !== AttemptState.Cancelled;
  const shard = settlesShard ? shardEnd(a, outcome, completed, nodeFault) : null;
  return {
    attempt: {
      state: outcome.state,
      exitCode: outcome.exitCode ?? null,
      oomKilled: outcome.oomKilled ?? false,
      failureCause: completed ? null : (outcome.cause ?? (lost ? 'node' : 'task')),
      error: outcome.error?.slice(0, MAX_ERROR_CHARS) ?? null,
      durationMs,
      cpuSeconds: outcome.cpuSeconds ?? null,
      peakMemoryMb: outcome.peakMemoryMb ?? null,
      outputSha256: outcome.outputSha256 || null,
      cost,
      reward,
    },
    node: {
      nodeId: a.nodeId,
      release: a.allocation,
      creditDelta: completed ? CREDIT_COMPLETED : nodeFault ? CREDIT_NODE_FAILURE : 0,
    },
    charges,
    shard,
    task: shard ? taskDelta(a, outcome, shard, cost) : null,
    // an end the node reported needs no stop: the worker has already removed the container
    stop: endedByNode
      ? null
      : {
          nodeId: a.nodeId,
          attemptId: a.id,
          taskId: a.taskId,
          fencingToken: a.fencingToken,
          reason: outcome.error ?? outcome.state,
        },
    placementReason: `attempt ${outcome.state.toLowerCase()}`,
    event: { attemptId: a.id, attemptState: outcome.state, nodeId: a.nodeId, shardIndex: a.shardIndex },
  };
}

/** A node's failure is retried while attempts are left; anything else ends the shard. */
function shardEnd(
  a: EndingAttempt,
  outcome: AttemptOutcome,
  completed: boolean,
  nodeFault: boolean,
): ShardEnd {
  const exitCode = outcome.exitCode ?? null;
  if (completed) return { state: ShardState.Completed, exitCode, outputOfAttempt: a.id };
  if (nodeFault && a.attemptsCount < a.maxAttempts) {
    const what = outcome.state === AttemptState.Lost ? 'was lost' : 'failed on its node';
    return {
      state: ShardState.Queued,
      waitReason: `re-queued: attempt ${a.attemptsCount} of ${a.maxAttempts} ${what}`,
    };
  }
  return { state: ShardState.Failed, exitCode };
}

function taskDelta(a: EndingAttempt, outcome: AttemptOutcome, shard: ShardEnd, cost: number): TaskDelta {
  const failed = shard.state === ShardState.Failed;
  const why = outcome.oomKilled
    ? 'killed: out of memory'
    : (outcome.error ?? `exit code ${outcome.exitCode ?? '?'}`);
  return {
    completed: shard.state === ShardState.Completed ? 1 : 0,
    failed: failed ? 1 : 0,
    cost,
    error: failed ? `shard ${a.shardIndex} failed: ${why}`.slice(0, MAX_ERROR_CHARS) : null,
  };
}

/** A task's shard counters after a shard's end was added to them. */
export interface TaskCounters {
  completed: number;
  failed: number;
  /** Every shard, the aggregate step included when the task has one. */
  total: number;
  hasAggregate: boolean;
}

/** What follows for the task once one of its shards has ended (or gone back to the queue). */
export type TaskStep =
  /** Shards are still open. */
  | { kind: 'continue' }
  /** Every shard completed but the aggregate step, which is not there yet: build its input. */
  | { kind: 'aggregate' }
  /** The task ends now; the rest of its hold is refunded. */
  | { kind: 'end'; status: TaskStatus.Completed | TaskStatus.Failed }
  /** A shard failed, so the aggregate step will never run: the task fails once no shard is open. */
  | { kind: 'end-when-idle'; status: TaskStatus.Failed };

export function nextTaskStep(t: TaskCounters, endedShard: { isAggregate: boolean }): TaskStep {
  if (t.completed + t.failed >= t.total) {
    return { kind: 'end', status: t.failed > 0 ? TaskStatus.Failed : TaskStatus.Completed };
  }
  if (t.hasAggregate && !endedShard.isAggregate) {
    if (t.failed === 0 && t.completed === t.total - 1) return { kind: 'aggregate' };
    if (t.failed > 0) return { kind: 'end-when-idle', status: TaskStatus.Failed };
  }
  return { kind: 'continue' };
}

/** What the node's owner has earned on a running attempt so far (capped at the task's timeout). */
export function accruedReward(
  pricing: PricedDemand,
  timeoutS: number,
  startedAt: Date | null,
  nowMs: number,
): number {
  if (!startedAt) return 0;
  const elapsed = Math.min(nowMs - startedAt.getTime(), timeoutS * 1000);
  return splitCharge(costOf(ratePerMinute(pricing), elapsed)).reward;
}
