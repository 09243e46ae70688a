// Original file: libs/contracts/proto/nodepool.proto


export interface GetAllTasksRequest {
  'token'?: (string);
}

export interface GetAllTasksRequest__Output {
  'token': (string);
}
