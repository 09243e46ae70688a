// Original file: libs/contracts/proto/nodepool.proto

import type { VpnPeer as _nodepool_VpnPeer, VpnPeer__Output as _nodepool_VpnPeer__Output } from '../nodepool/VpnPeer';

export interface RevokeVpnPeerResponse {
  'success'?: (boolean);
  'message'?: (string);
  'peer'?: (_nodepool_VpnPeer | null);
}

export interface RevokeVpnPeerResponse__Output {
  'success': (boolean);
  'message': (string);
  'peer': (_nodepool_VpnPeer__Output | null);
}
