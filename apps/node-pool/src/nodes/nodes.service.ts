import { Injectable, Logger } from '@nestjs/common';
import { INITIAL_CREDIT_SCORE, NodeStatus, type TrustGroup, trustGroupOf } from '@hivemind/contracts';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { type AuthUser } from '../accounts/auth-user';
import { PlacementTrigger } from '../queues/placement-trigger';
import { TelemetryService } from '../telemetry/telemetry.service';
import { type NodeTelemetryEvent } from '../telemetry/telemetry-events';
import { type AttemptListing, encodeListing } from './attempt-listing';
import { HeartbeatRepository, type LiveFigures } from './heartbeat.repository';
import { HeartbeatPacer } from './heartbeat-pacer';
import { NodeCredentialService } from './node-credential.service';
import { NodeDirectory } from './node-directory';
import { NodeRevocations } from './node-revocations';
import { type RegistrationRequest, parseRegistration } from './node-registration';
import { NodeCapacityRepository } from './node-capacity.repository';
import { type NodeRecord, NodesRepository } from './nodes.repository';
import { type HeartbeatFigures, normalizeFigures } from './utilization';

/** A node with what Redis knows of it right now. */
export interface LiveNode {
  node: NodeRecord;
  live: LiveFigures;
}

export interface Registration extends LiveNode {
  /** The node's credential from now on (the previous one stops working). */
  credential: string;
  /** What the node's client certificate is bound to (sha256 of the credential's id). */
  credentialHash: string;
  created: boolean;
  /** Heartbeat after this many seconds (HeartbeatPacer). */
  heartbeatIntervalS: number;
  /** CPT the node has earned its owner so far (read once here, for the worker's console). */
  cptEarned: number;
}

/** A heartbeat's answer. */
export interface HeartbeatAnswer {
  cameOnline: boolean;
  trust?: { creditScore: number; group: TrustGroup };
  /** Heartbeat again after this many seconds; the node is lost after `heartbeatTimeoutS` of silence. */
  heartbeatIntervalS: number;
  heartbeatTimeoutS: number;
}

/** Telemetry carries at most one heartbeat event per node per this interval. */
export const HEARTBEAT_EVENT_INTERVAL_MS = 5_000;

/**
 * Worker nodes: registration, heartbeats, the node list and drain. PostgreSQL holds the nodes;
 * heartbeats go to Redis only, and PostgreSQL is written when a node's status changes.
 */
@Injectable()
export class NodesService {
  private readonly logger = new Logger(NodesService.name);
  /** Per replica: when each node's last heartbeat event went out (the throttle). */
  private readonly heartbeatEventAt = new Map<string, number>();

  constructor(
    private readonly nodes: NodesRepository,
    private readonly capacity: NodeCapacityRepository,
    private readonly heartbeats: HeartbeatRepository,
    private readonly directory: NodeDirectory,
    private readonly credentials: NodeCredentialService,
    private readonly telemetry: TelemetryService,
    private readonly placement: PlacementTrigger,
    private readonly revocations: NodeRevocations,
    private readonly audit: AuditService,
    private readonly pacer: HeartbeatPacer,
  ) {}

  /**
   * Registers `owner`'s node, or registers it again: same name and owner → its figures are
   * updated, its credential rotated, its credit score kept; a name another user's node has is
   * refused. The node is online (a drained node stays draining) and its free resources are
   * rebuilt from its live attempts.
   */
  register(owner: AuthUser, request: RegistrationRequest, nowMs = Date.now()): Promise<Registration> {
    const actor = { id: owner.id, username: owner.username };
    return this.audit.refusalsOf({ action: 'node.register', actor }, () =>
      this.registerChecked(owner, request, nowMs),
    );
  }

