import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { type VpnPeerView } from '@hivemind/contracts';
import type {
  CreateVpnPeerRequest__Output,
  CreateVpnPeerResponse,
  GetVpnPeerConfigRequest__Output,
  GetVpnPeerConfigResponse,
  ListVpnPeersRequest__Output,
  ListVpnPeersResponse,
  RevokeVpnPeerRequest__Output,
  RevokeVpnPeerResponse,
  VpnPeer,
} from '@hivemind/contracts/grpc';
import { Authenticated, rpcCaller } from '../accounts/auth.guards';
import { AppExceptionFilter } from '../common/app-exception.filter';
import { peerAddress } from '../common/peer-address';
import { VpnPeerIssuer } from './vpn-peer-issuer.service';
import { VpnService } from './vpn.service';

const SERVICE = 'VpnService';

/** gRPC `nodepool.VpnService`: the REST API's /api/vpn; refusals are gRPC status codes. */
@Controller()
@UseFilters(AppExceptionFilter)
@Authenticated()
export class VpnGrpcController {
  constructor(
    private readonly vpn: VpnService,
    private readonly issuer: VpnPeerIssuer,
  ) {}

  @GrpcMethod(SERVICE, 'ListPeers')
  async listPeers(req: ListVpnPeersRequest__Output, metadata: Metadata): Promise<ListVpnPeersResponse> {
    const peers = await this.vpn.list(rpcCaller(metadata), {
      all: req.all,
      includeRevoked: req.include_revoked,
    });
    return { success: true, message: '', peers: peers.map(toVpnPeer) };
  }

  @GrpcMethod(SERVICE, 'CreatePeer')
  async createPeer(
    req: CreateVpnPeerRequest__Output,
    metadata: Metadata,
    call: ServerUnaryCall<unknown, unknown>,
  ): Promise<CreateVpnPeerResponse> {
    const { peer, config } = await this.issuer.create(
      rpcCaller(metadata),
      {
        ...(req.name ? { name: req.name } : {}),
        ...(req.public_key ? { publicKey: req.public_key } : {}),
        ...(req.node ? { node: req.node } : {}),
      },
      peerAddress(call),
    );
    return { success: true, message: `peer ${peer.name} at ${peer.address}`, peer: toVpnPeer(peer), config };
  }

  @GrpcMethod(SERVICE, 'RevokePeer')
  async revokePeer(req: RevokeVpnPeerRequest__Output, metadata: Metadata): Promise<RevokeVpnPeerResponse> {
    const peer = await this.issuer.revoke(rpcCaller(metadata), req.peer_id);
    return { success: true, message: `revoked ${peer.name}`, peer: toVpnPeer(peer) };
  }

  @GrpcMethod(SERVICE, 'GetPeerConfig')
  async getPeerConfig(
    req: GetVpnPeerConfigRequest__Output,
    metadata: Metadata,
  ): Promise<GetVpnPeerConfigResponse> {
    const { name, config } = await this.vpn.clientConfig(rpcCaller(metadata), req.peer_id);
    return { success: true, message: '', config, file_name: `hivemind-${name}.conf` };
  }
}

function toVpnPeer(peer: VpnPeerView): VpnPeer {
  return {
    ...peer,
    node_id: peer.node_id ?? '',
    node_name: peer.node_name ?? '',
    revoked_at: peer.revoked_at ?? '',
  };
}
