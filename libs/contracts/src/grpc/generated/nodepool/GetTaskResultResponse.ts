// Original file: libs/contracts/proto/nodepool.proto


export interface GetTaskResultResponse {
  'success'?: (boolean);
  'message'?: (string);
  'result_zip'?: (Buffer | Uint8Array | string);
}

export interface GetTaskResultResponse__Output {
  'success': (boolean);
  'message': (string);
  'result_zip': (Buffer);
}
