import { Injectable, Logger } from '@nestjs/common';
import { type ReconcileReportView, TaskStatus } from '@hivemind/contracts';
import { NodeCapacityRepository } from '../nodes/node-capacity.repository';
import { NodesService } from '../nodes/nodes.service';
import { timedOutOutcome } from './attempt-outcome';
import { TIMED_OUT_DIGEST } from './validation';
import { AttemptsRepository } from './attempts.repository';
import { DispatchService } from './dispatch.service';
import { LifecycleService } from './lifecycle.service';
import { PlacementTrigger } from '../queues/placement-trigger';
import { TaskStateRepository } from './task-state.repository';
import { UNLISTED_RULE, unlistedAttempts } from './unlisted-attempts';

/** An assignment nobody took up for this long is sent again. */
const REDISPATCH_AFTER_S = 30;
/** A running attempt this long past its timeout is failed by the pool (the worker should have). */
const TIMEOUT_GRACE_S = 120;

/**
 * Puts the derived state back in line with the truth (docs/design.md "Failure handling",
 * CLI `fix-resources`): node allocations rebuilt from live attempts; attempts on offline nodes lost,
 * and attempts their node's heartbeats no longer list (unlisted-attempts.ts); assignments re-sent;
 * attempts far past their timeout failed; finished tasks finalized; and a
 * placement pass requested, which is all a Redis flush needs, since the queue's order lives in
 * PostgreSQL. Safe to run any time, on any replica, as often as wanted.
 */
@Injectable()
export class ReconcilerService {
  private readonly logger = new Logger(ReconcilerService.name);

  constructor(
    private readonly attempts: AttemptsRepository,
    private readonly capacity: NodeCapacityRepository,
    private readonly tasks: TaskStateRepository,
    private readonly lifecycle: LifecycleService,
    private readonly dispatch: DispatchService,
    private readonly placement: PlacementTrigger,
    private readonly nodes: NodesService,
  ) {}

  async reconcile(): Promise<ReconcileReportView> {
    const nodesFixed = await this.capacity.rebuildAll();

    const attemptsLost =
      (await this.lifecycle.loseAttempts(
        await this.attempts.liveIdsOnOfflineNodes(),
        'the node is offline',
      )) + (await this.loseUnlisted());

    const overdue = await this.attempts.overdue(TIMEOUT_GRACE_S);
    let timedOut = 0;
    for (const a of overdue) {
      const result = await this.lifecycle.complete(a, timedOutOutcome(a.timeout_s, TIMEOUT_GRACE_S), {
        digest: TIMED_OUT_DIGEST,
        refused: null,
      });
      if (result.recorded) {
        timedOut++;
        await this.dispatch.sendStop(a.node_id, {
          attemptId: a.id,
          taskId: a.task_id,
          fencingToken: a.fencing_token,
          reason: 'timed out',
        });
      }
    }

    const stale = await this.attempts.staleAssignedIds(REDISPATCH_AFTER_S);
    if (stale.length) await this.dispatch.sendAssigned(stale);

    const tasksFinalized = await this.finalizeEnded();
    await this.placement.enqueue('reconciler');
    const report: ReconcileReportView = {
      nodes_fixed: nodesFixed,
      attempts_lost: attemptsLost,
      attempts_timed_out: timedOut,
      attempts_redispatched: stale.length,
      tasks_finalized: tasksFinalized,
      placement_requested: true,
    };
    if (nodesFixed || attemptsLost || timedOut || tasksFinalized)
      this.logger.warn(`reconciled: ${JSON.stringify(report)}`);
    return report;
  }

  /**
   * RUNNING attempts that their (online) node's last heartbeats do not list: LOST, so their shards
   * run again elsewhere. Without the heartbeats' lists (Redis away) nothing is decided this time.
   */
  private async loseUnlisted(): Promise<number> {
    const running = await this.attempts.runningOnNodesUp(UNLISTED_RULE.marginMs / 1000);
    if (running.length === 0) return 0;
    let listings;
    try {
      listings = await this.nodes.listings([...new Set(running.map((r) => r.node_id))]);
    } catch (error) {
      this.logger.warn(
        `heartbeat listings unavailable, unlisted attempts not checked: ${(error as Error).message}`,
      );
      return 0;
    }
    const unlisted = unlistedAttempts(
      running.map((r) => ({ id: r.id, nodeId: r.node_id, startedAtMs: r.started_at.getTime() })),
      listings,
    );
    return this.lifecycle.loseAttempts(
      unlisted,
      `its node has not listed it in its last ${UNLISTED_RULE.heartbeats} heartbeats: the node no longer runs it`,
    );
  }

  /** Tasks whose shards have all ended but which were left open (a crash between the two). */
  private async finalizeEnded(): Promise<number> {
    const open = await this.tasks.endedButOpen();
    for (const t of open) {
      await this.lifecycle.endTask(t.id, t.failed > 0 ? TaskStatus.Failed : TaskStatus.Completed);
    }
    return open.length;
  }
}
