/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the tests read the CLI's JSON loosely */
// The `hivemind` command line end to end: the real binary (node bin/hivemind.js, built) against a
// real node pool and a real worker running Docker containers (the process executor without an
// engine): log in, submit with both flag spellings, follow logs, list, download, cancel, transfer,
// JSON for scripts, one-line errors with their exit codes, and the master> prompt in a
// pseudo-terminal (typing, Tab, Ctrl-C, exit).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { REQUIREMENTS, buildBusyboxImage, ensureSystemPackages, freePort } from '@hivemind/local-stack';
import { removeTree, stackInfo } from '@hivemind/testing';
import { call, loginAs, STRONG_PASSWORD } from '../../node-pool/test/support/http';
import { craftJwt, jwtClaims } from '../../node-pool/test/support/jwt';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { makeZip } from '../../node-pool/test/support/zip';
import { startOwnedWorker } from '../../worker/test/support/owned-worker';
import { type WorkerProcess } from '../../worker/test/support/worker-process';
import { type CliEnv, type CliResult, hivemind, PtySession } from './support/cli-process';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };
/** A shell-only image of this test's own (the worker's runtime image, and the tasks' image). */
const IMAGE = 'hivemind/busybox-cli:latest';
const SMALL = ['--cpu-cores', '0.25', '--mem', '0.25', '--timeout', '120'];

