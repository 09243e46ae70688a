// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface StopTaskExecutionRequest {
  'task_id'?: (string);
  /**
   * HiveMind additions
   */
  'attempt_id'?: (string);
  'fencing_token'?: (number | string | Long);
  'reason'?: (string);
}

export interface StopTaskExecutionRequest__Output {
  'task_id': (string);
  /**
   * HiveMind additions
   */
  'attempt_id': (string);
  'fencing_token': (string);
  'reason': (string);
}
