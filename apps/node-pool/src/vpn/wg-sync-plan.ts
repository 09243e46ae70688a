import {
  type Ipv4Subnet,
  hostNumber,
  isWireGuardKey,
  type WgInterfaceState,
} from '@hivemind/contracts/wireguard';

// What to change on a live WireGuard interface so that it holds exactly the database's active
// peers: pure, so that it is tested without an interface. VpnLiveSync runs the plan with `wg set`.

/** Peers per `wg set` call: keeps each command line far below ARG_MAX. */
export const PEERS_PER_CALL = 500;

export interface DesiredPeer {
  publicKey: string;
  /** The peer's VPN address, without a prefix. */
  address: string;
}

export interface SyncPlan {
  /** The interface's key is not the pool's server key (or it has none): set it, with the port. */
  setServerKey: boolean;
  /** `wg set` argument lists, one call each (the interface name first). */
  calls: string[][];
  added: number;
  removed: number;
  /** Active peers whose key or address cannot be applied (never passed to wg). */
  skipped: DesiredPeer[];
}

/** A peer may be applied: a WireGuard key, and a dotted host address inside the VPN subnet. */
export function applicable(peer: DesiredPeer, subnet: Ipv4Subnet): boolean {
  return (
    isWireGuardKey(peer.publicKey) &&
    /^\d{1,3}(\.\d{1,3}){3}$/.test(peer.address) &&
    hostNumber(subnet, peer.address) !== undefined
  );
}

/**
 * The changes that make `current` hold `desired` (the active peers, each at `<address>/32`):
 * missing peers and peers with other allowed IPs are set, peers the database no longer has
 * (revoked) are removed. The interface name must already be checked (INTERFACE_NAME).
 */
export function planSync(
  iface: string,
  current: WgInterfaceState,
  desired: DesiredPeer[],
  server: { publicKey: string; subnet: Ipv4Subnet },
): SyncPlan {
  const skipped = desired.filter((p) => !applicable(p, server.subnet));
  const wanted = new Map(
    desired.filter((p) => applicable(p, server.subnet)).map((p) => [p.publicKey, `${p.address}/32`]),
  );
  const have = new Map(current.peers.map((p) => [p.publicKey, p.allowedIps.join(',')]));
  const set: string[][] = [];
  for (const [key, allowed] of wanted) {
    if (have.get(key) !== allowed) set.push(['peer', key, 'allowed-ips', allowed]);
  }
  const remove: string[][] = [];
  for (const key of have.keys()) {
    if (!wanted.has(key)) remove.push(['peer', key, 'remove']);
  }
  const ops = [...remove, ...set];
  const calls: string[][] = [];
  for (let i = 0; i < ops.length; i += PEERS_PER_CALL) {
    calls.push([iface, ...ops.slice(i, i + PEERS_PER_CALL).flat()]);
  }
  return {
    setServerKey: current.publicKey !== server.publicKey,
    calls,
    added: set.length,
    removed: remove.length,
    skipped,
  };
}
