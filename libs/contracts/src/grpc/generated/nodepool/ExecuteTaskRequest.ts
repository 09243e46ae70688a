// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface ExecuteTaskRequest {
  'node_id'?: (string);
  'task_id'?: (string);
  'task_zip'?: (Buffer | Uint8Array | string);
  'cpu'?: (number);
  'gpu'?: (number);
  'memory_gb'?: (number);
  'gpu_memory_gb'?: (number);
  /**
   * HiveMind additions
   */
  'attempt_id'?: (string);
  /**
   * every report about this attempt carries it
   */
  'fencing_token'?: (number | string | Long);
  'attempt_number'?: (number);
  'shard_index'?: (number);
  'shard_count'?: (number);
  'shard_params_json'?: (string);
  /**
   * empty: the default runtime image
   */
  'image'?: (string);
  'command'?: (string)[];
  'env'?: ({[key: string]: string});
  'timeout_s'?: (number);
  'network_allowed'?: (boolean);
  'cpu_millicores'?: (number);
  'memory_mb'?: (number);
  'storage_mb'?: (number);
  /**
   * empty: no input; fetch it with DownloadInput
   */
  'input_sha256'?: (string);
  'input_size'?: (number | string | Long);
  /**
   * the aggregate step: the input holds every shard's output
   */
  'is_aggregate'?: (boolean);
  /**
   * the names in env whose values the submitter marked secret: the worker masks those values in
   * the logs it sends
   */
  'secret_env_keys'?: (string)[];
}

export interface ExecuteTaskRequest__Output {
  'node_id': (string);
  'task_id': (string);
  'task_zip': (Buffer);
  'cpu': (number);
  'gpu': (number);
  'memory_gb': (number);
  'gpu_memory_gb': (number);
  /**
   * HiveMind additions
   */
  'attempt_id': (string);
  /**
   * every report about this attempt carries it
   */
  'fencing_token': (string);
  'attempt_number': (number);
  'shard_index': (number);
  'shard_count': (number);
  'shard_params_json': (string);
  /**
   * empty: the default runtime image
   */
  'image': (string);
  'command': (string)[];
  'env': ({[key: string]: string});
  'timeout_s': (number);
  'network_allowed': (boolean);
  'cpu_millicores': (number);
  'memory_mb': (number);
  'storage_mb': (number);
  /**
   * empty: no input; fetch it with DownloadInput
   */
  'input_sha256': (string);
  'input_size': (string);
  /**
   * the aggregate step: the input holds every shard's output
   */
  'is_aggregate': (boolean);
  /**
   * the names in env whose values the submitter marked secret: the worker masks those values in
   * the logs it sends
   */
  'secret_env_keys': (string)[];
}
