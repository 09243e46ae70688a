// Original file: libs/contracts/proto/nodepool.proto


export interface StoreOutputRequest {
  'task_id'?: (string);
  'output'?: (string);
}

export interface StoreOutputRequest__Output {
  'task_id': (string);
  'output': (string);
}
