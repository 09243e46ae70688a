// Original file: libs/contracts/proto/nodepool.proto


export interface GetTaskResultRequest {
  /**
   * the pool's id, or your own (UploadTask.task_id)
   */
  'task_id'?: (string);
  'token'?: (string);
}

export interface GetTaskResultRequest__Output {
  /**
   * the pool's id, or your own (UploadTask.task_id)
   */
  'task_id': (string);
  'token': (string);
}
