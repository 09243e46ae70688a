// The task splitter (docs/design.md "The work model"): how a task becomes shards. Pure; the task service
// validates the result and stores one shard row per plan entry.
import { SplitKind, TASK_LIMITS } from '@hivemind/contracts';
import { DomainError } from '../common/domain-error';

export const MAX_SHARDS = TASK_LIMITS.shards.max;

/** Where a shard's output goes in a merged zip: `shard-000/`, …, `aggregate/` for the aggregate step. */
export function shardFolder(index: number, isAggregate = false): string {
  return isAggregate ? 'aggregate' : `shard-${String(index).padStart(3, '0')}`;
}

export interface ShardPlan {
  index: number;
  /** Handed to the shard as HIVEMIND_SHARD_PARAMS (JSON). */
  params: Record<string, unknown>;
}

export interface SplitRequest {
  kind: SplitKind;
  /** Asked shard count (machine_learning derives it from the grid). */
  shards: number;
  params: Record<string, unknown>;
  /** The input zip's file names (data_processing splits those under data/, else all of them). */
  inputFiles?: readonly string[];
}

/** One plan entry per shard, or a DomainError('invalid') saying what is wrong. */
export function planShards(req: SplitRequest): ShardPlan[] {
  switch (req.kind) {
    case SplitKind.None:
      return range(req.shards).map((index) => ({ index, params: {} }));
    case SplitKind.Simulation: {
      const base = req.params.seed ?? 0;
      if (!Number.isSafeInteger(base)) throw invalid('split_params.seed must be a whole number');
      return range(req.shards).map((index) => ({ index, params: { seed: (base as number) + index } }));
    }
    case SplitKind.MachineLearning:
      return gridPlans(req.params.grid);
    case SplitKind.DataProcessing:
      return dataPlans(req.shards, req.inputFiles ?? []);
  }
}

function gridPlans(grid: unknown): ShardPlan[] {
  if (!grid || typeof grid !== 'object' || Array.isArray(grid) || Object.keys(grid).length === 0) {
    throw invalid(
      'machine_learning needs split_params.grid: an object of hyper-parameter → list of values, e.g. {"lr": [0.1, 0.01]}',
    );
  }
  const axes = Object.entries(grid as Record<string, unknown>);
  // the number of combinations is known before any is built: refuse a grid that is too big first
  let combinations = 1;
  for (const [name, values] of axes) {
    if (!Array.isArray(values) || values.length === 0) {
      throw invalid(`split_params.grid.${name} must be a non-empty list of values`);
    }
    combinations *= values.length;
    if (combinations > MAX_SHARDS) {
      throw invalid(
        `the grid has ${describeProduct(axes)} combinations; at most ${MAX_SHARDS} shards are allowed`,
      );
    }
  }
  // mixed-radix counting, the last axis fastest: combination i takes digit k of i in the axes' radices
  const lists = axes.map(([name, values]) => [name, values as unknown[]] as const);
  return range(combinations).map((index) => {
    const digits = new Array<number>(lists.length);
    for (let k = lists.length - 1, rest = index; k >= 0; k--) {
      digits[k] = rest % lists[k][1].length;
      rest = Math.floor(rest / lists[k][1].length);
    }
    return { index, params: Object.fromEntries(lists.map(([name, values], k) => [name, values[digits[k]]])) };
  });
}

/** `10000 × 30000 = 300000000`, or `more than 2^53` for absurd grids. */
function describeProduct(axes: [string, unknown][]): string {
  const lengths = axes.map(([, v]) => (Array.isArray(v) ? v.length : 0));
  const product = lengths.reduce((a, b) => a * b, 1);
  const total = Number.isSafeInteger(product) ? String(product) : 'more than 2^53';
  return `${lengths.join(' × ')} = ${total}`;
}

function dataPlans(shards: number, inputFiles: readonly string[]): ShardPlan[] {
  const files = inputFiles.filter((f) => !f.endsWith('/'));
  const data = files.filter((f) => f.startsWith('data/'));
  const pool = (data.length > 0 ? data : files).slice().sort();
  if (pool.length === 0)
    throw invalid('data_processing needs an input zip with files to split (under data/)');
  if (shards > pool.length) {
    throw invalid(
      `data_processing with ${shards} shards needs at least ${shards} input files, the zip has ${pool.length}`,
    );
  }
  // contiguous, near-equal slices: shard i gets files [start_i, start_{i+1})
  return range(shards).map((index) => {
    const start = Math.floor((index * pool.length) / shards);
    const end = Math.floor(((index + 1) * pool.length) / shards);
    return { index, params: { files: pool.slice(start, end) } };
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function invalid(message: string): DomainError {
  return new DomainError('invalid', message, { field: 'split_params' });
}
