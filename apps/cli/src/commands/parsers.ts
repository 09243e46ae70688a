import { InvalidArgumentError } from 'commander';

/** A commander argParser for a number in [min, max] (whole when `integer`). */
export function numberParser(
  options: { min?: number; max?: number; integer?: boolean } = {},
): (value: string) => number {
  return (value: string) => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'.`);
    if (options.integer && !Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number.');
    if (options.min !== undefined && n < options.min)
      throw new InvalidArgumentError(`must be at least ${options.min}.`);
    if (options.max !== undefined && n > options.max)
      throw new InvalidArgumentError(`must be at most ${options.max}.`);
    return n;
  };
}

/** `--env NAME=value`, repeatable: the pairs in order. */
export function envPair(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value))
    throw new InvalidArgumentError(`expected NAME=value, got '${value}'.`);
  return [...previous, value];
}

/**
 * `--secret-env NAME=value` or `--secret-env NAME` (the value of NAME in this shell's environment,
 * so it stays out of the shell's history), repeatable. The refusal never repeats what was given:
 * it may be a secret.
 */
export function secretEnvArg(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(=|$)/.test(value))
    throw new InvalidArgumentError('expected NAME (its value taken from your environment) or NAME=value.');
  return [...previous, value];
}

/** Whether a command line gives a secret value in the clear (`--secret-env NAME=value`). */
export function carriesSecretValue(line: string): boolean {
  return /(^|\s)-{1,2}secret[-_]env(=|\s+)['"]?[A-Za-z_][A-Za-z0-9_]*=/i.test(line);
}
