// Original file: libs/contracts/proto/nodepool.proto


export interface GetBalanceRequest {
  /**
   * empty: the caller's own balance; another user's needs an admin
   */
  'username'?: (string);
  'token'?: (string);
}

export interface GetBalanceRequest__Output {
  /**
   * empty: the caller's own balance; another user's needs an admin
   */
  'username': (string);
  'token': (string);
}
