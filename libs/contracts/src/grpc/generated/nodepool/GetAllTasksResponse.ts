// Original file: libs/contracts/proto/nodepool.proto

import type { TaskStatus as _nodepool_TaskStatus, TaskStatus__Output as _nodepool_TaskStatus__Output } from '../nodepool/TaskStatus';

export interface GetAllTasksResponse {
  'success'?: (boolean);
  'message'?: (string);
  'tasks'?: (_nodepool_TaskStatus)[];
  /**
   * addition: empty on the last page
   */
  'next_cursor'?: (string);
}

export interface GetAllTasksResponse__Output {
  'success': (boolean);
  'message': (string);
  'tasks': (_nodepool_TaskStatus__Output)[];
  /**
   * addition: empty on the last page
   */
  'next_cursor': (string);
}