  /** register(), audited (node.register) in the transaction that stores the node. */
  private async registerChecked(
    owner: AuthUser,
    request: RegistrationRequest,
    nowMs: number,
  ): Promise<Registration> {
    const spec = parseRegistration(request);
    const credentialId = this.credentials.newCredentialId();
    const now = new Date(nowMs);
    const { node, created } = await this.nodes.transaction(async (manager) => {
      const row = await this.nodes.upsertRegistration(
        manager,
        owner.id,
        spec,
        INITIAL_CREDIT_SCORE,
        credentialId.hash,
        now,
      );
      if (!row) {
        throw new DomainError(
          'conflict',
          `the node name ${spec.name} belongs to another user's node: choose another node_id (NODE_ID)`,
          { field: 'node_id' },
        );
      }
      // a separate statement, after the upsert locked the row (see NodeCapacityRepository.recompute)
      await this.capacity.recompute(manager, row.id);
      const stored = await this.nodes.findById(row.id, manager);
      if (!stored) throw new Error(`node ${row.id} vanished inside its registration`);
      await this.audit.record(
        {
          action: 'node.register',
          actor: { id: owner.id, username: owner.username },
          target: { type: 'node', id: row.id },
          detail: { name: stored.name, created: row.created },
        },
        manager,
      );
      return { node: stored, created: row.created };
    });

    this.directory.put(node.id, {
      credentialHash: credentialId.hash,
      name: node.name,
      status: node.status,
      ownerActive: true,
      creditScore: node.creditScore,
      dockerStatus: node.dockerStatus,
    });
    const schedule = this.pacer.schedule();
    await this.heartbeats.markSeen(node.id, nowMs, nowMs + schedule.timeoutS * 1000);
    const credential = await this.credentials.sign(
      { nodeId: node.id, ownerId: owner.id, name: node.name },
      credentialId.jti,
    );
    this.logger.log(`node ${node.name} ${created ? 'registered' : 'registered again'} by ${owner.username}`);
    this.publish('registered', node);
    this.placement.request(`node ${node.name} registered`);
    const cptEarned = await this.nodes.cptEarned(node.id);
    return {
      node,
      live: { lastSeenMs: nowMs },
      credential,
      credentialHash: credentialId.hash,
      created,
      heartbeatIntervalS: schedule.intervalS,
      cptEarned,
    };
  }

  /**
   * One heartbeat: one Redis round trip, no PostgreSQL, no log line, unless the node was offline
   * (then one UPDATE sets it online again and placement is asked for a pass). The answer says when
   * to heartbeat next; the node's deadline moves to now + the pacer's timeout.
   * Public and transport-free so a benchmark can drive it.
   */
  async heartbeat(
    nodeId: string,
    figures: HeartbeatFigures & { runningAttemptIds?: readonly string[] },
    nowMs = Date.now(),
  ): Promise<HeartbeatAnswer> {
    const normalized = normalizeFigures(figures);
    const listing = encodeListing(figures.runningAttemptIds, nowMs);
    const schedule = this.pacer.schedule();
    const deadlineMs = nowMs + schedule.timeoutS * 1000;
    const { firstSeen } = await this.heartbeats.record(nodeId, normalized, nowMs, deadlineMs, listing);
    let cameOnline = false;
    // Redis had no entry (the node is new, was declared offline, or Redis lost its data), or this
    // replica last read the node as offline (PostgreSQL changed behind the heartbeats' back): then,
    // and only then, PostgreSQL is asked
    const cached = this.directory.peek(nodeId);
    if (firstSeen || cached?.status === NodeStatus.Offline) {
      let back: NodeRecord | undefined;
      try {
        back = await this.nodes.markOnlineIfOffline(nodeId, new Date(nowMs));
      } catch (error) {
        // without its entry the next heartbeat is "first seen" again and retries this
        await this.heartbeats.forget([nodeId]).catch(() => undefined);
        throw error;
      }
      // not offline after all: no second look until the cached row is read again
      if (!back && cached?.status === NodeStatus.Offline)
        this.directory.noteStatus(nodeId, NodeStatus.Online);
      if (back) {
        cameOnline = true;
        this.directory.noteStatus(nodeId, NodeStatus.Online);
        this.logger.log(`node ${back.name} is back online`);
        this.publish('online', back);
        this.placement.request(`node ${back.name} back online`);
      }
    }
    this.publishHeartbeat(nodeId, normalized, nowMs);
    // what the credential check read (at most the directory's TTL old): no query of its own
    const known = this.directory.peek(nodeId);
    return {
      cameOnline,
      heartbeatIntervalS: schedule.intervalS,
      heartbeatTimeoutS: schedule.timeoutS,
      ...(known
        ? {
            trust: {
              creditScore: known.creditScore,
              group: trustGroupOf(known.creditScore, known.dockerStatus),
            },
          }
        : {}),
    };
  }

  async list(options: {
    limit: number;
    afterName?: string;
    status?: NodeStatus;
    ownerUsername?: string;
  }): Promise<LiveNode[]> {
    return this.withLive(await this.nodes.page(options));
  }

  async all(): Promise<LiveNode[]> {
    return this.withLive(await this.nodes.all());
  }

  async get(id: string): Promise<LiveNode> {
    const [found] = await this.withLive([await this.require(id)]);
    return found;
  }

