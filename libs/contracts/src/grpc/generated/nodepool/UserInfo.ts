// Original file: libs/contracts/proto/nodepool.proto


export interface UserInfo {
  'id'?: (string);
  'username'?: (string);
  'role'?: (string);
  'trust_score'?: (number);
  'created_at'?: (string);
}

export interface UserInfo__Output {
  'id': (string);
  'username': (string);
  'role': (string);
  'trust_score': (number);
  'created_at': (string);
}
