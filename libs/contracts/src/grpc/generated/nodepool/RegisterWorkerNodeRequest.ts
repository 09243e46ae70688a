// Original file: libs/contracts/proto/nodepool.proto


export interface RegisterWorkerNodeRequest {
  /**
   * the seed: the owner's username; here the node's name
   */
  'node_id'?: (string);
  /**
   * IP address (a WireGuard address when the node has one)
   */
  'hostname'?: (string);
  'cpu_cores'?: (number);
  'memory_gb'?: (number);
  'cpu_score'?: (number);
  'gpu_score'?: (number);
  'gpu_memory_gb'?: (number);
  'location'?: (string);
  'port'?: (number);
  'gpu_name'?: (string);
  /**
   * "enabled" | "disabled"
   */
  'docker_status'?: (string);
  /**
   * HiveMind additions
   */
  'memory_mb'?: (number);
  /**
   * disk offered to tasks
   */
  'storage_gb'?: (number);
  /**
   * attempt slots (default 1)
   */
  'max_concurrent_tasks'?: (number);
  'agent_version'?: (string);
  /**
   * PEM PKCS#10 request (ECDSA P-256): the pool's CA signs a short-lived client certificate bound to
   * this node and its new credential (required when the pool sets GRPC_REQUIRE_CLIENT_CERT)
   */
  'csr_pem'?: (string);
}

export interface RegisterWorkerNodeRequest__Output {
  /**
   * the seed: the owner's username; here the node's name
   */
  'node_id': (string);
  /**
   * IP address (a WireGuard address when the node has one)
   */
  'hostname': (string);
  'cpu_cores': (number);
  'memory_gb': (number);
  'cpu_score': (number);
  'gpu_score': (number);
  'gpu_memory_gb': (number);
  'location': (string);
  'port': (number);
  'gpu_name': (string);
  /**
   * "enabled" | "disabled"
   */
  'docker_status': (string);
  /**
   * HiveMind additions
   */
  'memory_mb': (number);
  /**
   * disk offered to tasks
   */
  'storage_gb': (number);
  /**
   * attempt slots (default 1)
   */
  'max_concurrent_tasks': (number);
  'agent_version': (string);
  /**
   * PEM PKCS#10 request (ECDSA P-256): the pool's CA signs a short-lived client certificate bound to
   * this node and its new credential (required when the pool sets GRPC_REQUIRE_CLIENT_CERT)
   */
  'csr_pem': (string);
}
