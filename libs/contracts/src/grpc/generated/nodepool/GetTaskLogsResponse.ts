// Original file: libs/contracts/proto/nodepool.proto


export interface GetTaskLogsResponse {
  'success'?: (boolean);
  'message'?: (string);
  'logs'?: (string);
}

export interface GetTaskLogsResponse__Output {
  'success': (boolean);
  'message': (string);
  'logs': (string);
}
