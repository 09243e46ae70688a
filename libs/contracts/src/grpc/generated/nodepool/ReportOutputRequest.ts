// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface ReportOutputRequest {
  'node_id'?: (string);
  'task_id'?: (string);
  'output'?: (string);
  /**
   * HiveMind additions, as in StoreLogsRequest
   */
  'attempt_id'?: (string);
  'fencing_token'?: (number | string | Long);
  'seq'?: (number | string | Long);
  'stream'?: (string);
}

export interface ReportOutputRequest__Output {
  'node_id': (string);
  'task_id': (string);
  'output': (string);
  /**
   * HiveMind additions, as in StoreLogsRequest
   */
  'attempt_id': (string);
  'fencing_token': (string);
  'seq': (string);
  'stream': (string);
}
