import { isIP, isIPv4, isIPv6 } from 'node:net';
import proxyaddr from 'proxy-addr';

/**
 * TRUST_PROXY, in express's `trust proxy` terms: `false` (the socket's peer is the client), a hop
 * count (trust that many proxies in front of the pool), or the proxies' addresses and networks
 * (`10.0.0.0/8`, `loopback`, …). `true` (trust any X-Forwarded-For) is not offered: anyone could
 * then choose their own address, and with it their rate-limit key.
 */
export type TrustProxy = false | number | string[];

const NAMED_NETWORKS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Parses TRUST_PROXY; a string is the reason it is refused. */
export function parseTrustProxy(raw: string | undefined): TrustProxy | string {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') {
    return 'must not be "true" (any client could choose its address): give the number of proxies in front of the pool, or their addresses';
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 10 ? hops : 'must be a hop count from 0 to 10, or a list of proxy addresses/CIDRs';
  }
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (NAMED_NETWORKS.has(item)) continue;
    const [address, bits, extra] = item.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !bitsOk || extra !== undefined) {
      return `"${item}" is not an address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`;
    }
  }
  return items;
}

/** express's `trust proxy` setting for a TrustProxy (express compiles it the same way). */
export function expressTrustProxy(trust: TrustProxy): boolean | number | string[] {
  return trust === false ? false : trust;
}

export type TrustFunction = (address: string, hop: number) => boolean;

export function trustFunction(trust: TrustProxy): TrustFunction {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyaddr.compile(trust);
}

/**
 * The address a request comes from: the socket's peer, or — when that peer is a trusted proxy —
 * the X-Forwarded-For entry the trusted proxies vouch for (express's `req.ip`, and the same for a
 * WebSocket upgrade or a gRPC call's `x-forwarded-for`). IPv4-mapped IPv6 addresses are shown as IPv4.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: TrustFunction,
): string {
  const forwarded = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const request = {
    socket: { remoteAddress: socketAddress ?? '' },
    connection: { remoteAddress: socketAddress ?? '' },
    headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
  };
  let address: string;
  try {
    address = proxyaddr(request as unknown as Parameters<typeof proxyaddr>[0], trust);
  } catch {
    address = socketAddress ?? '';
  }
  return plainAddress(address) || 'unknown';
}

/** "::ffff:10.0.0.1" → "10.0.0.1"; other addresses as they are. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** Whether a request reached the pool over TLS: its own socket, or a trusted proxy's X-Forwarded-Proto. */
export function cameOverTls(
  encrypted: boolean,
  socketAddress: string | undefined,
  forwardedProto: string | string[] | undefined,
  trust: TrustFunction,
): boolean {
  if (encrypted) return true;
  if (!trust(socketAddress ?? '', 0)) return false;
  const proto = (Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto) ?? '';
  // express's req.protocol reads the first value; so do we, so that both agree
  return proto.split(',')[0]?.trim().toLowerCase() === 'https';
}

/**
 * What a client address counts as for rate limits: an IPv4 address itself, an IPv6 address its
 * /64 (one subscriber's network: counting single IPv6 addresses would let anyone multiply).
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return 'unknown';
  const [head = '', tail] = address.toLowerCase().split('::');
  const groups = (part: string): string[] => (part ? part.split(':') : []);
  const before = groups(head);
  // an embedded IPv4 address (…:1.2.3.4) fills the last two groups
  const after = groups(tail ?? '').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const full =
    tail === undefined
      ? before
      : [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  return `${full
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
