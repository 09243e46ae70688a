// Original file: libs/contracts/proto/nodepool.proto


export interface PollTaskStatusRequest {
  'task_id'?: (string);
  /**
   * addition
   */
  'token'?: (string);
}

export interface PollTaskStatusRequest__Output {
  'task_id': (string);
  /**
   * addition
   */
  'token': (string);
}
