// Original file: libs/contracts/proto/nodepool.proto


export interface UploadTaskResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface UploadTaskResponse__Output {
  'success': (boolean);
  'message': (string);
}
