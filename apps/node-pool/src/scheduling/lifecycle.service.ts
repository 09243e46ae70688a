import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { type EntityManager } from 'typeorm';
import { AttemptState, ShardState, TaskStatus } from '@hivemind/contracts';
import { type AuthUser, mayAccess } from '../accounts/auth-user';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { LedgerService } from '../ledger/ledger.service';
import { NodeCapacityRepository } from '../nodes/node-capacity.repository';
import { PostProcessingJob, QueueName } from '../queues/queue-names';
import { type AttemptOutcome, cancelledOutcome, lostOutcome, notNeededOutcome } from './attempt-outcome';
import { AttemptsRepository, type FencedAttempt } from './attempts.repository';
import { DispatchService } from './dispatch.service';
import { fenceRefusal } from './fencing';
import { PlacementTrigger } from '../queues/placement-trigger';
import {
  type AttemptSettlement,
  type EndingAttempt,
  type ResultCheck,
  standingChanges,
  TERMINAL_TASK,
  type TaskStep,
  accruedReward,
  endsWithVerdicts,
  nextTaskStep,
  settleAttempt,
} from './settlement';
import { ShardsRepository } from './shards.repository';
import { TaskEvents } from './task-events';
import { TaskStateRepository, type TaskProgressRow } from './task-state.repository';
import { Transactions } from './transactions';
import { resultValidations } from './validation-metrics';

/** Something to do once the transaction has committed. */
type Effect = () => void | Promise<void>;

/**
 * The attempt life cycle (docs/scheduling.md "Life cycle", "Money"): an attempt ends COMPLETED,
 * FAILED, CANCELLED or LOST, and everything that follows — the node's resources and credit score,
 * the shard, the task's counters and status, the money — is one transaction per attempt, in four
 * steps: **load** the attempt locked (shard, then attempt), **decide** with the pure settlement
 * (settlement.ts), **commit** the plan through the repositories in the lock order (… node → task →
 * ledger; the scheduler locks shards → nodes → tasks, so the two cannot deadlock), and run the
 * **effects** (stop the container, ask for a placement pass, telemetry) after the commit.
 */
@Injectable()
export class LifecycleService {
  private readonly logger = new Logger(LifecycleService.name);
  private readonly validations = resultValidations();

  constructor(
    private readonly tx: Transactions,
    private readonly attempts: AttemptsRepository,
    private readonly shards: ShardsRepository,
    private readonly capacity: NodeCapacityRepository,
    private readonly tasks: TaskStateRepository,
    private readonly ledger: LedgerService,
    private readonly dispatch: DispatchService,
    private readonly placement: PlacementTrigger,
    private readonly events: TaskEvents,
    @InjectQueue(QueueName.PostProcessing) private readonly postProcessing: Queue,
    private readonly audit: AuditService,
  ) {}

  /** The attempt, if `nodeId` still holds it under this fencing token; why not otherwise. */
  async fence(
    nodeId: string,
    attemptId: string,
    fencingToken: string,
  ): Promise<{ attempt: FencedAttempt } | { refused: string }> {
    if (!isUuid(attemptId)) return { refused: `no attempt ${attemptId}` };
    const a = await this.attempts.findFenced(attemptId);
    const refused = fenceRefusal(
      attemptId,
      a && { nodeId: a.node_id, state: a.state, fencingToken: a.fencing_token },
      { nodeId, fencingToken },
    );
    return a && refused === null ? { attempt: a } : { refused: refused ?? `no attempt ${attemptId}` };
  }

  /** ASSIGNED → RUNNING on the first report of a started attempt. */
  async markRunning(a: FencedAttempt): Promise<void> {
    if (a.state !== AttemptState.Assigned) return;
    const updated = await this.tx.run(async (m) => {
      // the shard first, as every settlement does: a completion arriving at the same moment would
      // otherwise deadlock with this (found by bench:e2e: PostgreSQL breaks it after deadlock_timeout, 1 s)
      await this.shards.lock(m, a.shard_id);
      if (!(await this.attempts.markRunning(m, a.id))) return false;
      await this.shards.markRunning(m, a.shard_id);
      return true;
    });
    if (updated) {
      a.state = AttemptState.Running;
      this.events.publish(a.task_id, 'attempt', {
        attemptId: a.id,
        attemptState: AttemptState.Running,
        nodeId: a.node_id,
      });
    }
  }

  /** What the node's owner has earned on a running attempt so far (ReportRunningStatus's cpt_reward). */
  async accruedReward(a: FencedAttempt): Promise<number> {
    const t = await this.tasks.pricingOf(a.task_id);
    return t ? accruedReward(t.pricing, t.timeoutS, a.started_at, Date.now()) : 0;
  }

