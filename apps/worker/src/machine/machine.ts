import { totalmem } from 'node:os';
import { CpuSampler, usableCores, type Utilization } from './hardware';

/** What this worker offers tasks: the machine's totals capped by MAX_CPU_CORES / MAX_MEMORY_GB. */
export interface Resources {
  cpu_cores: number;
  memory_gb: number;
}

export function offeredResources(limits: { cpuCores: number; memoryGb: number }): Resources {
  const machineMemoryGb = totalmem() / 1024 ** 3;
  return {
    cpu_cores: usableCores(limits.cpuCores),
    memory_gb: Math.round(Math.min(limits.memoryGb, machineMemoryGb) * 10) / 10,
  };
}

const sharedSampler = new CpuSampler();

/**
 * CPU use since the previous reading (by any caller of the shared sampler) and memory in use,
 * as percentages. Give a caller that reads on its own schedule, like the heartbeat, its own sampler.
 */
export function utilization(sampler: CpuSampler = sharedSampler): Utilization {
  return sampler.sample();
}
