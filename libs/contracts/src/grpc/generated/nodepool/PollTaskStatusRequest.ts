// Original file: libs/contracts/proto/nodepool.proto


export interface PollTaskStatusRequest {
  /**
   * the pool's id, or your own (UploadTask.task_id)
   */
  'task_id'?: (string);
  /**
   * addition
   */
  'token'?: (string);
}

export interface PollTaskStatusRequest__Output {
  /**
   * the pool's id, or your own (UploadTask.task_id)
   */
  'task_id': (string);
  /**
   * addition
   */
  'token': (string);
}
