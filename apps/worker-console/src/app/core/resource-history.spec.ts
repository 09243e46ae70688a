import { HISTORY_SAMPLES, resourceCharts, sampleOf, type Sample, withSample } from './resource-history';
import { type ResourcesView } from '@hivemind/contracts';

const resources = (over: Partial<ResourcesView> = {}): ResourcesView => ({
  total: { cpu_cores: 4, memory_gb: 8 },
  available: { cpu_cores: 3, memory_gb: 7 },
  cpu_percent: 12.5,
  memory_percent: 40,
  gpu: [],
  disk: { total_gb: 200, free_gb: 150, path: '/var/lib/hivemind-worker' },
  docker: { available: true, version: '26.1.5' },
  running_tasks: 1,
  ...over,
});

describe(sampleOf.name, () => {
  it.each([
    ['a readable disk', { total_gb: 200, free_gb: 150, path: '/w' }, 25],
    ['an unreadable disk', { total_gb: null, free_gb: null, path: '/w' }, null],
    ['a disk of size 0', { total_gb: 0, free_gb: 0, path: '/w' }, null],
    ['a full disk', { total_gb: 3, free_gb: 0, path: '/w' }, 100],
  ])('takes CPU, memory and the disk used of %s', (_, disk, used) => {
    expect(sampleOf(resources({ disk }), 5)).toEqual({
      atMs: 5,
      cpu: 12.5,
      memory: 40,
      disk: used,
      gpus: [],
    });
  });

  it("keeps each GPU's utilization, null where the worker does not report it", () => {
    const gpu = [{ name: 'A100', utilization_percent: 80 }, { name: 'T4' }];
    expect(sampleOf(resources({ gpu }), 0).gpus).toEqual([80, null]);
  });
});

describe(withSample.name, () => {
  const at = (atMs: number): Sample => ({ atMs, cpu: 1, memory: 1, disk: 1, gpus: [] });

  it('appends, and drops the oldest beyond the window', () => {
    const full = Array.from({ length: HISTORY_SAMPLES }, (_, i) => at(i));
    const next = withSample(full, at(HISTORY_SAMPLES));
    expect(next).toHaveLength(HISTORY_SAMPLES);
    expect(next[0].atMs).toBe(1);
    expect(next[next.length - 1].atMs).toBe(HISTORY_SAMPLES);
    expect(full[0].atMs).toBe(0);
  });
});

describe(resourceCharts.name, () => {
  const history: Sample[] = [
    { atMs: 1000, cpu: 10, memory: 20, disk: 30, gpus: [null] },
    { atMs: 3000, cpu: 11, memory: 21, disk: null, gpus: [55] },
  ];

  it('one label per sample; CPU, memory and disk series; a gap where the disk was unreadable', () => {
    const charts = resourceCharts(history, ['A100'], (ms) => String(ms));
    expect(charts.labels).toEqual(['1000', '3000']);
    expect(charts.cpu[0].values).toEqual([10, 11]);
    expect(charts.memory[0].values).toEqual([20, 21]);
    expect(charts.disk[0].values).toEqual([30, null]);
    expect(charts.gpu).toEqual([{ label: 'A100 %', values: [null, 55], color: expect.any(String) }]);
  });

  it('has no GPU series when no GPU ever reported its utilization', () => {
    const quiet = history.map((s) => ({ ...s, gpus: [null] }));
    expect(resourceCharts(quiet, ['T4']).gpu).toEqual([]);
    expect(resourceCharts([], []).labels).toEqual([]);
  });
});
