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
import { SplitKind, TaskStatus } from '../domain/states';
import { PageQueryDto, toFlag } from './page-query.dto';
import { Optional } from './optional';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** An object of environment variables: names like POSIX shells accept, string values, at most 100. */
function IsEnvMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isEnvMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= 100 &&
          Object.entries(value).every(
            ([k, v]) =>
              ENV_NAME.test(k) && !k.startsWith('HIVEMIND_') && typeof v === 'string' && v.length <= 4096,
          ),
        defaultMessage: () =>
          'env must be an object of at most 100 NAME → "value" pairs (names: letters, digits, _; not starting with HIVEMIND_; values up to 4096 characters)',
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
  @ApiPropertyOptional({ maxLength: 128, example: 'render frames' })
  @Optional()
  @IsString()
  @MaxLength(128)
  name?: string;

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
  @ArrayMaxSize(256)
  @IsString({ each: true, message: 'command must be a list of strings' })
  @MaxLength(8192, { each: true })
  command?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { MODE: 'fast' },
  })
  @Optional()
  @IsEnvMap()
  env?: Record<string, string>;

  @ApiPropertyOptional({ minimum: 0.1, maximum: 256, default: 1 })
  @Optional()
  @IsNumber({}, { message: 'cpu_cores must be a number' })
  @Min(0.1, { message: 'cpu_cores must be at least 0.1' })
  @Max(256, { message: 'cpu_cores must be at most 256' })
  cpu_cores?: number;

  @ApiPropertyOptional({ minimum: 0.0625, maximum: 4096, default: 0.5 })
  @Optional()
  @IsNumber({}, { message: 'memory_gb must be a number' })
  @Min(0.0625, { message: 'memory_gb must be at least 0.0625 (64 MB)' })
  @Max(4096)
  memory_gb?: number;

  // the attempt's disk quota (its workspace is a file system of this size): 0.01 GB (10 MB) holds a
  // small input and output; 4096 GB is more than a volunteer's node offers
  @ApiPropertyOptional({ minimum: 0.01, maximum: 4096, default: 1 })
  @Optional()
  @IsNumber({}, { message: 'storage_gb must be a number' })
  @Min(0.01, { message: 'storage_gb must be at least 0.01 (10 MB)' })
  @Max(4096, { message: 'storage_gb must be at most 4096' })
  storage_gb?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @Optional()
  @IsInt({ message: 'cpu_score must be a whole number' })
  @Min(0)
  @Max(1_000_000)
  cpu_score?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @Optional()
  @IsInt({ message: 'gpu_score must be a whole number' })
  @Min(0)
  @Max(1_000_000)
  gpu_score?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @Optional()
  @IsNumber({}, { message: 'gpu_memory_gb must be a number' })
  @Min(0)
  @Max(4096)
  gpu_memory_gb?: number;

  @ApiPropertyOptional({ example: 'RTX 4090' })
  @Optional()
  @IsString()
  @MaxLength(128)
  gpu_name?: string;

  @ApiPropertyOptional({ description: 'preferred node location (not required)', example: 'eu-west' })
  @Optional()
  @IsString()
  @MaxLength(64)
  location?: string;

  @ApiPropertyOptional({ minimum: -100, maximum: 100, default: 0, description: 'higher runs first' })
  @Optional()
  @IsInt({ message: 'priority must be a whole number' })
  @Min(-100)
  @Max(100)
  priority?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 604800, default: 3600 })
  @Optional()
  @IsInt({ message: 'timeout_s must be a whole number of seconds' })
  @Min(1, { message: 'timeout_s must be at least 1' })
  @Max(604800, { message: 'timeout_s must be at most 604800 (7 days)' })
  timeout_s?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 3 })
  @Optional()
  @IsInt({ message: 'max_attempts must be a whole number' })
  @Min(1)
  @Max(10)
  max_attempts?: number;

  @ApiPropertyOptional({ default: false, description: 'let the containers reach the network' })
  @Optional()
  @IsBoolean()
  network_allowed?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 1 })
  @Optional()
  @IsInt({ message: 'shards must be a whole number' })
  @Min(1, { message: 'shards must be at least 1' })
  @Max(10000, { message: 'shards must be at most 10000' })
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
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MaxLength(8192, { each: true })
  aggregate_command?: string[];

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