describe('the hivemind CLI', () => {
  let pool: TestNodePool;
  let worker: WorkerProcess;
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-cli-test-'));
  let n = 0;
  /** A fresh config folder (no session) against the test pool. */
  const fresh = (): CliEnv => ({ server: pool.http, configDir: join(scratch, `config-${++n}`) });
  let alice: CliEnv;
  let aliceName: string;

  const json = (result: CliResult) => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };
  /** Exit code and the one line on stderr, and nothing that looks like a stack trace. */
  const failure = (result: CliResult) => {
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    return { code: result.code, line: result.stderr.trimEnd() };
  };
  const submit = async (env: CliEnv, args: string[]) => {
    const task = json(await hivemind(env, ['--json', 'task', ...args])).task;
    expect(task.id).toMatch(/^[0-9a-f-]{36}$/);
    return task.id as string;
  };
  const register = async (prefix: string) => {
    const env = fresh();
    const username = `${prefix}-${process.pid}-${++n}`;
    const result = await hivemind(env, ['register', '-u', username, '-p', STRONG_PASSWORD]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`Registered and logged in to ${pool.http} as ${username}`);
    if (!stackInfo().docker) {
      // the process executor is a low-trust node: only users trusted above 50 run there
      const admin = await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
      const me = await call(pool, 'GET', '/api/me', {
        token: await loginAs(pool, username, STRONG_PASSWORD),
      });
      await call(pool, 'PATCH', `/api/admin/users/${me.body.id}`, {
        token: admin,
        body: { trust_score: 60 },
      });
    }
    return { env, username };
  };
  const sessionFile = (env: CliEnv) => join(env.configDir, 'session.json');

  beforeAll(async () => {
    const docker = stackInfo().docker;
    if (docker) await buildBusyboxImage(new Docker(), IMAGE);
    pool = await startTestNodePool({
      ...ADMIN,
      SIGNUP_GRANT_CPT: '100000',
      LOGIN_ATTEMPTS_PER_ADDRESS: '10000',
      LOGIN_ATTEMPTS_PER_USERNAME: '1000',
    });
    // the operator's own machine: no probation, its results accepted alone (docs/validation.md)
    worker = await startOwnedWorker(pool, {
      name: 'cli-worker',
      owner: 'cli-owner',
      scratch,
      runtimeImage: IMAGE,
      maxConcurrent: 4,
      operatorToken: await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD),
    });
    ({ env: alice, username: aliceName } = await register('alice'));
  }, 300_000);

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await pool?.close();
    removeTree(scratch);
  });

  describe('accounts', () => {
    it('login keeps the tokens in a private file; whoami; logout revokes them and forgets the file', async () => {
      const env = fresh();
      const login = await hivemind(env, ['login', '-u', aliceName, '--password-stdin'], {
        stdin: `${STRONG_PASSWORD}\n`,
      });
      expect(login).toMatchObject({ code: 0, stderr: '' });
      expect(statSync(env.configDir).mode & 0o777).toBe(0o700);
      expect(statSync(sessionFile(env)).mode & 0o777).toBe(0o600);
      const stored = JSON.parse(readFileSync(sessionFile(env), 'utf8'));
      expect(stored.current).toBe(pool.http);
      expect(stored.sessions[pool.http]).toMatchObject({ username: aliceName, role: 'user' });

      expect(json(await hivemind(env, ['whoami', '--json']))).toMatchObject({
        username: aliceName,
        role: 'user',
      });
      expect((await hivemind(env, ['whoami'])).stdout).toMatch(
        new RegExp(`^${aliceName} \\(user, trust \\d+\\) on ${pool.http}\\n$`),
      );
      // the server is remembered: without HIVEMIND_SERVER the command goes where the login went
      const remembered = await hivemind({ ...env, server: '' }, ['whoami']);
      expect(remembered.stdout).toContain(pool.http);

      const token = stored.sessions[pool.http].access_token;
      const logout = await hivemind(env, ['logout']);
      expect(logout).toMatchObject({ code: 0, stdout: `Logged out of ${pool.http} (${aliceName}).\n` });
      expect((await call(pool, 'GET', '/api/me', { token })).status).toBe(401);
      expect(JSON.parse(readFileSync(sessionFile(env), 'utf8')).sessions).toEqual({});
      expect(failure(await hivemind(env, ['whoami']))).toEqual({
        code: 1,
        line: 'hivemind: not logged in: run `hivemind login`',
      });
      // alice's own session was revoked too (logout is everywhere): log her in again
      expect((await hivemind(alice, ['login', '-u', aliceName, '-p', STRONG_PASSWORD])).code).toBe(0);
    });

    it('without a terminal a missing username or password is a usage error naming the flag', async () => {
      const env = fresh();
      expect(failure(await hivemind(env, ['login']))).toEqual({
        code: 2,
        line: 'hivemind: missing --username (-u): there is no terminal to ask on',
      });
      expect(failure(await hivemind(env, ['login', '-u', 'someone']))).toEqual({
        code: 2,
        line: 'hivemind: missing --password (-p) or --password-stdin: there is no terminal to ask on',
      });
      expect(failure(await hivemind(env, ['login', '-u', aliceName, '-p', 'wrong-password-1']))).toEqual({
        code: 1,
        line: 'hivemind: invalid username or password',
      });
    });

    it('an expired access token is refreshed once; when the refresh fails too, one line says to log in', async () => {
      const stored = JSON.parse(readFileSync(sessionFile(alice), 'utf8'));
      const session = stored.sessions[pool.http];
      const expired = craftJwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...jwtClaims(session.access_token), exp: Math.floor(Date.now() / 1000) - 60 },
        pool.config.auth.jwtSecret,
      );
      const write = (env: CliEnv, patch: object) => {
        mkdirSync(env.configDir, { recursive: true, mode: 0o700 });
        writeFileSync(
          sessionFile(env),
          JSON.stringify({ current: pool.http, sessions: { [pool.http]: { ...session, ...patch } } }),
          { mode: 0o600 },
        );
      };
      // the stored expiry still in the future: the CLI learns of the expiry from the 401
      const refreshable = fresh();
      write(refreshable, {
        access_token: expired,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      });
      expect(json(await hivemind(refreshable, ['whoami', '--json'])).username).toBe(aliceName);
      const renewed = JSON.parse(readFileSync(sessionFile(refreshable), 'utf8')).sessions[pool.http];
      expect(renewed.access_token).not.toBe(expired);

      const stale = fresh();
      write(stale, {
        access_token: expired,
        refresh_token: 'not-a-token',
        expires_at: '2020-01-01T00:00:00Z',
      });
      for (const command of [['whoami'], ['list-tasks'], ['balance', '--json']]) {
        expect(failure(await hivemind(stale, command))).toEqual({
          code: 1,
          line: 'hivemind: your session has expired: run `hivemind login`',
        });
      }
    });
  });

  describe('tasks', () => {
    it('submits with the seed spellings and the long ones; monitor follows to the end; list filters', async () => {
      const seedStyle = await submit(alice, [
        IMAGE,
        '-name',
        'seed-style',
        '-cpu_cores',
        '0.25',
        '-mem',
        '0.25',
        '-storage',
        '0.5',
        '--timeout',
        '120',
        '--',
        'sh',
        '-c',
        'for i in 1 2 3; do echo "line $i"; sleep 0.3; done; echo oops >&2',
      ]);
      // a secret from the CLI's own environment: the task gets it, every answer and log masks it
      const longStyle = await submit({ ...alice, env: { SECRET_WORD: 'swordfish-42' } }, [
        IMAGE,
        '--name',
        'long-style',
        ...SMALL,
        '--storage',
        '0.5',
        '--env',
        'GREETING=hello world',
        '--secret-env',
        'SECRET_WORD',
        '--command',
        'echo "$GREETING from $HIVEMIND_SHARD_INDEX, $SECRET_WORD"',
      ]);
      for (const id of [seedStyle, longStyle]) {
        const detail = json(await hivemind(alice, ['--json', 'monitor', id]));
        expect(detail).toMatchObject({
          id,
          status: 'COMPLETED',
          resources: { cpu_cores: 0.25, memory_gb: 0.25, storage_gb: 0.5 },
        });
      }
      const followed = await hivemind(alice, ['monitor', seedStyle]);
      expect(followed.code).toBe(0);
      expect(followed.stdout).toBe('line 1\nline 2\nline 3\noops\n');
      expect(followed.stderr).toMatch(new RegExp(`task ${seedStyle} completed in [\\d.]+s, cost \\d+ CPT`));
      const prefix = await hivemind(alice, ['monitor', longStyle.slice(0, 8)]);
      expect(prefix).toMatchObject({ code: 0, stdout: 'hello world from 0, ********\n' });
      expect(json(await hivemind(alice, ['--json', 'monitor', longStyle])).env).toEqual({
        GREETING: 'hello world',
        SECRET_WORD: '********',
      });

      const completed = json(await hivemind(alice, ['list-tasks', 'completed', '--json']));
      expect(completed.items.map((t: { id: string }) => t.id)).toEqual(
        expect.arrayContaining([seedStyle, longStyle]),
      );
      expect(completed.items.every((t: { status: string }) => t.status === 'COMPLETED')).toBe(true);
      expect(json(await hivemind(alice, ['list-tasks', 'failed', '--json'])).items).toEqual([]);
      const table = await hivemind(alice, ['list-tasks', 'completed']);
      expect(table.stdout).toMatch(/^ID\s+NAME\s+STATUS\s+SHARDS/);
      expect(table.stdout).toMatch(new RegExp(`${longStyle}\\s+long-style\\s+COMPLETED\\s+1/1 \\(100%\\)`));
      expect((await hivemind(alice, ['list-tasks', 'running'])).stdout).toBe('No running tasks.\n');
    });

    it('a folder input is zipped as it is uploaded; a sharded task is followed and its outputs downloaded', async () => {
      const folder = join(scratch, 'job');
      mkdirSync(join(folder, 'data'), { recursive: true });
      writeFileSync(
        join(folder, 'run.sh'),
        'echo "shard $HIVEMIND_SHARD_INDEX sees $(cat data/input.txt)"\n' +
          'echo "$HIVEMIND_SHARD_INDEX" > "$HIVEMIND_OUTPUT_DIR/n.txt"\n',
      );
      writeFileSync(join(folder, 'data', 'input.txt'), 'the input');
      const id = await submit(alice, ['--input', folder, '--shards', '2', '--name', 'folder', ...SMALL]);
      const followed = await hivemind(alice, ['monitor', id]);
      expect(followed.code).toBe(0);
      expect(followed.stdout.split('\n').sort()).toEqual(
        ['', '[shard 0] shard 0 sees the input', '[shard 1] shard 1 sees the input'].sort(),
      );

      const out = join(scratch, 'results');
      const download = await hivemind(alice, ['download', id, out]);
      expect(download).toMatchObject({ code: 0, stderr: '' });
      expect(download.stdout).toMatch(/^Extracted 2 file\(s\), 4 bytes, into /);
      expect(readFileSync(join(out, 'shard-000', 'n.txt'), 'utf8')).toBe('0\n');
      expect(readFileSync(join(out, 'shard-001', 'n.txt'), 'utf8')).toBe('1\n');
      expect(json(await hivemind(alice, ['download', id, join(scratch, 'again'), '--json']))).toEqual({
        task_id: id,
        dir: join(scratch, 'again'),
        files: 2,
        bytes: 4,
        skipped: [],
      });

      // the task's files: its uploaded input and one output per shard; the user's files list them too
      const taskFiles = await hivemind(alice, ['task-files', id.slice(0, 8)]);
      expect(taskFiles).toMatchObject({ code: 0, stderr: '' });
      // a table: a header, the input's row and one row per shard's output (KIND is the second column)
      const kinds = taskFiles.stdout
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/)[1]);
      expect(kinds.filter((k) => k === 'input')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'output')).toHaveLength(2);
      const asJson = json(await hivemind(alice, ['--json', 'task-files', id])) as {
        items: { kind: string; shard_index: number | null; task_id: string }[];
      };
      expect(
        asJson.items
          .filter((f) => f.kind === 'output')
          .map((f) => f.shard_index)
          .sort(),
      ).toEqual([0, 1]);
      const mine = json(await hivemind(alice, ['--json', 'files', '--limit', '500'])) as {
        items: { task_id: string }[];
      };
      expect(mine.items.filter((f) => f.task_id === id)).toHaveLength(asJson.items.length);
      const snooping = failure(await hivemind(alice, ['files', 'cli-owner']));
      expect(snooping).toEqual({ code: 1, line: 'hivemind: only admins may list another user’s files' });
    });

    it('a zip input that fails: monitor exits 1 with the outcome in one line', async () => {
      const zip = join(scratch, 'fails.zip');
      writeFileSync(zip, await makeZip({ 'run.sh': 'echo "about to fail"\nexit 3\n' }));
      const id = await submit(alice, ['--input', zip, ...SMALL]);
      const followed = await hivemind(alice, ['monitor', id]);
      expect(followed.stdout).toBe('about to fail\n');
      expect(failure(followed).code).toBe(1);
      expect(followed.stderr).toMatch(new RegExp(`^hivemind: task ${id} failed`));
    });

    it('cancel stops a running task and refunds; a second cancel is refused in one line', async () => {
      const id = await submit(alice, [IMAGE, ...SMALL, '--', 'sleep', '60']);
      const cancel = await hivemind(alice, ['cancel', id]);
      expect(cancel).toMatchObject({ code: 0, stderr: '' });
      expect(cancel.stdout).toMatch(new RegExp(`^Cancelled task ${id}; \\d+ CPT refunded.\\n$`));
      expect(json(await hivemind(alice, ['list-tasks', 'cancelled', '--json'])).items[0].id).toBe(id);
      const again = failure(await hivemind(alice, ['cancel', id]));
      expect(again.code).toBe(1);
      expect(again.line).toMatch(/^hivemind: /);
      expect(failure(await hivemind(alice, ['monitor', id])).code).toBe(1);
    });

    it('workers, queue and status show the pool; --json is the API document', async () => {
      const workers = json(await hivemind(alice, ['workers', '--json']));
      expect(workers.items.map((w: { name: string }) => w.name)).toContain('cli-worker');
      expect((await hivemind(alice, ['workers'])).stdout).toMatch(/cli-worker\s+online\s+cli-owner/);
      expect(json(await hivemind(alice, ['queue', '--json']))).toMatchObject({
        queued_shards: expect.any(Number),
      });
      const status = json(await hivemind(alice, ['status', '--json']));
      expect(status).toMatchObject({ healthy: true, pool: { status: 'ok', nodes: { online: 1 } } });
      const text = await hivemind(alice, ['status']);
      expect(text.stdout).toMatch(/Workers:\s+1 online/);
      expect(text.stdout).toMatch(/Tasks:\s+\d+ queued/);
    });

    it('admins dispatch to a named worker and fix resources; others are refused in one line', async () => {
      const admin = fresh();
      expect(
        (await hivemind(admin, ['login', '-u', ADMIN.ADMIN_USERNAME, '-p', ADMIN.ADMIN_PASSWORD])).code,
      ).toBe(0);
      const dispatched = json(
        await hivemind(admin, [
          '--json',
          'dispatch',
          'cli-worker',
          IMAGE,
          ...SMALL,
          '--',
          'echo',
          'dispatched',
        ]),
      );
      expect((await hivemind(admin, ['monitor', dispatched.task.id])).stdout).toBe('dispatched\n');
      expect(json(await hivemind(admin, ['fix-resources', '--json']))).toMatchObject({
        placement_requested: true,
      });
      const state = json(await hivemind(admin, ['internal-state']));
      expect(state).toMatchObject({ system: { status: 'ok' }, queue: {}, nodes: [{ name: 'cli-worker' }] });

      expect(failure(await hivemind(alice, ['dispatch', 'cli-worker', IMAGE]))).toEqual({
        code: 1,
        line: 'hivemind: only admins may dispatch to a named node',
      });
      expect(failure(await hivemind(alice, ['internal-state']))).toEqual({
        code: 1,
        line: `hivemind: internal-state is for admins; ${aliceName} is not one`,
      });
    });
  });

  describe('wallet', () => {
    it('transfer sends CPT once per key; balance shows it; bad amounts and unknown users are one line', async () => {
      const { env: bob, username: bobName } = await register('bob');
      const before = json(await hivemind(bob, ['balance', '--json']));
      const sent = await hivemind(alice, ['transfer', bobName, '25', '--idempotency-key', 'cli-test-1']);
      expect(sent).toMatchObject({ code: 0, stderr: '' });
      expect(sent.stdout).toMatch(new RegExp(`^Sent 25 CPT to ${bobName} \\(transaction `));
      const retried = json(
        await hivemind(alice, ['transfer', bobName, '25', '--idempotency-key', 'cli-test-1', '--json']),
      );
      expect(retried.created).toBe(false);
      expect(json(await hivemind(bob, ['balance', '--json'])).balance).toBe(before.balance + 25);
      expect((await hivemind(bob, ['balance'])).stdout).toMatch(
        /^Balance: \d+ CPT \(available \d+, held in escrow \d+\)\n$/,
      );

      expect(failure(await hivemind(alice, ['transfer', bobName, 'abc']))).toEqual({
        code: 2,
        line: "hivemind: command-argument value 'abc' is invalid for argument 'amount'. expected a number, got 'abc'.",
      });
      expect(failure(await hivemind(alice, ['transfer', 'nobody-here', '5']))).toMatchObject({ code: 1 });
    });
  });

  describe('audit', () => {
    it('shows admins a login, a refused login, a transfer, an admin change and a node registration', async () => {
      const admin = fresh();
      expect(
        (await hivemind(admin, ['login', '-u', ADMIN.ADMIN_USERNAME, '-p', ADMIN.ADMIN_PASSWORD])).code,
      ).toBe(0);
      expect(
        failure(await hivemind(fresh(), ['login', '-u', aliceName, '-p', 'wrong-password-2'])).code,
      ).toBe(1);
      const me = json(await hivemind(alice, ['--json', 'whoami']));
      await call(pool, 'PATCH', `/api/admin/users/${me.id}`, {
        token: await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD),
        body: { trust_score: 70 },
      });

      const page = json(await hivemind(admin, ['audit', '--limit', '500', '--json']));
      const seen = (action: string, outcome = 'ok') =>
        page.items.find(
          (e: { action: string; outcome: string }) => e.action === action && e.outcome === outcome,
        );
      expect(seen('auth.login', 'refused')).toMatchObject({
        detail: { username: aliceName },
        address: expect.any(String),
      });
      expect(seen('auth.login')).toMatchObject({
        actor_username: expect.any(String),
        address: expect.any(String),
      });
      expect(seen('wallet.transfer')).toMatchObject({ actor_username: aliceName });
      expect(seen('admin.user_trust')).toMatchObject({
        actor_username: ADMIN.ADMIN_USERNAME,
        target_id: me.id,
      });
      expect(seen('node.register')).toMatchObject({
        actor_username: 'cli-owner',
        detail: { name: 'cli-worker' },
      });

      const table = await hivemind(admin, ['audit', '--actor', aliceName, '--outcome', 'refused']);
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toMatch(/TIME\s+ACTION\s+OUTCOME\s+ACTOR\s+ADDRESS\s+TARGET\s+REQUEST/);
      const text = await hivemind(admin, ['audit', '--action', 'auth.login', '--outcome', 'refused']);
      expect(text.stdout).toMatch(
        new RegExp(`auth\\.login\\s+refused\\s+\\(${aliceName}\\)\\s+\\S*127\\.0\\.0\\.1`),
      );

      expect(failure(await hivemind(alice, ['audit']))).toEqual({
        code: 1,
        line: 'hivemind: only admins may do this',
      });
      expect(failure(await hivemind(admin, ['audit', '--since', 'yesterday']))).toMatchObject({ code: 1 });
    });
  });

  describe('vpn', () => {
    it('vpn config makes a peer whose config WireGuard takes (pool key or own key), lists and revokes it', async () => {
      const { env } = await register('vpn');
      const file = join(scratch, 'hm-laptop.conf');
      const made = await hivemind(env, ['vpn', 'config', '--name', 'laptop', '--out', file]);
      expect(made).toMatchObject({ code: 0, stderr: '' });
      expect(made.stdout).toMatch(
        /^Peer laptop at 10\.128\.\d+\.\d+: config written to .*hm-laptop\.conf \(mode 0600\)\./,
      );
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const config = readFileSync(file, 'utf8');
      const privateKey = /^PrivateKey = (\S+)$/m.exec(config)?.[1];
      expect(privateKey).toHaveLength(44);

      // --own-key: the key pair is made here; the config is complete, the pool holds only the public key
      const own = json(await hivemind(env, ['--json', 'vpn', 'config', '--name', 'phone', '--own-key'])) as {
        peer: { public_key: string; key_source: string };
        config: string;
      };
      expect(own.peer.key_source).toBe('client');
      const ownPrivate = /^PrivateKey = (\S+)$/m.exec(own.config)?.[1];
      expect(ownPrivate).toHaveLength(44);
      ensureSystemPackages([REQUIREMENTS.wireguard], (line) => process.stderr.write(`[cli test] ${line}\n`));
      const derived = spawnSync('wg', ['pubkey'], { input: `${ownPrivate}\n`, encoding: 'utf8' });
      expect(derived.stdout.trim()).toBe(own.peer.public_key);

      // --qr prints the config as a QR code on the terminal
      const qr = await hivemind(env, ['vpn', 'config', '--peer', 'laptop', '--qr']);
      expect(qr.code).toBe(0);
      expect(qr.stdout.startsWith(config)).toBe(true);
      expect(qr.stdout.slice(config.length)).toMatch(/[▀▄█]/);

      const list = await hivemind(env, ['vpn', 'list']);
      expect(list.stdout).toMatch(/laptop\s+10\.128\.\d+\.\d+/);
      expect(list.stdout).toMatch(/phone\s+10\.128\.\d+\.\d+/);
      expect(await hivemind(env, ['vpn', 'revoke', 'laptop'])).toMatchObject({ code: 0 });
      const again = failure(await hivemind(env, ['vpn', 'config', '--peer', 'laptop']));
      expect(again).toEqual({ code: 1, line: 'hivemind: no VPN peer laptop of yours (`hivemind vpn list`)' });
      const badName = failure(await hivemind(env, ['vpn', 'config', '--name', 'my laptop']));
      expect(badName.code).toBe(1);
      expect(badName.line).toMatch(/^hivemind: name must be 1 to 32 characters/);
      const notAdmin = failure(await hivemind(env, ['vpn', 'server-config']));
      expect(notAdmin.code).toBe(1);
    });
  });

  describe('bad input', () => {
    it.each([
      [['statsu'], 2, "hivemind: unknown command 'statsu' (Did you mean status?)"],
      [['monitor'], 2, "hivemind: missing required argument 'task'"],
      [
        ['task'],
        2,
        "hivemind: missing required argument 'image' (or --input, a zip to run in the runtime image)",
      ],
      [
        ['task', 'img', '--cpu-cores', 'abc'],
        2,
        "hivemind: option '--cpu-cores <cores>' argument 'abc' is invalid. expected a number, got 'abc'.",
      ],
      [
        ['task', 'img', '-cpu_cores', 'abc'],
        2,
        "hivemind: option '--cpu-cores <cores>' argument 'abc' is invalid. expected a number, got 'abc'.",
      ],
      [
        ['task', 'img', '--env', 'oops'],
        2,
        "hivemind: option '--env <NAME=value>' argument 'oops' is invalid. expected NAME=value, got 'oops'.",
      ],
      [['task', 'img', '--bogus'], 2, "hivemind: unknown option '--bogus'"],
      [
        ['task', 'img', '--secret-env', 'NOT_EXPORTED'],
        2,
        'hivemind: --secret-env NOT_EXPORTED: NOT_EXPORTED is not set in your environment (export it, or give NOT_EXPORTED=value)',
      ],
      [
        ['list-tasks', 'sleeping'],
        2,
        "hivemind: unknown status 'sleeping': one of queued, running, completed, failed, cancelled",
      ],
      [
        ['task', '--input', '/no/such/folder'],
        2,
        'hivemind: --input /no/such/folder: no such file or folder',
      ],
    ])('%j → exit %d, %s', async (args, code, line) => {
      expect(failure(await hivemind(alice, args))).toEqual({ code, line });
    });

    it('the pool refusing a value is its message in one line, exit 1', async () => {
      expect(failure(await hivemind(alice, ['task', IMAGE, '--cpu-cores', '1000']))).toEqual({
        code: 1,
        line: 'hivemind: cpu_cores must be at most 256',
      });
    });

    it('an unreachable server is one clear line for every command', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      for (const args of [['status'], ['login', '-u', 'x', '-p', 'y'], ['list-tasks']]) {
        const env = { server: closed, configDir: alice.configDir };
        const result = failure(await hivemind(env, args));
        if (args[0] === 'list-tasks') {
          expect(result).toEqual({ code: 1, line: 'hivemind: not logged in: run `hivemind login`' });
          continue;
        }
        expect(result).toEqual({
          code: 1,
          line: `hivemind: cannot reach the node pool at ${closed} (ECONNREFUSED); is it running? (set --server or HIVEMIND_SERVER)`,
        });
      }
    });
  });

  describe('the interactive prompt', () => {
    it('runs typed commands, completes with Tab, Ctrl-C stops a monitor but not the prompt, exit leaves', async () => {
      const long = await submit(alice, [
        IMAGE,
        ...SMALL,
        '--',
        'sh',
        '-c',
        'i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo "tick $i"; sleep 0.5; done',
      ]);
      const pty = new PtySession(alice);
      try {
        await pty.expect(/HiveMind Master Node - Interactive CLI/);
        await pty.expect(/Type 'help' for available commands/);
        await pty.expect(/master> /);
        pty.type('whoami\r');
        await pty.expect(new RegExp(`${aliceName} \\(user, trust \\d+\\) on`));
        await pty.expect(/master> /);

        // on a terminal: an upload bar, a shards bar while following, a download bar
        const folder = join(scratch, 'pty-job');
        mkdirSync(folder, { recursive: true });
        writeFileSync(
          join(folder, 'run.sh'),
          'echo "hi from $HIVEMIND_SHARD_INDEX" > "$HIVEMIND_OUTPUT_DIR/hi.txt"\n',
        );
        pty.type(`task --input ${folder} --shards 2 --name pty-folder ${SMALL.join(' ')} --follow\r`);
        await pty.expect(/upload \[[^\]]*\] 100% \| [\d.]+ \w+\/[\d.]+ \w+ \| [\d.]+ \w+\/s \| ETA 0s/);
        const [, folderTask] = await pty.expect(/Submitted task ([0-9a-f-]{36}); following it/);
        await pty.expect(/shards \[[^\]]*\] 2\/2 completed/);
        await pty.expect(new RegExp(`task ${folderTask} completed in`));
        await pty.expect(/master> /);
        pty.type(`download ${folderTask} ${join(scratch, 'pty-results')}\r`);
        await pty.expect(/download .*\| [\d.]+ \w+\/s/);
        await pty.expect(/Extracted 2 file\(s\)/);
        expect(readFileSync(join(scratch, 'pty-results', 'shard-001', 'hi.txt'), 'utf8')).toBe('hi from 1\n');
        await pty.expect(/master> /);

        // Tab completes the command name, Enter runs it
        pty.type('list-t\t');
        await pty.expect(/list-tasks /);
        pty.type('running\r');
        await pty.expect(new RegExp(`${long}\\s+-\\s+RUNNING|No running tasks`));
        await pty.expect(/master> /);

        // Ctrl-C while monitor runs stops following; the prompt goes on
        pty.type(`monitor ${long}\r`);
        await pty.expect(/tick \d+/);
        pty.type('\x03');
        await pty.expect(new RegExp(`stopped following task ${long}; it goes on`));
        await pty.expect(/master> /);

        // errors print one line and the prompt continues
        pty.type('statsu\r');
        await pty.expect(/unknown command 'statsu' \(Did you mean status\?\)/);
        await pty.expect(/master> /);
        pty.type('task "unclosed\r');
        await pty.expect(/hivemind: unclosed double quote/);
        await pty.expect(/master> /);
        pty.type(`cancel ${long}\r`);
        await pty.expect(new RegExp(`Cancelled task ${long}`));
        await pty.expect(/master> /);

        // Ctrl-C at an empty prompt is a hint
        pty.type('\x03');
        await pty.expect(/\(To exit, press Ctrl-D or type exit\)/);
        await pty.expect(/master> /);
        pty.type('help\r');
        await pty.expect(/list-tasks \[options\] \[status\]/);
        await pty.expect(/master> /);
        pty.type('exit\r');
        expect(await pty.exited).toBe(0);
      } finally {
        await pty.close();
      }
      const history = readFileSync(join(alice.configDir, 'history'), 'utf8').split('\n');
      expect(history).toEqual(
        expect.arrayContaining(['whoami', 'list-tasks running', `monitor ${long}`, 'exit']),
      );
      expect(statSync(join(alice.configDir, 'history')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(alice.configDir, 'session.json'))).toBe(true);
    });

    it('asks for a missing password without echoing it; Ctrl-D leaves', async () => {
      const env = fresh();
      const pty = new PtySession(env);
      try {
        await pty.expect(/master> /);
        pty.type(`login -u ${aliceName}\r`);
        await pty.expect(/Password: /);
        pty.type(`${STRONG_PASSWORD}\r`);
        await pty.expect(new RegExp(`Logged in to ${pool.http.replace(/\./g, '\\.')} as ${aliceName}`));
        expect(pty.text).not.toContain(STRONG_PASSWORD);
        await pty.expect(/master> /);
        pty.type('\x04');
        expect(await pty.exited).toBe(0);
      } finally {
        await pty.close();
      }
    });
  });
});
