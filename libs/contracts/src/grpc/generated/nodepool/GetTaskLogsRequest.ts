// Original file: libs/contracts/proto/nodepool.proto


export interface GetTaskLogsRequest {
  'task_id'?: (string);
  'token'?: (string);
}

export interface GetTaskLogsRequest__Output {
  'task_id': (string);
  'token': (string);
}
