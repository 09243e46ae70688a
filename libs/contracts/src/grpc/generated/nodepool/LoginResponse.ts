// Original file: libs/contracts/proto/nodepool.proto

import type { UserInfo as _nodepool_UserInfo, UserInfo__Output as _nodepool_UserInfo__Output } from '../nodepool/UserInfo';

export interface LoginResponse {
  'success'?: (boolean);
  'message'?: (string);
  /**
   * access token (JWT), sent as `authorization: Bearer <token>`
   */
  'token'?: (string);
  /**
   * addition: exchanges for a new pair with RefreshToken
   */
  'refresh_token'?: (string);
  /**
   * addition: the access token's expiry, ISO 8601
   */
  'expires_at'?: (string);
  /**
   * addition
   */
  'user'?: (_nodepool_UserInfo | null);
}

export interface LoginResponse__Output {
  'success': (boolean);
  'message': (string);
  /**
   * access token (JWT), sent as `authorization: Bearer <token>`
   */
  'token': (string);
  /**
   * addition: exchanges for a new pair with RefreshToken
   */
  'refresh_token': (string);
  /**
   * addition: the access token's expiry, ISO 8601
   */
  'expires_at': (string);
  /**
   * addition
   */
  'user': (_nodepool_UserInfo__Output | null);
}
