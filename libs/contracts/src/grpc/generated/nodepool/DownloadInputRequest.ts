// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface DownloadInputRequest {
  'attempt_id'?: (string);
  'fencing_token'?: (number | string | Long);
  /**
   * resume from this byte
   */
  'offset'?: (number | string | Long);
}

export interface DownloadInputRequest__Output {
  'attempt_id': (string);
  'fencing_token': (string);
  /**
   * resume from this byte
   */
  'offset': (string);
}
