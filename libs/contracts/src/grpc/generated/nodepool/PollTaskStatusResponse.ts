// Original file: libs/contracts/proto/nodepool.proto


export interface PollTaskStatusResponse {
  'task_id'?: (string);
  'status'?: (string);
  'output'?: (string)[];
  'message'?: (string);
}

export interface PollTaskStatusResponse__Output {
  'task_id': (string);
  'status': (string);
  'output': (string)[];
  'message': (string);
}
