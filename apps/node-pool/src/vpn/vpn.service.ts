import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type VpnPeerView, type VpnServerView } from '@hivemind/contracts';
import { type AuthUser, isAdmin, mayAccess } from '../accounts/auth-user';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { SecretBox } from '../common/secret-box';
import { type PeerRow, VpnPeersRepository } from './vpn-peers.repository';
import {
  generateKeyPair,
  hostAddress,
  type KeyPair,
  renderClientConfig,
  renderServerConfig,
} from '@hivemind/contracts/wireguard';

/**
 * The pool's WireGuard network: its server key pair (made once, shared by every replica), the
 * peers' views and client configs and the server's wg0.conf. Private keys are kept sealed
 * (AES-GCM under VPN_KEY_SECRET). New peers: VpnPeerIssuer.
 */
@Injectable()
export class VpnService implements OnApplicationBootstrap {
  private readonly logger = new Logger(VpnService.name);
  readonly box: SecretBox;
  private serverKeys?: Promise<KeyPair>;

  constructor(
    private readonly peers: VpnPeersRepository,
    private readonly config: NodePoolConfig,
  ) {
    this.box = new SecretBox(config.vpn.keySecret);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.serverKeyPair();
    const outside = await this.peers.activeOutside(this.config.vpn.subnet);
    if (outside > 0) {
      // e.g. a deployment that relied on the old default 10.0.0.0/24
      this.logger.warn(
        `${outside} active VPN peer(s) have addresses outside VPN_SUBNET ${this.config.vpn.subnet.cidr}: set VPN_SUBNET to a network that holds them (10.0.0.0/24 was the default before 10.128.0.0/16), or revoke them`,
      );
    }
  }

  /** The server's key pair: made on first start (the first replica's insert wins), then cached. */
  serverKeyPair(): Promise<KeyPair> {
    this.serverKeys ??= this.loadServerKeys().catch((error: unknown) => {
      this.serverKeys = undefined;
      throw error;
    });
    return this.serverKeys;
  }

  private async loadServerKeys(): Promise<KeyPair> {
    const fresh = generateKeyPair();
    const row = await this.peers.serverKeys({
      publicKey: fresh.publicKey,
      sealedPrivateKey: this.box.seal(fresh.privateKey),
    });
    let privateKey: string;
    try {
      privateKey = this.box.open(row.private_key_encrypted);
    } catch {
      throw new Error(
        'the VPN server key in the database was sealed under another secret: set VPN_KEY_SECRET (or JWT_SECRET) to the one it was made with',
      );
    }
    return { publicKey: row.public_key, privateKey };
  }

  async server(): Promise<VpnServerView> {
    const { vpn } = this.config;
    return {
      public_key: (await this.serverKeyPair()).publicKey,
      endpoint: vpn.endpoint,
      subnet: vpn.subnet.cidr,
      address: hostAddress(vpn.subnet, 1),
      dns: vpn.dns,
      allowed_ips: vpn.allowedIps,
    };
  }

  /** A peer just made, with its client config. */
  async issued(id: string): Promise<{ peer: VpnPeerView; config: string }> {
    const row = (await this.peers.byId(id))!;
    return { peer: toPeerView(row), config: await this.renderClient(row) };
  }

  /** The caller's peers (admins with `all`: everyone's), newest first. */
  async list(
    user: AuthUser,
    options: { all?: boolean; includeRevoked?: boolean } = {},
  ): Promise<VpnPeerView[]> {
    const everyone = options.all === true && isAdmin(user);
    if (options.all && !everyone)
      throw new DomainError('forbidden', 'only admins may list every user’s peers');
    const rows = await this.peers.list({
      everyone,
      userId: user.id,
      includeRevoked: options.includeRevoked === true,
    });
    return rows.map(toPeerView);
  }

  /**
   * Revokes a peer: its address and key are free again and it leaves the server config. `revoked`
   * is false when it already was. Callers go through VpnPeerIssuer.revoke, which audits it.
   */
  async revoke(user: AuthUser, id: string): Promise<{ peer: VpnPeerView; revoked: boolean }> {
    const row = await this.visible(user, id);
    if (!row.revoked_at) await this.peers.revoke(id);
    return { peer: toPeerView((await this.peers.byId(id))!), revoked: !row.revoked_at };
  }

  /** A peer's client config (its name, for the download's file name). */
  async clientConfig(user: AuthUser, id: string): Promise<{ name: string; config: string }> {
    const row = await this.visible(user, id);
    if (row.revoked_at) {
      throw new DomainError(
        'gone',
        `peer ${row.name} was revoked on ${row.revoked_at.toISOString()}: its config no longer works; create a new peer`,
      );
    }
    return { name: row.name, config: await this.renderClient(row) };
  }

  /** The server's wg0.conf with every active peer. */
  async serverConfig(): Promise<string> {
    const { privateKey } = await this.serverKeyPair();
    const { subnet, listenPort } = this.config.vpn;
    const peers = await this.peers.active();
    return renderServerConfig({
      privateKey,
      address: `${hostAddress(subnet, 1)}/${subnet.prefix}`,
      listenPort,
      peers: peers.map((p) => ({ name: p.name, publicKey: p.public_key, address: p.address })),
    });
  }

  private async renderClient(row: PeerRow): Promise<string> {
    const { vpn } = this.config;
    return renderClientConfig({
      name: row.name,
      ...(row.private_key_encrypted ? { privateKey: this.box.open(row.private_key_encrypted) } : {}),
      address: row.address,
      dns: vpn.dns,
      serverPublicKey: (await this.serverKeyPair()).publicKey,
      endpoint: vpn.endpoint,
      allowedIps: vpn.allowedIps,
      keepaliveS: 25,
    });
  }

  /** The peer if the caller may see it (its owner or an admin); 404 otherwise. */
  private async visible(user: AuthUser, id: string): Promise<PeerRow> {
    const row = await this.peers.byId(id);
    if (!row || !mayAccess(user, row.owner_id)) {
      throw new DomainError('not_found', `no VPN peer ${id}`);
    }
    return row;
  }
}

function toPeerView(row: PeerRow): VpnPeerView {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    public_key: row.public_key,
    owner: row.owner,
    node_id: row.node_id,
    node_name: row.node_name,
    key_source: row.private_key_encrypted ? 'pool' : 'client',
    created_at: row.created_at.toISOString(),
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}
