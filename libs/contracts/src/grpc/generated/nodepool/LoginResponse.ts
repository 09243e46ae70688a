// Original file: libs/contracts/proto/nodepool.proto


export interface LoginResponse {
  'success'?: (boolean);
  'message'?: (string);
  'token'?: (string);
}

export interface LoginResponse__Output {
  'success': (boolean);
  'message': (string);
  'token': (string);
}
