// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface StoreLogsRequest {
  'node_id'?: (string);
  'task_id'?: (string);
  'logs'?: (string);
  /**
   * Unix time, seconds
   */
  'timestamp'?: (number | string | Long);
}

export interface StoreLogsRequest__Output {
  'node_id': (string);
  'task_id': (string);
  'logs': (string);
  /**
   * Unix time, seconds
   */
  'timestamp': (string);
}
