// Original file: libs/contracts/proto/nodepool.proto


export interface UploadTaskRequest {
  'task_id'?: (string);
  'task_zip'?: (Buffer | Uint8Array | string);
  'memory_gb'?: (number);
  'cpu_score'?: (number);
  'gpu_score'?: (number);
  'gpu_memory_gb'?: (number);
  'location'?: (string);
  'gpu_name'?: (string);
  'user_id'?: (string);
  /**
   * HiveMind additions. task_id and user_id are ignored: the pool assigns the id, the caller's
   * token names the user. Zero values take the defaults of POST /api/tasks.
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
  'task_id': (string);
  'task_zip': (Buffer);
  'memory_gb': (number);
  'cpu_score': (number);
  'gpu_score': (number);
  'gpu_memory_gb': (number);
  'location': (string);
  'gpu_name': (string);
  'user_id': (string);
  /**
   * HiveMind additions. task_id and user_id are ignored: the pool assigns the id, the caller's
   * token names the user. Zero values take the defaults of POST /api/tasks.
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
