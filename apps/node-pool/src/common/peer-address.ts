import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';

/** The client address rpc-edge resolved for a call (TRUST_PROXY applied), by the call's metadata. */
const resolvedAddresses = new WeakMap<Metadata, string>();

/** Kept by the gRPC edge so that handlers use the same address as the rate limits and the access log. */
export function noteRpcAddress(metadata: Metadata, address: string): void {
  resolvedAddresses.set(metadata, address);
}

/**
 * A gRPC caller's address: the one the edge resolved (a trusted proxy's x-forwarded-for, see
 * TRUST_PROXY), else the peer's ("ipv4:127.0.0.1:50000" / "ipv6:[::1]:50000" → the address alone).
 */
export function peerAddress(call: ServerUnaryCall<unknown, unknown>): string {
  return resolvedAddresses.get(call.metadata) ?? peerAddressOf(call.getPeer());
}

export function peerAddressOf(peer: string): string {
  return peer
    .replace(/^ipv[46]:/, '')
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1');
}
