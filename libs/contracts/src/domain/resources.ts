/**
 * The resource vector, in integer units (no floating point in placement): what a shard asks, what
 * a node offers and has free, what an attempt holds. Scores are thresholds a node must reach, not
 * amounts it gives away.
 */
export interface ResourceVector {
  cpuMillicores: number;
  memoryMb: number;
  storageMb: number;
  cpuScore: number;
  gpuScore: number;
  gpuMemoryMb: number;
}

/** The part of the vector an attempt holds of its node while it lives. */
export type HeldResources = Pick<ResourceVector, 'cpuMillicores' | 'memoryMb' | 'storageMb' | 'gpuMemoryMb'>;
