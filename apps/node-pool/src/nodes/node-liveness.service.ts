import { Injectable, Logger } from '@nestjs/common';
import { NodeStatus } from '@hivemind/contracts';
import { TelemetryService } from '../telemetry/telemetry.service';
import { HeartbeatRepository } from './heartbeat.repository';
import { HeartbeatPacer } from './heartbeat-pacer';
import { sweepCutoffMs } from './heartbeat-schedule';
import { NodeDirectory } from './node-directory';
import { NodesRepository } from './nodes.repository';

/**
 * How often the sweep matches the deadlines in Redis against every node PostgreSQL has alive, when
 * Redis has not lost its data meanwhile (then at once).
 */
export const RECONCILE_EVERY_MS = 60_000;

/**
 * Declares nodes offline when they stop heartbeating: past the deadline their last heartbeat set
 * (HeartbeatPacer: 3 intervals, at least HEARTBEAT_TIMEOUT_S). The scheduler calls
 * `sweep()` from its repeatable maintenance job and turns the returned nodes' attempts LOST; this
 * service only changes the nodes.
 */
@Injectable()
export class NodeLivenessService {
  private readonly logger = new Logger(NodeLivenessService.name);
  /** Nodes cannot have heartbeated to a pool that was down: a new replica gives them one timeout. */
  private readonly startedAtMs = Date.now();

  constructor(
    private readonly pacer: HeartbeatPacer,
    private readonly nodes: NodesRepository,
    private readonly heartbeats: HeartbeatRepository,
    private readonly directory: NodeDirectory,
    private readonly telemetry: TelemetryService,
  ) {}

  /**
   * Marks offline every online or draining node past its heartbeat deadline, and returns the ids
   * of the nodes that went offline now (not those already offline). While a replica says it is
   * busy (HeartbeatPacer), every deadline counts as extended by one timeout: an overloaded pool
   * answers heartbeats late, and its healthy nodes must not pay for that.
   *
   * 1. Nodes PostgreSQL has alive but Redis has no record of (Redis restarted empty, or a write
   *    to it failed) get one dated now: a grace period of one timeout to heartbeat, rather than
   *    all going offline at once because of Redis. Listing every live node is the one step whose
   *    cost grows with the cluster, so it runs when Redis has lost its data (its
   *    `nodes:reconciled` mark is gone with it) and otherwise every RECONCILE_EVERY_MS, not at
   *    each sweep: the rest of a sweep reads only the nodes past their deadline.
   * 2. The stale nodes go offline in one UPDATE, which records when each was last seen — but not
   *    during the first timeout after this replica started: when the whole pool was down (an
   *    upgrade, a crash) no node could heartbeat, and declaring them all lost the moment it comes
   *    back would throw away every running attempt. They get one timeout to reconnect.
   * 3. Every stale entry leaves Redis (already offline or not): Redis then holds live nodes only,
   *    and the next heartbeat of any of them is "first seen", which brings the node back online.
   *    Should a heartbeat slip in between 2 and 3, the node misses one heartbeat's worth of being
   *    online; it is never left offline while heartbeating.
   */
  async sweep(nowMs = Date.now()): Promise<string[]> {
    const timeoutS = this.pacer.schedule().timeoutS;
    await this.reconcile(nowMs, timeoutS);
    if (this.startedAtMs > nowMs - timeoutS * 1000) return [];
    const extensionMs = await this.heartbeats.busyExtensionMs();
    const stale = await this.heartbeats.pastDeadline(sweepCutoffMs(nowMs, extensionMs));
    if (!stale.length) return [];
    const offline = await this.nodes.markOffline(stale);
    await this.heartbeats.forget(stale.map((s) => s.id));
    const at = new Date(nowMs).toISOString();
    for (const node of offline) {
      this.directory.noteStatus(node.id, NodeStatus.Offline);
      this.telemetry.publish({
        type: 'node',
        event: 'offline',
        nodeId: node.id,
        name: node.name,
        status: NodeStatus.Offline,
        at,
      });
    }
    if (offline.length) {
      this.logger.warn(
        `past their heartbeat deadline (timeout ${timeoutS} s${extensionMs ? `, extended by ${extensionMs / 1000} s: a replica is busy` : ''}), offline: ${offline
          .slice(0, 20)
          .map((n) => n.name)
          .join(', ')}${offline.length > 20 ? ` and ${offline.length - 20} more` : ''}`,
      );
    }
    return offline.map((n) => n.id);
  }

  /** Step 1 of a sweep, when it is due (see sweep). */
  private async reconcile(nowMs: number, timeoutS: number): Promise<void> {
    const reconciledAtMs = await this.heartbeats.reconciledAtMs();
    if (
      reconciledAtMs !== undefined &&
      nowMs - reconciledAtMs < RECONCILE_EVERY_MS &&
      reconciledAtMs <= nowMs
    )
      return;
    const forgotten = await this.heartbeats.addMissing(
      await this.nodes.idsNotOffline(),
      nowMs,
      nowMs + timeoutS * 1000,
    );
    await this.heartbeats.markReconciled(nowMs);
    if (forgotten.length) {
      this.logger.warn(
        `${forgotten.length} node(s) alive in PostgreSQL had no heartbeat record in Redis (was Redis emptied?): ` +
          `they have ${timeoutS} s to heartbeat before going offline`,
      );
    }
  }
}
