import { z } from 'zod';

/** A refused configuration: `message` is one line naming every bad variable and what it needs. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Parses `env` with a zod object schema whose keys are variable names; throws ConfigError. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const cleaned = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, blankToUndefined(env[key])]),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'configuration';
    const given = cleaned[String(issue.path[0])];
    const got =
      given === undefined ? '' : ` (got "${typeof given === 'string' ? given : JSON.stringify(given)}")`;
    return issue.code === 'invalid_type' && given === undefined
      ? `${name} is required`
      : `${name} ${issue.message}${got}`;
  });
  throw new ConfigError(problems);
}

// Field builders with messages that read well after the variable name ("HTTP_PORT must be …").

export const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a port number from 1 to 65535' })
    .int({ message: 'must be a port number from 1 to 65535' })
    .min(1, { message: 'must be a port number from 1 to 65535' })
    .max(65535, { message: 'must be a port number from 1 to 65535' })
    .default(fallback);

export const int = (fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.coerce
    .number({ message: `must be a whole number from ${min} to ${max}` })
    .int({ message: `must be a whole number from ${min} to ${max}` })
    .min(min, { message: `must be a whole number from ${min} to ${max}` })
    .max(max, { message: `must be a whole number from ${min} to ${max}` })
    .default(fallback);

export const positiveNumber = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a positive number' })
    .positive({ message: 'must be a positive number' })
    .default(fallback);

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.enum(values, { message: `must be one of ${values.join(', ')}` }).default(fallback);

/** A URL with one of `protocols` (e.g. ['postgres:', 'postgresql:']). */
export const url = (protocols: string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL like ${example}` },
  );

/** host:port, as gRPC addresses are written. */
export const hostPort = (fallback: string) =>
  z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port, e.g. 127.0.0.1:50051' })
    .default(fallback);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const logLevel = () => oneOf(LOG_LEVELS, 'info');
export const nodeEnv = () => oneOf(['production', 'development', 'test'] as const, 'production');
