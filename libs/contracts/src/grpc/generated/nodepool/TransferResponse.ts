// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferResponse {
  'success'?: (boolean);
  'message'?: (string);
  /**
   * addition
   */
  'transaction_id'?: (string);
  /**
   * addition: the sender's available balance afterwards
   */
  'balance'?: (number | string | Long);
}

export interface TransferResponse__Output {
  'success': (boolean);
  'message': (string);
  /**
   * addition
   */
  'transaction_id': (string);
  /**
   * addition: the sender's available balance afterwards
   */
  'balance': (string);
}
