// Original file: libs/contracts/proto/nodepool.proto


export interface TransferResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface TransferResponse__Output {
  'success': (boolean);
  'message': (string);
}
