// Original file: libs/contracts/proto/nodepool.proto


export interface ReportStatusRequest {
  'node_id'?: (string);
  'status_message'?: (string);
  /**
   * HiveMind additions (a heartbeat)
   */
  'cpu_percent'?: (number | string);
  'memory_percent'?: (number | string);
  'running_attempt_ids'?: (string)[];
}

export interface ReportStatusRequest__Output {
  'node_id': (string);
  'status_message': (string);
  /**
   * HiveMind additions (a heartbeat)
   */
  'cpu_percent': (number);
  'memory_percent': (number);
  'running_attempt_ids': (string)[];
}
