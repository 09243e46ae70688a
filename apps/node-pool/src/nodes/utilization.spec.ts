import {
  BUCKET_MS,
  CHART_MAX_POINTS,
  binPoints,
  bucketStart,
  chartStepMs,
  normalizeFigures,
  parseBucketHash,
  toPoint,
  type UtilizationPoint,
} from './utilization';

const NODE_A = '0b7f0b0e-6a43-4c55-9a55-6d7b8d1f0a01';
const NODE_B = '0b7f0b0e-6a43-4c55-9a55-6d7b8d1f0a02';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

const point = (atMs: number, cpu: number, samples: number, memory = cpu, running = 0): UtilizationPoint => ({
  atMs,
  cpuPercent: cpu,
  memoryPercent: memory,
  runningAttempts: running,
  samples,
});

describe(bucketStart.name, () => {
  it.each([
    [T0, T0],
    [T0 + 59_999, T0],
    [T0 + 60_000, T0 + BUCKET_MS],
    [T0 - 1, T0 - BUCKET_MS],
  ])('puts %d in the minute starting %d', (ms, expected) => {
    expect(bucketStart(ms)).toBe(expected);
  });
});

describe(normalizeFigures.name, () => {
  it.each([
    [
      { cpuPercent: 37.456, memoryPercent: 50, runningAttempts: 2 },
      { cpuPercent: 37.46, memoryPercent: 50, runningAttempts: 2 },
    ],
    [
      { cpuPercent: 350, memoryPercent: -4, runningAttempts: 1.7 },
      { cpuPercent: 100, memoryPercent: 0, runningAttempts: 1 },
    ],
    [
      { cpuPercent: NaN, memoryPercent: Infinity, runningAttempts: -3 },
      { cpuPercent: 0, memoryPercent: 0, runningAttempts: 0 },
    ],
  ])('makes %j safe to chart', (figures, expected) => {
    expect(normalizeFigures(figures)).toEqual(expected);
  });
});

describe(parseBucketHash.name, () => {
  it('groups the fields by node and drops entries without a sample count', () => {
    const sums = parseBucketHash(T0, {
      [`${NODE_A}:c`]: '150.5',
      [`${NODE_A}:m`]: '90',
      [`${NODE_A}:r`]: '3',
      [`${NODE_A}:n`]: '3',
      [`${NODE_B}:c`]: '10',
      garbage: '1',
      [`${NODE_A}:x`]: '1',
    });
    expect(sums).toEqual([
      { nodeId: NODE_A, bucketMs: T0, cpuSum: 150.5, memorySum: 90, runningSum: 3, samples: 3 },
    ]);
    expect(toPoint(sums[0])).toEqual(point(T0, 50.17, 3, 30, 1));
  });
});

describe(binPoints.name, () => {
  it('merges the two halves of one bucket, weighted by samples', () => {
    expect(binPoints([point(T0, 10, 3), point(T0, 50, 1)], BUCKET_MS)).toEqual([point(T0, 20, 4)]);
  });

  it('bins minutes into wider, sorted points and skips empty ones', () => {
    const points = [
      point(T0 + 5 * BUCKET_MS, 40, 12),
      point(T0, 10, 12),
      point(T0 + BUCKET_MS, 30, 12),
      point(T0 + 2 * BUCKET_MS, 99, 0),
    ];
    expect(binPoints(points, 5 * BUCKET_MS)).toEqual([point(T0, 20, 24), point(T0 + 5 * BUCKET_MS, 40, 12)]);
  });
});

describe(chartStepMs.name, () => {
  it.each([
    [1, 1],
    [12, 1],
    [13, 2],
    [24, 2],
    [72, 10],
    [168, 15],
  ])('%d hours → %d-minute points', (hours, minutes) => {
    expect(chartStepMs(hours * 3600_000)).toBe(minutes * BUCKET_MS);
  });

  it('never gives more than CHART_MAX_POINTS points', () => {
    for (let hours = 1; hours <= 168; hours++) {
      expect((hours * 3600_000) / chartStepMs(hours * 3600_000)).toBeLessThanOrEqual(CHART_MAX_POINTS);
    }
  });
});
