// Original file: libs/contracts/proto/nodepool.proto


export interface StopTaskExecutionResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface StopTaskExecutionResponse__Output {
  'success': (boolean);
  'message': (string);
}
