import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

// WireGuard's pieces the pool needs, without wireguard-tools: Curve25519 keys in the base64 form
// `wg genkey` / `wg pubkey` print, IPv4 address pools, and the wg-quick config text.

/** A WireGuard key: 32 bytes in standard base64 (44 characters, one "=" of padding). */
const KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** PKCS#8 DER of an X25519 private key, up to its 32 bytes (RFC 8410). */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** True for a string `wg` accepts as a key (32 bytes of base64); the all-zero key is refused. */
export function isWireGuardKey(value: string): boolean {
  return KEY_PATTERN.test(value) && Buffer.from(value, 'base64').some((b) => b !== 0);
}

/** A fresh key pair, as `wg genkey | tee priv | wg pubkey` would make it (clamped scalar). */
export function generateKeyPair(): KeyPair {
  const secret = randomBytes(32);
  secret[0] &= 248;
  secret[31] = (secret[31] & 127) | 64;
  const privateKey = secret.toString('base64');
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

/** The public key of a private key (`wg pubkey`). */
export function publicKeyOf(privateKey: string): string {
  if (!isWireGuardKey(privateKey)) throw new Error('not a WireGuard private key');
  const key = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, Buffer.from(privateKey, 'base64')]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32).toString('base64');
}

/** An IPv4 network: `10.0.0.0/24`. */
export interface Ipv4Subnet {
  /** The network address as an unsigned 32-bit number. */
  network: number;
  prefix: number;
  /** How many addresses it spans (hosts are 1 … size − 2). */
  size: number;
  cidr: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/**
 * Parses `a.b.c.d/p` (p from 8 to 30: room for the server and at least one peer); the address must
 * be the network's first. Returns a message a person can act on when it is not.
 */
export function parseSubnet(text: string): Ipv4Subnet | string {
  const [address, prefixText, ...rest] = text.trim().split('/');
  const network = parseIpv4(address ?? '');
  const prefix = Number(prefixText);
  if (
    network === undefined ||
    rest.length ||
    !/^\d{1,2}$/.test(prefixText ?? '') ||
    prefix < 8 ||
    prefix > 30
  ) {
    return 'must be an IPv4 network like 10.0.0.0/24 (prefix 8 to 30)';
  }
  const size = 2 ** (32 - prefix);
  if (network % size !== 0) {
    const first = network - (network % size);
    return `must start at its network address: ${formatIpv4(first)}/${prefix}, not ${text.trim()}`;
  }
  return { network, prefix, size, cidr: `${formatIpv4(network)}/${prefix}` };
}

/** The n-th address of the subnet (1 is the server's). */
export function hostAddress(subnet: Ipv4Subnet, n: number): string {
  if (n < 1 || n > subnet.size - 2) throw new RangeError(`host ${n} is outside ${subnet.cidr}`);
  return formatIpv4(subnet.network + n);
}

/** The position of an address inside the subnet, or undefined when it is outside. */
export function hostNumber(subnet: Ipv4Subnet, address: string): number | undefined {
  const value = parseIpv4(address.replace(/\/\d+$/, ''));
  if (value === undefined) return undefined;
  const n = value - subnet.network;
  return n >= 1 && n <= subnet.size - 2 ? n : undefined;
}

export interface ClientConfig {
  name: string;
  /** Omitted when the client made its own key pair: it adds its PrivateKey line itself. */
  privateKey?: string;
  address: string;
  dns: string[];
  serverPublicKey: string;
  endpoint: string;
  allowedIps: string[];
  keepaliveS: number;
}

/** A peer's wg-quick config (`[Interface]` for the device, `[Peer]` for the pool's server). */
export function renderClientConfig(c: ClientConfig): string {
  return [
    `# HiveMind VPN: ${c.name}`,
    '[Interface]',
    c.privateKey
      ? `PrivateKey = ${c.privateKey}`
      : '# PrivateKey = <the private key you generated for this peer>',
    `Address = ${c.address}/32`,
    ...(c.dns.length ? [`DNS = ${c.dns.join(', ')}`] : []),
    '',
    '[Peer]',
    `PublicKey = ${c.serverPublicKey}`,
    `Endpoint = ${c.endpoint}`,
    `AllowedIPs = ${c.allowedIps.join(', ')}`,
    `PersistentKeepalive = ${c.keepaliveS}`,
    '',
  ].join('\n');
}

export interface ServerConfig {
  privateKey: string;
  /** The server's address with the subnet's prefix, e.g. 10.0.0.1/24. */
  address: string;
  listenPort: number;
  peers: { name: string; publicKey: string; address: string }[];
}

/** The server's wg0.conf: for `wg-quick up`, or `wg syncconf wg0 <(wg-quick strip wg0)`. */
export function renderServerConfig(c: ServerConfig): string {
  const lines = [
    '# HiveMind VPN server: generated by the node pool; edits are overwritten',
    '[Interface]',
    `PrivateKey = ${c.privateKey}`,
    `Address = ${c.address}`,
    `ListenPort = ${c.listenPort}`,
  ];
  for (const peer of c.peers) {
    // a peer's name is [A-Za-z0-9._-] only (checked where it is made), safe in a comment
    lines.push(
      '',
      `# ${peer.name}`,
      '[Peer]',
      `PublicKey = ${peer.publicKey}`,
      `AllowedIPs = ${peer.address}/32`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