  /**
   * Revokes a node (an admin's act): its credential and the certificates bound to it stop working
   * on every replica at once and its push stream is closed; its heartbeats are refused, so it goes
   * offline as any silent node does and its attempts are handed on. Its owner may register it again.
   */
  async revoke(id: string): Promise<LiveNode> {
    if (!(await this.nodes.revokeCredential(id))) throw new DomainError('not_found', `no node ${id}`);
    await this.revocations.announce(id);
    const node = await this.require(id);
    await this.audit.record({
      action: 'node.revoke',
      target: { type: 'node', id },
      detail: { name: node.name },
    });
    this.logger.warn(`node ${node.name} revoked: its credential and certificate no longer work`);
    return (await this.withLive([node]))[0];
  }

  /** online → draining: the node takes no new attempts and finishes those it has. Idempotent. */
  async drain(id: string): Promise<LiveNode> {
    const changed = await this.nodes.changeStatus(id, NodeStatus.Online, NodeStatus.Draining);
    const node = await this.require(id);
    if (changed) {
      await this.audit.record({
        action: 'admin.node_drain',
        target: { type: 'node', id },
        detail: { name: node.name },
      });
      this.directory.noteStatus(id, NodeStatus.Draining);
      this.logger.log(`node ${node.name} draining`);
      this.publish('draining', node);
    } else if (node.status === NodeStatus.Offline) {
      throw new DomainError('conflict', `node ${node.name} is offline: only an online node can be drained`);
    }
    return (await this.withLive([node]))[0];
  }

  /** draining → online: the node takes new attempts again. Idempotent. */
  async undrain(id: string): Promise<LiveNode> {
    const changed = await this.nodes.changeStatus(id, NodeStatus.Draining, NodeStatus.Online);
    const node = await this.require(id);
    if (changed) {
      await this.audit.record({
        action: 'admin.node_undrain',
        target: { type: 'node', id },
        detail: { name: node.name },
      });
      this.directory.noteStatus(id, NodeStatus.Online);
      this.logger.log(`node ${node.name} undrained`);
      this.publish('online', node);
      this.placement.request(`node ${node.name} undrained`);
    } else if (node.status === NodeStatus.Offline) {
      throw new DomainError(
        'conflict',
        `node ${node.name} is offline: it comes back online by itself with its next heartbeat`,
      );
    }
    return (await this.withLive([node]))[0];
  }

  /** What each node's last heartbeats said it runs (newest first), for the reconciler. */
  listings(nodeIds: readonly string[]): Promise<Map<string, AttemptListing[]>> {
    return this.heartbeats.listings(nodeIds);
  }

  /** A node by id, or a not_found refusal. */
  async require(id: string): Promise<NodeRecord> {
    const node = await this.nodes.findById(id);
    if (!node) throw new DomainError('not_found', `no node with id ${id}`);
    return node;
  }

  private async withLive(nodes: NodeRecord[]): Promise<LiveNode[]> {
    const live = await this.heartbeats.live(nodes.map((n) => n.id));
    return nodes.map((node) => ({ node, live: live.get(node.id) ?? {} }));
  }

  private publish(event: 'registered' | 'online' | 'draining', node: NodeRecord): void {
    this.telemetry.publish({
      type: 'node',
      event,
      nodeId: node.id,
      name: node.name,
      status: node.status,
      creditScore: node.creditScore,
      trustGroup: trustGroupOf(node.creditScore, node.dockerStatus),
      at: new Date().toISOString(),
    });
  }

  /** At most one heartbeat event per node per HEARTBEAT_EVENT_INTERVAL_MS (per replica). */
  private publishHeartbeat(nodeId: string, figures: HeartbeatFigures, nowMs: number): void {
    // nobody watches node events on any replica: heartbeat events would be read by all for nothing
    if (!this.telemetry.nodeEventsWatched()) return;
    const last = this.heartbeatEventAt.get(nodeId);
    if (last !== undefined && nowMs - last < HEARTBEAT_EVENT_INTERVAL_MS) return;
    // bounded by the number of nodes; cleared should ids ever pile up (e.g. a benchmark's)
    if (this.heartbeatEventAt.size > 200_000) this.heartbeatEventAt.clear();
    this.heartbeatEventAt.set(nodeId, nowMs);
    const known = this.directory.peek(nodeId);
    const event: NodeTelemetryEvent = {
      type: 'node',
      event: 'heartbeat',
      nodeId,
      name: known?.name ?? '',
      status: known?.status ?? NodeStatus.Online,
      cpuPercent: figures.cpuPercent,
      memoryPercent: figures.memoryPercent,
      runningAttempts: figures.runningAttempts,
      at: new Date(nowMs).toISOString(),
    };
    this.telemetry.publish(event);
  }
}
