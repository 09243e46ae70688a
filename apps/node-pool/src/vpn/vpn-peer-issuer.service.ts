import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { VPN_PEER_NAME_PATTERN, VPN_PEER_NAME_RULE, type VpnPeerView } from '@hivemind/contracts';
import { generateKeyPair, hostAddress, isWireGuardKey } from '@hivemind/contracts/wireguard';
import { type AuthUser, isAdmin, mayAccess } from '../accounts/auth-user';
import { AuditService } from '../audit/audit.service';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation } from '../common/transaction';
import { devicePeerLimit, hostRanges, rangesFor, type Standing, standingOf } from './vpn-peer-policy';
import { type NodeRef, VpnPeersRepository } from './vpn-peers.repository';
import { VpnRateLimiter } from './vpn-rate-limiter';
import { VpnService } from './vpn.service';
import { VpnLiveSync } from './vpn-live-sync.service';

export interface NewPeer {
  name?: string;
  /** The client's own public key: the pool then never sees the private key. */
  publicKey?: string;
  /** A worker node the caller owns (name or id). */
  node?: string;
}

/**
 * Issues peers under the address policy (docs/vpn.md, "Quotas and rate limits"): input checked,
 * then the rate limits (per client address and per user, shared by replicas), then — under the
 * allocation lock — the caller's quota for their standing, and an address from the ranges the
 * peer may use.
 */
@Injectable()
export class VpnPeerIssuer {
  constructor(
    private readonly peers: VpnPeersRepository,
    private readonly vpn: VpnService,
    private readonly limiter: VpnRateLimiter,
    private readonly config: NodePoolConfig,
    private readonly audit: AuditService,
    private readonly live: VpnLiveSync,
  ) {}

  /**
   * A new peer for `user`, asked for from `clientAddress`, with its client config; audited. With
   * VPN_APPLY=live the answer comes once the peer is on the interface (or that failed, logged).
   */
  async create(
    user: AuthUser,
    spec: NewPeer,
    clientAddress: string,
  ): Promise<{ peer: VpnPeerView; config: string }> {
    const actor = { id: user.id, username: user.username };
    const issued = await this.audit.refusalsOf(
      { action: 'vpn.peer_create', actor, detail: { node: spec.node } },
      () => this.createChecked(user, spec, clientAddress),
    );
    await this.live.sync();
    return issued;
  }

  /**
   * Revokes a peer (VpnService.revoke), audited (vpn.peer_revoke) when it was still active; with
   * VPN_APPLY=live it is off the interface when this answers.
   */
  async revoke(user: AuthUser, id: string): Promise<VpnPeerView> {
    const actor = { id: user.id, username: user.username };
    const target = { type: 'vpn_peer' as const, id: id.slice(0, 128) };
    const revoked = await this.audit.refusalsOf({ action: 'vpn.peer_revoke', actor, target }, async () => {
      const { peer, revoked } = await this.vpn.revoke(user, id);
      if (revoked) {
        const detail = { name: peer.name, address: peer.address };
        await this.audit.record({ action: 'vpn.peer_revoke', actor, target, detail });
      }
      return peer;
    });
    await this.live.sync();
    return revoked;
  }

