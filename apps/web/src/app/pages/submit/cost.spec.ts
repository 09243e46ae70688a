import { maxTaskCost, paidReplicasAtMost, ratePerMinute } from '@hivemind/contracts';
import { estimateMaxCost, type CostInput } from './cost';

const input = (over: Partial<CostInput> = {}): CostInput => ({
  cpuCores: 1,
  memoryGb: 0.5,
  gpuScore: 0,
  gpuName: null,
  timeoutS: 3600,
  shards: 1,
  aggregate: false,
  validation: 'none',
  ...over,
});

describe(estimateMaxCost.name, () => {
  it.each([
    // [what, input, the hold]
    ['1 core, 0.5 GB, an hour: 1.125 CPT/min × 60 min', input(), 68],
    ['the pool defaults for empty fields', input({ cpuCores: null, memoryGb: null, timeoutS: null }), 68],
    ['at least 1 CPT a minute', input({ cpuCores: 0.1, memoryGb: 0.0625, timeoutS: 600 }), 10],
    ['a minute started is charged up to the rate', input({ timeoutS: 90 }), 2],
    ['per shard', input({ shards: 4, timeoutS: 600 }), 4 * 12],
    ['the aggregate step is one more shard', input({ shards: 4, timeoutS: 600, aggregate: true }), 5 * 12],
    ['a GPU score asks a GPU: +10', input({ gpuScore: 100, timeoutS: 60 }), 12],
    ['so does a GPU name', input({ gpuName: 'RTX 4090', timeoutS: 60 }), 12],
    ['4 cores, 16 GB', input({ cpuCores: 4, memoryGb: 16, timeoutS: 60 }), 8],
  ])('%s', (_what, given, hold) => {
    expect(estimateMaxCost(given).maxCost).toBe(hold);
  });

  it('explains itself: rate, minutes, shards, replicas', () => {
    expect(estimateMaxCost(input({ shards: 3, timeoutS: 120, aggregate: true }))).toEqual({
      rate: 1.125,
      minutes: 2,
      shards: 4,
      replicas: 1,
      maxCost: 4 * 3,
    });
  });

  it.each([
    // [what, input, replicas held per shard, the hold]
    ['validation none: one result per shard', input({ timeoutS: 600 }), 1, 12],
    [
      'quorum: max_replicas results per shard',
      input({ timeoutS: 600, validation: 'quorum', maxReplicas: 3 }),
      3,
      36,
    ],
    ['adaptive too', input({ timeoutS: 600, validation: 'adaptive', maxReplicas: 2 }), 2, 24],
    ['the pool default is adaptive with 4 replicas', input({ timeoutS: 600, validation: undefined }), 4, 48],
    [
      'max_replicas left out: the default, or the quorum when higher',
      input({ timeoutS: 600, validation: 'quorum', quorum: 6, maxReplicas: null }),
      6,
      72,
    ],
    [
      'a validator adds quorum runs a shard',
      input({ timeoutS: 600, validation: 'quorum', quorum: 2, maxReplicas: 4, validator: true }),
      6,
      72,
    ],
    [
      'times the shards and the aggregate step',
      input({ timeoutS: 600, shards: 2, aggregate: true, validation: 'quorum', maxReplicas: 4 }),
      4,
      3 * 4 * 12,
    ],
  ])('%s', (_what, given, replicas, hold) => {
    const estimate = estimateMaxCost(given);
    expect(estimate.replicas).toBe(replicas);
    expect(estimate.maxCost).toBe(hold);
  });

  it('holds what the pool holds (the shared pricing), whatever the resources', () => {
    for (const cpuCores of [0.1, 0.25, 1, 1.5, 3, 64])
      for (const memoryGb of [0.0625, 0.3, 0.5, 2, 7.7, 128])
        for (const timeoutS of [1, 59, 61, 3600, 604800])
          for (const gpuScore of [0, 10]) {
            const rate = ratePerMinute({
              cpuMillicores: Math.round(cpuCores * 1000),
              memoryMb: Math.round(memoryGb * 1024),
              gpuScore,
            });
            for (const [validation, maxReplicas] of [
              ['none', 4],
              ['quorum', 3],
              ['adaptive', 16],
            ] as const)
              expect(
                estimateMaxCost(
                  input({ cpuCores, memoryGb, timeoutS, gpuScore, shards: 3, validation, maxReplicas }),
                ).maxCost,
              ).toBe(maxTaskCost(rate, timeoutS, 3, paidReplicasAtMost(validation, maxReplicas)));
          }
  });
});
