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
  /**
   * HiveMind additions: a batch of one attempt's output, numbered; a resent batch is stored once
   */
  'attempt_id'?: (string);
  'fencing_token'?: (number | string | Long);
  'seq'?: (number | string | Long);
  /**
   * stdout | stderr | system
   */
  'stream'?: (string);
}

export interface StoreLogsRequest__Output {
  'node_id': (string);
  'task_id': (string);
  'logs': (string);
  /**
   * Unix time, seconds
   */
  'timestamp': (string);
  /**
   * HiveMind additions: a batch of one attempt's output, numbered; a resent batch is stored once
   */
  'attempt_id': (string);
  'fencing_token': (string);
  'seq': (string);
  /**
   * stdout | stderr | system
   */
  'stream': (string);
}
