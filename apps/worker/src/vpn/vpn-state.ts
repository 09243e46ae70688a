import { type WgInterfaceState } from '@hivemind/contracts/wireguard';

// The node's VPN as /health and /api/status show it, and what the watchdog does about what it
// sees. Pure.

export type VpnStateName = 'disabled' | 'joining' | 'up' | 'down' | 'error';

export interface VpnState {
  state: VpnStateName;
  /** This node's VPN address while it has one. */
  address: string | null;
  /** The pool's gRPC address inside the tunnel, once up. */
  pool_address: string | null;
  interface: string | null;
  /** kernel or wireguard-go, once up. */
  implementation: 'kernel' | 'wireguard-go' | null;
  /** Why it is down or failed: one line. */
  error: string | null;
  /** When it entered this state (ISO 8601). */
  since: string;
}

export type VpnEvent =
  | { kind: 'joining' }
  | { kind: 'up'; address: string; poolAddress: string | null; implementation: 'kernel' | 'wireguard-go' }
  | { kind: 'failed'; error: string }
  | { kind: 'dropped'; error: string }
  | { kind: 'left' };

export function initialVpnState(autoJoin: boolean, iface: string, now: Date): VpnState {
  return {
    state: autoJoin ? 'joining' : 'disabled',
    address: null,
    pool_address: null,
    interface: autoJoin ? iface : null,
    implementation: null,
    error: null,
    since: now.toISOString(),
  };
}

/** The state after `event`; a disabled VPN stays disabled. */
export function nextVpnState(s: VpnState, event: VpnEvent, now: Date): VpnState {
  if (s.state === 'disabled') return s;
  const since = now.toISOString();
  switch (event.kind) {
    case 'joining':
      return { ...s, state: 'joining', error: null, since };
    case 'up':
      return {
        ...s,
        state: 'up',
        address: event.address,
        pool_address: event.poolAddress,
        implementation: event.implementation,
        error: null,
        since,
      };
    case 'failed':
      return { ...s, state: 'error', address: null, pool_address: null, error: event.error, since };
    case 'dropped':
      // the address is still this node's: the watchdog brings the same tunnel back
      return { ...s, state: 'down', error: event.error, since };
    case 'left':
      return { ...s, state: 'down', address: null, pool_address: null, error: null, since };
  }
}

/** A tunnel without a handshake for this long (keepalives renew one every 2 min) has lost the pool. */
export const STALE_HANDSHAKE_S = 180;

export type WatchdogAction =
  { kind: 'ok' } | { kind: 'restore'; why: string } | { kind: 'rejoin'; why: string };

/**
 * What the periodic check does: nothing while the tunnel is there and alive; `restore` (wg-quick up
 * again, same peer) when the interface went away or holds another key; `rejoin` (ask the pool for
 * the peer again, which may have been revoked, then up) after a failed join or when no handshake
 * came for STALE_HANDSHAKE_S.
 */
export function watchdogAction(
  s: VpnState,
  seen: WgInterfaceState | undefined,
  node: { publicKey: string },
  nowS: number,
): WatchdogAction {
  if (s.state === 'disabled' || s.state === 'joining') return { kind: 'ok' };
  if (s.state === 'error') return { kind: 'rejoin', why: s.error ?? 'the last join failed' };
  if (!seen) return { kind: 'restore', why: `the interface ${s.interface} is gone` };
  if (seen.publicKey !== node.publicKey)
    return { kind: 'restore', why: `the interface ${s.interface} holds another key` };
  const upForS = nowS - Date.parse(s.since) / 1000;
  const handshake = Math.max(0, ...seen.peers.map((p) => p.latestHandshake));
  if (s.state === 'up' && upForS > STALE_HANDSHAKE_S && nowS - handshake > STALE_HANDSHAKE_S)
    return {
      kind: 'rejoin',
      why: handshake
        ? `no handshake with the VPN server for ${Math.round(nowS - handshake)} s`
        : `no handshake with the VPN server in ${Math.round(upForS)} s`,
    };
  if (s.state === 'down') return { kind: 'restore', why: s.error ?? 'the tunnel is down' };
  return { kind: 'ok' };
}
