// Original file: libs/contracts/proto/nodepool.proto


export interface UploadOutputResponse {
  'success'?: (boolean);
  'message'?: (string);
  'file_id'?: (string);
  'stop'?: (boolean);
}

export interface UploadOutputResponse__Output {
  'success': (boolean);
  'message': (string);
  'file_id': (string);
  'stop': (boolean);
}