  /**
   * Records the end of an attempt reported by its node (TaskCompleted), or decided by the pool (a
   * timeout). `check` is the result digest the pool computed from the attempt's upload. Idempotent.
   */
  complete(
    a: Pick<FencedAttempt, 'id'>,
    outcome: AttemptOutcome,
    check: ResultCheck | null = null,
  ): Promise<{ recorded: boolean; message: string }> {
    return this.settle((m, effects) => this.end(m, a.id, outcome, effects, check));
  }

  /** Nodes that stopped heartbeating: their live attempts are LOST, their shards go back to the queue. */
  async nodesLost(nodeIds: readonly string[], why = 'the node stopped heartbeating'): Promise<number> {
    if (nodeIds.length === 0) return 0;
    return this.loseAttempts(await this.attempts.liveIdsOnNodes(nodeIds), why);
  }

  /** Declares live attempts LOST (a node fault): each in its own transaction, re-queued if it may. */
  async loseAttempts(attemptIds: readonly string[], why: string): Promise<number> {
    let lost = 0;
    for (const id of attemptIds) {
      const { recorded } = await this.settle((m, effects) => this.end(m, id, lostOutcome(why), effects));
      if (recorded) lost++;
    }
    if (lost) this.logger.warn(`${lost} attempt(s) LOST: ${why}`);
    return lost;
  }

  /** Cancels a task: its live attempts are stopped, its queued shards dropped, its hold refunded. */
  cancel(user: AuthUser, taskId: string): Promise<{ status: TaskStatus; refunded: number }> {
    const actor = { id: user.id, username: user.username };
    const target = { type: 'task' as const, id: taskId.slice(0, 128) };
    return this.audit.refusalsOf({ action: 'task.cancel', actor, target }, () =>
      this.cancelChecked(user, taskId),
    );
  }

  /** cancel(), audited (task.cancel) in the transaction that refunds the hold. */
  private async cancelChecked(
    user: AuthUser,
    taskId: string,
  ): Promise<{ status: TaskStatus; refunded: number }> {
    if (!isUuid(taskId)) throw new DomainError('not_found', `no task ${taskId.slice(0, 64)}`);
    return this.settle(async (m, effects) => {
      const task = await this.tasks.findForCancel(m, taskId);
      if (!task || !mayAccess(user, task.user_id)) {
        throw new DomainError('not_found', `no task ${taskId}`);
      }
      if (TERMINAL_TASK.includes(task.status)) {
        throw new DomainError('conflict', `task ${taskId} has already ended (${task.status})`);
      }
      // shards first (the lock order), then each live attempt
      await this.shards.lockOfTask(m, taskId);
      const outcome = cancelledOutcome(user.username);
      for (const id of await this.attempts.liveIdsOfTask(m, taskId)) {
        await this.end(m, id, outcome, effects);
      }
      await this.shards.cancelOpen(m, taskId);
      await this.tasks.markCancelled(m, taskId, `cancelled by ${user.username}`);
      const { refunded } = await this.ledger.releaseIfHeldWithin(m, taskId);
      await this.audit.record(
        {
          action: 'task.cancel',
          actor: { id: user.id, username: user.username },
          target: { type: 'task', id: taskId },
          detail: { refunded, owner_id: task.user_id },
        },
        m,
      );
      effects.push(() => {
        this.placement.request('task cancelled');
        this.events.publish(taskId, 'cancelled');
      });
      return { status: TaskStatus.Cancelled, refunded };
    });
  }

  /** Ends a task whose shards have all ended (the reconciler's repair), in a transaction of its own. */
  endTask(taskId: string, status: TaskStatus.Completed | TaskStatus.Failed): Promise<void> {
    return this.settle((m, effects) => this.finalize(m, taskId, status, effects));
  }

  /** Load → decide → commit for one attempt, inside the caller's transaction. */
  private async end(
    m: EntityManager,
    attemptId: string,
    outcome: AttemptOutcome,
    effects: Effect[],
    check: ResultCheck | null = null,
  ): Promise<{ recorded: boolean; message: string }> {
    const attempt = await this.lockEnding(m, attemptId);
    if (!attempt) return { recorded: false, message: `no attempt ${attemptId}` };
    const now = Date.now();
    const plan = settleAttempt(attempt, outcome, now, check);
    if ('ignored' in plan) return { recorded: false, message: plan.ignored };
    // replicas the quorum no longer needs end with it (their attempts locked after the shard, as any)
    const replicas: { a: EndingAttempt; plan: AttemptSettlement }[] = [];
    for (const id of plan.cancelReplicas) {
      const r = await this.attempts.lockEnding(m, id);
      const rPlan = r && settleAttempt(r, notNeededOutcome(), now);
      if (r && rPlan && !('ignored' in rPlan)) replicas.push({ a: r, plan: rPlan });
    }
    await this.commit(m, attempt, plan, replicas, effects);
    return { recorded: true, message: `attempt ${attemptId} recorded as ${outcome.state}` };
  }

