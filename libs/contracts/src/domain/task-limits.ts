// A task's numeric fields: what the pool accepts, and what it assumes when a submission leaves one
// out. The one source for the REST DTO, the pool's submission, the console's submit form and the
// worker's fallbacks.

export interface FieldLimit {
  min: number;
  max: number;
  /** The value a submission that leaves the field out gets. */
  default: number;
}

export const TASK_LIMITS = {
  cpu_cores: { min: 0.1, max: 256, default: 1 },
  memory_gb: { min: 0.0625, max: 4096, default: 0.5 },
  // the attempt's disk quota (its workspace is a file system of this size): 0.01 GB (10 MB) holds a
  // small input and output; 4096 GB is more than a volunteer's node offers
  storage_gb: { min: 0.01, max: 4096, default: 1 },
  cpu_score: { min: 0, max: 1_000_000, default: 0 },
  gpu_score: { min: 0, max: 1_000_000, default: 0 },
  gpu_memory_gb: { min: 0, max: 4096, default: 0 },
  priority: { min: -100, max: 100, default: 0 },
  timeout_s: { min: 1, max: 604_800, default: 3600 },
  max_attempts: { min: 1, max: 10, default: 3 },
  shards: { min: 1, max: 10_000, default: 1 },
  /** Matching results of different owners a shard needs (validation quorum and adaptive). */
  quorum: { min: 1, max: 8, default: 2 },
  /** The most replicas a shard may run before its results are called inconclusive. */
  max_replicas: { min: 1, max: 16, default: 4 },
} as const satisfies Record<string, FieldLimit>;

export type TaskNumberField = keyof typeof TASK_LIMITS;

/** Lengths and counts of a task's text fields. */
export const TASK_TEXT_LIMITS = {
  name: 128,
  gpu_name: 128,
  location: 64,
  /** Arguments of `command` and `aggregate_command`, and the characters of each. */
  commandArgs: 256,
  commandArgChars: 8192,
  envPairs: 100,
  envValueChars: 4096,
} as const;
