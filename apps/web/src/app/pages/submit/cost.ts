// The most a submission can cost: what the pool holds in escrow when it accepts it (the pool's own
// pricing, from @hivemind/contracts; TasksService.submit's defaults): every shard, and the
// aggregate step, running to its timeout on as many nodes as its validation may pay. Pure.
import {
  TASK_LIMITS,
  ValidationMode,
  maxTaskCost,
  paidReplicasAtMost,
  ratePerMinute,
} from '@hivemind/contracts';

/** The pool's defaults for the fields a submission leaves out. */
export const TASK_DEFAULTS = {
  cpuCores: TASK_LIMITS.cpu_cores.default,
  memoryGb: TASK_LIMITS.memory_gb.default,
  timeoutS: TASK_LIMITS.timeout_s.default,
  shards: TASK_LIMITS.shards.default,
  validation: ValidationMode.Adaptive,
  quorum: TASK_LIMITS.quorum.default,
  maxReplicas: TASK_LIMITS.max_replicas.default,
} as const;

export interface CostInput {
  cpuCores: number | null;
  memoryGb: number | null;
  gpuScore: number | null;
  gpuName: string | null;
  timeoutS: number | null;
  /** Shards the split makes (not counting the aggregate step). */
  shards: number;
  /** With an aggregate command, one more shard runs at the end. */
  aggregate: boolean;
  /** The validation policy (docs/validation.md); the pool's defaults when left out. */
  validation?: string;
  quorum?: number | null;
  maxReplicas?: number | null;
  /** The task has a validator command: its `quorum` runs per shard are held too. */
  validator?: boolean;
}

export interface CostEstimate {
  /** CPT per minute of one shard (fractional). */
  rate: number;
  /** The timeout in minutes (fractional). */
  minutes: number;
  /** Shards charged at most, the aggregate step included. */
  shards: number;
  /** Runs of each shard the hold covers: 1 without validation, else max_replicas (+ quorum with a validator). */
  replicas: number;
  /** The hold: whole CPT. */
  maxCost: number;
}

export function estimateMaxCost(input: CostInput): CostEstimate {
  const cpuMillicores = Math.round((input.cpuCores ?? TASK_DEFAULTS.cpuCores) * 1000);
  const memoryMb = Math.round((input.memoryGb ?? TASK_DEFAULTS.memoryGb) * 1024);
  const rate = ratePerMinute({
    cpuMillicores,
    memoryMb,
    gpuScore: input.gpuScore ?? 0,
    gpuName: input.gpuName,
  });
  const timeoutS = input.timeoutS ?? TASK_DEFAULTS.timeoutS;
  const shards = input.shards + (input.aggregate ? 1 : 0);
  const quorum = input.quorum ?? TASK_DEFAULTS.quorum;
  // as the pool: max_replicas left out is the default, or the quorum when that is higher
  const maxReplicas = input.maxReplicas ?? Math.max(TASK_DEFAULTS.maxReplicas, quorum);
  // a validator's runs are `quorum` more per shard (docs/validation.md "Fuzzy results")
  const replicas = paidReplicasAtMost(
    input.validation ?? TASK_DEFAULTS.validation,
    maxReplicas,
    input.validator ? quorum : 0,
  );
  return {
    rate,
    minutes: timeoutS / 60,
    shards,
    replicas,
    maxCost: maxTaskCost(rate, timeoutS, shards, replicas),
  };
}
