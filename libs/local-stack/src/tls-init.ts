// `npm run tls:init -- [host …]`: the local CA and a server certificate for these hosts (besides
// localhost, 127.0.0.1 and ::1) in $HIVEMIND_HOME/tls (default ./.hivemind/tls), made as
// `npm run up` makes them; prints the files and the CA's fingerprint. Existing files are kept
// (the server certificate is made again when a host is missing from it).
import { join, resolve } from 'node:path';
import { ensureLocalPki } from './local-pki';
import { repoRoot } from './repo-root';

async function main(): Promise<void> {
  const hosts = process.argv.slice(2).filter((arg) => arg !== '--');
  const bad = hosts.find((host) => !/^[A-Za-z0-9.:-]{1,253}$/.test(host));
  if (bad !== undefined) throw new Error(`not a host name or address: ${bad}`);
  const dir = join(resolve(process.env.HIVEMIND_HOME ?? join(repoRoot(), '.hivemind')), 'tls');
  const pki = await ensureLocalPki(dir, ['localhost', '127.0.0.1', '::1', ...hosts]);
  process.stdout.write(
    [
      `CA certificate      ${pki.caFile}   (give it to workers: NODE_POOL_CA_FILE, and the CLI: --ca)`,
      `CA key              ${pki.caKeyFile}   (keep it on the pool: TLS_CA_KEY_FILE)`,
      `Server certificate  ${pki.certFile}   (TLS_CERT_FILE)`,
      `Server key          ${pki.keyFile}   (TLS_KEY_FILE)`,
      `CA SHA-256          ${pki.caFingerprint}`,
      `Made                ${pki.made}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`tls:init: ${(error as Error).message}\n`);
  process.exit(1);
});
