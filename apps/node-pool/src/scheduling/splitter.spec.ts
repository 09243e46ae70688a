import { SplitKind, costOf, maxTaskCost, ratePerMinute, splitCharge } from '@hivemind/contracts';
import { MAX_SHARDS, planShards } from './splitter';

const r = (cpuMillicores: number, memoryMb: number) => ({
  cpuMillicores,
  memoryMb,
  storageMb: 0,
  cpuScore: 0,
  gpuScore: 0,
  gpuMemoryMb: 0,
});

describe('planShards', () => {
  it('none: N identical shards', () => {
    expect(planShards({ kind: SplitKind.None, shards: 3, params: {} })).toEqual([
      { index: 0, params: {} },
      { index: 1, params: {} },
      { index: 2, params: {} },
    ]);
  });

  it('simulation: N seeded replicas from the base seed', () => {
    const plans = planShards({ kind: SplitKind.Simulation, shards: 3, params: { seed: 40 } });
    expect(plans.map((p) => p.params)).toEqual([{ seed: 40 }, { seed: 41 }, { seed: 42 }]);
    expect(() => planShards({ kind: SplitKind.Simulation, shards: 2, params: { seed: 'x' } })).toThrow(
      /seed must be a whole number/,
    );
  });

  it('machine_learning: one shard per hyper-parameter combination', () => {
    const plans = planShards({
      kind: SplitKind.MachineLearning,
      shards: 1,
      params: { grid: { lr: [0.1, 0.01], layers: [2, 3, 4] } },
    });
    expect(plans).toHaveLength(6);
    expect(plans[0].params).toEqual({ lr: 0.1, layers: 2 });
    expect(plans[5].params).toEqual({ lr: 0.01, layers: 4 });
    expect(plans.map((p) => [p.params.lr, p.params.layers])).toEqual([
      [0.1, 2],
      [0.1, 3],
      [0.1, 4],
      [0.01, 2],
      [0.01, 3],
      [0.01, 4],
    ]);
  });

  it('machine_learning: a grid of exactly MAX_SHARDS combinations is planned', () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    const plans = planShards({
      kind: SplitKind.MachineLearning,
      shards: 1,
      params: { grid: { a: values, b: values } },
    });
    expect(plans).toHaveLength(MAX_SHARDS);
    expect(plans[MAX_SHARDS - 1].params).toEqual({ a: 99, b: 99 });
    expect(new Set(plans.map((p) => JSON.stringify(p.params))).size).toBe(MAX_SHARDS);
  });

  it('machine_learning: a grid too big is refused from its sizes, before any combination is built', () => {
    // 10,000 × 30,000: building it first took ~30 s and 4 GB before the limit was checked
    const grid = {
      a: Array.from({ length: 10_000 }, (_, i) => i),
      b: Array.from({ length: 30_000 }, (_, i) => i),
    };
    expect(() => planShards({ kind: SplitKind.MachineLearning, shards: 1, params: { grid } })).toThrow(
      'the grid has 10000 × 30000 = 300000000 combinations; at most 10000 shards are allowed',
    );
  });

  it.each([
    [undefined, /needs split_params.grid/],
    [{}, /needs split_params.grid/],
    [{ lr: [] }, /grid.lr must be a non-empty list/],
    [{ lr: 3 }, /grid.lr must be a non-empty list/],
  ])('machine_learning refuses the grid %j', (grid, message) => {
    expect(() => planShards({ kind: SplitKind.MachineLearning, shards: 1, params: { grid } })).toThrow(
      message,
    );
  });

  it('data_processing: the files under data/ in contiguous slices, every file exactly once', () => {
    const inputFiles = ['main.py', 'data/', ...['e', 'a', 'd', 'c', 'b'].map((f) => `data/${f}.csv`)];
    const plans = planShards({ kind: SplitKind.DataProcessing, shards: 2, params: {}, inputFiles });
    expect(plans.map((p) => p.params.files)).toEqual([
      ['data/a.csv', 'data/b.csv'],
      ['data/c.csv', 'data/d.csv', 'data/e.csv'],
    ]);
  });

  it('data_processing: all files when there is no data/ folder; refuses more shards than files', () => {
    const plans = planShards({
      kind: SplitKind.DataProcessing,
      shards: 2,
      params: {},
      inputFiles: ['x', 'y'],
    });
    expect(plans.map((p) => p.params.files)).toEqual([['x'], ['y']]);
    expect(() =>
      planShards({ kind: SplitKind.DataProcessing, shards: 3, params: {}, inputFiles: ['x', 'y'] }),
    ).toThrow('data_processing with 3 shards needs at least 3 input files, the zip has 2');
    expect(() => planShards({ kind: SplitKind.DataProcessing, shards: 1, params: {} })).toThrow(
      /needs an input zip/,
    );
  });
});

describe('pricing', () => {
  it.each([
    [r(1000, 512), false, 1.125],
    [r(4000, 8192), false, 6],
    [r(0, 0), false, 1],
    [r(1000, 0), true, 11],
  ])('rate of %j (gpu %s) is %d CPT per minute', (res, gpu, rate) => {
    expect(ratePerMinute({ ...res, gpuName: gpu ? 'any GPU' : null })).toBe(rate);
  });

  it('costs are rounded up to a whole CPT and never negative', () => {
    expect(costOf(2, 0)).toBe(0);
    expect(costOf(2, 1)).toBe(1);
    expect(costOf(2, 60_000)).toBe(2);
    expect(costOf(1.125, 90_000)).toBe(2);
    expect(costOf(2, -5)).toBe(0);
  });

  it('the maximum cost is every shard running to its timeout', () => {
    expect(maxTaskCost(1.125, 3600, 3)).toBe(68 * 3);
  });

  it('a charge splits into the owner’s reward and the platform fee, summing to the charge', () => {
    for (const cost of [0, 1, 9, 10, 11, 99, 1234]) {
      const { reward, fee } = splitCharge(cost);
      expect(reward + fee).toBe(cost);
      expect(fee).toBe(Math.floor(cost / 10));
    }
  });
});
