// Original file: libs/contracts/proto/nodepool.proto


export interface RegisterRequest {
  'username'?: (string);
  'password'?: (string);
}

export interface RegisterRequest__Output {
  'username': (string);
  'password': (string);
}
