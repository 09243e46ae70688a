import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Env } from './env';

/** The worker's configuration file of a system service (`hivemind node join` as root). */
export const SYSTEM_WORKER_CONFIG = '/etc/hivemind/worker.env';

/**
 * Where `hivemind node join` writes the worker's configuration and where `hivemind-worker` looks
 * for it by default: /etc/hivemind/worker.env for root, else worker.env in the user's HiveMind
 * config folder ($HIVEMIND_CONFIG_DIR, else $XDG_CONFIG_HOME/hivemind, else ~/.config/hivemind).
 */
export function defaultWorkerConfigFile(env: Env, isRoot: boolean): string {
  if (isRoot) return SYSTEM_WORKER_CONFIG;
  if (env.HIVEMIND_CONFIG_DIR) return join(env.HIVEMIND_CONFIG_DIR, 'worker.env');
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'hivemind', 'worker.env');
}
