import { HEARTBEAT_METER_MAX_NODES, HeartbeatMeter } from './heartbeat-meter';

describe(HeartbeatMeter.name, () => {
  const t0 = 1_000_000;

  it('admits `limit` heartbeats per node per window, then refuses until the next window', () => {
    const meter = new HeartbeatMeter(3, 60, t0);
    expect([1, 2, 3, 4].map((i) => meter.admit('a', t0 + i * 1000))).toEqual([true, true, true, false]);
    expect(meter.admit('b', t0 + 5000)).toBe(true); // per node
    expect(meter.admit('a', t0 + 59_000)).toBe(false);
    expect(meter.admit('a', t0 + 60_000)).toBe(true); // a new window
    expect(meter.takeHeard()).toBe(5);
    expect(meter.takeHeard()).toBe(0);
  });

  it('counts the nodes heard within the horizon and forgets the others', () => {
    const meter = new HeartbeatMeter(100, 60, t0);
    meter.admit('old', t0);
    meter.admit('a', t0 + 20_000);
    meter.admit('b', t0 + 25_000);
    expect(meter.prune(30, t0 + 40_000)).toBe(2);
    expect(meter.size).toBe(2);
    meter.admit('a', t0 + 70_000);
    expect(meter.prune(30, t0 + 70_000)).toBe(1);
  });

  it('stays bounded: past the maximum the node heard longest ago goes', () => {
    const meter = new HeartbeatMeter(100, 60, t0);
    for (let i = 0; i <= HEARTBEAT_METER_MAX_NODES; i++) meter.admit(`n${i}`, t0);
    expect(meter.size).toBe(HEARTBEAT_METER_MAX_NODES);
  });
});
