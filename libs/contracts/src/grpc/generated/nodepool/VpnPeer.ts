// Original file: libs/contracts/proto/nodepool.proto


export interface VpnPeer {
  'id'?: (string);
  'name'?: (string);
  'address'?: (string);
  'public_key'?: (string);
  /**
   * username
   */
  'owner'?: (string);
  /**
   * empty: a user's device
   */
  'node_id'?: (string);
  'node_name'?: (string);
  /**
   * "pool" or "client"
   */
  'key_source'?: (string);
  /**
   * ISO 8601
   */
  'created_at'?: (string);
  /**
   * empty while active
   */
  'revoked_at'?: (string);
}

export interface VpnPeer__Output {
  'id': (string);
  'name': (string);
  'address': (string);
  'public_key': (string);
  /**
   * username
   */
  'owner': (string);
  /**
   * empty: a user's device
   */
  'node_id': (string);
  'node_name': (string);
  /**
   * "pool" or "client"
   */
  'key_source': (string);
  /**
   * ISO 8601
   */
  'created_at': (string);
  /**
   * empty while active
   */
  'revoked_at': (string);
}
