// Original file: libs/contracts/proto/nodepool.proto


export interface GetVpnPeerConfigResponse {
  'success'?: (boolean);
  'message'?: (string);
  'config'?: (string);
  /**
   * hivemind-<name>.conf
   */
  'file_name'?: (string);
}

export interface GetVpnPeerConfigResponse__Output {
  'success': (boolean);
  'message': (string);
  'config': (string);
  /**
   * hivemind-<name>.conf
   */
  'file_name': (string);
}
