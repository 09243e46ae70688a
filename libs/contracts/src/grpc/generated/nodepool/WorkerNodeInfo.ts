// Original file: libs/contracts/proto/nodepool.proto


export interface WorkerNodeInfo {
  'node_id'?: (string);
  'hostname'?: (string);
  'cpu_cores'?: (number);
  'memory_gb'?: (number);
  'status'?: (string);
  /**
   * Unix time, seconds
   */
  'last_heartbeat'?: (number | string);
  'cpu_score'?: (number);
  'gpu_score'?: (number);
  'gpu_memory_gb'?: (number);
  'location'?: (string);
  'port'?: (number);
  'gpu_name'?: (string);
  /**
   * HiveMind additions
   */
  'id'?: (string);
  'docker_status'?: (string);
  'credit_score'?: (number);
  /**
   * high | normal | low
   */
  'trust_group'?: (string);
  'running_attempts'?: (number);
  'max_concurrent_tasks'?: (number);
  'owner'?: (string);
}

export interface WorkerNodeInfo__Output {
  'node_id': (string);
  'hostname': (string);
  'cpu_cores': (number);
  'memory_gb': (number);
  'status': (string);
  /**
   * Unix time, seconds
   */
  'last_heartbeat': (number);
  'cpu_score': (number);
  'gpu_score': (number);
  'gpu_memory_gb': (number);
  'location': (string);
  'port': (number);
  'gpu_name': (string);
  /**
   * HiveMind additions
   */
  'id': (string);
  'docker_status': (string);
  'credit_score': (number);
  /**
   * high | normal | low
   */
  'trust_group': (string);
  'running_attempts': (number);
  'max_concurrent_tasks': (number);
  'owner': (string);
}
