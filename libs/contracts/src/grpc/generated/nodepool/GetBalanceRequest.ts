// Original file: libs/contracts/proto/nodepool.proto


export interface GetBalanceRequest {
  'username'?: (string);
  'token'?: (string);
}

export interface GetBalanceRequest__Output {
  'username': (string);
  'token': (string);
}
