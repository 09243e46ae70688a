// Original file: libs/contracts/proto/nodepool.proto


export interface RegisterResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface RegisterResponse__Output {
  'success': (boolean);
  'message': (string);
}
