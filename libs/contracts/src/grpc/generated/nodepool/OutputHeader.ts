// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface OutputHeader {
  'attempt_id'?: (string);
  'fencing_token'?: (number | string | Long);
  'name'?: (string);
  'size'?: (number | string | Long);
  'sha256'?: (string);
}

export interface OutputHeader__Output {
  'attempt_id': (string);
  'fencing_token': (string);
  'name': (string);
  'size': (string);
  'sha256': (string);
}
