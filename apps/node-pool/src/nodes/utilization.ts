// Heartbeat figures and the utilization history's arithmetic, as pure functions: which bucket a
// heartbeat falls in, how the sums accumulated in Redis become averages, how points merge and how
// a long range is binned into fewer, wider points for a chart.

/** Heartbeats are accumulated per node per one-minute bucket. */
export const BUCKET_MS = 60_000;
/** The history kept in PostgreSQL (pruneUtilization deletes older buckets). */
export const UTILIZATION_RETENTION_MS = 7 * 24 * 3600_000;
/** A chart gets at most about this many points; longer ranges are binned into wider buckets. */
export const CHART_MAX_POINTS = 720;

/** What one heartbeat says about a node's load. */
export interface HeartbeatFigures {
  /** Of the whole machine, 0–100. */
  cpuPercent: number;
  memoryPercent: number;
  runningAttempts: number;
}

/** The sums of one node's heartbeats in one bucket, as accumulated in Redis. */
export interface BucketSums {
  nodeId: string;
  bucketMs: number;
  cpuSum: number;
  memorySum: number;
  runningSum: number;
  samples: number;
}

/** Averages over a bucket (or a bin of buckets), weighted by heartbeats. */
export interface UtilizationPoint {
  atMs: number;
  cpuPercent: number;
  memoryPercent: number;
  runningAttempts: number;
  samples: number;
}

export const bucketStart = (ms: number): number => ms - (((ms % BUCKET_MS) + BUCKET_MS) % BUCKET_MS);

const round2 = (value: number): number => Math.round(value * 100) / 100;
const percent = (value: number): number =>
  Number.isFinite(value) ? round2(Math.min(100, Math.max(0, value))) : 0;

/**
 * A heartbeat's figures made safe to store and chart: percentages clamped to 0–100 (a worker that
 * reports per-core sums or NaN must not break the charts), the attempt count a whole number ≥ 0.
 * Never refused: a heartbeat's job is liveness, and odd figures must not make a node look dead.
 */
export function normalizeFigures(figures: HeartbeatFigures): HeartbeatFigures {
  const running = Number.isFinite(figures.runningAttempts) ? Math.floor(figures.runningAttempts) : 0;
  return {
    cpuPercent: percent(figures.cpuPercent),
    memoryPercent: percent(figures.memoryPercent),
    runningAttempts: Math.max(0, running),
  };
}

/** The Redis hash fields of one node in a bucket's hash: sums of cpu, memory, running, samples. */
export const BUCKET_FIELDS = { cpu: 'c', memory: 'm', running: 'r', samples: 'n' } as const;
export const bucketField = (nodeId: string, kind: (typeof BUCKET_FIELDS)[keyof typeof BUCKET_FIELDS]) =>
  `${nodeId}:${kind}`;

/** A bucket's Redis hash (`<node id>:<c|m|r|n>` → sum) as one BucketSums per node with samples. */
export function parseBucketHash(bucketMs: number, hash: Record<string, string>): BucketSums[] {
  const byNode = new Map<string, BucketSums>();
  for (const [field, raw] of Object.entries(hash)) {
    const split = field.lastIndexOf(':');
    if (split <= 0) continue;
    const nodeId = field.slice(0, split);
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    let sums = byNode.get(nodeId);
    if (!sums) {
      sums = { nodeId, bucketMs, cpuSum: 0, memorySum: 0, runningSum: 0, samples: 0 };
      byNode.set(nodeId, sums);
    }
    switch (field.slice(split + 1)) {
      case BUCKET_FIELDS.cpu:
        sums.cpuSum = value;
        break;
      case BUCKET_FIELDS.memory:
        sums.memorySum = value;
        break;
      case BUCKET_FIELDS.running:
        sums.runningSum = value;
        break;
      case BUCKET_FIELDS.samples:
        sums.samples = value;
        break;
    }
  }
  // a half-written entry (a heartbeat racing a flush) without its sample count carries no average
  return [...byNode.values()].filter((s) => s.samples > 0);
}

export function toPoint(sums: BucketSums): UtilizationPoint {
  return {
    atMs: sums.bucketMs,
    cpuPercent: round2(sums.cpuSum / sums.samples),
    memoryPercent: round2(sums.memorySum / sums.samples),
    runningAttempts: round2(sums.runningSum / sums.samples),
    samples: sums.samples,
  };
}

/**
 * Points grouped into bins of `stepMs` (aligned to the epoch), each a sample-weighted average of
 * the points in it; sorted by time. With stepMs = BUCKET_MS this merges the two halves of a
 * bucket (one already in PostgreSQL, one still in Redis) into one point.
 */
export function binPoints(points: readonly UtilizationPoint[], stepMs: number): UtilizationPoint[] {
  const bins = new Map<number, { cpu: number; memory: number; running: number; samples: number }>();
  for (const p of points) {
    if (p.samples <= 0) continue;
    const at = p.atMs - (((p.atMs % stepMs) + stepMs) % stepMs);
    const bin = bins.get(at) ?? { cpu: 0, memory: 0, running: 0, samples: 0 };
    bin.cpu += p.cpuPercent * p.samples;
    bin.memory += p.memoryPercent * p.samples;
    bin.running += p.runningAttempts * p.samples;
    bin.samples += p.samples;
    bins.set(at, bin);
  }
  return [...bins.entries()]
    .sort(([a], [b]) => a - b)
    .map(([atMs, bin]) => ({
      atMs,
      cpuPercent: round2(bin.cpu / bin.samples),
      memoryPercent: round2(bin.memory / bin.samples),
      runningAttempts: round2(bin.running / bin.samples),
      samples: bin.samples,
    }));
}

const NICE_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 240];

/** The narrowest "nice" bucket width (1, 2, 5, 10, 15, 30 … minutes) giving ≤ CHART_MAX_POINTS points. */
export function chartStepMs(rangeMs: number): number {
  const minutes = rangeMs / BUCKET_MS / CHART_MAX_POINTS;
  const step = NICE_STEPS_MIN.find((m) => m >= minutes) ?? NICE_STEPS_MIN[NICE_STEPS_MIN.length - 1];
  return step * BUCKET_MS;
}
