// Original file: libs/contracts/proto/nodepool.proto


export interface GetVpnPeerConfigRequest {
  'peer_id'?: (string);
}

export interface GetVpnPeerConfigRequest__Output {
  'peer_id': (string);
}
