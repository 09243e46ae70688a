// Original file: libs/contracts/proto/nodepool.proto


export interface ConnectRequest {
  /**
   * the node's uuid (RegisterWorkerNode's node_uuid)
   */
  'node_id'?: (string);
  /**
   * what the node still runs (after a restart)
   */
  'running_attempt_ids'?: (string)[];
  'agent_version'?: (string);
}

export interface ConnectRequest__Output {
  /**
   * the node's uuid (RegisterWorkerNode's node_uuid)
   */
  'node_id': (string);
  /**
   * what the node still runs (after a restart)
   */
  'running_attempt_ids': (string)[];
  'agent_version': (string);
}
