// Original file: libs/contracts/proto/nodepool.proto


export interface ReturnTaskResultResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface ReturnTaskResultResponse__Output {
  'success': (boolean);
  'message': (string);
}
