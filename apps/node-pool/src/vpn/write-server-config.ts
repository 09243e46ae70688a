// `npm run vpn:server-config -- [PATH]`: renders the VPN server's wg0.conf (every active peer) from
// the database, with the node pool's environment (DATABASE_URL, VPN_*, VPN_KEY_SECRET or JWT_SECRET).
// With PATH it replaces that file atomically (mode 0600); without, it prints the config.
// Apply without dropping connections: wg syncconf wg0 <(wg-quick strip wg0)
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmod, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfigOrExit } from '@hivemind/config';
import { parseNodePoolConfig } from '../config/node-pool.config';
import { dataSourceOptions } from '../database/data-source-options';
import { VpnPeersRepository } from './vpn-peers.repository';
import { VpnService } from './vpn.service';

/** Writes `text` to `path` through a temporary file in the same directory: readers never see half. */
export async function writeFileAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temporary, text, { mode, flag: 'wx' });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

async function main(): Promise<void> {
  // this command listens nowhere: the listeners' TLS settings do not concern it
  const config = loadConfigOrExit(() => parseNodePoolConfig({ ...process.env, INSECURE_PLAINTEXT: 'true' }));
  const target = process.argv[2];
  const db = new DataSource(dataSourceOptions(config.database.url, 2));
  await db.initialize();
  try {
    const text = await new VpnService(new VpnPeersRepository(db), config).serverConfig();
    if (!target) {
      process.stdout.write(text);
      return;
    }
    const path = resolve(target);
    await writeFileAtomically(path, text, 0o600);
    const peers = text.split('\n').filter((line) => line === '[Peer]').length;
    const iface = basename(path).replace(/\.conf$/, '');
    process.stderr.write(
      `wrote ${path} (${peers} peer${peers === 1 ? '' : 's'}); apply it: wg syncconf ${iface} <(wg-quick strip ${path})\n`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`vpn:server-config failed: ${(error as Error).message}\n`);
  process.exit(1);
});
