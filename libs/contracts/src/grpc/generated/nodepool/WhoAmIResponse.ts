// Original file: libs/contracts/proto/nodepool.proto

import type { UserInfo as _nodepool_UserInfo, UserInfo__Output as _nodepool_UserInfo__Output } from '../nodepool/UserInfo';

export interface WhoAmIResponse {
  'success'?: (boolean);
  'message'?: (string);
  'user'?: (_nodepool_UserInfo | null);
}

export interface WhoAmIResponse__Output {
  'success': (boolean);
  'message': (string);
  'user': (_nodepool_UserInfo__Output | null);
}
