// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferRequest {
  'token'?: (string);
  'receiver_username'?: (string);
  'amount'?: (number | string | Long);
  /**
   * addition: a retried request with the same key moves money once
   */
  'idempotency_key'?: (string);
}

export interface TransferRequest__Output {
  'token': (string);
  'receiver_username': (string);
  'amount': (string);
  /**
   * addition: a retried request with the same key moves money once
   */
  'idempotency_key': (string);
}
