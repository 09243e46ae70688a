import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Ipv4Subnet, formatIpv4, hostAddress } from '@hivemind/contracts/wireguard';
import { isUuid } from '../common/ids';
import { inTransaction } from '../common/transaction';
import { type HostRange } from './vpn-peer-policy';

/** One peer row with its owner's username and its node's name. */
export interface PeerRow {
  id: string;
  name: string;
  address: string;
  public_key: string;
  private_key_encrypted: string | null;
  user_id: string | null;
  owner: string;
  /** The owner's id: the peer's user, or its node's owner. */
  owner_id: string;
  node_id: string | null;
  node_name: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

export interface NodeRef {
  id: string;
  name: string;
  owner_id: string;
}

const PEER_SELECT = `
  SELECT p.id, p.name, host(p.address) AS address, p.public_key, p.private_key_encrypted, p.user_id,
         u.username AS owner, u.id AS owner_id, p.node_id, n.name AS node_name, p.created_at, p.revoked_at
    FROM vpn_peers p
    LEFT JOIN nodes n ON n.id = p.node_id
    JOIN users u ON u.id = COALESCE(p.user_id, n.owner_id)`;

/** Serializes address allocation across node-pool replicas (pg_advisory_xact_lock key). */
const ADDRESS_LOCK = 0x76706e; // "vpn"

/** Random addresses tried before the ordered search for a gap (see freeHost). */
const RANDOM_PROBES = 16;

/** The only code that reads and writes `vpn_peers` and `vpn_server_keys`. */
@Injectable()
export class VpnPeersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.db, work);
  }

  /** The server's key row: `fresh` is stored unless a replica stored its own first. */
  async serverKeys(fresh: {
    publicKey: string;
    sealedPrivateKey: string;
  }): Promise<{ public_key: string; private_key_encrypted: string }> {
    await this.db.query(
      `INSERT INTO vpn_server_keys (id, public_key, private_key_encrypted) VALUES (1, $1, $2)
       ON CONFLICT (id) DO NOTHING`,
      [fresh.publicKey, fresh.sealedPrivateKey],
    );
    const [row] = await this.db.query<{ public_key: string; private_key_encrypted: string }[]>(
      `SELECT public_key, private_key_encrypted FROM vpn_server_keys WHERE id = 1`,
    );
    return row;
  }

  async byId(id: string): Promise<PeerRow | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.db.query<PeerRow[]>(`${PEER_SELECT} WHERE p.id = $1`, [id]);
    return rows[0];
  }

  /** A user's peers (or everyone's), newest first. */
  list(options: { everyone: boolean; userId: string; includeRevoked: boolean }): Promise<PeerRow[]> {
    return this.db.query<PeerRow[]>(
      `${PEER_SELECT}
        WHERE ($1::boolean OR u.id = $2) AND ($3::boolean OR p.revoked_at IS NULL)
        ORDER BY p.created_at DESC, p.id DESC`,
      [options.everyone, options.userId, options.includeRevoked],
    );
  }

  async revoke(id: string): Promise<void> {
    await this.db.query(`UPDATE vpn_peers SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
  }

  /** Every active peer, for the server's config. */
  active(): Promise<{ name: string; public_key: string; address: string }[]> {
    return this.db.query(
      `SELECT name, public_key, host(address) AS address FROM vpn_peers
        WHERE revoked_at IS NULL ORDER BY address`,
    );
  }

  /** Active peers whose address lies outside `subnet` (left by an earlier VPN_SUBNET). */
  async activeOutside(subnet: Ipv4Subnet): Promise<number> {
    const [{ count }] = await this.db.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM vpn_peers WHERE revoked_at IS NULL AND NOT address <<= $1::cidr`,
      [subnet.cidr],
    );
    return count;
  }

  // ---- inside the allocation transaction ----

  /** Held until the transaction ends: one allocation at a time, on every replica. */
  async lockAllocation(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock($1)`, [ADDRESS_LOCK]);
  }

  async accountCreatedAt(m: EntityManager, userId: string): Promise<Date | undefined> {
    const rows = await m.query<{ created_at: Date }[]>(`SELECT created_at FROM users WHERE id = $1`, [
      userId,
    ]);
    return rows[0]?.created_at;
  }

  /** A user's own active peers, not counting their nodes' peers. */
  async activeDevicePeers(m: EntityManager, userId: string): Promise<number> {
    const [{ count }] = await m.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM vpn_peers
        WHERE user_id = $1 AND node_id IS NULL AND revoked_at IS NULL`,
      [userId],
    );
    return count;
  }

  async activeNodePeer(m: EntityManager, nodeId: string): Promise<{ name: string } | undefined> {
    const rows = await m.query<{ name: string }[]>(
      `SELECT name FROM vpn_peers WHERE node_id = $1 AND revoked_at IS NULL LIMIT 1`,
      [nodeId],
    );
    return rows[0];
  }

  async findNode(m: EntityManager, nameOrId: string): Promise<NodeRef | undefined> {
    const rows = await m.query<NodeRef[]>(
      `SELECT id, name, owner_id FROM nodes WHERE ${isUuid(nameOrId) ? 'id = $1' : 'name = $1'}`,
      [nameOrId],
    );
    return rows[0];
  }

  /**
   * A free host number in `range`, or undefined when it is full. Each step reads the partial
   * unique index on active addresses, never the table: the host above the highest one in use (one
   * backward index step: the usual case, as addresses are handed out upwards); once the top is in
   * use, 16 random hosts (one index probe each); only when all of those are taken (the range is
   * mostly full) the lowest gap, walking the index up to it. docs/vpn.md ("Addresses") has the
   * measured plans.
   */
  async freeHost(m: EntityManager, subnet: Ipv4Subnet, range: HostRange): Promise<number | undefined> {
    const network = formatIpv4(subnet.network);
    const [lo, hi] = [hostAddress(subnet, range.first), hostAddress(subnet, range.last)];
    const [{ top }] = await m.query<{ top: number | null }[]>(
      `SELECT (max(address) - $1::inet)::int AS top FROM vpn_peers
        WHERE revoked_at IS NULL AND address >= $2::inet AND address <= $3::inet`,
      [network, lo, hi],
    );
    if (top === null) return range.first;
    if (top < range.last) return top + 1;

    const probed = await m.query<{ n: number }[]>(
      `SELECT c.n FROM (SELECT ($2::int + floor(random() * ($3::int - $2::int + 1)))::int AS n
                          FROM generate_series(1, $4::int)) c
        WHERE NOT EXISTS (SELECT 1 FROM vpn_peers p WHERE p.revoked_at IS NULL AND p.address = $1::inet + c.n)
        LIMIT 1`,
      [network, range.first, range.last, RANDOM_PROBES],
    );
    if (probed[0]) return probed[0].n;

    const [{ taken }] = await m.query<{ taken: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM vpn_peers WHERE revoked_at IS NULL AND address = $1::inet) AS taken`,
      [lo],
    );
    if (!taken) return range.first;
    // the lowest gap: the first address in use whose successor is not (one ordered index-only pass)
    const gap = await m.query<{ n: number }[]>(
      `SELECT n + 1 AS n FROM (
         SELECT (address - $1::inet)::int AS n, lead((address - $1::inet)::int) OVER (ORDER BY address) AS next
           FROM vpn_peers WHERE revoked_at IS NULL AND address >= $2::inet AND address <= $3::inet) s
        WHERE next > n + 1 LIMIT 1`,
      [network, lo, hi],
    );
    return gap[0]?.n;
  }

  /** Inserts a peer; a public key in use surfaces as 23505 on uq_vpn_peers_public_key_active. */
  async insert(
    m: EntityManager,
    peer: {
      userId: string | null;
      nodeId: string | null;
      name: string;
      address: string;
      publicKey: string;
      sealedPrivateKey: string | null;
    },
  ): Promise<string> {
    const [row] = await m.query<{ id: string }[]>(
      `INSERT INTO vpn_peers (user_id, node_id, name, address, public_key, private_key_encrypted)
       VALUES ($1, $2, $3, $4::inet, $5, $6) RETURNING id`,
      [peer.userId, peer.nodeId, peer.name, peer.address, peer.publicKey, peer.sealedPrivateKey],
    );
    return row.id;
  }
}
