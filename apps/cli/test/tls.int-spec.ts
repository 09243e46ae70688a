// The CLI believes only a pool it can verify: --ca / HIVEMIND_CA, or a CA pinned at login after the
// user checked its fingerprint (on a terminal, asked like ssh; else with --trust <fingerprint>).
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority } from '@hivemind/contracts/tls';
import { removeTree } from '@hivemind/testing';
import { STRONG_PASSWORD, newUser, type TestUser } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { type CliEnv, PtySession, hivemind } from './support/cli-process';

describe('hivemind over TLS', () => {
  let pool: TestNodePool;
  let alice: TestUser;
  let scratch: string;
  let caFingerprint: string;
  let n = 0;

  /** A fresh config folder: nothing pinned, nobody logged in. */
  const fresh = (env: Record<string, string> = {}): CliEnv => ({
    server: pool.http,
    configDir: join(scratch, `config-${++n}`),
    env,
  });
  const login = (cli: CliEnv, extra: string[] = []) =>
    hivemind(cli, ['login', '-u', alice.username, '--password-stdin', ...extra], {
      stdin: `${STRONG_PASSWORD}\n`,
    });

  beforeAll(async () => {
    pool = await startTestNodePool({}, { tls: true });
    alice = await newUser(pool, 'tls-alice');
    scratch = mkdtempSync(join(tmpdir(), 'hivemind-cli-tls-'));
    caFingerprint = new X509Certificate(readFileSync(pool.pki!.caFile)).fingerprint256;
  });
  afterAll(async () => {
    await pool.close();
    removeTree(scratch);
  });

  it('refuses a pool it cannot verify, with one line giving the CA fingerprint and how to trust it', async () => {
    const result = await login(fresh());
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the node pool at ${pool.http} is not trusted (SELF_SIGNED_CERT_IN_CHAIN)`);
    expect(lines[0]).toContain(`its CA's SHA-256 fingerprint is ${caFingerprint}`);
    expect(lines[0]).toContain(`hivemind login --trust ${caFingerprint}`);
    expect(lines[0]).toContain('--ca <file> or HIVEMIND_CA');
  });

  it('trusts the CA given with --ca or HIVEMIND_CA, and no other', async () => {
    const cli = fresh();
    expect((await login(cli, ['--ca', pool.pki!.caFile])).stdout).toContain(`Logged in to ${pool.http}`);
    const whoami = await hivemind({ ...cli, env: { HIVEMIND_CA: pool.pki!.caFile } }, ['whoami']);
    expect(whoami.stdout).toContain(alice.username);
    // without it, nothing is pinned: refused again
    expect((await hivemind(cli, ['whoami'])).stderr).toContain('is not trusted');
    const stranger = await createCertificateAuthority('a stranger');
    const strangerFile = join(scratch, 'stranger.pem');
    writeFileSync(strangerFile, stranger.certPem);
    expect((await hivemind(cli, ['--ca', strangerFile, 'whoami'])).stderr).toContain('is not trusted');
    expect((await hivemind(cli, ['--ca', join(scratch, 'missing.pem'), 'whoami'])).stderr).toMatch(
      /cannot read the CA certificate .*missing\.pem/,
    );
  });

  it('pins the CA with --trust <fingerprint> after checking it, then needs nothing more', async () => {
    const cli = fresh();
    const wrong = await login(cli, ['--trust', 'AB'.repeat(32)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('presents no certificate with that fingerprint');
    expect((await login(cli, ['--trust', 'nonsense'])).stderr).toContain(
      '--trust must be a SHA-256 fingerprint',
    );
    const ok = await login(cli, ['--trust', caFingerprint.replace(/:/g, '').toLowerCase()]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`SHA-256 ${caFingerprint}`);
    expect(ok.stdout).toContain(`Logged in to ${pool.http} as ${alice.username}`);
    expect((await hivemind(cli, ['whoami'])).stdout).toContain(alice.username);
    const pinned = join(cli.configDir, 'trusted-cas.json');
    expect(statSync(pinned).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(pinned, 'utf8'))[pool.http].fingerprint).toBe(caFingerprint);
  });

  it('asks on a terminal, showing the fingerprint, like ssh', async () => {
    const cli = fresh();
    const pty = new PtySession(cli, ['login', '-u', alice.username]);
    try {
      await pty.expect(/Password: /);
      pty.type(`${STRONG_PASSWORD}\r`);
      await pty.expect(new RegExp(`SHA-256 fingerprint: ${caFingerprint}`));
      await pty.expect(/Trust this CA for this server from now on \(yes\/no\)\? /);
      pty.type('yes\r');
      await pty.expect(new RegExp(`Logged in to ${pool.http.replace(/\./g, '\\.')} as ${alice.username}`));
    } finally {
      await pty.close();
    }
    expect((await hivemind(cli, ['whoami'])).stdout).toContain(alice.username);
  });
});
