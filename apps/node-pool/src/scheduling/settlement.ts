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
  AttemptPurpose,
  AttemptState,
  CREDIT_INVALID,
  CREDIT_VALID,
  type PricedDemand,
  ResultValidation,
  ShardState,
  TaskStatus,
  ValidationMode,
  costOf,
  ratePerMinute,
  splitCharge,
} from '@hivemind/contracts';
import { PLATFORM, userAccount } from '../ledger/ledger-accounts';
import { type StandingChange } from '../nodes/node-capacity.repository';
import { type AttemptOutcome, type FailureCause } from './attempt-outcome';
import { type Resources } from './placement';
import { type Judgement, type ShardResult, judgeResults, verdictOf } from './validation';
import { parseValidatorGroups, regrouped, wantsValidator } from './validator-groups';

export const LIVE_ATTEMPT_STATES: readonly AttemptState[] = [AttemptState.Assigned, AttemptState.Running];
export const TERMINAL_TASK: readonly TaskStatus[] = [
  TaskStatus.Completed,
  TaskStatus.Failed,
  TaskStatus.Cancelled,
];
/** Error texts are kept to this many characters. */
const MAX_ERROR_CHARS = 4000;
/**
 * An OOM kill below this share of the memory the attempt was given says the node does not have the
 * memory it claimed: the node's failure (retried elsewhere), not the task's.
 */
const OOM_CLAIM_SHARE = 0.9;

/** What a live attempt holds of its node (CPU and GPU scores are thresholds, not held). */
export type Allocation = Pick<Resources, 'cpuMillicores' | 'memoryMb' | 'storageMb' | 'gpuMemoryMb'>;

/** A result in and not judged yet, with how its attempt ended. */
export interface PendingResult extends ShardResult {
  succeeded: boolean;
  exitCode: number | null;
  /** How it failed, in the words of its task's error (unused when it succeeded). */
  error: string;
}

/** The other attempts of the attempt's shard, as validation needs them (read under the shard's lock). */
export interface ShardSiblings {
  /** Results in and not yet judged (validation PENDING), in the order they came in. */
  pending: PendingResult[];
  /** The validator's results in and not yet judged (validating attempts, validation PENDING). */
  validating: PendingResult[];
  /** Live replicas other than the ending attempt. */
  live: { attemptId: string }[];
  /** Attempts of the shard that ended by a node's failure (lost, crashed), before this one. */
  nodeFailures: number;
}

/** An attempt as settling needs it, read with its shard and itself locked. */
export interface EndingAttempt {
  id: string;
  shardId: string;
  taskId: string;
  nodeId: string;
  /** The node's owner: the reward goes to their account. */
  nodeOwnerId: string;
  /** The task's owner: a node earns no credit from its own owner's tasks. */
  taskOwnerId: string;
  state: AttemptState;
  fencingToken: string;
  assignedAt: Date;
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
  validation: ValidationMode;
  /** The shard's quorum now (0: adaptive, not decided yet), and the task's. */
  quorum: number;
  taskQuorum: number;
  replicasWanted: number;
  maxReplicas: number;
  siblings: ShardSiblings;
  /** Running the shard, or validating its results with the task's validator. */
  purpose: AttemptPurpose;
  /** The task has a validator command (docs/validation.md "Fuzzy results"). */
  hasValidator: boolean;
  /** The shard's results were given to the validator already (its input is built). */
  validatorAsked: boolean;
}

/** The result digest the pool computed from the attempt's upload, and whether the node's own claim differed. */
export interface ResultCheck {
  digest: string;
  /** Why the node's report is not believed (its digest differs from its upload), or null. */
  refused: string | null;
  /** A validating attempt's groups.json as it uploaded it; null: none (or over MAX_GROUPS_BYTES). */
  groupsText?: string | null;
}

