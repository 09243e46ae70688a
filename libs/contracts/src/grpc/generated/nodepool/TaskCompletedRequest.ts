// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskCompletedRequest {
  'task_id'?: (string);
  'node_id'?: (string);
  'success'?: (boolean);
  /**
   * HiveMind additions: which attempt, fenced, and how it went
   */
  'attempt_id'?: (string);
  'fencing_token'?: (number | string | Long);
  'exit_code'?: (number);
  'oom_killed'?: (boolean);
  'duration_ms'?: (number | string | Long);
  'cpu_seconds'?: (number | string);
  'peak_memory_mb'?: (number);
  'error'?: (string);
  /**
   * empty or "task": the task's own failure; "node": the executor's
   */
  'failure_cause'?: (string);
  /**
   * the uploaded output, if any
   */
  'output_sha256'?: (string);
  /**
   * sha256 (hex) of the result's canonical text: exit code and every output file's path and sha256
   * (docs/worker.md "Result digest"); empty when nothing ran or the outputs could not be kept
   */
  'result_digest'?: (string);
}

export interface TaskCompletedRequest__Output {
  'task_id': (string);
  'node_id': (string);
  'success': (boolean);
  /**
   * HiveMind additions: which attempt, fenced, and how it went
   */
  'attempt_id': (string);
  'fencing_token': (string);
  'exit_code': (number);
  'oom_killed': (boolean);
  'duration_ms': (string);
  'cpu_seconds': (number);
  'peak_memory_mb': (number);
  'error': (string);
  /**
   * empty or "task": the task's own failure; "node": the executor's
   */
  'failure_cause': (string);
  /**
   * the uploaded output, if any
   */
  'output_sha256': (string);
  /**
   * sha256 (hex) of the result's canonical text: exit code and every output file's path and sha256
   * (docs/worker.md "Result digest"); empty when nothing ran or the outputs could not be kept
   */
  'result_digest': (string);
}
