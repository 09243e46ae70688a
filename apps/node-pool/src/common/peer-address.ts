import type { ServerUnaryCall } from '@grpc/grpc-js';

/** "ipv4:127.0.0.1:50000" / "ipv6:[::1]:50000" → the address alone. */
export function peerAddress(call: ServerUnaryCall<unknown, unknown>): string {
  return peerAddressOf(call.getPeer());
}

export function peerAddressOf(peer: string): string {
  return peer
    .replace(/^ipv[46]:/, '')
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1');
}
