// The submit form's numeric fields: their labels and steps, with the pool's limits and defaults
// (TASK_LIMITS, the DTO's own).
import { type AbstractControl, type ValidationErrors, type ValidatorFn, Validators } from '@angular/forms';
import { SplitKind, TASK_LIMITS, TASK_TEXT_LIMITS, ValidationMode } from '@hivemind/contracts';

export interface NumberField {
  key: NumberKey;
  label: string;
  min: number;
  max: number;
  step: number;
  /** Whole numbers only. */
  whole: boolean;
  initial: number;
  hint: string;
}

export type NumberKey =
  | 'cpu_cores'
  | 'memory_gb'
  | 'storage_gb'
  | 'cpu_score'
  | 'gpu_score'
  | 'gpu_memory_gb'
  | 'priority'
  | 'timeout_s'
  | 'max_attempts'
  | 'shards'
  | 'quorum'
  | 'max_replicas';

const field = (key: NumberKey, label: string, step: number, hint: string): NumberField => {
  const { min, max, default: initial } = TASK_LIMITS[key];
  return { key, label, min, max, step, whole: Number.isInteger(step), initial, hint };
};

export const RESOURCE_FIELDS: readonly NumberField[] = [
  field('cpu_cores', 'CPU cores', 0.1, 'Per shard'),
  field('memory_gb', 'Memory (GB)', 0.25, 'Per shard'),
  field('storage_gb', 'Storage (GB)', 0.5, 'Scratch disk per shard: the most it may write'),
  field('cpu_score', 'Minimum CPU score', 1, '0: any CPU'),
  field('gpu_score', 'Minimum GPU score', 1, 'Above 0 asks for a GPU'),
  field('gpu_memory_gb', 'GPU memory (GB)', 0.5, '0: any'),
];

export const SCHEDULING_FIELDS: readonly NumberField[] = [
  field('priority', 'Priority', 1, 'Higher runs first (−100 to 100)'),
  field('timeout_s', 'Timeout (seconds)', 1, 'Per shard; the hold assumes every shard uses it'),
  field('max_attempts', 'Max attempts', 1, 'Retries after a node is lost'),
];

export const SHARDS_FIELD = field('shards', 'Shards', 1, 'Copies or slices of the work');

export const VALIDATION_FIELDS: readonly NumberField[] = [
  field('quorum', 'Quorum', 1, 'Matching results of different owners a shard needs'),
  field('max_replicas', 'Max replicas', 1, 'Most replicas of a shard; the hold covers this many'),
];

/** How results are checked before they count (docs/validation.md); the pool's default first. */
export const VALIDATIONS: readonly { mode: ValidationMode; label: string; hint: string }[] = [
  {
    mode: ValidationMode.Adaptive,
    label: 'Adaptive',
    hint: 'Replicated until a node has earned trust, then accepted alone with spot-checks',
  },
  {
    mode: ValidationMode.Quorum,
    label: 'Quorum',
    hint: 'Every shard on nodes of different owners whose results must match',
  },
  { mode: ValidationMode.None, label: 'None', hint: 'Results taken as the nodes report them' },
];

export function numberValidators(f: NumberField): ValidatorFn[] {
  return [Validators.min(f.min), Validators.max(f.max), ...(f.whole ? [wholeNumber] : [])];
}

function wholeNumber(control: AbstractControl<number | null>): ValidationErrors | null {
  return control.value === null || Number.isInteger(control.value) ? null : { whole: true };
}

/** What the field accepts, said when it holds something else. */
export function limitText(f: NumberField): string {
  return `${f.whole ? 'A whole number' : 'A number'} from ${f.min} to ${f.max.toLocaleString('en')}`;
}

/** Docker image references the pool accepts. */
export const IMAGE_PATTERN = /^[a-z0-9][a-z0-9._\-/:@]{0,254}$/i;

export const SPLITS: readonly { kind: SplitKind; label: string; hint: string; example: string }[] = [
  { kind: SplitKind.None, label: 'None', hint: 'N identical shards', example: '' },
  {
    kind: SplitKind.Simulation,
    label: 'Simulation',
    hint: 'N replicas; shard i gets seed = seed + i',
    example: '{"seed": 42}',
  },
  {
    kind: SplitKind.MachineLearning,
    label: 'Machine learning',
    hint: 'One shard per combination of the grid',
    example: '{"grid": {"lr": [0.1, 0.01], "layers": [2, 3]}}',
  },
  {
    kind: SplitKind.DataProcessing,
    label: 'Data processing',
    hint: 'The zip’s files under data/ in N slices',
    example: '',
  },
];

/** What the text fields say under them. */
export const HINTS: Readonly<Record<string, string>> = {
  name: 'Optional: to find it later',
  image: 'Without one, the zip runs in the default runtime image',
  command: 'Run with sh -c. Empty: the image’s own command, or run.sh / main.py of the zip',
  gpu_name: 'Asks for a GPU',
  location: 'Preferred, not required',
  aggregate_command:
    'Optional: runs once after every shard, with their outputs in /workspace/input/shard-NNN/',
  validator_command:
    'Optional: compares results that differ (floating point); reads /workspace/input/attempt-*/ and results.json, writes groups.json',
};

/** What the text fields say when their value is refused before sending. */
export const INVALID: Readonly<Record<string, string>> = {
  name: `At most ${TASK_TEXT_LIMITS.name} characters`,
  image: 'An image reference like name:tag',
  gpu_name: `At most ${TASK_TEXT_LIMITS.gpu_name} characters`,
  location: `At most ${TASK_TEXT_LIMITS.location} characters`,
};
