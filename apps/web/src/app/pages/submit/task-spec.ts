// From the submit form's values to the JSON spec of POST /api/tasks (SubmitTaskDto), and the
// checks the pool would otherwise answer with a 400. Pure.
import { SplitKind, ValidationMode } from '@hivemind/contracts';
import type { SubmitTaskDto } from '@hivemind/contracts/dto';
import type { ApiError } from '@hivemind/ui';
import { TASK_DEFAULTS } from './cost';

export interface EnvRow {
  name: string;
  value: string;
  /** Sent as secret_env: the pool seals it and shows it as ******** everywhere. */
  secret?: boolean;
}

/** The form as the page holds it: text fields as typed, empty numbers as null. */
export interface SubmitFormValue {
  name: string;
  image: string;
  command: string;
  cpu_cores: number | null;
  memory_gb: number | null;
  storage_gb: number | null;
  cpu_score: number | null;
  gpu_score: number | null;
  gpu_memory_gb: number | null;
  gpu_name: string;
  location: string;
  priority: number | null;
  timeout_s: number | null;
  max_attempts: number | null;
  validation: ValidationMode;
  quorum: number | null;
  max_replicas: number | null;
  network_allowed: boolean;
  shards: number | null;
  split: SplitKind;
  split_params: string;
  aggregate_command: string;
  validator_command: string;
  env: EnvRow[];
}

/** The spec as sent: only the fields given, so the pool's defaults apply to the rest. */
export type TaskSpec = Partial<Pick<SubmitTaskDto, Exclude<keyof SubmitTaskDto, 'target_node'>>>;

export type SpecResult = { spec: TaskSpec; errors: null } | { spec: null; errors: Record<string, string> };

/** Environment variable names the pool accepts (task.dto.ts). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const NUMBER_FIELDS = [
  'cpu_cores',
  'memory_gb',
  'storage_gb',
  'cpu_score',
  'gpu_score',
  'gpu_memory_gb',
  'priority',
  'timeout_s',
  'max_attempts',
] as const;

/** `{…}` text → the object, or why not. Empty text is no object (and no error). */
export function parseJsonObject(text: string): {
  value: Record<string, unknown> | null;
  error: string | null;
} {
  if (!text.trim()) return { value: null, error: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { value: null, error: `Not valid JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { value: null, error: 'Must be a JSON object, like {"seed": 42}' };
  }
  return { value: parsed as Record<string, unknown>, error: null };
}

/** Why an environment variable name is refused, or null. */
export function envNameError(name: string): string | null {
  if (!ENV_NAME.test(name)) return 'Letters, digits and _, not starting with a digit';
  if (name.startsWith('HIVEMIND_')) return 'HIVEMIND_ names are set by the platform';
  return null;
}

/**
 * How many shards the split makes (the aggregate step not counted), or null when it cannot be told
 * yet (a machine_learning grid that is not valid).
 */
export function shardCount(split: SplitKind, shards: number | null, splitParams: string): number | null {
  if (split !== SplitKind.MachineLearning) return shards ?? TASK_DEFAULTS.shards;
  const grid = parseJsonObject(splitParams).value?.['grid'];
  if (!grid || typeof grid !== 'object' || Array.isArray(grid)) return null;
  const lists = Object.values(grid as Record<string, unknown>);
  if (lists.length === 0 || !lists.every((v) => Array.isArray(v) && v.length > 0)) return null;
  return lists.reduce<number>((n, v) => n * (v as unknown[]).length, 1);
}

/** A shell line → the argv the pool runs (`sh -c`, as it does with a string). */
function shellArgv(line: string): string[] | undefined {
  return line.trim() ? ['sh', '-c', line] : undefined;
}

export function buildSpec(v: SubmitFormValue): SpecResult {
  const errors: Record<string, string> = {};
  const spec: TaskSpec = {};
  const text = (s: string) => s.trim() || undefined;

  spec.name = text(v.name);
  spec.image = text(v.image);
  spec.command = shellArgv(v.command);
  for (const field of NUMBER_FIELDS) if (v[field] !== null) spec[field] = v[field];
  spec.gpu_name = text(v.gpu_name);
  spec.location = text(v.location);
  if (v.network_allowed) spec.network_allowed = true;
  spec.validation = v.validation;
  if (v.validation !== ValidationMode.None) {
    if (v.quorum !== null) spec.quorum = v.quorum;
    if (v.max_replicas !== null) spec.max_replicas = v.max_replicas;
    spec.validator_command = shellArgv(v.validator_command);
    if (v.quorum !== null && v.max_replicas !== null && v.quorum > v.max_replicas) {
      errors['quorum'] = `At most the max replicas (${v.max_replicas})`;
    }
  }
  if (v.split !== SplitKind.MachineLearning && v.shards !== null) spec.shards = v.shards;
  if (v.split !== SplitKind.None) spec.split = v.split;

  const params = parseJsonObject(v.split_params);
  if (params.error) errors['split_params'] = params.error;
  else if (params.value) spec.split_params = params.value;
  if (v.split === SplitKind.MachineLearning && shardCount(v.split, v.shards, v.split_params) === null) {
    errors['split_params'] ??= 'machine_learning needs {"grid": {"name": [values, …], …}}';
  }
  spec.aggregate_command = shellArgv(v.aggregate_command);

  const env: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  for (const row of v.env) {
    const name = row.name.trim();
    if (!name && !row.value) continue;
    const given = name in env || name in secretEnv;
    const problem = envNameError(name) ?? (given ? `${name} is given twice` : null);
    if (problem) {
      errors['env'] ??= `${name || 'A variable'}: ${problem}`;
      continue;
    }
    (row.secret ? secretEnv : env)[name] = row.value;
  }
  if (Object.keys(env).length) spec.env = env;
  if (Object.keys(secretEnv).length) spec.secret_env = secretEnv;

  for (const key of Object.keys(spec) as (keyof TaskSpec)[]) if (spec[key] === undefined) delete spec[key];
  return Object.keys(errors).length ? { spec: null, errors } : { spec, errors: null };
}

/**
 * A refusal of the pool, placed: each message at the field it names when the form shows that field
 * (`command[0]` at `command`), the rest above the button; with field messages only, a line above the
 * button points at them.
 */
export function placeRefusal(
  error: ApiError,
  shown: ReadonlySet<string>,
): { fields: Record<string, string>; general: string } {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  for (const [field, text] of Object.entries(error.fields)) {
    const key = field.split(/[.[]/)[0];
    if (shown.has(key)) fields[key] ??= text;
    else other.push(text);
  }
  const count = Object.keys(fields).length;
  const general = other.length
    ? other.join('; ')
    : count
      ? `The pool refused the ${count === 1 ? 'field' : 'fields'} marked above.`
      : error.message;
  return { fields, general };
}
