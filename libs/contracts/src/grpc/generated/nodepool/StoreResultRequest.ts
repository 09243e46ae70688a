// Original file: libs/contracts/proto/nodepool.proto


export interface StoreResultRequest {
  'task_id'?: (string);
  'result_zip'?: (Buffer | Uint8Array | string);
}

export interface StoreResultRequest__Output {
  'task_id': (string);
  'result_zip': (Buffer);
}
