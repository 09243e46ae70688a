// Original file: libs/contracts/proto/nodepool.proto


export interface WhoAmIRequest {
  'token'?: (string);
}

export interface WhoAmIRequest__Output {
  'token': (string);
}
