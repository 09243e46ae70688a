import { isWireGuardKey } from './wireguard';

// `wg show <interface> dump`: what a live WireGuard interface holds, read by the pool (to bring its
// peers in line with the database) and by the worker (to see that its tunnel is still there).

/** An interface name wg-quick and the kernel accept (IFNAMSIZ − 1, wg-quick's pattern). */
export const INTERFACE_NAME = /^[A-Za-z0-9_=+.-]{1,15}$/;

export interface WgInterfaceState {
  publicKey: string;
  listenPort: number;
  peers: WgPeerState[];
}

export interface WgPeerState {
  publicKey: string;
  /** As wg prints them: "10.128.0.2/32", or none. */
  allowedIps: string[];
  /** Seconds since the epoch of the last handshake; 0 when there has been none. */
  latestHandshake: number;
}

/**
 * The first line is the interface (private key, public key, listen port, fwmark), then one line
 * per peer (public key, preshared key, endpoint, allowed ips, latest handshake, rx, tx, keepalive),
 * tab-separated. Throws on anything else: a dump we cannot read must not be taken as "no peers".
 */
export function parseWgDump(text: string): WgInterfaceState {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const head = lines[0]?.split('\t') ?? [];
  if (head.length !== 4) throw new Error('`wg show dump` printed no interface line');
  const peers = lines.slice(1).map((line, i) => {
    const f = line.split('\t');
    if (f.length !== 8 || !isWireGuardKey(f[0]))
      throw new Error(`\`wg show dump\` line ${i + 2} is not a peer`);
    return {
      publicKey: f[0],
      allowedIps: f[3] === '(none)' ? [] : f[3].split(','),
      latestHandshake: Number(f[4]) || 0,
    };
  });
  return { publicKey: head[1] === '(none)' ? '' : head[1], listenPort: Number(head[2]) || 0, peers };
}
