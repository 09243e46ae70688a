import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { AttemptState, type ReconcileReportView, TaskStatus } from '@hivemind/contracts';
import { inTransaction, updateReturning } from '../common/transaction';
import { NodesService } from '../nodes/nodes.service';
import { DispatchService } from './dispatch.service';
import { LifecycleService } from './lifecycle.service';
import { PlacementTrigger } from './placement-trigger';
import { UNLISTED_RULE, unlistedAttempts } from './unlisted-attempts';

/** An assignment nobody took up for this long is sent again. */
const REDISPATCH_AFTER_S = 30;
/** A running attempt this long past its timeout is failed by the pool (the worker should have). */
const TIMEOUT_GRACE_S = 120;

/**
 * Puts the derived state back in line with the truth (DESIGN.md "Resource accounting cannot drift",
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
    @InjectDataSource() private readonly db: DataSource,
    private readonly lifecycle: LifecycleService,
    private readonly dispatch: DispatchService,
    private readonly placement: PlacementTrigger,
    private readonly nodes: NodesService,
  ) {}

  async reconcile(): Promise<ReconcileReportView> {
    const nodesFixed = await this.rebuildAllocations();

    const orphaned = await this.db.query<{ id: string }[]>(
      `SELECT a.id FROM attempts a JOIN nodes n ON n.id = a.node_id
       WHERE a.state IN ('ASSIGNED', 'RUNNING') AND n.status = 'offline'`,
    );
    const attemptsLost =
      (await this.lifecycle.loseAttempts(
        orphaned.map((r) => r.id),
        'the node is offline',
      )) + (await this.loseUnlisted());

    const overdue = await this.db.query<
      { id: string; node_id: string; fencing_token: string; task_id: string; timeout_s: number }[]
    >(
      `SELECT a.id, a.node_id, a.fencing_token, a.task_id, t.timeout_s FROM attempts a JOIN tasks t ON t.id = a.task_id
       WHERE a.state = 'RUNNING' AND a.started_at < now() - make_interval(secs => t.timeout_s + $1)`,
      [TIMEOUT_GRACE_S],
    );
    let timedOut = 0;
    for (const a of overdue) {
      const result = await this.lifecycle.complete(a, {
        state: AttemptState.Failed,
        cause: 'task',
        error: `timed out: still running ${TIMEOUT_GRACE_S} s after its ${a.timeout_s} s timeout`,
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

    const stale = await this.db.query<{ id: string }[]>(
      `SELECT id FROM attempts WHERE state = 'ASSIGNED' AND assigned_at < now() - make_interval(secs => $1)`,
      [REDISPATCH_AFTER_S],
    );
    if (stale.length) await this.dispatch.sendAssigned(stale.map((r) => r.id));

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
    const running = await this.db.query<{ id: string; node_id: string; started_at: Date }[]>(
      `SELECT a.id, a.node_id, a.started_at FROM attempts a JOIN nodes n ON n.id = a.node_id
       WHERE a.state = 'RUNNING' AND n.status <> 'offline'
         AND a.started_at < now() - make_interval(secs => $1)`,
      [UNLISTED_RULE.marginMs / 1000],
    );
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

  /**
   * Available = total − the allocations of live attempts, for every node. The node rows are locked
   * first (in id order, like every writer), so no allocation or completion is half-way meanwhile.
   */
  private async rebuildAllocations(): Promise<number> {
    return inTransaction(this.db, async (m) => {
      await m.query(`SELECT id FROM nodes ORDER BY id FOR UPDATE`);
      const fixed = await updateReturning<{ id: string }>(
        m,
        `UPDATE nodes n SET
           avail_cpu_millicores = n.cpu_millicores - l.cpu, avail_memory_mb = n.memory_mb - l.mem,
           avail_storage_mb = n.storage_mb - l.sto, avail_gpu_memory_mb = n.gpu_memory_mb - l.gmem,
           avail_cpu_score = n.cpu_score, avail_gpu_score = n.gpu_score,
           running_attempts = l.cnt, updated_at = now()
         FROM (
           SELECT n2.id, coalesce(sum(a.alloc_cpu_millicores), 0) AS cpu, coalesce(sum(a.alloc_memory_mb), 0) AS mem,
             coalesce(sum(a.alloc_storage_mb), 0) AS sto, coalesce(sum(a.alloc_gpu_memory_mb), 0) AS gmem,
             count(a.id) AS cnt
           FROM nodes n2 LEFT JOIN attempts a ON a.node_id = n2.id AND a.state IN ('ASSIGNED', 'RUNNING')
           GROUP BY n2.id
         ) l
         WHERE n.id = l.id AND (n.avail_cpu_millicores, n.avail_memory_mb, n.avail_storage_mb, n.avail_gpu_memory_mb,
           n.running_attempts) IS DISTINCT FROM
           (n.cpu_millicores - l.cpu, n.memory_mb - l.mem, n.storage_mb - l.sto, n.gpu_memory_mb - l.gmem, l.cnt::int)
         RETURNING n.id`,
      );
      return fixed.length;
    });
  }

  /** Tasks whose shards have all ended but which were left open (a crash between the two). */
  private async finalizeEnded(): Promise<number> {
    const open = await this.db.query<{ id: string; failed: number }[]>(
      `SELECT t.id, t.shards_failed AS failed FROM tasks t
       WHERE t.status IN ('QUEUED', 'RUNNING')
         AND NOT EXISTS (SELECT 1 FROM shards s WHERE s.task_id = t.id AND s.state IN ('QUEUED', 'ASSIGNED', 'RUNNING'))
         AND (t.shards_failed > 0 OR t.shards_completed >= t.shards_total)`,
    );
    for (const t of open) {
      const effects: (() => void | Promise<void>)[] = [];
      await inTransaction(this.db, (m) =>
        this.lifecycle.finalize(m, t.id, t.failed > 0 ? TaskStatus.Failed : TaskStatus.Completed, effects),
      );
      for (const effect of effects) await effect();
    }
    return open.length;
  }
}
