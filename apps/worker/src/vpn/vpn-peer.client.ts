import * as grpc from '@grpc/grpc-js';
import {
  GRPC_CHANNEL_OPTIONS,
  loadNodepool,
  type CreateVpnPeerResponse__Output,
  type GetVpnPeerConfigResponse__Output,
  type ListVpnPeersResponse__Output,
  type RevokeVpnPeerResponse__Output,
  type VpnPeer__Output,
  type VpnServiceClient,
} from '@hivemind/contracts/grpc';

const DEADLINE_MS = 15_000;

export const isNotFound = (error: unknown): boolean =>
  (error as grpc.ServiceError | undefined)?.code === grpc.status.NOT_FOUND;

/** The pool's VpnService as the node's owner uses it to get the node's peer (docs/vpn.md "API"). */
export class VpnPeerClient {
  private readonly vpn: VpnServiceClient;

  constructor(address: string, creds: grpc.ChannelCredentials) {
    this.vpn = new (loadNodepool().nodepool.VpnService)(address, creds, GRPC_CHANNEL_OPTIONS);
  }

  /** The owner's active peers, the nodes' included. */
  async list(token: string): Promise<VpnPeer__Output[]> {
    const answer = await call<ListVpnPeersResponse__Output>(
      (md, o, cb) => this.vpn.ListPeers({ all: false, include_revoked: false }, md, o, cb),
      token,
    );
    return answer.peers;
  }

  /** A new peer of `node` for our public key: its config (without a private key). */
  async create(token: string, node: string, publicKey: string): Promise<string> {
    const answer = await call<CreateVpnPeerResponse__Output>(
      (md, o, cb) => this.vpn.CreatePeer({ node, public_key: publicKey, name: '' }, md, o, cb),
      token,
    );
    return answer.config;
  }

  async config(token: string, peerId: string): Promise<string> {
    const answer = await call<GetVpnPeerConfigResponse__Output>(
      (md, o, cb) => this.vpn.GetPeerConfig({ peer_id: peerId }, md, o, cb),
      token,
    );
    return answer.config;
  }

  async revoke(token: string, peerId: string): Promise<void> {
    await call<RevokeVpnPeerResponse__Output>(
      (md, o, cb) => this.vpn.RevokePeer({ peer_id: peerId }, md, o, cb),
      token,
    );
  }

  close(): void {
    this.vpn.close();
  }
}

function call<Res extends { success: boolean; message: string }>(
  start: (
    md: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, value?: Res) => void,
  ) => unknown,
  token: string,
): Promise<Res> {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    start(md, { deadline: Date.now() + DEADLINE_MS }, (error, value) => {
      if (error) return reject(error);
      if (!value?.success) return reject(new Error(value?.message || 'the pool refused the VPN request'));
      resolve(value);
    });
  });
}
