import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { SplitKind, TaskStatus, ValidationMode } from '../domain/states';
import { TASK_LIMITS as L, TASK_TEXT_LIMITS as T } from '../domain/task-limits';
import { CLIENT_REF_PATTERN, CLIENT_REF_RULE, constraintOf } from '../domain/task-refs';
import { PageQueryDto, toFlag } from './page-query.dto';
import { Optional } from './optional';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** An object of environment variables: names like POSIX shells accept, string values, at most 100. */
function IsEnvMap(field: 'env' | 'secret_env', options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isEnvMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= T.envPairs &&
          Object.entries(value).every(
            ([k, v]) =>
              ENV_NAME.test(k) &&
              !k.startsWith('HIVEMIND_') &&
              typeof v === 'string' &&
              v.length <= T.envValueChars,
          ),
        defaultMessage: () =>
          `${field} must be an object of at most ${T.envPairs} NAME → "value" pairs (names: letters, digits, _; not starting with HIVEMIND_; values up to ${T.envValueChars} characters)`,
      },
    },
    options,
  );
}

/** No name of secret_env is also in env (which value would the task get?). */
function NoNameInEnv(options?: ValidationOptions) {
  const shared = (value: unknown, env: unknown) =>
    typeof value === 'object' && value !== null && typeof env === 'object' && env !== null
      ? Object.keys(value).filter((k) => Object.hasOwn(env, k))
      : [];
  return ValidateBy(
    {
      name: 'noNameInEnv',
      validator: {
        validate: (value: unknown, args) => shared(value, (args?.object as SubmitTaskDto).env).length === 0,
        defaultMessage: (args) =>
          `secret_env and env both name ${shared(args?.value, (args?.object as SubmitTaskDto).env).join(', ')}: give each variable in one of them`,
      },
    },
    options,
  );
}

/** A command as a list of arguments; a string is run with `sh -c`. */
const toArgv = ({ value }: { value: unknown }) => (typeof value === 'string' ? ['sh', '-c', value] : value);

/**
 * A task submission (POST /api/tasks as JSON, or as the `spec` field of a multipart upload with the
 * input zip in `input`). Resources are what each shard needs; zero values ask for nothing.
 */
export class SubmitTaskDto {
  @ApiPropertyOptional({ maxLength: T.name, example: 'render frames' })
  @Optional()
  @IsString()
  @MaxLength(T.name)
  name?: string;

  @ApiPropertyOptional({
    description: `your own name for the task, unique among your tasks (${CLIENT_REF_RULE}); the task routes accept it in place of the id. Submitting it again with the same request answers the earlier task (200); with a different request, 409`,
    example: 'task-001',
  })
  @Optional()
  @IsString()
  @Matches(CLIENT_REF_PATTERN, { message: `client_ref must be ${CLIENT_REF_RULE}` })
  client_ref?: string;

