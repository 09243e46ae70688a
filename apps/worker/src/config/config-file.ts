import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, type Env, defaultWorkerConfigFile, parseEnvFile } from '@hivemind/config';

export interface WorkerArgs {
  help: boolean;
  version: boolean;
  /** --config FILE (or --config=FILE). */
  config?: string;
  /** The first argument we do not know, for a usage error. */
  unknown?: string;
}

/** The worker's command line: --help, --version, --config FILE; nothing else. */
export function parseWorkerArgs(argv: string[]): WorkerArgs {
  const args: WorkerArgs = { help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--version' || arg === '-v') args.version = true;
    else if (arg.startsWith('--config=')) args.config = arg.slice('--config='.length);
    else if (arg === '--config' && argv[i + 1] !== undefined) args.config = argv[++i];
    else args.unknown ??= arg;
  }
  return args;
}

/**
 * The environment the worker is configured by: the configuration file's variables under the real
 * environment's (which wins). The file is --config, else $HIVEMIND_WORKER_CONFIG (both must exist),
 * else the default one `hivemind node join` writes, when it exists. Returns which file was read.
 */
export function workerEnvironment(args: WorkerArgs, env: Env, isRoot: boolean): { env: Env; file?: string } {
  const named = args.config ?? env.HIVEMIND_WORKER_CONFIG;
  const file = named ?? defaultWorkerConfigFile(env, isRoot);
  if (!named && !existsSync(file)) return { env };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the configuration file ${file}: ${(error as Error).message}`]);
  }
  return { env: { ...parseEnvFile(text, file), ...env }, file };
}