  /** Locks the attempt's shard, then the attempt (the lock order), and reads what settling needs. */
  private async lockEnding(m: EntityManager, attemptId: string): Promise<EndingAttempt | undefined> {
    if (!(await this.shards.lockOfAttempt(m, attemptId))) return undefined;
    return this.attempts.lockEnding(m, attemptId);
  }

  /**
   * Writes a settlement in the lock order — attempts (this one, the verdicts on the shard's other
   * results, the replicas no longer needed), nodes (in id order), shard (locked already), task,
   * ledger — then the task's next step, and queues the effects for after the commit.
   */
  private async commit(
    m: EntityManager,
    a: EndingAttempt,
    plan: AttemptSettlement,
    replicas: readonly { a: EndingAttempt; plan: AttemptSettlement }[],
    effects: Effect[],
  ): Promise<void> {
    const ended = [{ a, plan }, ...replicas];
    const writes = endsWithVerdicts(
      ended.map((e) => ({ attemptId: e.a.id, end: e.plan.attempt })),
      plan.verdicts,
    );
    for (const e of writes.ends) await this.attempts.recordEnd(m, e.attemptId, e.end);
    await this.attempts.recordVerdicts(m, writes.verdicts);
    const standing = standingChanges(plan.verdicts);
    await this.capacity.lockInOrder(m, [...ended.map((e) => e.a.nodeId), ...standing.map((c) => c.nodeId)]);
    for (const { plan: p } of ended) {
      await this.capacity.giveBack(m, p.node.nodeId, p.node.release, p.node.fault, p.node.disprovedClaim);
      const stop = p.stop;
      if (stop) effects.push(() => this.dispatch.sendStop(stop.nodeId, stop));
    }
    await this.capacity.changeStanding(m, standing);
    // the task as this transaction leaves it (its counters below, its end in finalize): what the
    // events published after the commit carry, read again only when the task row was not written
    const task: { state?: TaskProgressRow } = {};
    effects.push(() => {
      // the events first: a request waiting for the task's end is answered before the placement pass
      for (const e of ended) this.events.publish(a.taskId, 'attempt', e.plan.event, task.state);
      for (const v of plan.verdicts) this.validations.inc({ validation: v.validation });
      this.placement.request(plan.placementReason);
    });
    if (plan.shard) await this.shards.settle(m, a.shardId, plan.shard);
    if (plan.shard?.state === ShardState.Validating && plan.shard.askValidator) {
      // the validator's input (the shard's candidate results) is built after this commits
      const shardId = a.shardId;
      effects.push(async () => {
        await this.postProcessing.add(
          PostProcessingJob.PrepareValidator,
          { shardId },
          { jobId: `validator:${shardId}` },
        );
      });
    }
    const after = plan.task ? await this.tasks.addShardEnd(m, a.taskId, plan.task) : undefined;
    task.state = after?.state;
    // charged before the task can end: the end refunds what is left of the hold
    for (const c of plan.charges) await this.ledger.chargeWithin(m, a.taskId, c.amount, c.payee, c.key);
    if (after) await this.takeStep(m, a.taskId, nextTaskStep(after.counters, a), effects, after.state);
  }

  private async takeStep(
    m: EntityManager,
    taskId: string,
    step: TaskStep,
    effects: Effect[],
    state: TaskProgressRow,
  ): Promise<void> {
    switch (step.kind) {
      case 'continue':
        return;
      case 'aggregate':
        // the aggregate step's input (every shard's output) is built after this commits
        effects.push(async () => {
          await this.postProcessing.add(
            PostProcessingJob.PrepareAggregate,
            { taskId },
            { jobId: `aggregate:${taskId}` },
          );
        });
        return;
      case 'end-when-idle':
        if ((await this.shards.countOpen(m, taskId)) === 0)
          await this.finalize(m, taskId, step.status, effects, state);
        return;
      case 'end':
        await this.finalize(m, taskId, step.status, effects, state);
    }
  }

  /**
   * Ends a task (status, time, refund of the unused hold) unless it has ended already; `state`, the
   * task as this transaction has it, takes the status for the events after the commit.
   */
  private async finalize(
    m: EntityManager,
    taskId: string,
    status: TaskStatus,
    effects: Effect[],
    state?: TaskProgressRow,
  ): Promise<void> {
    if (!(await this.tasks.end(m, taskId, status))) return;
    if (state) state.status = status;
    await this.ledger.releaseIfHeldWithin(m, taskId);
    effects.push(() => this.events.publish(taskId, 'finished', {}, state));
  }

  /** Runs `work` in a transaction (retried whole on a deadlock), then the effects of the try that committed. */
  private async settle<T>(work: (m: EntityManager, effects: Effect[]) => Promise<T>): Promise<T> {
    const effects: Effect[] = [];
    const result = await this.tx.run((m) => {
      effects.length = 0;
      return work(m, effects);
    });
    for (const effect of effects) {
      try {
        await effect();
      } catch (error) {
        this.logger.warn(`after-commit step failed: ${(error as Error).message}`);
      }
    }
    return result;
  }
}
