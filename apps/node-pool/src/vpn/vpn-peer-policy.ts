// Who may hold how many VPN peers, and which addresses they come from (docs/vpn.md, "Quotas and
// rate limits"; docs/adr/0005-vpn-address-policy.md). Pure: the service supplies the facts.
import { DEFAULT_USER_TRUST, UserRole } from '@hivemind/contracts';
import { type Ipv4Subnet } from '@hivemind/contracts/wireguard';

export interface VpnPeerPolicy {
  /** Own (device) peers of an established account. */
  maxPeersPerUser: number;
  /** Own (device) peers of a new account. */
  newAccountPeers: number;
  /** An account this old is established (so is one whose trust an admin raised). */
  establishedAfterDays: number;
  /** The top share of the subnet that only admins and established accounts' node peers may take. */
  reservePercent: number;
}

/** new: a fresh account at the default trust, cheap to make in bulk; it gets little. */
export type Standing = 'admin' | 'established' | 'new';

const DAY_MS = 24 * 3600 * 1000;

export function standingOf(
  user: { role: UserRole; trustScore: number; createdAt: Date },
  policy: Pick<VpnPeerPolicy, 'establishedAfterDays'>,
  now: Date,
): Standing {
  if (user.role === UserRole.Admin) return 'admin';
  if (user.trustScore > DEFAULT_USER_TRUST) return 'established';
  return now.getTime() - user.createdAt.getTime() >= policy.establishedAfterDays * DAY_MS
    ? 'established'
    : 'new';
}

/** How many own (device) peers an account of this standing may hold at once. */
export function devicePeerLimit(standing: Standing, policy: VpnPeerPolicy): number {
  if (standing === 'admin') return Infinity;
  if (standing === 'established') return policy.maxPeersPerUser;
  return Math.min(policy.newAccountPeers, policy.maxPeersPerUser);
}

/** Host numbers (n in network + n), both ends included. */
export interface HostRange {
  first: number;
  last: number;
}

/**
 * The subnet's peer addresses (host 1 is the server's, the last is broadcast): the general range
 * any peer may take, then the reserve (its top `reservePercent`, rounded down) kept for node
 * peers and admins (see rangesFor), so that user peers can never take the last addresses.
 */
export function hostRanges(
  subnet: Ipv4Subnet,
  reservePercent: number,
): { general: HostRange; reserve?: HostRange } {
  const first = 2;
  const last = subnet.size - 2;
  const hosts = last - first + 1;
  const reserved = Math.min(hosts - 1, Math.floor((hosts * reservePercent) / 100));
  return reserved > 0
    ? { general: { first, last: last - reserved }, reserve: { first: last - reserved + 1, last } }
    : { general: { first, last } };
}

/**
 * The ranges a peer may take its address from, in the order to try them: the reserve is for
 * admins and the nodes of established accounts (a node is free to register, so a throw-away
 * account's node peers must not drain it either).
 */
export function rangesFor(
  ranges: { general: HostRange; reserve?: HostRange },
  peer: { standing: Standing; forNode: boolean },
): HostRange[] {
  const mayUseReserve = peer.standing === 'admin' || (peer.forNode && peer.standing === 'established');
  return mayUseReserve && ranges.reserve ? [ranges.general, ranges.reserve] : [ranges.general];
}

/** What a client address counts as for rate limits (shared with the pool's request limits). */
export { addressKey } from '../common/client-address';
