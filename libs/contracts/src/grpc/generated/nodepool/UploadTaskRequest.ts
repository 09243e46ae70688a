// Original file: libs/contracts/proto/nodepool.proto


export interface UploadTaskRequest {
  'task_id'?: (string);
  'task_zip'?: (Buffer | Uint8Array | string);
  'memory_gb'?: (number);
  'cpu_score'?: (number);
  'gpu_score'?: (number);
  'gpu_memory_gb'?: (number);
  'location'?: (string);
  'gpu_name'?: (string);
  'user_id'?: (string);
}

export interface UploadTaskRequest__Output {
  'task_id': (string);
  'task_zip': (Buffer);
  'memory_gb': (number);
  'cpu_score': (number);
  'gpu_score': (number);
  'gpu_memory_gb': (number);
  'location': (string);
  'gpu_name': (string);
  'user_id': (string);
}
