// Original file: libs/contracts/proto/nodepool.proto


export interface StopTaskExecutionRequest {
  'task_id'?: (string);
}

export interface StopTaskExecutionRequest__Output {
  'task_id': (string);
}
