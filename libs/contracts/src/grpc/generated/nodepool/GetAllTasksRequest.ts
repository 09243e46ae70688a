// Original file: libs/contracts/proto/nodepool.proto


export interface GetAllTasksRequest {
  'token'?: (string);
  /**
   * addition: filter
   */
  'status'?: (string);
  /**
   * addition
   */
  'limit'?: (number);
  /**
   * addition: next_cursor of the previous page
   */
  'cursor'?: (string);
}

export interface GetAllTasksRequest__Output {
  'token': (string);
  /**
   * addition: filter
   */
  'status': (string);
  /**
   * addition
   */
  'limit': (number);
  /**
   * addition: next_cursor of the previous page
   */
  'cursor': (string);
}
