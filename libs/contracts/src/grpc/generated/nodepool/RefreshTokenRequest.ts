// Original file: libs/contracts/proto/nodepool.proto


export interface RefreshTokenRequest {
  'refresh_token'?: (string);
}

export interface RefreshTokenRequest__Output {
  'refresh_token': (string);
}
