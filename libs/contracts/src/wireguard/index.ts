// WireGuard keys, IPv4 address pools and config text, for Node programs (the pool, the worker and
// the CLI): it uses node:crypto, so the console does not import it.
export * from './wireguard';
export * from './wg-dump';
