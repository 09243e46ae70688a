// Original file: libs/contracts/proto/nodepool.proto

import type { ExecuteTaskRequest as _nodepool_ExecuteTaskRequest, ExecuteTaskRequest__Output as _nodepool_ExecuteTaskRequest__Output } from '../nodepool/ExecuteTaskRequest';
import type { StopTaskExecutionRequest as _nodepool_StopTaskExecutionRequest, StopTaskExecutionRequest__Output as _nodepool_StopTaskExecutionRequest__Output } from '../nodepool/StopTaskExecutionRequest';
import type { Long } from '@grpc/proto-loader';

export interface WorkerCommand {
  'execute'?: (_nodepool_ExecuteTaskRequest | null);
  'stop'?: (_nodepool_StopTaskExecutionRequest | null);
  /**
   * keep-alive, the pool's clock in Unix ms
   */
  'ping'?: (number | string | Long);
  'command'?: "execute"|"stop"|"ping";
}

export interface WorkerCommand__Output {
  'execute'?: (_nodepool_ExecuteTaskRequest__Output | null);
  'stop'?: (_nodepool_StopTaskExecutionRequest__Output | null);
  /**
   * keep-alive, the pool's clock in Unix ms
   */
  'ping'?: (string);
  'command'?: "execute"|"stop"|"ping";
}
