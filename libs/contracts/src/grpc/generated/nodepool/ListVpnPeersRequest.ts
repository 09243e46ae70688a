// Original file: libs/contracts/proto/nodepool.proto


export interface ListVpnPeersRequest {
  /**
   * admins: every user's peers
   */
  'all'?: (boolean);
  'include_revoked'?: (boolean);
}

export interface ListVpnPeersRequest__Output {
  /**
   * admins: every user's peers
   */
  'all': (boolean);
  'include_revoked': (boolean);
}
