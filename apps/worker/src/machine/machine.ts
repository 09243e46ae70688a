import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** What this worker offers tasks: the machine's totals capped by MAX_CPU_CORES / MAX_MEMORY_GB. */
export interface Resources {
  cpu_cores: number;
  memory_gb: number;
}

export function offeredResources(limits: { cpuCores: number; memoryGb: number }): Resources {
  const machineCores = cpus().length;
  const machineMemoryGb = totalmem() / 1024 ** 3;
  return {
    cpu_cores: Math.min(limits.cpuCores, machineCores),
    memory_gb: Math.round(Math.min(limits.memoryGb, machineMemoryGb) * 10) / 10,
  };
}

/** CPU use over the last minute (load average per core) and memory in use, as percentages. */
export function utilization(): { cpu_percent: number; memory_percent: number } {
  const cpu = Math.min(100, ((loadavg()[0] ?? 0) / Math.max(1, cpus().length)) * 100);
  const memory = (1 - freemem() / totalmem()) * 100;
  return { cpu_percent: Math.round(cpu * 10) / 10, memory_percent: Math.round(memory * 10) / 10 };
}
