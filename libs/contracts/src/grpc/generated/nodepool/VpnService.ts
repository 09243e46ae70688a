// Original file: libs/contracts/proto/nodepool.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateVpnPeerRequest as _nodepool_CreateVpnPeerRequest, CreateVpnPeerRequest__Output as _nodepool_CreateVpnPeerRequest__Output } from '../nodepool/CreateVpnPeerRequest';
import type { CreateVpnPeerResponse as _nodepool_CreateVpnPeerResponse, CreateVpnPeerResponse__Output as _nodepool_CreateVpnPeerResponse__Output } from '../nodepool/CreateVpnPeerResponse';
import type { GetVpnPeerConfigRequest as _nodepool_GetVpnPeerConfigRequest, GetVpnPeerConfigRequest__Output as _nodepool_GetVpnPeerConfigRequest__Output } from '../nodepool/GetVpnPeerConfigRequest';
import type { GetVpnPeerConfigResponse as _nodepool_GetVpnPeerConfigResponse, GetVpnPeerConfigResponse__Output as _nodepool_GetVpnPeerConfigResponse__Output } from '../nodepool/GetVpnPeerConfigResponse';
import type { ListVpnPeersRequest as _nodepool_ListVpnPeersRequest, ListVpnPeersRequest__Output as _nodepool_ListVpnPeersRequest__Output } from '../nodepool/ListVpnPeersRequest';
import type { ListVpnPeersResponse as _nodepool_ListVpnPeersResponse, ListVpnPeersResponse__Output as _nodepool_ListVpnPeersResponse__Output } from '../nodepool/ListVpnPeersResponse';
import type { RevokeVpnPeerRequest as _nodepool_RevokeVpnPeerRequest, RevokeVpnPeerRequest__Output as _nodepool_RevokeVpnPeerRequest__Output } from '../nodepool/RevokeVpnPeerRequest';
import type { RevokeVpnPeerResponse as _nodepool_RevokeVpnPeerResponse, RevokeVpnPeerResponse__Output as _nodepool_RevokeVpnPeerResponse__Output } from '../nodepool/RevokeVpnPeerResponse';

