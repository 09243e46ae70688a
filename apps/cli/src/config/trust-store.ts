import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from './config-dir';
import { writePrivateFile } from './private-file';

interface Pinned {
  fingerprint: string;
  pem: string;
  pinned_at: string;
}

/**
 * The CA certificates the user chose to trust, one per server (`trusted-cas.json` in the config
 * folder), like ssh's known_hosts: pinned at login after the fingerprint was checked.
 */
export class TrustStore {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'trusted-cas.json');
  }

  get(server: string): Pinned | undefined {
    return this.read()[server];
  }

  pin(server: string, fingerprint: string, pem: string): void {
    const all = this.read();
    all[server] = { fingerprint, pem, pinned_at: new Date().toISOString() };
    ensurePrivateDir(this.dir);
    writePrivateFile(this.file, `${JSON.stringify(all, null, 2)}\n`);
  }

  private read(): Record<string, Pinned> {
    if (!existsSync(this.file)) return {};
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Pinned>;
    } catch {
      return {};
    }
  }
}
