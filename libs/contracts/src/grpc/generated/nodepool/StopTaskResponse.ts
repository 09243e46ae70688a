// Original file: libs/contracts/proto/nodepool.proto


export interface StopTaskResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface StopTaskResponse__Output {
  'success': (boolean);
  'message': (string);
}
