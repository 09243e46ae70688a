import { ConfigError } from './env';

/**
 * Runs `load`; a ConfigError prints its one line to stderr and exits with status 78 (EX_CONFIG),
 * without a stack trace. Any other error propagates.
 */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
