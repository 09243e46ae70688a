// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface PollTaskStatusResponse {
  'task_id'?: (string);
  'status'?: (string);
  'output'?: (string)[];
  'message'?: (string);
  /**
   * HiveMind additions
   */
  'success'?: (boolean);
  /**
   * % of shards completed
   */
  'progress'?: (number);
  'shards_total'?: (number);
  'shards_completed'?: (number);
  'shards_failed'?: (number);
  'wait_reason'?: (string);
  'cost'?: (number | string | Long);
  'max_cost'?: (number | string | Long);
}

export interface PollTaskStatusResponse__Output {
  'task_id': (string);
  'status': (string);
  'output': (string)[];
  'message': (string);
  /**
   * HiveMind additions
   */
  'success': (boolean);
  /**
   * % of shards completed
   */
  'progress': (number);
  'shards_total': (number);
  'shards_completed': (number);
  'shards_failed': (number);
  'wait_reason': (string);
  'cost': (string);
  'max_cost': (string);
}
