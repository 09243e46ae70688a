// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface GetBalanceResponse {
  'success'?: (boolean);
  'message'?: (string);
  /**
   * available + held
   */
  'balance'?: (number | string | Long);
  /**
   * addition: in escrow for running tasks
   */
  'held'?: (number | string | Long);
  /**
   * addition
   */
  'available'?: (number | string | Long);
}

export interface GetBalanceResponse__Output {
  'success': (boolean);
  'message': (string);
  /**
   * available + held
   */
  'balance': (string);
  /**
   * addition: in escrow for running tasks
   */
  'held': (string);
  /**
   * addition
   */
  'available': (string);
}
