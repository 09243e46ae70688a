import { type NodeUtilizationView, type NodeFrame } from '@hivemind/contracts';
import {
  addHeartbeat,
  bucketLabel,
  fromHistory,
  utilizationChart,
  type Utilization,
} from './utilization-chart';

const T0 = Date.parse('2026-05-01T10:00:00Z');
const min = (n: number) => T0 + n * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const history: NodeUtilizationView = {
  node_id: 'n1',
  from: iso(min(-60)),
  to: iso(min(0) + 30_000),
  step_s: 60,
  points: [
    { at: iso(min(-2)), cpu_percent: 10, memory_percent: 40, running_attempts: 1, samples: 12 },
    { at: iso(min(0)), cpu_percent: 20, memory_percent: 50, running_attempts: 2, samples: 6 },
  ],
};

const heartbeat = (atMs: number, over: Partial<NodeFrame> = {}): NodeFrame => ({
  type: 'node',
  event: 'heartbeat',
  node_id: 'n1',
  name: 'gpu-box',
  status: 'online',
  cpu_percent: 90,
  memory_percent: 60,
  running_attempts: 2,
  at: iso(atMs),
  ...over,
});

const minuteLabel = (atMs: number) => String((atMs - T0) / 60_000);

describe(utilizationChart.name, () => {
  it('spans the whole window with one label per bucket, the silent ones null', () => {
    const chart = utilizationChart(fromHistory(history, 1), minuteLabel);
    expect(chart.labels).toHaveLength(61);
    expect(chart.labels[0]).toBe('-60');
    expect(chart.labels.slice(-3)).toEqual(['-2', '-1', '0']);
    expect(chart.cpu[0].values.slice(-3)).toEqual([10, null, 20]);
    expect(chart.memory[0].values.slice(-3)).toEqual([40, null, 50]);
    expect(chart.running[0].values.slice(-3)).toEqual([1, null, 2]);
    expect(chart.cpu[0].values.filter((v) => v !== null)).toHaveLength(2);
    expect(chart.empty).toBe(false);
  });

  it('aligns wide buckets (a week in 15-minute steps) on the step', () => {
    const week: Utilization = { hours: 168, stepMs: 900_000, toMs: min(7), points: [] };
    const chart = utilizationChart(week, minuteLabel);
    expect(chart.labels[0]).toBe(String(-168 * 60));
    expect(chart.labels[chart.labels.length - 1]).toBe('0');
    expect(chart.labels).toHaveLength(168 * 4 + 1);
    expect(chart.empty).toBe(true);
  });
});

describe(addHeartbeat.name, () => {
  const u = fromHistory(history, 1);

  it("averages a heartbeat into the current bucket, weighted by the bucket's heartbeats", () => {
    const next = addHeartbeat(
      u,
      heartbeat(min(0) + 40_000, { cpu_percent: 90, memory_percent: 57, running_attempts: 2 }),
    );
    expect(next.points).toHaveLength(2);
    expect(next.points[1]).toEqual({
      at: iso(min(0)),
      cpu_percent: 30, // (20 × 6 + 90) / 7
      memory_percent: 51,
      running_attempts: 2,
      samples: 7,
    });
    expect(next.toMs).toBe(min(0) + 40_000);
    expect(u.points[1].samples).toBe(6); // not mutated
  });

  it('starts a new bucket and lets the oldest leave the window', () => {
    const old = { ...u, points: [{ ...u.points[0], at: iso(min(-60)) }, ...u.points] };
    const next = addHeartbeat(old, heartbeat(min(1) + 5000));
    expect(next.points.map((p) => p.at)).toEqual([iso(min(-2)), iso(min(0)), iso(min(1))]);
    expect(next.points[2]).toMatchObject({
      cpu_percent: 90,
      memory_percent: 60,
      running_attempts: 2,
      samples: 1,
    });
    const chart = utilizationChart(next, minuteLabel);
    expect(chart.labels[0]).toBe('-59');
    expect(chart.cpu[0].values[chart.cpu[0].values.length - 1]).toBe(90);
  });

  it('ignores frames that are not heartbeats with figures, and heartbeats before the last bucket', () => {
    expect(addHeartbeat(u, heartbeat(min(1), { event: 'online' }))).toBe(u);
    expect(addHeartbeat(u, heartbeat(min(1), { cpu_percent: undefined }))).toBe(u);
    expect(addHeartbeat(u, heartbeat(min(-5)))).toBe(u);
  });

  it('starts an empty history', () => {
    const empty: Utilization = { hours: 1, stepMs: 60_000, toMs: min(0), points: [] };
    expect(addHeartbeat(empty, heartbeat(min(0) + 1000)).points).toHaveLength(1);
  });
});

describe(bucketLabel.name, () => {
  it('shows the time of day, and the weekday for windows of several days', () => {
    expect(bucketLabel(T0, 1)).toMatch(/^\d\d:\d\d$/);
    expect(bucketLabel(T0, 168)).toMatch(/^\S+ \d\d:\d\d$/);
  });
});
