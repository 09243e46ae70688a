// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferRequest {
  'token'?: (string);
  'receiver_username'?: (string);
  'amount'?: (number | string | Long);
}

export interface TransferRequest__Output {
  'token': (string);
  'receiver_username': (string);
  'amount': (string);
}
