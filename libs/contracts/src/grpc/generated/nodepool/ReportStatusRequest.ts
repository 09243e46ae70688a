// Original file: libs/contracts/proto/nodepool.proto


export interface ReportStatusRequest {
  'node_id'?: (string);
  'status_message'?: (string);
}

export interface ReportStatusRequest__Output {
  'node_id': (string);
  'status_message': (string);
}
