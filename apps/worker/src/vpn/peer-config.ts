import {
  isWireGuardKey,
  parseIpv4,
  parseSubnet,
  formatIpv4,
  renderClientConfig,
} from '@hivemind/contracts/wireguard';

// The node's WireGuard config, from what the pool answers (its client config, without a private
// key: the worker keeps its own) to what wg-quick reads. Pure.
//
// The pool's text is parsed, never passed on: only the fields below are written back, so a pool
// (or anything in between) cannot make wg-quick run PreUp/PostUp commands as root, change the
// routing table or the machine's DNS.

export class PeerConfigError extends Error {
  constructor(message: string) {
    super(`the pool's VPN config ${message}`);
    this.name = 'PeerConfigError';
  }
}

export interface PeerConfig {
  /** This node's VPN address (no prefix). */
  address: string;
  serverPublicKey: string;
  /** host:port the tunnel dials. */
  endpoint: string;
  /** IPv4 networks routed through the tunnel. */
  allowedIps: string[];
  keepaliveS: number;
}

const ENDPOINT =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\]):(\d{1,5})$/;

/** Reads a wg-quick client config as the pool renders it (docs/vpn.md). */
export function parsePeerConfig(text: string): PeerConfig {
  if (text.length > 16_384) throw new PeerConfigError('is longer than 16 KiB');
  const sections: { name: string; values: Map<string, string> }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      sections.push({ name: section[1].toLowerCase(), values: new Map() });
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !sections.length)
      throw new PeerConfigError(`has a line that is not "Key = value": ${line.slice(0, 80)}`);
    sections.at(-1)!.values.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  const iface = sections.filter((s) => s.name === 'interface');
  const peers = sections.filter((s) => s.name === 'peer');
  if (iface.length !== 1 || peers.length !== 1)
    throw new PeerConfigError('must have one [Interface] and one [Peer]');
  const i = iface[0].values;
  const p = peers[0].values;

  const address = /^(\d{1,3}(?:\.\d{1,3}){3})\/32$/.exec(i.get('address') ?? '')?.[1];
  if (!address || parseIpv4(address) === undefined)
    throw new PeerConfigError(`has no single IPv4 Address (got "${i.get('address') ?? ''}")`);
  const serverPublicKey = p.get('publickey') ?? '';
  if (!isWireGuardKey(serverPublicKey)) throw new PeerConfigError('has no valid server PublicKey');
  const endpoint = p.get('endpoint') ?? '';
  const port = Number(ENDPOINT.exec(endpoint)?.[1]);
  if (!(port >= 1 && port <= 65535)) throw new PeerConfigError(`has no valid Endpoint (got "${endpoint}")`);
  const allowedIps = (p.get('allowedips') ?? '').split(',').map((a) => a.trim());
  for (const network of allowedIps) {
    if (typeof parseSubnet(network) === 'string' && !/^\d{1,3}(\.\d{1,3}){3}\/(31|32)$/.test(network))
      throw new PeerConfigError(
        `has an AllowedIPs entry that is not an IPv4 network with a prefix of 8 to 32 (a worker routes only the VPN through the tunnel): "${network}"`,
      );
  }
  const keepalive = p.get('persistentkeepalive');
  const keepaliveS = keepalive === undefined ? 25 : Number(keepalive);
  if (!Number.isInteger(keepaliveS) || keepaliveS < 0 || keepaliveS > 65535)
    throw new PeerConfigError(`has a bad PersistentKeepalive (got "${keepalive}")`);
  return { address, serverPublicKey, endpoint, allowedIps, keepaliveS };
}

/** What wg-quick reads: the pool's peer with this node's private key; nothing else. */
export function renderNodeConfig(config: PeerConfig, privateKey: string): string {
  if (!isWireGuardKey(privateKey)) throw new Error('not a WireGuard private key');
  // the pool's own renderer, with only the fields parsePeerConfig kept (no DNS: see above)
  return renderClientConfig({
    name: 'this worker node (VPN_AUTO_JOIN); rewritten at every join',
    privateKey,
    dns: [],
    ...config,
  });
}

/**
 * The pool's gRPC address inside the tunnel: VPN_POOL_ADDRESS when set, else the first host of the
 * first AllowedIPs network (the pool's VPN server, e.g. 10.128.0.1 of 10.128.0.0/16) at the port of
 * NODE_POOL_ADDRESS. Undefined when neither tells (the tunnel is then joined, but gRPC stays on the
 * direct address).
 */
export function poolAddressInTunnel(
  config: PeerConfig,
  nodePoolAddress: string,
  override?: string,
): string | undefined {
  if (override) return override;
  const subnet = parseSubnet(config.allowedIps[0] ?? '');
  const port = /:(\d{1,5})$/.exec(nodePoolAddress)?.[1];
  if (typeof subnet === 'string' || !port) return undefined;
  const server = formatIpv4(subnet.network + 1);
  return server === config.address ? undefined : `${server}:${port}`;
}
