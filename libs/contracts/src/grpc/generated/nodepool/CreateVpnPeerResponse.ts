// Original file: libs/contracts/proto/nodepool.proto

import type { VpnPeer as _nodepool_VpnPeer, VpnPeer__Output as _nodepool_VpnPeer__Output } from '../nodepool/VpnPeer';

export interface CreateVpnPeerResponse {
  'success'?: (boolean);
  'message'?: (string);
  'peer'?: (_nodepool_VpnPeer | null);
  /**
   * wg-quick config; no PrivateKey line when public_key was sent
   */
  'config'?: (string);
}

export interface CreateVpnPeerResponse__Output {
  'success': (boolean);
  'message': (string);
  'peer': (_nodepool_VpnPeer__Output | null);
  /**
   * wg-quick config; no PrivateKey line when public_key was sent
   */
  'config': (string);
}
