import { type HeartbeatBudget, heartbeatSchedule, sweepCutoffMs } from './heartbeat-schedule';

const budget: HeartbeatBudget = { minIntervalS: 5, maxIntervalS: 120, budgetPerS: 2000, minTimeoutS: 15 };
const load = { clusterNodes: 0, replicas: 1, nodesHeard: 0, busyLevel: 0 };

describe(heartbeatSchedule.name, () => {
  it.each([
    // what changes in the load, expected interval s, timeout s, nodes served
    ['an empty cluster: the seed’s 5 s', {}, 5, 15, 0],
    ['1,000 nodes: still 5 s', { clusterNodes: 1_000 }, 5, 15, 1_000],
    ['10,000 nodes: exactly the budget at 5 s', { clusterNodes: 10_000 }, 5, 15, 10_000],
    ['10,001 nodes: rounded up to whole seconds', { clusterNodes: 10_001 }, 6, 18, 10_001],
    ['20,000 nodes on one replica: 10 s', { clusterNodes: 20_000 }, 10, 30, 20_000],
    [
      '100,000 nodes on 3 replicas: an even share each',
      { clusterNodes: 100_000, replicas: 3 },
      17,
      51,
      33_334,
    ],
    ['100,000 nodes on 1 replica: 50 s', { clusterNodes: 100_000 }, 50, 150, 100_000],
    [
      'a replica that hears more than its even share sizes for what it hears',
      { clusterNodes: 20_000, replicas: 2, nodesHeard: 16_000 },
      8,
      24,
      16_000,
    ],
    [
      'a replica that hears fewer still takes its even share',
      { clusterNodes: 20_000, replicas: 2, nodesHeard: 100 },
      5,
      15,
      10_000,
    ],
    ['no replica counted yet is one replica', { clusterNodes: 20_000, replicas: 0 }, 10, 30, 20_000],
    ['past max × budget the interval stops at the maximum', { clusterNodes: 1_000_000 }, 120, 360, 1_000_000],
    ['busy: the interval doubles', { clusterNodes: 20_000, busyLevel: 1 }, 20, 60, 20_000],
    ['busy level 2: four times', { clusterNodes: 20_000, busyLevel: 2 }, 40, 120, 20_000],
    ['busy level 3: eight times', { clusterNodes: 20_000, busyLevel: 3 }, 80, 240, 20_000],
    ['busy levels stop at 3', { clusterNodes: 20_000, busyLevel: 7 }, 80, 240, 20_000],
    ['busy on a small cluster: twice the minimum', { clusterNodes: 10, busyLevel: 1 }, 10, 30, 10],
    ['busy never passes the maximum', { clusterNodes: 200_000, busyLevel: 1 }, 120, 360, 200_000],
  ])('%s', (_, change, intervalS, timeoutS, nodesServed) => {
    expect(heartbeatSchedule(budget, { ...load, ...change })).toEqual({ intervalS, timeoutS, nodesServed });
  });

  it.each([
    // the timeout keeps the ratio HEARTBEAT_TIMEOUT_S / HEARTBEAT_INTERVAL_S: 60 / 5 → 12 intervals
    [{ ...budget, minTimeoutS: 60 }, { clusterNodes: 20_000 }, 10, 120],
    [{ ...budget, minTimeoutS: 1 }, { clusterNodes: 10 }, 5, 1], // a test's 1 s stays 1 s
    [{ ...budget, minTimeoutS: 7 }, { clusterNodes: 20_000 }, 10, 14],
    [{ ...budget, minTimeoutS: 16, minIntervalS: 3 }, { clusterNodes: 20_000 }, 10, 54], // rounded up
    // a small budget stretches early: 500 nodes at 10/s
    [{ ...budget, budgetPerS: 10 }, { clusterNodes: 500 }, 50, 150],
  ])('settings %o, load %o → %i s, timeout %i s', (b, change, intervalS, timeoutS) => {
    expect(heartbeatSchedule(b, { ...load, ...change })).toMatchObject({ intervalS, timeoutS });
  });
});

describe(sweepCutoffMs.name, () => {
  it.each([
    [100_000, undefined, 100_000],
    [100_000, 0, 100_000],
    [100_000, 30_000, 70_000],
    [100_000, -5, 100_000],
  ])('now %i, extension %s → %i', (now, extension, cutoff) => {
    expect(sweepCutoffMs(now, extension)).toBe(cutoff);
  });
});
