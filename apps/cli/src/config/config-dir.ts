import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** $HIVEMIND_CONFIG_DIR, else $XDG_CONFIG_HOME/hivemind, else ~/.config/hivemind. */
export function configDirOf(env: Record<string, string | undefined>): string {
  if (env.HIVEMIND_CONFIG_DIR) return env.HIVEMIND_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'hivemind');
}

/** Creates the folder if needed and makes it private to the user (0700), as it holds tokens. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}
