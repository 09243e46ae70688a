// The most a submission can cost: what the pool holds in escrow when it accepts it. Mirrors
// apps/node-pool/src/scheduling/pricing.ts and TasksService.submit (cost.spec.ts fails when they
// drift): every shard, and the aggregate step, running to its timeout. Pure.

/** Per minute: 1 CPT per CPU core, 1 per 4 GB of memory, 10 with a GPU; at least 1. */
const CPT_PER_CORE_MINUTE = 1;
const MB_PER_CPT_MINUTE = 4096;
const CPT_PER_GPU_MINUTE = 10;

/** The pool's defaults for the fields a submission leaves out. */
export const TASK_DEFAULTS = { cpuCores: 1, memoryGb: 0.5, timeoutS: 3600, shards: 1 } as const;

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
}

export interface CostEstimate {
  /** CPT per minute of one shard (fractional). */
  rate: number;
  /** The timeout in minutes (fractional). */
  minutes: number;
  /** Shards charged at most, the aggregate step included. */
  shards: number;
  /** The hold: whole CPT. */
  maxCost: number;
}

export function estimateMaxCost(input: CostInput): CostEstimate {
  const cpuMillicores = Math.round((input.cpuCores ?? TASK_DEFAULTS.cpuCores) * 1000);
  const memoryMb = Math.round((input.memoryGb ?? TASK_DEFAULTS.memoryGb) * 1024);
  const usesGpu = (input.gpuScore ?? 0) > 0 || !!input.gpuName;
  const rate = Math.max(
    1,
    (cpuMillicores / 1000) * CPT_PER_CORE_MINUTE +
      memoryMb / MB_PER_CPT_MINUTE +
      (usesGpu ? CPT_PER_GPU_MINUTE : 0),
  );
  const timeoutS = input.timeoutS ?? TASK_DEFAULTS.timeoutS;
  const perShard = Math.ceil((Math.max(0, timeoutS * 1000) / 60_000) * rate);
  const shards = input.shards + (input.aggregate ? 1 : 0);
  return { rate, minutes: timeoutS / 60, shards, maxCost: perShard * shards };
}
