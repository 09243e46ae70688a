// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface UploadTaskResponse {
  'success'?: (boolean);
  'message'?: (string);
  /**
   * HiveMind additions
   */
  'task_id'?: (string);
  /**
   * held in escrow until the task ends
   */
  'max_cost'?: (number | string | Long);
  'status'?: (string);
}

export interface UploadTaskResponse__Output {
  'success': (boolean);
  'message': (string);
  /**
   * HiveMind additions
   */
  'task_id': (string);
  /**
   * held in escrow until the task ends
   */
  'max_cost': (string);
  'status': (string);
}
