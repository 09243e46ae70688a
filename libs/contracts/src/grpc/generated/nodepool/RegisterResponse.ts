// Original file: libs/contracts/proto/nodepool.proto

import type { UserInfo as _nodepool_UserInfo, UserInfo__Output as _nodepool_UserInfo__Output } from '../nodepool/UserInfo';

export interface RegisterResponse {
  'success'?: (boolean);
  'message'?: (string);
  /**
   * addition
   */
  'user'?: (_nodepool_UserInfo | null);
}

export interface RegisterResponse__Output {
  'success': (boolean);
  'message': (string);
  /**
   * addition
   */
  'user': (_nodepool_UserInfo__Output | null);
}
