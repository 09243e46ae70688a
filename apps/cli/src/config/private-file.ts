import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CliError } from '../exit-codes';

/**
 * Writes a secret-bearing file (tokens, a WireGuard config) readable by its owner only (0600),
 * through a temporary file and a rename: a reader never sees half of it.
 */
export function writePrivateFile(path: string, text: string): void {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    chmodSync(temp, 0o600); // whatever the umask
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`);
  }
}