/** The attempt row's end. */
export interface AttemptEnd {
  state: AttemptOutcome['state'];
  exitCode: number | null;
  oomKilled: boolean;
  failureCause: FailureCause | null;
  error: string | null;
  /** What the node reported; null when it did not. */
  durationMs: number;
  /** The pool's own clock, from the start (or the assignment) to now: what billing uses. */
  observedMs: number;
  cpuSeconds: number | null;
  peakMemoryMb: number | null;
  outputSha256: string | null;
  resultDigest: string | null;
  validation: ResultValidation | null;
  cost: number;
  reward: number;
}

/** A payment out of the task's escrow hold; `key` makes a retried charge a no-op. */
export interface Charge {
  payee: string;
  amount: number;
  key: string;
}

/** What validation made of one result, and what it does to its node. */
export interface ResultVerdict {
  attemptId: string;
  nodeId: string;
  /** The node's owner: who is paid. */
  ownerId: string;
  validation: ResultValidation;
  /** Zero for a refused result: it earns nothing. */
  cost: number;
  reward: number;
  creditDelta: number;
  /** The node's run of valid results: one longer, back to zero, or as it was. */
  run: 'extend' | 'reset' | 'keep';
}

/** The shard after the attempt. */
export type ShardEnd =
  /** Back to the queue: replicas are to be placed (after a node's failure, or for a disagreement). */
  | { state: ShardState.Queued; waitReason: string; wanted?: number; quorum?: number }
  /** Results are in, others still running; or the validator is to compare them (`askValidator`). */
  | { state: ShardState.Validating; waitReason: string; askValidator?: boolean }
  | { state: ShardState.Failed; exitCode: number | null; canonicalAttemptId: string | null }
  /** Its output is the newest output file the canonical attempt uploaded. */
  | { state: ShardState.Completed; exitCode: number | null; outputOfAttempt: string };

/** What the shard's end adds to the task's counters. */
export interface TaskDelta {
  completed: 0 | 1;
  failed: 0 | 1;
  cost: number;
  /** The task's error, if it has none yet. */
  error: string | null;
}

/** A stop the node must be told of after the commit. */
export interface Stop {
  nodeId: string;
  attemptId: string;
  taskId: string;
  fencingToken: string;
  reason: string;
}

/** The plan for one attempt's end. */
export interface AttemptSettlement {
  attempt: AttemptEnd;
  /** Resources back to the node; a fault (reliability) or a claim a task disproved. */
  node: { nodeId: string; release: Allocation; fault: boolean; disprovedClaim: boolean };
  /** Validation's verdicts on this and the shard's other results, when it judged them. */
  verdicts: ResultVerdict[];
  charges: Charge[];
  /** Null for a cancelled attempt: the cancel settles the task's shards and the task itself. */
  shard: ShardEnd | null;
  task: TaskDelta | null;
  /** Live replicas no longer needed (the quorum is reached): ended as cancelled in this transaction. */
  cancelReplicas: string[];
  // after the commit:
  /** Tell the node to kill the container (an end the pool decided, not the node). */
  stop: Stop | null;
  /** A slot was freed, and maybe a shard re-queued. */
  placementReason: string;
  event: { attemptId: string; attemptState: AttemptState; nodeId: string; shardIndex: number };
}

/** Whether the end is a result the task produced (compared, paid when it counts), not a node's failure. */
function isResult(outcome: AttemptOutcome): boolean {
  return (
    outcome.state === AttemptState.Completed ||
    (outcome.state === AttemptState.Failed && outcome.cause !== 'node')
  );
}

/** An OOM kill well below the memory the attempt was given: the node's claim is disproved. */
function disprovesMemoryClaim(a: EndingAttempt, outcome: AttemptOutcome): boolean {
  return (
    outcome.oomKilled === true &&
    outcome.peakMemoryMb != null &&
    outcome.peakMemoryMb > 0 &&
    outcome.peakMemoryMb < a.allocation.memoryMb * OOM_CLAIM_SHARE
  );
}

/**
 * Settles the end of a locked attempt. An attempt that is no longer live (a second report, or a
 * report racing the pool's own end of it) changes nothing: `ignored` says how it ended.
 *
 * A result (completed, or failed by the task) is paid for and moves its node's standing only once
 * validation has judged it with the shard's other results; a node's failure is no result: it earns
 * nothing, is retried while attempts are left, and counts against the node's reliability only.
 */
