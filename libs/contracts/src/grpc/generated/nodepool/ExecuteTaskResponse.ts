// Original file: libs/contracts/proto/nodepool.proto


export interface ExecuteTaskResponse {
  'success'?: (boolean);
  'message'?: (string);
  'result'?: (Buffer | Uint8Array | string);
}

export interface ExecuteTaskResponse__Output {
  'success': (boolean);
  'message': (string);
  'result': (Buffer);
}
