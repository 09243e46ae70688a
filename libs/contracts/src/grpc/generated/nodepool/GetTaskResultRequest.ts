// Original file: libs/contracts/proto/nodepool.proto


export interface GetTaskResultRequest {
  'task_id'?: (string);
  'token'?: (string);
}

export interface GetTaskResultRequest__Output {
  'task_id': (string);
  'token': (string);
}
