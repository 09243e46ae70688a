// Original file: libs/contracts/proto/nodepool.proto


export interface UploadTaskRequest {
  /**
   * Your own reference for the task (its client_ref): unique among your tasks; 1-128 letters, digits,
   * ".", "_", ":" or "-". PollTaskStatus, GetTaskResult, StopTask and /api/tasks/:id take it in place
   * of the pool's id (the answer's task_id). The same request again answers the earlier task; another
   * request with the same task_id is refused (docs/adr/0012-client-references.md).
   */
  'task_id'?: (string);
  'task_zip'?: (Buffer | Uint8Array | string);
  'memory_gb'?: (number);
  'cpu_score'?: (number);
  'gpu_score'?: (number);
  'gpu_memory_gb'?: (number);
  /**
   * a preference; empty or "Any" (any case): none
   */
  'location'?: (string);
  /**
   * the GPU model a node must have; empty or "Any" (any case): none
   */
  'gpu_name'?: (string);
  /**
   * not a credential: when set, it must name the token's user
   */
  'user_id'?: (string);
  /**
   * HiveMind additions. The caller's token (this field or `authorization: Bearer` metadata) names
   * the user. Zero values take the defaults of POST /api/tasks.
   */
  'token'?: (string);
  'name'?: (string);
  /**
   * empty with a task_zip: the default runtime image
   */
  'image'?: (string);
  'command'?: (string)[];
  'env'?: ({[key: string]: string});
  'cpu_cores'?: (number);
  /**
   * more precise than memory_gb when set
   */
  'memory_mb'?: (number);
  'storage_gb'?: (number);
  'priority'?: (number);
  'timeout_s'?: (number);
  'max_attempts'?: (number);
  'shards'?: (number);
  /**
   * none | data_processing | machine_learning | simulation
   */
  'split'?: (string);
  /**
   * e.g. machine_learning: {"grid": {"lr": [0.1, 0.01]}}
   */
  'split_params_json'?: (string);
  'aggregate_command'?: (string)[];
  'network_allowed'?: (boolean);
  /**
   * admins: run on this node only (CloudAI dispatch)
   */
  'target_node'?: (string);
  'idempotency_key'?: (string);
  /**
   * like env, but sealed at rest and shown as "********"
   */
  'secret_env'?: ({[key: string]: string});
  /**
   * HiveMind additions: result validation (docs/validation.md)
   */
  'validation'?: (string);
  /**
   * matching results of different owners (default 2)
   */
  'quorum'?: (number);
  /**
   * most replicas of a shard (default 4)
   */
  'max_replicas'?: (number);
  /**
   * groups a shard's disagreeing results (floating point)
   */
  'validator_command'?: (string)[];
}

export interface UploadTaskRequest__Output {
  /**
   * Your own reference for the task (its client_ref): unique among your tasks; 1-128 letters, digits,
   * ".", "_", ":" or "-". PollTaskStatus, GetTaskResult, StopTask and /api/tasks/:id take it in place
   * of the pool's id (the answer's task_id). The same request again answers the earlier task; another
   * request with the same task_id is refused (docs/adr/0012-client-references.md).
   */
  'task_id': (string);
  'task_zip': (Buffer);
  'memory_gb': (number);
  'cpu_score': (number);
  'gpu_score': (number);
  'gpu_memory_gb': (number);
  /**
   * a preference; empty or "Any" (any case): none
   */
  'location': (string);
  /**
   * the GPU model a node must have; empty or "Any" (any case): none
   */
  'gpu_name': (string);
  /**
   * not a credential: when set, it must name the token's user
   */
  'user_id': (string);
  /**
   * HiveMind additions. The caller's token (this field or `authorization: Bearer` metadata) names
   * the user. Zero values take the defaults of POST /api/tasks.
   */
  'token': (string);
  'name': (string);
  /**
   * empty with a task_zip: the default runtime image
   */
  'image': (string);
  'command': (string)[];
  'env': ({[key: string]: string});
  'cpu_cores': (number);
  /**
   * more precise than memory_gb when set
   */
  'memory_mb': (number);
  'storage_gb': (number);
  'priority': (number);
  'timeout_s': (number);
  'max_attempts': (number);
  'shards': (number);
  /**
   * none | data_processing | machine_learning | simulation
   */
  'split': (string);
  /**
   * e.g. machine_learning: {"grid": {"lr": [0.1, 0.01]}}
   */
  'split_params_json': (string);
  'aggregate_command': (string)[];
  'network_allowed': (boolean);
  /**
   * admins: run on this node only (CloudAI dispatch)
   */
  'target_node': (string);
  'idempotency_key': (string);
  /**
   * like env, but sealed at rest and shown as "********"
   */
  'secret_env': ({[key: string]: string});
  /**
   * HiveMind additions: result validation (docs/validation.md)
   */
  'validation': (string);
  /**
   * matching results of different owners (default 2)
   */
  'quorum': (number);
  /**
   * most replicas of a shard (default 4)
   */
  'max_replicas': (number);
  /**
   * groups a shard's disagreeing results (floating point)
   */
  'validator_command': (string)[];
}
