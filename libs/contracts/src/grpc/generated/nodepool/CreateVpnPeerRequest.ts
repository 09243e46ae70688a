// Original file: libs/contracts/proto/nodepool.proto


export interface CreateVpnPeerRequest {
  /**
   * empty: the node's name, or the username and a number
   */
  'name'?: (string);
  /**
   * empty: the pool makes the key pair
   */
  'public_key'?: (string);
  /**
   * a worker node the caller owns (name or id)
   */
  'node'?: (string);
}

export interface CreateVpnPeerRequest__Output {
  /**
   * empty: the node's name, or the username and a number
   */
  'name': (string);
  /**
   * empty: the pool makes the key pair
   */
  'public_key': (string);
  /**
   * a worker node the caller owns (name or id)
   */
  'node': (string);
}
