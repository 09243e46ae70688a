// The installable worker (docs/worker.md "Contribute a machine"): the npm package packed from this
// build, installed into an empty folder offline (no registry, no cache) and run on the system's
// Node when there is one (/usr/bin/node, which may be older than the project's Node 24). Its
// `hivemind node join --service` writes a configuration and a unit that `systemd-analyze verify`
// accepts; the unit's own command line starts the worker, which joins a real pool and runs a task
// submitted with the installed `hivemind`; `node leave` removes what join wrote. Also: `npx
// hivemind` in the repository and the installed commands start without npm warnings.
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { buildBusyboxImage, dockerAnswers, freePort } from '@hivemind/local-stack';
import { built, removeTree, stackInfo } from '@hivemind/testing';
import { call, loginAs, STRONG_PASSWORD } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';

const ROOT = join(__dirname, '..', '..', '..');
const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };
const IMAGE = 'hivemind/busybox-package:latest';
/** The system's Node and npm when the machine has them (the point of item 5), else ours. */
const SYSTEM_BIN = existsSync('/usr/bin/node') && existsSync('/usr/bin/npm') ? '/usr/bin' : undefined;
const NODE = SYSTEM_BIN ? '/usr/bin/node' : process.execPath;
const NPM_WARNING = /EBADENGINE|npm warn/i;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: SpawnOptions & { stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin?.end(options.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the hivemind-worker package', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-package-test-'));
  const installDir = join(scratch, 'install');
  const prefix = join(scratch, 'root');
  const configDir = join(scratch, 'config');
  const unitFile = join(prefix, 'etc/systemd/system/hivemind-worker.service');
  const configFile = join(prefix, 'etc/hivemind/worker.env');
  /** PATH with the system's Node first: what a volunteer's shell has. */
  const PATH = `${SYSTEM_BIN ?? join(ROOT, 'node_modules/.bin')}:/usr/sbin:/usr/bin:/sbin:/bin`;
  const env = { PATH, HOME: scratch, HIVEMIND_CONFIG_DIR: configDir, NO_COLOR: '1' };
  const bin = (name: string) => join(installDir, 'node_modules', '.bin', name);
  let pool: TestNodePool;
  let worker: ReturnType<typeof spawn> | undefined;
  let owner: string;
  /** SIGTERM to the installed worker, if it runs, and its end. */
  const stopWorker = async () => {
    const child = worker;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const ended = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await ended;
  };

  beforeAll(async () => {
    built('dist/apps/worker/apps/worker/src/main.js');
    built('dist/apps/cli/apps/cli/src/main.js');
    const packed = await run(process.execPath, [join(ROOT, 'scripts/pack-worker.mjs'), '--pack'], {
      cwd: ROOT,
      env: process.env,
    });
    expect(packed).toMatchObject({ code: 0, stderr: '' });
    const tarball = join(
      ROOT,
      'dist/packages',
      readdirSync(join(ROOT, 'dist/packages')).find((f) => f.endsWith('.tgz'))!,
    );
    // an empty folder, an empty npm cache and --offline: nothing may come from a registry
    const installed = await run(
      SYSTEM_BIN ? '/usr/bin/npm' : 'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(scratch, 'npm-cache'), tarball],
      { cwd: (mkdirSync(installDir), installDir), env },
    );
    expect(installed.stderr).not.toMatch(NPM_WARNING);
    expect(installed.code).toBe(0);

    if (stackInfo().docker) await buildBusyboxImage(new Docker(), IMAGE);
    pool = await startTestNodePool({ ...ADMIN, LOGIN_ATTEMPTS_PER_ADDRESS: '10000' });
    owner = `volunteer-${process.pid}`;
    const registered = await call(pool, 'POST', '/api/auth/register', {
      body: { username: owner, password: STRONG_PASSWORD },
    });
    // the operator's own machine (an admin's): no probation, its results accepted alone; trusted
    // above 50 so that a node without Docker (low trust) may run its tasks too
    await call(pool, 'PATCH', `/api/admin/users/${registered.body.user.id}`, {
      token: await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD),
      body: { role: 'admin', trust_score: 60 },
    });
  }, 300_000);

  afterAll(async () => {
    await stopWorker();
    await pool?.close();
    removeTree(scratch);
  }, 60_000);

  it('installs into an empty folder with nothing but itself, and starts on the system Node without npm warnings', async () => {
    expect(readdirSync(join(installDir, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual([
      'hivemind-worker',
    ]);
    const help = await run(NODE, [bin('hivemind-worker'), '--help'], { env });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    for (const documented of [
      '--config FILE',
      'NODE_POOL_ADDRESS',
      'HIVEMIND_USERNAME',
      'DOCKER_ENABLED',
      'WORK_DIR',
    ])
      expect(help.stdout).toContain(documented);
    // npx on the system's npm: the package's own engines must not make it warn
    const npx = await run(SYSTEM_BIN ? '/usr/bin/npx' : 'npx', ['--offline', 'hivemind', '--version'], {
      cwd: installDir,
      env: { ...env, npm_config_cache: join(scratch, 'npm-cache') },
    });
    expect(npx.stderr).not.toMatch(NPM_WARNING);
    expect(npx).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('`npx hivemind` in the repository starts without npm warnings on the system Node', async () => {
    const npx = await run(SYSTEM_BIN ? '/usr/bin/npx' : 'npx', ['--offline', 'hivemind', '--version'], {
      cwd: ROOT,
      env: { ...env, PATH: `${SYSTEM_BIN ?? '/usr/bin'}:/usr/bin:/bin` },
    });
    expect(npx.stderr).not.toMatch(NPM_WARNING);
    expect(npx).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('node join --service: a private configuration, a unit systemd-analyze accepts, whose command joins the pool and runs a task', async () => {
    const port = await freePort();
    // the run's engine may be shared with other runs on this machine: what answers now
    const docker = stackInfo().docker && (await dockerAnswers());
    const join_ = await run(
      NODE,
      [
        bin('hivemind'),
        'node',
        'join',
        pool.http,
        '-u',
        owner,
        '--password-stdin',
        '--name',
        'packaged-worker',
        '--service',
        '--prefix',
        prefix,
        '--env',
        `WORKER_HTTP_PORT=${port}`,
        '--env',
        `RUNTIME_IMAGE=${IMAGE}`,
        '--env',
        'HEARTBEAT_INTERVAL_S=1',
        '--env',
        `DOCKER_ENABLED=${docker ? 'true' : 'false'}`,
      ],
      { env, stdin: `${STRONG_PASSWORD}\n` },
    );
    expect(join_).toMatchObject({ code: 0, stderr: '' });
    expect(join_.stdout).toContain(`Logged in to ${pool.http} as ${owner}`);
    expect(join_.stdout).toContain(`Wrote the worker's configuration to ${configFile} (mode 0600)`);
    expect(join_.stdout).toMatch(docker ? /^Docker: usable/m : /^Docker: not usable, /m);
    expect(join_.stdout).toContain(
      'Under --prefix: not started. On the machine, run: systemctl daemon-reload',
    );

    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    const config = readFileSync(configFile, 'utf8');
    expect(config).toContain(`NODE_POOL_ADDRESS=${pool.grpc}\n`);
    expect(config).toContain(`HIVEMIND_USERNAME=${owner}\n`);
    expect(config).toContain(`WORK_DIR=${join(prefix, 'var/lib/hivemind-worker')}\n`);

    const verify = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
    expect({ code: verify.status, output: `${verify.stdout}${verify.stderr}` }).toEqual({
      code: 0,
      output: '',
    });

    // the unit's ExecStart as systemd would run it (not PID 1 here): the installed worker joins
    const unit = readFileSync(unitFile, 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(unit)![1].split(' ');
    const launcher = join(installDir, 'node_modules/hivemind-worker/bin/hivemind-worker.js');
    expect(exec).toEqual([NODE, launcher, '--config', configFile]);
    worker = spawn(exec[0], exec.slice(1), {
      env: { PATH, HOME: scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    worker.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    worker.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      // /health needs no console session: its grpc check says whether the push stream is open
      const health = await fetch(`http://127.0.0.1:${port}/health`)
        .then((r) => r.json() as Promise<{ checks: { grpc: { connected: boolean } } }>)
        .catch(() => undefined);
      if (health?.checks.grpc.connected) break;
      if (Date.now() > deadline || worker.exitCode !== null)
        throw new Error(`the worker did not connect:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const cli = (args: string[]) => run(NODE, [bin('hivemind'), ...args], { env });
    const submitted = await cli([
      '--json',
      'task',
      IMAGE,
      '--cpu-cores',
      '0.25',
      '--mem',
      '0.25',
      '--timeout',
      '120',
      '--',
      'echo',
      'hello from the package',
    ]);
    expect(submitted).toMatchObject({ code: 0, stderr: '' });
    const id = (JSON.parse(submitted.stdout) as { task: { id: string } }).task.id;
    const monitor = await cli(['monitor', id]);
    expect({ code: monitor.code, log: monitor.stdout }).toMatchObject({
      code: 0,
      log: expect.stringContaining('hello from the package'),
    });
    expect(log).toContain(`configuration read from ${configFile}`);
  }, 180_000);

  it('node leave removes the unit and the configuration, and keeps the work folder', async () => {
    await stopWorker();
    const leave = await run(NODE, [bin('hivemind'), 'node', 'leave', '--prefix', prefix], { env });
    expect(leave).toMatchObject({ code: 0, stderr: '' });
    expect(leave.stdout).toBe(
      [
        `Removed ${unitFile}.`,
        `Removed ${configFile}.`,
        `Kept ${join(prefix, 'var/lib/hivemind-worker')} (task workspaces and spooled results); remove it when no task runs.`,
        '',
      ].join('\n'),
    );
    expect(existsSync(unitFile) || existsSync(configFile)).toBe(false);
    const again = await run(NODE, [bin('hivemind'), 'node', 'leave', '--prefix', prefix], { env });
    expect(again.stdout).toBe(`This machine has not joined a pool (no ${configFile}).\n`);
  });

  it("the node pool's unit (deploy/systemd) passes systemd-analyze verify where its clone is", () => {
    const unit = readFileSync(join(ROOT, 'deploy/systemd/hivemind-master.service'), 'utf8');
    const copy = join(scratch, 'hivemind-master.service');
    writeFileSync(copy, unit.replaceAll('/opt/hivemind', ROOT));
    const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    expect({ code: verify.status, output: `${verify.stdout}${verify.stderr}` }).toEqual({
      code: 0,
      output: '',
    });
  });
});
