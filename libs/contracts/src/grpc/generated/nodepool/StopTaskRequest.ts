// Original file: libs/contracts/proto/nodepool.proto


export interface StopTaskRequest {
  /**
   * the pool's id, or your own (UploadTask.task_id)
   */
  'task_id'?: (string);
  'token'?: (string);
}

export interface StopTaskRequest__Output {
  /**
   * the pool's id, or your own (UploadTask.task_id)
   */
  'task_id': (string);
  'token': (string);
}
