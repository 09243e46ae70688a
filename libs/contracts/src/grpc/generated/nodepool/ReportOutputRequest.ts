// Original file: libs/contracts/proto/nodepool.proto


export interface ReportOutputRequest {
  'node_id'?: (string);
  'task_id'?: (string);
  'output'?: (string);
}

export interface ReportOutputRequest__Output {
  'node_id': (string);
  'task_id': (string);
  'output': (string);
}
