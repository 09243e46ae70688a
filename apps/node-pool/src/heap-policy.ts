import { setFlagsFromString } from 'node:v8';
import type { NodePoolConfig } from './config/node-pool.config';

/**
 * Bounds the node pool's memory (docs/BENCHMARKS.md, "bounded memory"): what stays live at 20,000
 * nodes is ~120 MB, but under a steady flow of heartbeats V8 lets the old generation grow up to four
 * times that before a full collection, so the resident size climbs past 800 MB. A fixed growing
 * factor (HEAP_GROWING_PERCENT, 25 by default) keeps it near the live size, for some more CPU per
 * heartbeat. V8 reads the flag at each collection, so it can be set once the process runs: the
 * node pool's own start (main.ts) and the benchmarks that stand for it call this, never a test.
 */
export function applyHeapPolicy(config: Pick<NodePoolConfig, 'heapGrowingPercent'>): void {
  if (config.heapGrowingPercent > 0)
    setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
}
