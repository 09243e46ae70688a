// Original file: libs/contracts/proto/nodepool.proto


export interface StatusResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface StatusResponse__Output {
  'success': (boolean);
  'message': (string);
}
