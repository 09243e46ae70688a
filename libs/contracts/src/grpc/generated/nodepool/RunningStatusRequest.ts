// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface RunningStatusRequest {
  'node_id'?: (string);
  'task_id'?: (string);
  /**
   * CPU usage percentage
   */
  'cpu_usage'?: (number);
  /**
   * memory usage percentage
   */
  'memory_usage'?: (number);
  /**
   * GPU usage percentage
   */
  'gpu_usage'?: (number);
  /**
   * GPU memory usage percentage
   */
  'gpu_memory_usage'?: (number);
  /**
   * HiveMind additions
   */
  'attempt_id'?: (string);
  'fencing_token'?: (number | string | Long);
}

export interface RunningStatusRequest__Output {
  'node_id': (string);
  'task_id': (string);
  /**
   * CPU usage percentage
   */
  'cpu_usage': (number);
  /**
   * memory usage percentage
   */
  'memory_usage': (number);
  /**
   * GPU usage percentage
   */
  'gpu_usage': (number);
  /**
   * GPU memory usage percentage
   */
  'gpu_memory_usage': (number);
  /**
   * HiveMind additions
   */
  'attempt_id': (string);
  'fencing_token': (string);
}
