// Original file: libs/contracts/proto/nodepool.proto


export interface TaskCompletedRequest {
  'task_id'?: (string);
  'node_id'?: (string);
  'success'?: (boolean);
}

export interface TaskCompletedRequest__Output {
  'task_id': (string);
  'node_id': (string);
  'success': (boolean);
}
