// Original file: libs/contracts/proto/nodepool.proto


export interface StopTaskRequest {
  'task_id'?: (string);
  'token'?: (string);
}

export interface StopTaskRequest__Output {
  'task_id': (string);
  'token': (string);
}