  @ApiPropertyOptional({
    description: 'Docker image; without it the task runs its input zip in the default runtime image',
    example: 'python:3.12-slim',
  })
  @Optional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._\-/:@]{0,254}$/i, {
    message: 'image must be a Docker image reference like name:tag',
  })
  image?: string;

  @ApiPropertyOptional({
    description:
      'the command, as a list of arguments (a string runs with sh -c); default: the image’s, or run.sh / main.py of the zip',
    type: [String],
    example: ['python3', 'main.py'],
  })
  @Optional()
  @Transform(toArgv)
  @IsArray({ message: 'command must be a list of arguments or a string' })
  @ArrayMaxSize(T.commandArgs)
  @IsString({ each: true, message: 'command must be a list of strings' })
  @MaxLength(T.commandArgChars, { each: true })
  command?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { MODE: 'fast' },
  })
  @Optional()
  @IsEnvMap('env')
  env?: Record<string, string>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'environment variables whose values are secret: sealed at rest, shown as "********" in every answer (also to you), masked in the stored logs (values of 4 characters or more), sent only to the node that runs the task. Same bounds as env; a name may not be in both.',
    example: { DB_PASSWORD: 'correct horse battery staple' },
  })
  @Optional()
  @IsEnvMap('secret_env')
  @NoNameInEnv()
  secret_env?: Record<string, string>;

  @ApiPropertyOptional({ minimum: L.cpu_cores.min, maximum: L.cpu_cores.max, default: L.cpu_cores.default })
  @Optional()
  @IsNumber({}, { message: 'cpu_cores must be a number' })
  @Min(L.cpu_cores.min, { message: `cpu_cores must be at least ${L.cpu_cores.min}` })
  @Max(L.cpu_cores.max, { message: `cpu_cores must be at most ${L.cpu_cores.max}` })
  cpu_cores?: number;

  @ApiPropertyOptional({ minimum: L.memory_gb.min, maximum: L.memory_gb.max, default: L.memory_gb.default })
  @Optional()
  @IsNumber({}, { message: 'memory_gb must be a number' })
  @Min(L.memory_gb.min, { message: `memory_gb must be at least ${L.memory_gb.min} (64 MB)` })
  @Max(L.memory_gb.max)
  memory_gb?: number;

  @ApiPropertyOptional({
    minimum: L.storage_gb.min,
    maximum: L.storage_gb.max,
    default: L.storage_gb.default,
  })
  @Optional()
  @IsNumber({}, { message: 'storage_gb must be a number' })
  @Min(L.storage_gb.min, { message: `storage_gb must be at least ${L.storage_gb.min} (10 MB)` })
  @Max(L.storage_gb.max, { message: `storage_gb must be at most ${L.storage_gb.max}` })
  storage_gb?: number;

  @ApiPropertyOptional({ minimum: L.cpu_score.min, default: L.cpu_score.default })
  @Optional()
  @IsInt({ message: 'cpu_score must be a whole number' })
  @Min(L.cpu_score.min)
  @Max(L.cpu_score.max)
  cpu_score?: number;

  @ApiPropertyOptional({ minimum: L.gpu_score.min, default: L.gpu_score.default })
  @Optional()
  @IsInt({ message: 'gpu_score must be a whole number' })
  @Min(L.gpu_score.min)
  @Max(L.gpu_score.max)
  gpu_score?: number;

  @ApiPropertyOptional({ minimum: L.gpu_memory_gb.min, default: L.gpu_memory_gb.default })
  @Optional()
  @IsNumber({}, { message: 'gpu_memory_gb must be a number' })
  @Min(L.gpu_memory_gb.min)
  @Max(L.gpu_memory_gb.max)
  gpu_memory_gb?: number;

  @ApiPropertyOptional({
    description: 'the GPU model a node must have; empty or "Any" (any case): no constraint',
    example: 'RTX 4090',
  })
  @Optional()
  @Transform(({ value }: { value: unknown }) => constraintOf(value))
  @IsString()
  @MaxLength(T.gpu_name)
  gpu_name?: string;

  @ApiPropertyOptional({
    description: 'preferred node location (not required); empty or "Any" (any case): no preference',
    example: 'eu-west',
  })
  @Optional()
  @Transform(({ value }: { value: unknown }) => constraintOf(value))
  @IsString()
  @MaxLength(T.location)
  location?: string;

  @ApiPropertyOptional({
    minimum: L.priority.min,
    maximum: L.priority.max,
    default: L.priority.default,
    description: 'higher runs first',
  })
  @Optional()
  @IsInt({ message: 'priority must be a whole number' })
  @Min(L.priority.min)
  @Max(L.priority.max)
  priority?: number;

  @ApiPropertyOptional({ minimum: L.timeout_s.min, maximum: L.timeout_s.max, default: L.timeout_s.default })
  @Optional()
  @IsInt({ message: 'timeout_s must be a whole number of seconds' })
  @Min(L.timeout_s.min, { message: `timeout_s must be at least ${L.timeout_s.min}` })
  @Max(L.timeout_s.max, { message: `timeout_s must be at most ${L.timeout_s.max} (7 days)` })
  timeout_s?: number;

  @ApiPropertyOptional({
    minimum: L.max_attempts.min,
    maximum: L.max_attempts.max,
    default: L.max_attempts.default,
  })
  @Optional()
  @IsInt({ message: 'max_attempts must be a whole number' })
  @Min(L.max_attempts.min)
  @Max(L.max_attempts.max)
  max_attempts?: number;

  @ApiPropertyOptional({ default: false, description: 'let the containers reach the network' })
  @Optional()
  @IsBoolean()
  network_allowed?: boolean;

  @ApiPropertyOptional({
    enum: ValidationMode,
    default: ValidationMode.Adaptive,
    description:
      'how results are checked before they count: none (taken as reported), quorum (every shard on `quorum` nodes of different owners that must agree), adaptive (replicated until a node has earned trust, then spot-checked)',
  })
  @Optional()
  @IsEnum(ValidationMode, { message: 'validation must be one of none, quorum, adaptive' })
  validation?: ValidationMode;

  @ApiPropertyOptional({ minimum: L.quorum.min, maximum: L.quorum.max, default: L.quorum.default })
  @Optional()
  @IsInt({ message: 'quorum must be a whole number' })
  @Min(L.quorum.min, { message: `quorum must be at least ${L.quorum.min}` })
  @Max(L.quorum.max, { message: `quorum must be at most ${L.quorum.max}` })
  quorum?: number;

  @ApiPropertyOptional({
    minimum: L.max_replicas.min,
    maximum: L.max_replicas.max,
    default: L.max_replicas.default,
    description: 'the most replicas of one shard; the escrow hold covers this many results of every shard',
  })
  @Optional()
  @IsInt({ message: 'max_replicas must be a whole number' })
  @Min(L.max_replicas.min, { message: `max_replicas must be at least ${L.max_replicas.min}` })
  @Max(L.max_replicas.max, { message: `max_replicas must be at most ${L.max_replicas.max}` })
  max_replicas?: number;

  @ApiPropertyOptional({ minimum: L.shards.min, maximum: L.shards.max, default: L.shards.default })
  @Optional()
  @IsInt({ message: 'shards must be a whole number' })
  @Min(L.shards.min, { message: `shards must be at least ${L.shards.min}` })
  @Max(L.shards.max, { message: `shards must be at most ${L.shards.max}` })
  shards?: number;

  @ApiPropertyOptional({ enum: SplitKind, default: SplitKind.None })
  @Optional()
  @IsEnum(SplitKind, { message: `split must be one of ${Object.values(SplitKind).join(', ')}` })
  split?: SplitKind;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'machine_learning: {"grid": {"lr": [0.1, 0.01]}}; simulation: {"seed": 42}',
  })
  @Optional()
  @IsObject({ message: 'split_params must be an object' })
  split_params?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    description: 'a final step run over every shard’s output (in /workspace/input/shard-NNN/)',
  })
  @Optional()
  @Transform(toArgv)
  @IsArray({ message: 'aggregate_command must be a list of arguments or a string' })
  @ArrayMaxSize(T.commandArgs)
  @IsString({ each: true })
  @MaxLength(T.commandArgChars, { each: true })
  aggregate_command?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'validation quorum/adaptive: compares a shard’s results when their digests disagree (floating point); ' +
      'its input holds each candidate under attempt-<id>/ and results.json, it writes groups.json (docs/validation.md)',
  })
  @Optional()
  @Transform(toArgv)
  @IsArray({ message: 'validator_command must be a list of arguments or a string' })
  @ArrayMaxSize(T.commandArgs)
  @IsString({ each: true })
  @MaxLength(T.commandArgChars, { each: true })
  validator_command?: string[];

  @ApiPropertyOptional({ description: 'admins: run on this node (name or id) only' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  target_node?: string;
}

export class TaskListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TaskStatus })
  @Optional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsEnum(TaskStatus, { message: `status must be one of ${Object.values(TaskStatus).join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional({ description: 'admins: everyone’s tasks (default: your own)' })
  @Optional()
  @Transform(toFlag)
  @IsBoolean()
  all?: boolean;

  @ApiPropertyOptional({ description: 'name contains (case-insensitive)' })
  @Optional()
  @IsString()
  @MaxLength(128)
  search?: string;
}

export class TaskLogsQueryDto {
  @ApiPropertyOptional({
    description: 'chunks after this id (next_after of the previous answer)',
    default: 0,
  })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'after must be a whole number' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER, { message: 'after must be the next_after of an earlier answer' })
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** The longest a task's detail may be held waiting for its end (GET /api/tasks/:id?wait=). */
export const TASK_WAIT_MAX_S = 60;

export class TaskDetailQueryDto {
  @ApiPropertyOptional({
    description:
      'seconds to hold the answer until the task has ended (COMPLETED, FAILED or CANCELLED), as a ' +
      'blocking query: the answer comes as soon as it ends, or after this long with its state then',
    minimum: 0,
    maximum: TASK_WAIT_MAX_S,
    default: 0,
  })
  @Optional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'wait must be a number of seconds' })
  @Min(0, { message: `wait must be between 0 and ${TASK_WAIT_MAX_S} seconds` })
  @Max(TASK_WAIT_MAX_S, { message: `wait must be between 0 and ${TASK_WAIT_MAX_S} seconds` })
  wait?: number;
}

export class CancelTaskResponseDto {
  @ApiProperty() task_id!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ description: 'CPT returned from escrow' }) refunded!: number;
}

export class FilesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'admins: another user’s files (a username)' })
  @Optional()
  @IsString()
  @MaxLength(32)
  user?: string;
}
