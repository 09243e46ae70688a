// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface GetTaskLogsRequest {
  'task_id'?: (string);
  'token'?: (string);
  /**
   * addition: chunks after this id (0: from the start)
   */
  'after'?: (number | string | Long);
  /**
   * addition
   */
  'limit'?: (number);
}

export interface GetTaskLogsRequest__Output {
  'task_id': (string);
  'token': (string);
  /**
   * addition: chunks after this id (0: from the start)
   */
  'after': (string);
  /**
   * addition
   */
  'limit': (number);
}
