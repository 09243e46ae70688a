// The machine's recent use as the dashboard charts it: one sample per poll of /api/status and
// /api/resources, the last HISTORY_SAMPLES kept. Pure.
import { type Series } from '@hivemind/ui/charts';
import { type ResourcesView } from '@hivemind/contracts';

/** Five minutes at one poll every two seconds. */
export const HISTORY_SAMPLES = 150;
export const POLL_MS = 2000;

export const CHART_COLORS = { cpu: '#4dd0e1', memory: '#ffb74d', disk: '#81c784', gpu: '#ce93d8' } as const;

export interface Sample {
  atMs: number;
  cpu: number;
  memory: number;
  /** Disk used under the work folder, %; null when the worker could not read it. */
  disk: number | null;
  /** Each GPU's utilization, %, when the worker reports it. */
  gpus: (number | null)[];
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/** What one poll says, as a sample. */
export function sampleOf(resources: ResourcesView, atMs: number): Sample {
  const { total_gb: total, free_gb: free } = resources.disk;
  return {
    atMs,
    cpu: resources.cpu_percent,
    memory: resources.memory_percent,
    disk: total && free !== null ? round1(((total - free) / total) * 100) : null,
    gpus: resources.gpu.map((g) => g.utilization_percent ?? null),
  };
}

/** The history with `sample` added, the oldest beyond `max` dropped (not mutated). */
export function withSample(history: readonly Sample[], sample: Sample, max = HISTORY_SAMPLES): Sample[] {
  return [...history, sample].slice(-max);
}

export interface ResourceCharts {
  labels: string[];
  cpu: Series[];
  memory: Series[];
  disk: Series[];
  /** Empty when no GPU reports its utilization. */
  gpu: Series[];
}

/** "14:03:07" */
export function timeLabel(atMs: number): string {
  const d = new Date(atMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The four charts over the history, one label per sample. */
export function resourceCharts(
  history: readonly Sample[],
  gpuNames: readonly string[],
  label = timeLabel,
): ResourceCharts {
  const gpuCount = Math.max(0, ...history.map((s) => s.gpus.length));
  const gpu: Series[] = [];
  for (let i = 0; i < gpuCount; i++) {
    const values = history.map((s) => s.gpus[i] ?? null);
    if (values.some((v) => v !== null))
      gpu.push({ label: `${gpuNames[i] ?? `GPU ${i}`} %`, values, color: CHART_COLORS.gpu });
  }
  return {
    labels: history.map((s) => label(s.atMs)),
    cpu: [{ label: 'CPU %', values: history.map((s) => s.cpu), color: CHART_COLORS.cpu }],
    memory: [{ label: 'Memory %', values: history.map((s) => s.memory), color: CHART_COLORS.memory }],
    disk: [{ label: 'Disk used %', values: history.map((s) => s.disk), color: CHART_COLORS.disk }],
    gpu,
  };
}
