// Original file: libs/contracts/proto/nodepool.proto


export interface RevokeVpnPeerRequest {
  'peer_id'?: (string);
}

export interface RevokeVpnPeerRequest__Output {
  'peer_id': (string);
}
