// The CPT price of compute (docs/design.md "The CPT economy"): resources × run time, in whole CPT. Pure, and
// shared: the pool charges with it, the console estimates a submission's hold with it.
import { type ResourceVector } from './resources';
/** Per minute: 1 CPT per CPU core, 1 per 4 GB of memory, 10 per GPU; at least 1. */
export const CPT_PER_CORE_MINUTE = 1;
export const MB_PER_CPT_MINUTE = 4096;
export const CPT_PER_GPU_MINUTE = 10;
/** The platform keeps this share of every charge; the node's owner gets the rest. */
export const PLATFORM_FEE_PERCENT = 10;

/** What a shard asks, as far as its price goes. */
export interface PricedDemand extends Pick<ResourceVector, 'cpuMillicores' | 'memoryMb' | 'gpuScore'> {
  /** A GPU is asked when a GPU score or a GPU name is. */
  gpuName?: string | null;
}

/** CPT per minute of a shard with these resources (fractional; costs are rounded up once). */
export function ratePerMinute(r: PricedDemand): number {
  const usesGpu = r.gpuScore > 0 || !!r.gpuName;
  const rate =
    (r.cpuMillicores / 1000) * CPT_PER_CORE_MINUTE +
    r.memoryMb / MB_PER_CPT_MINUTE +
    (usesGpu ? CPT_PER_GPU_MINUTE : 0);
  return Math.max(1, rate);
}

/** The cost of running `durationMs` at `rate` CPT per minute, rounded up to a whole CPT. */
export function costOf(rate: number, durationMs: number): number {
  return Math.ceil((Math.max(0, durationMs) / 60_000) * rate);
}

/**
 * The most a task can cost: every shard (and the aggregate step) running to its timeout on as many
 * nodes as its validation may pay (`replicas`: 1 without validation, otherwise max_replicas). An
 * attempt lost to a node failure, or whose result a quorum refuses, costs the user nothing, so
 * retries do not multiply it.
 */
export function maxTaskCost(rate: number, timeoutS: number, shardCount: number, replicas = 1): number {
  return costOf(rate, timeoutS * 1000) * shardCount * replicas;
}

/**
 * How many runs of a shard a task may pay for under its validation policy: its results, and with a
 * validator the `quorum` validating attempts that compare them (docs/validation.md).
 */
export function paidReplicasAtMost(validation: string, maxReplicas: number, validatorRuns = 0): number {
  return validation === 'none' ? 1 : maxReplicas + validatorRuns;
}

/** How a charge splits between the node's owner and the platform. */
export function splitCharge(cost: number): { reward: number; fee: number } {
  const fee = Math.floor((cost * PLATFORM_FEE_PERCENT) / 100);
  return { reward: cost - fee, fee };
}
