// Original file: libs/contracts/proto/nodepool.proto

import type { VpnPeer as _nodepool_VpnPeer, VpnPeer__Output as _nodepool_VpnPeer__Output } from '../nodepool/VpnPeer';

export interface ListVpnPeersResponse {
  'success'?: (boolean);
  'message'?: (string);
  'peers'?: (_nodepool_VpnPeer)[];
}

export interface ListVpnPeersResponse__Output {
  'success': (boolean);
  'message': (string);
  'peers': (_nodepool_VpnPeer__Output)[];
}