  private async createChecked(
    user: AuthUser,
    spec: NewPeer,
    clientAddress: string,
  ): Promise<{ peer: VpnPeerView; config: string }> {
    const publicKey = spec.publicKey?.trim();
    if (publicKey !== undefined && !isWireGuardKey(publicKey)) {
      throw new DomainError(
        'invalid',
        'public_key must be a WireGuard public key: 44 characters of base64, as `wg pubkey` prints it',
        { field: 'public_key' },
      );
    }
    if (spec.name !== undefined && !VPN_PEER_NAME_PATTERN.test(spec.name)) {
      throw new DomainError('invalid', `name must be ${VPN_PEER_NAME_RULE}`, { field: 'name' });
    }
    if (!isAdmin(user)) await this.limiter.creation(user.id, clientAddress);
    const keys = publicKey ? undefined : generateKeyPair();

    const id = await this.peers.transaction(async (m) => {
      const node = spec.node === undefined ? undefined : await this.ownedNode(m, user, spec.node);
      await this.peers.lockAllocation(m);
      const standing = standingOf(
        { ...user, createdAt: (await this.peers.accountCreatedAt(m, user.id)) ?? new Date() },
        this.config.vpn,
        new Date(),
      );
      const defaultName = node ? node.name : await this.checkDeviceQuota(m, user, standing);
      if (node) await this.checkNodePeer(m, node);
      const host = await this.freeHost(m, standing, node !== undefined);
      try {
        const peerId = await this.peers.insert(m, {
          userId: node ? null : user.id,
          nodeId: node?.id ?? null,
          name: spec.name ?? defaultName,
          address: hostAddress(this.config.vpn.subnet, host),
          publicKey: keys?.publicKey ?? publicKey!,
          sealedPrivateKey: keys ? this.vpn.box.seal(keys.privateKey) : null,
        });
        await this.audit.record(
          {
            action: 'vpn.peer_create',
            actor: { id: user.id, username: user.username },
            target: { type: 'vpn_peer', id: peerId },
            detail: { node: node?.name, address: hostAddress(this.config.vpn.subnet, host) },
          },
          m,
        );
        return peerId;
      } catch (error) {
        if (isUniqueViolation(error, 'uq_vpn_peers_public_key_active')) {
          throw new DomainError(
            'conflict',
            'that public key already belongs to an active peer: make a new key pair',
            { field: 'public_key' },
          );
        }
        throw error;
      }
    });
    return this.vpn.issued(id);
  }

  /** Refuses a device peer over the caller's quota; else the default name of the new one. */
  private async checkDeviceQuota(m: EntityManager, user: AuthUser, standing: Standing): Promise<string> {
    const { vpn } = this.config;
    const count = await this.peers.activeDevicePeers(m, user.id);
    if (count >= devicePeerLimit(standing, vpn)) {
      throw new DomainError(
        'exhausted',
        standing === 'new'
          ? `you have ${count} VPN peers, the most a new account may hold (VPN_NEW_ACCOUNT_PEERS); accounts older than ${vpn.establishedAfterDays} days may hold ${vpn.maxPeersPerUser}: revoke one you no longer use`
          : `you have ${count} VPN peers, the most allowed (VPN_MAX_PEERS_PER_USER): revoke one you no longer use`,
      );
    }
    return `${user.username}-${count + 1}`;
  }

  /** A node has one peer at a time: one per node is what owning nodes earns. */
  private async checkNodePeer(m: EntityManager, node: NodeRef): Promise<void> {
    const existing = await this.peers.activeNodePeer(m, node.id);
    if (existing) {
      throw new DomainError(
        'conflict',
        `node ${node.name} already has a VPN peer (${existing.name}): revoke it first to make a new one`,
        { field: 'node' },
      );
    }
  }

  private async freeHost(m: EntityManager, standing: Standing, forNode: boolean): Promise<number> {
    const { subnet, reservePercent } = this.config.vpn;
    const ranges = hostRanges(subnet, reservePercent);
    const allowed = rangesFor(ranges, { standing, forNode });
    for (const range of allowed) {
      const host = await this.peers.freeHost(m, subnet, range);
      if (host !== undefined) return host;
    }
    if (ranges.reserve && allowed.length === 1) {
      throw new DomainError(
        'exhausted',
        `the VPN subnet ${subnet.cidr} has no free address for this peer: its last ${reservePercent} % (VPN_RESERVE_PERCENT) is kept for admins and the worker nodes of established accounts; revoke unused peers, or an operator widens VPN_SUBNET`,
      );
    }
    throw new DomainError(
      'exhausted',
      `the VPN subnet ${subnet.cidr} has no free address (${subnet.size - 3} peers): revoke unused peers, or an operator widens VPN_SUBNET`,
    );
  }

  private async ownedNode(m: EntityManager, user: AuthUser, nameOrId: string): Promise<NodeRef> {
    const node = await this.peers.findNode(m, nameOrId);
    if (!node || !mayAccess(user, node.owner_id)) {
      throw new DomainError('not_found', `no node ${nameOrId} of yours`, { field: 'node' });
    }
    return node;
  }
}
