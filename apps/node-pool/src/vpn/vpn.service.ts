import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  UserRole,
  VPN_PEER_NAME_PATTERN,
  VPN_PEER_NAME_RULE,
  type VpnPeerView,
  type VpnServerView,
} from '@hivemind/contracts';
import { type AuthUser } from '../accounts/auth-user';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { inTransaction, isUniqueViolation } from '../common/transaction';
import { SecretBox } from './secret-box';
import {
  formatIpv4,
  generateKeyPair,
  hostAddress,
  isWireGuardKey,
  type KeyPair,
  renderClientConfig,
  renderServerConfig,
} from '@hivemind/contracts/wireguard';

/** One peer row with its owner's username and its node's name. */
interface PeerRow {
  id: string;
  name: string;
  address: string;
  public_key: string;
  private_key_encrypted: string | null;
  user_id: string | null;
  owner: string;
  node_id: string | null;
  node_name: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const PEER_SELECT = `
  SELECT p.id, p.name, host(p.address) AS address, p.public_key, p.private_key_encrypted, p.user_id,
         u.username AS owner, p.node_id, n.name AS node_name, p.created_at, p.revoked_at
    FROM vpn_peers p
    LEFT JOIN nodes n ON n.id = p.node_id
    JOIN users u ON u.id = COALESCE(p.user_id, n.owner_id)`;

/** Serializes address allocation across node-pool replicas (pg_advisory_xact_lock key). */
const ADDRESS_LOCK = 0x76706e; // "vpn"

export interface NewPeer {
  name?: string;
  /** The client's own public key: the pool then never sees the private key. */
  publicKey?: string;
  /** A worker node the caller owns (name or id). */
  node?: string;
}

/**
 * The pool's WireGuard network: its server key pair (made once, shared by every replica), peers
 * with addresses from VPN_SUBNET, their client configs and the server's wg0.conf. Private keys
 * are kept sealed (AES-GCM under VPN_KEY_SECRET).
 */
@Injectable()
export class VpnService implements OnApplicationBootstrap {
  private readonly box: SecretBox;
  private serverKeys?: Promise<KeyPair>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: NodePoolConfig,
  ) {
    this.box = new SecretBox(config.vpn.keySecret);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.serverKeyPair();
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
    await this.db.query(
      `INSERT INTO vpn_server_keys (id, public_key, private_key_encrypted) VALUES (1, $1, $2)
       ON CONFLICT (id) DO NOTHING`,
      [fresh.publicKey, this.box.seal(fresh.privateKey)],
    );
    const [row] = await this.db.query<{ public_key: string; private_key_encrypted: string }[]>(
      `SELECT public_key, private_key_encrypted FROM vpn_server_keys WHERE id = 1`,
    );
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

  /**
   * Issues a peer: the next free address of the subnet (the lowest, so revoked ones are reused),
   * a key pair unless the client sent its public key. Returns it with its client config.
   */
  async create(user: AuthUser, spec: NewPeer): Promise<{ peer: VpnPeerView; config: string }> {
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
    const keys = publicKey ? undefined : generateKeyPair();
    const { subnet, maxPeersPerUser } = this.config.vpn;

    const id = await inTransaction(this.db, async (m) => {
      const node = spec.node === undefined ? undefined : await this.ownedNode(m, user, spec.node);
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [ADDRESS_LOCK]);
      const ownerId = node?.owner_id ?? user.id;
      const [{ count }] = await m.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM vpn_peers p LEFT JOIN nodes n ON n.id = p.node_id
          WHERE p.revoked_at IS NULL AND COALESCE(p.user_id, n.owner_id) = $1`,
        [ownerId],
      );
      if (count >= maxPeersPerUser && user.role !== UserRole.Admin) {
        throw new DomainError(
          'exhausted',
          `you have ${count} VPN peers, the most allowed (VPN_MAX_PEERS_PER_USER): revoke one you no longer use`,
        );
      }
      const free = await m.query<{ n: number }[]>(
        `SELECT n FROM generate_series(2, $2::int) AS n
          WHERE NOT EXISTS (SELECT 1 FROM vpn_peers p
                             WHERE p.revoked_at IS NULL AND p.address = $1::inet + n)
          ORDER BY n LIMIT 1`,
        [formatIpv4(subnet.network), subnet.size - 2],
      );
      if (!free[0]) {
        throw new DomainError(
          'exhausted',
          `the VPN subnet ${subnet.cidr} has no free address (${subnet.size - 3} peers): revoke unused peers, or an operator widens VPN_SUBNET`,
        );
      }
      const name = spec.name ?? node?.name ?? `${user.username}-${count + 1}`;
      try {
        const [row] = await m.query<{ id: string }[]>(
          `INSERT INTO vpn_peers (user_id, node_id, name, address, public_key, private_key_encrypted)
           VALUES ($1, $2, $3, $4::inet, $5, $6) RETURNING id`,
          [
            node ? null : user.id,
            node?.id ?? null,
            name,
            hostAddress(subnet, free[0].n),
            keys?.publicKey ?? publicKey,
            keys ? this.box.seal(keys.privateKey) : null,
          ],
        );
        return row.id;
      } catch (error) {
        if (isUniqueViolation(error, 'uq_vpn_peers_public_key_active')) {
          throw new DomainError(
            'conflict',
            'that public key already belongs to an active peer: make a new key pair',
            {
              field: 'public_key',
            },
          );
        }
        throw error;
      }
    });
    const row = (await this.rowById(id))!;
    return { peer: toPeerView(row), config: await this.renderClient(row) };
  }

  /** The caller's peers (admins with `all`: everyone's), newest first. */
  async list(
    user: AuthUser,
    options: { all?: boolean; includeRevoked?: boolean } = {},
  ): Promise<VpnPeerView[]> {
    const everyone = options.all === true && user.role === UserRole.Admin;
    if (options.all && !everyone)
      throw new DomainError('forbidden', 'only admins may list every user’s peers');
    const rows = await this.db.query<PeerRow[]>(
      `${PEER_SELECT}
        WHERE ($1::boolean OR u.id = $2) AND ($3::boolean OR p.revoked_at IS NULL)
        ORDER BY p.created_at DESC, p.id DESC`,
      [everyone, user.id, options.includeRevoked === true],
    );
    return rows.map(toPeerView);
  }

  /** Revokes a peer: its address and key are free again and it leaves the server config. */
  async revoke(user: AuthUser, id: string): Promise<VpnPeerView> {
    const row = await this.visible(user, id);
    if (!row.revoked_at) {
      await this.db.query(`UPDATE vpn_peers SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [
        id,
      ]);
    }
    return toPeerView((await this.rowById(id))!);
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
    const peers = await this.db.query<{ name: string; public_key: string; address: string }[]>(
      `SELECT name, public_key, host(address) AS address FROM vpn_peers
        WHERE revoked_at IS NULL ORDER BY address`,
    );
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
    const row = await this.rowById(id);
    if (!row || (row.owner !== user.username && user.role !== UserRole.Admin)) {
      throw new DomainError('not_found', `no VPN peer ${id}`);
    }
    return row;
  }

  private async rowById(id: string): Promise<PeerRow | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.db.query<PeerRow[]>(`${PEER_SELECT} WHERE p.id = $1`, [id]);
    return rows[0];
  }

  private async ownedNode(
    m: EntityManager,
    user: AuthUser,
    nameOrId: string,
  ): Promise<{ id: string; name: string; owner_id: string }> {
    const rows = await m.query<{ id: string; name: string; owner_id: string }[]>(
      `SELECT id, name, owner_id FROM nodes WHERE ${isUuid(nameOrId) ? 'id = $1' : 'name = $1'}`,
      [nameOrId],
    );
    const node = rows[0];
    if (!node || (node.owner_id !== user.id && user.role !== UserRole.Admin)) {
      throw new DomainError('not_found', `no node ${nameOrId} of yours`, { field: 'node' });
    }
    return node;
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