export function settleAttempt(
  a: EndingAttempt,
  reported: AttemptOutcome,
  nowMs: number,
  check: ResultCheck | null = null,
): AttemptSettlement | { ignored: string } {
  if (!LIVE_ATTEMPT_STATES.includes(a.state)) {
    return { ignored: `attempt ${a.id} was already recorded as ${a.state}` };
  }
  const disproved = disprovesMemoryClaim(a, reported);
  const outcome: AttemptOutcome = disproved
    ? {
        ...reported,
        cause: 'node',
        error: `killed: out of memory at ${reported.peakMemoryMb} MB of the ${a.allocation.memoryMb} MB the node offered`,
      }
    : reported;
  const result = isResult(outcome);
  const nodeFault = outcome.state === AttemptState.Lost || outcome.cause === 'node';
  const observedMs = Math.max(0, nowMs - (a.startedAt ?? a.assignedAt).getTime());
  const rate = ratePerMinute(a.pricing);
  // the pool's own clock, never the node's word, capped by the task's timeout
  const cost = result ? Math.min(costOf(rate, observedMs), costOf(rate, a.timeoutS * 1000)) : 0;
  const { reward } = splitCharge(cost);
  const digest = result ? (check?.refused ? null : (check?.digest ?? null)) : null;

  const end: AttemptEnd = {
    state: outcome.state,
    exitCode: outcome.exitCode ?? null,
    oomKilled: outcome.oomKilled ?? false,
    failureCause:
      outcome.state === AttemptState.Completed ? null : (outcome.cause ?? (nodeFault ? 'node' : 'task')),
    error: (check?.refused ?? outcome.error)?.slice(0, MAX_ERROR_CHARS) ?? null,
    durationMs: outcome.durationMs ?? observedMs,
    observedMs,
    cpuSeconds: outcome.cpuSeconds ?? null,
    peakMemoryMb: outcome.peakMemoryMb ?? null,
    outputSha256: outcome.outputSha256 || null,
    resultDigest: digest,
    validation: result ? ResultValidation.Pending : null,
    cost,
    reward,
  };
  const endedByNode = outcome.state === AttemptState.Completed || outcome.state === AttemptState.Failed;
  const plan: AttemptSettlement = {
    attempt: end,
    node: { nodeId: a.nodeId, release: a.allocation, fault: nodeFault, disprovedClaim: disproved },
    verdicts: [],
    charges: [],
    shard: null,
    task: null,
    cancelReplicas: [],
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
  if (outcome.state === AttemptState.Cancelled) return plan;

  const mine: PendingResult = {
    attemptId: a.id,
    nodeId: a.nodeId,
    ownerId: a.nodeOwnerId,
    digest,
    cost,
    succeeded: outcome.state === AttemptState.Completed,
    exitCode: end.exitCode,
    error: failureText(end.oomKilled, end.error, end.exitCode),
  };
  if (a.purpose === AttemptPurpose.Validate) {
    settleValidating(plan, a, outcome, result ? mine : null, check?.groupsText ?? null, nodeFault);
    return plan;
  }
  const results = result ? [...a.siblings.pending, mine] : a.siblings.pending;
  const nodeFailures = a.siblings.nodeFailures + (nodeFault ? 1 : 0);
  const quorum = Math.max(a.quorum, 1);
  const judgement = judgeResults(results, {
    quorum,
    wanted: a.replicasWanted,
    maxReplicas: a.maxReplicas,
    live: a.siblings.live.length,
    canAddReplicas: nodeFailures < a.maxAttempts,
  });
  const undecided = judgement.kind === 'more' || judgement.kind === 'inconclusive';
  const validate = {
    quorum,
    hasValidator: a.hasValidator,
    validated: a.validatorAsked,
    live: a.siblings.live.length,
  };
  if (undecided && wantsValidator(results, validate)) {
    // no exact match: the task's validator compares the results (its input is built after the commit)
    plan.shard = {
      state: ShardState.Validating,
      waitReason: `results differ (${results.length} in): the task's validator compares them`,
      askValidator: true,
    };
    return plan;
  }
  judge(plan, a, outcome, judgement, results, nodeFault);
  return plan;
}

/**
 * The end of a validating attempt. The validator's runs are judged among themselves exactly (their
 * groups.json must agree); the agreed grouping then judges the shard's results in place of their
 * digests. Validators that disagree, or a grouping that forms no quorum, leave the shard
 * inconclusive: every run is paid, no node's standing moves for the shard's results.
 */
function settleValidating(
  plan: AttemptSettlement,
  a: EndingAttempt,
  outcome: AttemptOutcome,
  mine: PendingResult | null,
  groupsText: string | null,
  nodeFault: boolean,
): void {
  const runs = a.siblings.pending;
  const validators = mine ? [...a.siblings.validating, mine] : a.siblings.validating;
  const quorum = Math.max(a.quorum, 1);
  const jv = judgeResults(validators, {
    quorum,
    wanted: a.replicasWanted - runs.length,
    // validators that disagree are not asked again: the task's comparison is not deterministic
    maxReplicas: validators.length,
    live: a.siblings.live.length,
    canAddReplicas: a.siblings.nodeFailures + (nodeFault ? 1 : 0) < a.maxAttempts,
  });
  if (jv.kind === 'wait') {
    plan.shard =
      jv.place > 0
        ? { state: ShardState.Queued, waitReason: `the validator: ${jv.reason}` }
        : { state: ShardState.Validating, waitReason: `the validator: ${jv.reason}` };
    return;
  }
  const inconclusive = (why: string, validatorVerdicts: ResultVerdict[]) => {
    plan.verdicts = [
      ...runs.map((r) => verdict(r, ResultValidation.Inconclusive, 0, 'keep')),
      ...validatorVerdicts,
    ];
    plan.charges = chargesOf(plan.verdicts);
    plan.cancelReplicas = a.siblings.live.map((l) => l.attemptId);
    plan.shard = { state: ShardState.Failed, exitCode: null, canonicalAttemptId: null };
    plan.task = taskDelta(
      a,
      outcome,
      plan.shard,
      paid(plan.verdicts),
      `shard ${a.shardIndex} failed: inconclusive: ${why}`,
    );
  };
  if (jv.kind !== 'decided') {
    inconclusive(
      `the validator's ${validators.length} run(s) disagree`,
      validators.map((r) => verdict(r, ResultValidation.Inconclusive, 0, 'keep')),
    );
    return;
  }
  const validatorVerdicts = verdictsOf(jv, validators, a.taskOwnerId);
  // the validators agree: their groups.json are one text, the ending attempt's (it completed the quorum)
  const groups =
    groupsText === null
      ? { refused: 'no groups.json' }
      : parseValidatorGroups(
          groupsText,
          runs.map((r) => r.attemptId),
        );
  if ('refused' in groups) {
    inconclusive(`the validator's answer is unusable (${groups.refused})`, validatorVerdicts);
    return;
  }
  const jr = judgeResults(regrouped(runs, groups.groups), {
    quorum,
    wanted: runs.length,
    maxReplicas: runs.length,
    live: 0,
    canAddReplicas: false,
  });
  if (jr.kind !== 'decided') {
    inconclusive(`the validator found no ${quorum} owners' results equivalent`, validatorVerdicts);
    return;
  }
  decide(plan, a, outcome, jr, runs, validatorVerdicts);
}

/**
 * A decided shard: verdicts on its results (and any others judged with them), their charges, the
 * replicas no longer needed, the shard's end with the canonical result and the task's delta.
 */
function decide(
  plan: AttemptSettlement,
  a: EndingAttempt,
  outcome: AttemptOutcome,
  j: Extract<Judgement, { kind: 'decided' }>,
  results: readonly PendingResult[],
  alsoJudged: readonly ResultVerdict[] = [],
): void {
  plan.verdicts = [...verdictsOf(j, results, a.taskOwnerId), ...alsoJudged];
  plan.charges = chargesOf(plan.verdicts);
  plan.cancelReplicas = a.siblings.live.map((l) => l.attemptId);
  const canonical = results.find((r) => r.attemptId === j.canonical.attemptId)!;
  plan.shard = shardEndOf(canonical);
  plan.task = taskDelta(
    a,
    outcome,
    plan.shard,
    paid(plan.verdicts),
    `shard ${a.shardIndex} failed: ${canonical.error}`,
  );
}

/** A decided judgement's verdicts: valid ones earn credit and run (other owners' tasks only), invalid ones pay nothing and reset. */
function verdictsOf(
  j: Extract<Judgement, { kind: 'decided' }>,
  results: readonly ShardResult[],
  taskOwnerId: string,
): ResultVerdict[] {
  return results.map((r) => {
    const v = verdictOf(j, r.attemptId);
    const others = r.ownerId !== taskOwnerId;
    if (v === ResultValidation.Valid)
      return verdict(r, v, others ? CREDIT_VALID : 0, others ? 'extend' : 'keep');
    if (v === ResultValidation.Invalid)
      return { ...verdict(r, v, CREDIT_INVALID, 'reset'), cost: 0, reward: 0 };
    return verdict(r, v, 0, 'keep');
  });
}

/** Fills the plan's shard, verdicts, charges and task delta from validation's judgement. */
function judge(
  plan: AttemptSettlement,
  a: EndingAttempt,
  outcome: AttemptOutcome,
  j: Judgement,
  results: readonly PendingResult[],
  nodeFault: boolean,
): void {
  switch (j.kind) {
    case 'wait': {
      if (j.place > 0) {
        // a replica to place: back in the queue (an adaptive shard with nothing in decides afresh)
        const undecided =
          a.validation === ValidationMode.Adaptive && results.length === 0 && a.siblings.live.length === 0;
        const what = outcome.state === AttemptState.Lost ? 'was lost' : 'failed on its node';
        const why = nodeFault
          ? `re-queued: attempt ${a.siblings.nodeFailures + 1} of ${a.maxAttempts} ${what}`
          : j.reason;
        plan.shard = undecided
          ? { state: ShardState.Queued, waitReason: why, quorum: 0, wanted: 1 }
          : { state: ShardState.Queued, waitReason: why };
      } else {
        plan.shard = { state: ShardState.Validating, waitReason: j.reason };
      }
      return;
    }
    case 'more':
      plan.shard = { state: ShardState.Queued, waitReason: j.reason, wanted: j.wanted };
      return;
    case 'inconclusive': {
      // nobody can tell the honest result: the task could not be verified (nondeterministic, or too
      // few owners agreed); the submitter pays every result's observed time, no node's standing moves
      if (results.length === 0) {
        // no result at all: the node-failure budget is spent, as before validation existed
        plan.shard = {
          state: ShardState.Failed,
          exitCode: outcome.exitCode ?? null,
          canonicalAttemptId: null,
        };
        plan.task = taskDelta(a, outcome, plan.shard, 0, null);
        return;
      }
      for (const r of results) plan.verdicts.push(verdict(r, ResultValidation.Inconclusive, 0, 'keep'));
      plan.charges = chargesOf(plan.verdicts);
      plan.shard = { state: ShardState.Failed, exitCode: null, canonicalAttemptId: null };
      plan.task = taskDelta(
        a,
        outcome,
        plan.shard,
        paid(plan.verdicts),
        `shard ${a.shardIndex} failed: ${j.reason}`,
      );
      return;
    }
    case 'decided':
      decide(plan, a, outcome, j, results);
  }
}

/** The shard's end with its canonical result: completed with its output, or failed as the task's own failure. */
function shardEndOf(canonical: PendingResult): ShardEnd {
  return canonical.succeeded
    ? { state: ShardState.Completed, exitCode: canonical.exitCode, outputOfAttempt: canonical.attemptId }
    : { state: ShardState.Failed, exitCode: canonical.exitCode, canonicalAttemptId: canonical.attemptId };
}

/** How a failed result reads in its task's error. */
export function failureText(oomKilled: boolean, error: string | null, exitCode: number | null): string {
  return oomKilled ? 'killed: out of memory' : (error ?? `exit code ${exitCode ?? '?'}`);
}

function verdict(
  r: ShardResult,
  validation: ResultValidation,
  creditDelta: number,
  run: ResultVerdict['run'],
): ResultVerdict {
  return {
    attemptId: r.attemptId,
    nodeId: r.nodeId,
    ownerId: r.ownerId,
    validation,
    cost: r.cost,
    reward: splitCharge(r.cost).reward,
    creditDelta,
    run,
  };
}

function paid(verdicts: readonly ResultVerdict[]): number {
  return verdicts.reduce((sum, v) => sum + v.cost, 0);
}

/** Reward to the node's owner and the platform's fee, for every result that earns. */
function chargesOf(verdicts: readonly ResultVerdict[]): Charge[] {
  const charges: Charge[] = [];
  for (const v of verdicts) {
    const { reward, fee } = splitCharge(v.cost);
    if (reward > 0) charges.push({ payee: userAccount(v.ownerId), amount: reward, key: v.attemptId });
    if (fee > 0) charges.push({ payee: PLATFORM, amount: fee, key: `${v.attemptId}:fee` });
  }
  return charges;
}

function taskDelta(
  a: EndingAttempt,
  outcome: AttemptOutcome,
  shard: ShardEnd,
  cost: number,
  error: string | null,
): TaskDelta {
  const failed = shard.state === ShardState.Failed;
  const why = failureText(outcome.oomKilled ?? false, outcome.error ?? null, outcome.exitCode ?? null);
  return {
    completed: shard.state === ShardState.Completed ? 1 : 0,
    failed: failed ? 1 : 0,
    cost,
    error: failed ? (error ?? `shard ${a.shardIndex} failed: ${why}`).slice(0, MAX_ERROR_CHARS) : null,
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

/** An attempt's end as the commit writes it. */
export interface EndRecord {
  attemptId: string;
  end: AttemptEnd;
}

/**
 * What the commit writes of the ended attempts and the verdicts: a verdict on an attempt that ends
 * in this settlement goes into its end (validation, cost and reward as the verdict has them, which
 * a separate write would have set after the end's), so that each attempt row is written once; the
 * other verdicts are left for the shard's earlier results.
 */
export function endsWithVerdicts(
  ends: readonly EndRecord[],
  verdicts: readonly ResultVerdict[],
): { ends: EndRecord[]; verdicts: ResultVerdict[] } {
  const byAttempt = new Map(verdicts.map((v) => [v.attemptId, v]));
  const ending = new Set(ends.map((e) => e.attemptId));
  return {
    ends: ends.map(({ attemptId, end }) => {
      const v = byAttempt.get(attemptId);
      return {
        attemptId,
        end: v ? { ...end, validation: v.validation, cost: v.cost, reward: v.reward } : end,
      };
    }),
    verdicts: verdicts.filter((v) => !ending.has(v.attemptId)),
  };
}

/** The verdicts of one settlement, summed per node: what they do to each node's standing. */
export function standingChanges(verdicts: readonly ResultVerdict[]): StandingChange[] {
  const perNode = new Map<string, StandingChange>();
  for (const v of verdicts) {
    const c = perNode.get(v.nodeId) ?? {
      nodeId: v.nodeId,
      creditDelta: 0,
      valid: 0,
      invalid: 0,
      resetRun: false,
    };
    c.creditDelta += v.creditDelta;
    if (v.run === 'extend') c.valid += 1;
    if (v.validation === ResultValidation.Invalid) c.invalid += 1;
    if (v.run === 'reset') c.resetRun = true;
    perNode.set(v.nodeId, c);
  }
  return [...perNode.values()].filter((c) => c.creditDelta !== 0 || c.valid || c.invalid || c.resetRun);
}