export interface VpnServiceClient extends grpc.Client {
  CreatePeer(argument: _nodepool_CreateVpnPeerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_CreateVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  CreatePeer(argument: _nodepool_CreateVpnPeerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_CreateVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  CreatePeer(argument: _nodepool_CreateVpnPeerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_CreateVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  CreatePeer(argument: _nodepool_CreateVpnPeerRequest, callback: grpc.requestCallback<_nodepool_CreateVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  createPeer(argument: _nodepool_CreateVpnPeerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_CreateVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  createPeer(argument: _nodepool_CreateVpnPeerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_CreateVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  createPeer(argument: _nodepool_CreateVpnPeerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_CreateVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  createPeer(argument: _nodepool_CreateVpnPeerRequest, callback: grpc.requestCallback<_nodepool_CreateVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  
  GetPeerConfig(argument: _nodepool_GetVpnPeerConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetVpnPeerConfigResponse__Output>): grpc.ClientUnaryCall;
  GetPeerConfig(argument: _nodepool_GetVpnPeerConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetVpnPeerConfigResponse__Output>): grpc.ClientUnaryCall;
  GetPeerConfig(argument: _nodepool_GetVpnPeerConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetVpnPeerConfigResponse__Output>): grpc.ClientUnaryCall;
  GetPeerConfig(argument: _nodepool_GetVpnPeerConfigRequest, callback: grpc.requestCallback<_nodepool_GetVpnPeerConfigResponse__Output>): grpc.ClientUnaryCall;
  getPeerConfig(argument: _nodepool_GetVpnPeerConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetVpnPeerConfigResponse__Output>): grpc.ClientUnaryCall;
  getPeerConfig(argument: _nodepool_GetVpnPeerConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetVpnPeerConfigResponse__Output>): grpc.ClientUnaryCall;
  getPeerConfig(argument: _nodepool_GetVpnPeerConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetVpnPeerConfigResponse__Output>): grpc.ClientUnaryCall;
  getPeerConfig(argument: _nodepool_GetVpnPeerConfigRequest, callback: grpc.requestCallback<_nodepool_GetVpnPeerConfigResponse__Output>): grpc.ClientUnaryCall;
  
  ListPeers(argument: _nodepool_ListVpnPeersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ListVpnPeersResponse__Output>): grpc.ClientUnaryCall;
  ListPeers(argument: _nodepool_ListVpnPeersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_ListVpnPeersResponse__Output>): grpc.ClientUnaryCall;
  ListPeers(argument: _nodepool_ListVpnPeersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ListVpnPeersResponse__Output>): grpc.ClientUnaryCall;
  ListPeers(argument: _nodepool_ListVpnPeersRequest, callback: grpc.requestCallback<_nodepool_ListVpnPeersResponse__Output>): grpc.ClientUnaryCall;
  listPeers(argument: _nodepool_ListVpnPeersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ListVpnPeersResponse__Output>): grpc.ClientUnaryCall;
  listPeers(argument: _nodepool_ListVpnPeersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_ListVpnPeersResponse__Output>): grpc.ClientUnaryCall;
  listPeers(argument: _nodepool_ListVpnPeersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ListVpnPeersResponse__Output>): grpc.ClientUnaryCall;
  listPeers(argument: _nodepool_ListVpnPeersRequest, callback: grpc.requestCallback<_nodepool_ListVpnPeersResponse__Output>): grpc.ClientUnaryCall;
  
  RevokePeer(argument: _nodepool_RevokeVpnPeerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RevokeVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  RevokePeer(argument: _nodepool_RevokeVpnPeerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_RevokeVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  RevokePeer(argument: _nodepool_RevokeVpnPeerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RevokeVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  RevokePeer(argument: _nodepool_RevokeVpnPeerRequest, callback: grpc.requestCallback<_nodepool_RevokeVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  revokePeer(argument: _nodepool_RevokeVpnPeerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RevokeVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  revokePeer(argument: _nodepool_RevokeVpnPeerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_RevokeVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  revokePeer(argument: _nodepool_RevokeVpnPeerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RevokeVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  revokePeer(argument: _nodepool_RevokeVpnPeerRequest, callback: grpc.requestCallback<_nodepool_RevokeVpnPeerResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface VpnServiceHandlers extends grpc.UntypedServiceImplementation {
  CreatePeer: grpc.handleUnaryCall<_nodepool_CreateVpnPeerRequest__Output, _nodepool_CreateVpnPeerResponse>;
  
  GetPeerConfig: grpc.handleUnaryCall<_nodepool_GetVpnPeerConfigRequest__Output, _nodepool_GetVpnPeerConfigResponse>;
  
  ListPeers: grpc.handleUnaryCall<_nodepool_ListVpnPeersRequest__Output, _nodepool_ListVpnPeersResponse>;
  
  RevokePeer: grpc.handleUnaryCall<_nodepool_RevokeVpnPeerRequest__Output, _nodepool_RevokeVpnPeerResponse>;
  
}

export interface VpnServiceDefinition extends grpc.ServiceDefinition {
  CreatePeer: MethodDefinition<_nodepool_CreateVpnPeerRequest, _nodepool_CreateVpnPeerResponse, _nodepool_CreateVpnPeerRequest__Output, _nodepool_CreateVpnPeerResponse__Output>
  GetPeerConfig: MethodDefinition<_nodepool_GetVpnPeerConfigRequest, _nodepool_GetVpnPeerConfigResponse, _nodepool_GetVpnPeerConfigRequest__Output, _nodepool_GetVpnPeerConfigResponse__Output>
  ListPeers: MethodDefinition<_nodepool_ListVpnPeersRequest, _nodepool_ListVpnPeersResponse, _nodepool_ListVpnPeersRequest__Output, _nodepool_ListVpnPeersResponse__Output>
  RevokePeer: MethodDefinition<_nodepool_RevokeVpnPeerRequest, _nodepool_RevokeVpnPeerResponse, _nodepool_RevokeVpnPeerRequest__Output, _nodepool_RevokeVpnPeerResponse__Output>
}
