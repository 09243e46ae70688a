// Original file: libs/contracts/proto/nodepool.proto


export interface ExecuteTaskRequest {
  'node_id'?: (string);
  'task_id'?: (string);
  'task_zip'?: (Buffer | Uint8Array | string);
  'cpu'?: (number);
  'gpu'?: (number);
  'memory_gb'?: (number);
  'gpu_memory_gb'?: (number);
}

export interface ExecuteTaskRequest__Output {
  'node_id': (string);
  'task_id': (string);
  'task_zip': (Buffer);
  'cpu': (number);
  'gpu': (number);
  'memory_gb': (number);
  'gpu_memory_gb': (number);
}
