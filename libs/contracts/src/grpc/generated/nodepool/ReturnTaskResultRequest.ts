// Original file: libs/contracts/proto/nodepool.proto


export interface ReturnTaskResultRequest {
  'task_id'?: (string);
  'result_zip'?: (Buffer | Uint8Array | string);
}

export interface ReturnTaskResultRequest__Output {
  'task_id': (string);
  'result_zip': (Buffer);
}
