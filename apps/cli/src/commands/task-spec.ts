import { SplitKind, ValidationMode } from '@hivemind/contracts';
import { type SubmitTaskDto } from '@hivemind/contracts/dto';
import { UsageError } from '../exit-codes';

/** What `task` and `dispatch` take on the command line (commander's camelCase names). */
export interface TaskOptions {
  name?: string;
  cpuCores?: number;
  mem?: number;
  storage?: number;
  gpuCores?: number;
  gpuScore?: number;
  gpuMemory?: number;
  gpuName?: string;
  cpuScore?: number;
  shards?: number;
  split?: string;
  splitParams?: string;
  aggregate?: string;
  priority?: number;
  timeout?: number;
  maxAttempts?: number;
  validation?: string;
  quorum?: number;
  maxReplicas?: number;
  validator?: string;
  location?: string;
  network?: boolean;
  env?: string[];
  /** `NAME=value`, or `NAME` for the value of NAME in the CLI's environment. */
  secretEnv?: string[];
  command?: string;
}

/**
 * The POST /api/tasks spec (SubmitTaskDto's JSON) of a command line; usage errors for bad values.
 * `environment` is the CLI's own (where `--secret-env NAME` finds its value).
 */
export function buildTaskSpec(
  image: string | undefined,
  args: readonly string[],
  o: TaskOptions,
  targetNode?: string,
  environment: Readonly<Record<string, string | undefined>> = {},
): SubmitTaskDto {
  if (args.length && o.command !== undefined)
    throw new UsageError('give the command either with --command or after --, not both');
  const spec: SubmitTaskDto = {};
  const set = <K extends keyof SubmitTaskDto>(key: K, value: SubmitTaskDto[K] | undefined) => {
    if (value !== undefined) spec[key] = value;
  };
  set('name', o.name);
  set('image', image || undefined);
  set('command', args.length ? [...args] : o.command !== undefined ? ['sh', '-c', o.command] : undefined);
  if (o.env?.length) {
    spec.env = Object.fromEntries(
      o.env.map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    );
  }
  if (o.secretEnv?.length) spec.secret_env = secretEnvOf(o.secretEnv, spec.env ?? {}, environment);
  set('cpu_cores', o.cpuCores);
  set('memory_gb', o.mem);
  set('storage_gb', o.storage);
  set('cpu_score', o.cpuScore);
  // the pool counts GPUs by score, not cores: any GPU cores ask for a node with a GPU
  const gpuScore = o.gpuScore ?? (o.gpuCores !== undefined && o.gpuCores > 0 ? 1 : undefined);
  set('gpu_score', gpuScore);
  set('gpu_memory_gb', o.gpuMemory);
  set('gpu_name', o.gpuName);
  set('shards', o.shards);
  if (o.split !== undefined) {
    const kinds = Object.values(SplitKind) as string[];
    const split = o.split.replace(/-/g, '_').toLowerCase();
    if (!kinds.includes(split)) throw new UsageError(`--split must be one of ${kinds.join(', ')}`);
    spec.split = split as SplitKind;
  }
  if (o.splitParams !== undefined) spec.split_params = jsonObject('--split-params', o.splitParams);
  if (o.aggregate !== undefined) spec.aggregate_command = ['sh', '-c', o.aggregate];
  set('priority', o.priority);
  set('timeout_s', o.timeout);
  set('max_attempts', o.maxAttempts);
  if (o.validation !== undefined) {
    const modes = Object.values(ValidationMode) as string[];
    const mode = o.validation.toLowerCase();
    if (!modes.includes(mode)) throw new UsageError(`--validation must be one of ${modes.join(', ')}`);
    spec.validation = mode as ValidationMode;
  }
  set('quorum', o.quorum);
  set('max_replicas', o.maxReplicas);
  if (o.validator !== undefined) spec.validator_command = ['sh', '-c', o.validator];
  set('location', o.location);
  if (o.network) spec.network_allowed = true;
  set('target_node', targetNode);
  return spec;
}

function secretEnvOf(
  given: readonly string[],
  env: Record<string, string>,
  environment: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const secret: Record<string, string> = {};
  for (const arg of given) {
    const at = arg.indexOf('=');
    const name = at === -1 ? arg : arg.slice(0, at);
    const value = at === -1 ? environment[name] : arg.slice(at + 1);
    if (value === undefined)
      throw new UsageError(
        `--secret-env ${name}: ${name} is not set in your environment (export it, or give ${name}=value)`,
      );
    if (Object.hasOwn(env, name))
      throw new UsageError(`${name} is given with --env and --secret-env: give it once`);
    secret[name] = value;
  }
  return secret;
}

function jsonObject(flag: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} must be JSON, e.g. '{"seed": 42}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${flag} must be a JSON object, e.g. '{"seed": 42}'`);
  return value as Record<string, unknown>;
}
