// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface GetBalanceResponse {
  'success'?: (boolean);
  'message'?: (string);
  'balance'?: (number | string | Long);
}

export interface GetBalanceResponse__Output {
  'success': (boolean);
  'message': (string);
  'balance': (string);
}
