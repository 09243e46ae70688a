import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, chmodSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { type ChannelCredentials, credentials } from '@grpc/grpc-js';
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { built, grpcHealthStatus, grpcListServices, removeTree, waitFor } from '@hivemind/testing';
import {
  type ProcessInfo,
  descendantsOf,
  findPostgresBinDir,
  freePort,
  isPortFree,
  isRunning,
  listProcesses,
  readProcess,
  stopChild,
  trustingFetch,
  waitUntil,
} from '../src';

const ROOT = join(__dirname, '..', '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `npm run up` end to end, minus install and build (`--no-build`: the test run built it): the
 * launcher starts its own PostgreSQL and Redis, the node pool and a worker, on free ports, with
 * data in a throw-away HIVEMIND_HOME; it runs in a process group of its own, as in a terminal.
 */
describe('the local stack launcher (npm run up)', () => {
  let home: string;
  let launcher: ChildProcess;
  let output = '';
  let http: string;
  let grpc: string;
  /** The launcher's own CA (HIVEMIND_HOME/tls/ca.pem): fetch and gRPC credentials that trust it. */
  let fetch: typeof globalThis.fetch;
  let tlsCredentials: () => ChannelCredentials;
  /** HOME of the launcher: its browser certificate store is ~/.pki/nssdb. */
  let userHome: string;
  let workerPort: number;

  /** The pid in the first line after `from` that matches `pattern` (its first group). */
  const lineAfter = (from: number, pattern: RegExp, what: string, timeoutMs = 60000): Promise<number> =>
    waitFor(
      what,
      () => {
        const match = pattern.exec(output.slice(from));
        return Promise.resolve(match ? Number(match[1]) : undefined);
      },
      timeoutMs,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the launcher said:\n${output.slice(from)}`);
    });
  const answers = async (url: string): Promise<boolean> => {
    try {
      return (await (fetch ?? globalThis.fetch)(url, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  };
  /** Every pid the launcher reported for `name` ("… is up (pid N)", "… restarted (pid N)"). */
  const reportedPids = (name: string): number[] =>
    [...output.matchAll(new RegExp(`^\\[up\\] ${name} (?:is up|restarted) \\(pid (\\d+)\\)$`, 'gm'))].map(
      (m) => Number(m[1]),
    );
  const postmasterPid = (): number =>
    Number(readFileSync(join(home, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'hivemind-up-'));
    chmodSync(home, 0o755);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    workerPort = await freePort();
    http = `https://localhost:${httpPort}`;
    grpc = `localhost:${grpcPort}`;
    userHome = mkdtempSync(join(tmpdir(), 'hivemind-up-home-'));
    built('dist/libs/local-stack/libs/local-stack/src/up.js');
    launcher = spawn(process.execPath, [join(ROOT, 'scripts/up.mjs'), '--no-build'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: userHome,
        HIVEMIND_HOME: home,
        HTTP_PORT: String(httpPort),
        GRPC_SERVER_PORT: String(grpcPort),
        WORKER_HTTP_PORT: String(workerPort),
        HIVEMIND_DOCKER: 'off',
        HIVEMIND_RUNTIME_IMAGE: 'off',
        HIVEMIND_ENV_FILE: join(home, 'no-such.env'), // a developer's .env must not leak in
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a process group of its own, which a Ctrl-C signals as a whole
    });
    launcher.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitUntil(() => Promise.resolve(output.includes('HiveMind is up')), {
      timeoutMs: 120000,
      child: launcher,
      describe: () => `the stack did not come up; its output:\n${output}`,
    });
    const ca = readFileSync(join(home, 'tls', 'ca.pem'), 'utf8');
    fetch = trustingFetch(ca);
    tlsCredentials = () => credentials.createSsl(Buffer.from(ca));
  });

  afterAll(async () => {
    // if a test failed before the SIGINT test, stop the stack the way a user would
    if (launcher && launcher.exitCode === null && launcher.signalCode === null)
      await stopChild(launcher, 'SIGINT', 60000);
    removeTree(home);
    removeTree(userHome);
  });

  it('serves TLS with a local CA it made, printed with its fingerprint and trusted by browsers', async () => {
    const caFile = join(home, 'tls', 'ca.pem');
    expect(statSync(join(home, 'tls', 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'tls', 'server-key.pem')).mode & 0o777).toBe(0o600);
    const fingerprint = new X509Certificate(readFileSync(caFile)).fingerprint256;
    expect(output).toContain(`TLS CA         ${caFile}`);
    expect(output).toContain(`CA SHA-256     ${fingerprint}`);
    expect(output).toContain(`Console        ${http}/`);
    // the server certificate covers the names a local user types, and the VPN gateway
    const server = new X509Certificate(readFileSync(join(home, 'tls', 'server.pem')));
    for (const name of ['localhost', hostname()]) expect(server.checkHost(name)).toBe(name);
    for (const ip of ['127.0.0.1', '::1', '10.128.0.1']) expect(server.checkIP(ip)).toBe(ip);
    // nothing in plain text, and a client that does not hold the CA is refused
    await expect(globalThis.fetch(`${http}/health`)).rejects.toThrow();
    await expect(globalThis.fetch(`${http.replace('https', 'http')}/health`)).rejects.toThrow();
    // the CA is in this user's NSS store, which Chromium reads
    const listed = spawnSync('certutil', ['-d', `sql:${join(userHome, '.pki', 'nssdb')}`, '-L'], {
      encoding: 'utf8',
    });
    expect(listed.stdout).toContain('HiveMind local CA');
    // and a browser of this user opens the console with no warning and no flag
    if (!existsSync(CHROMIUM)) return;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      env: { ...(process.env as Record<string, string>), HOME: userHome },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
      ],
    });
    try {
      const page = await browser.newPage();
      const answer = await page.goto(`${http}/`);
      expect(answer?.status()).toBe(200);
      expect(await page.title()).toMatch(/HiveMind/);
    } finally {
      await browser.close();
    }
  });

  // Restarts are checked once the tests above have used the first instances.

  it('runs its own PostgreSQL and Redis with data under HIVEMIND_HOME', async () => {
    expect(existsSync(join(home, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(home, 'redis'))).toBe(true);
    const secrets = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')) as { jwtSecret: string };
    expect(secrets.jwtSecret).toMatch(/^[0-9a-f]{64}$/);
    const health = await fetch(`${http}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      info: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('creates an admin whose token opens Bull Board; OpenAPI, metrics and the built console are served', async () => {
    const { adminPassword } = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')) as {
      adminPassword: string;
    };
    expect((await fetch(`${http}/admin/queues`)).status).toBe(401);
    const login = await fetch(`${http}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const board = await fetch(`${http}/admin/queues`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(board.status).toBe(200);
    expect((await fetch(`${http}/api/docs`)).status).toBe(200);
    expect((await fetch(`${http}/metrics`)).status).toBe(200);
    const index = await (await fetch(`${http}/`)).text();
    expect(index).toContain('<hm-root');
    expect(index).toMatch(/<script src="main-[A-Z0-9]+\.js" type="module">/);
  });

  it('answers gRPC health SERVING and lists the nodepool services by reflection', async () => {
    expect(await grpcHealthStatus(grpc, '', tlsCredentials())).toBe('SERVING');
    expect(await grpcListServices(grpc, tlsCredentials())).toEqual(
      expect.arrayContaining([
        'nodepool.UserService',
        'nodepool.NodeManagerService',
        'nodepool.MasterNodeService',
        'nodepool.WorkerNodeService',
      ]),
    );
  });

  it('runs a local worker that sees the node pool; its owner, the admin, signs in to its console', async () => {
    const { adminPassword } = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')) as {
      adminPassword: string;
    };
    const worker = `http://127.0.0.1:${workerPort}`;
    expect((await fetch(`${worker}/api/status`)).status).toBe(401);
    const signIn = await fetch(`${worker}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const status = (await (await fetch(`${worker}/api/status`, { headers: { cookie } })).json()) as {
      node_id: string;
    };
    expect(status.node_id).toBe('local-worker-1');
    const health = (await (await fetch(`http://127.0.0.1:${workerPort}/health`)).json()) as {
      checks: { grpc: { status: string } };
    };
    expect(health.checks.grpc.status).toBe('healthy');
  });

  /** Tasks' processes seen below the worker (a child's child), restarts included. */
  const taskProcesses: ProcessInfo[] = [];
  const sleepsBelow = (pid: number): ProcessInfo[] =>
    descendantsOf(pid, listProcesses()).filter((p) => p.command === 'sleep');

  it('runs a task as a process below the worker (the process executor)', async () => {
    const { adminPassword } = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')) as {
      adminPassword: string;
    };
    const json = { 'content-type': 'application/json' };
    const login = await fetch(`${http}/api/auth/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    const session = (await login.json()) as { access_token: string; user: { id: string } };
    const auth = { ...json, authorization: `Bearer ${session.access_token}` };
    // a worker without Docker is low trust: it runs the tasks of users trusted 100 or more
    const trusted = await fetch(`${http}/api/admin/users/${session.user.id}`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({ trust_score: 100 }),
    });
    expect(trusted.status).toBe(200);
    const submitted = await fetch(`${http}/api/tasks`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ image: 'hivemind/runtime:latest', command: ['sleep', '600'], cpu_cores: 0.1 }),
    });
    expect(submitted.status).toBe(201);
    const [worker] = reportedPids('worker');
    taskProcesses.push(
      ...(await waitFor('the task to run below the worker', () => {
        const found = sleepsBelow(worker);
        return Promise.resolve(found.length ? found : undefined);
      })),
    );
  });

  it('restarts a worker killed with -9: a line says so, it connects again', async () => {
    const [first] = reportedPids('worker');
    const from = output.length;
    process.kill(first, 'SIGKILL');
    await lineAfter(
      from,
      new RegExp(
        `^\\[up\\] worker \\(pid (${first})\\) was killed by SIGKILL after [\\d.]+ m?s; restarting it in 1 s$`,
        'm',
      ),
      'the line about the worker',
    );
    const again = await lineAfter(from, /^\[up\] worker restarted \(pid (\d+)\)$/m, 'the worker restarted');
    expect(again).not.toBe(first);
    expect(readProcess(again)).toBeDefined();
    await waitFor('the worker to connect again', async () => {
      const res = await fetch(`http://127.0.0.1:${workerPort}/health`).catch(() => undefined);
      const health = res && ((await res.json()) as { checks?: { grpc?: { connected?: boolean } } });
      return health?.checks?.grpc?.connected === true;
    });
    // the restarted worker takes its task back (its process may be the old one, re-parented); when
    // the old one died with the worker, the pool loses the attempt once three heartbeats leave it
    // out and runs it again: that takes longer than 20 s on a loaded machine
    const [old] = taskProcesses;
    await waitFor(
      'the task to run again',
      () => Promise.resolve(isRunning(old) || sleepsBelow(again).length > 0),
      90_000,
    );
    taskProcesses.push(...sleepsBelow(again));
  }, 240_000);

  it('restarts a node pool killed with -9: /health answers again', async () => {
    const [first] = reportedPids('node-pool');
    const from = output.length;
    process.kill(first, 'SIGKILL');
    await lineAfter(
      from,
      new RegExp(
        `^\\[up\\] node-pool \\(pid (${first})\\) was killed by SIGKILL .*; restarting it in 1 s$`,
        'm',
      ),
      'the line about the node pool',
    );
    expect(await lineAfter(from, /^\[up\] node-pool restarted \(pid (\d+)\)$/m, 'the restart')).not.toBe(
      first,
    );
    await waitFor('/health to answer 200', () => answers(`${http}/health`), 60000);
    expect(await grpcHealthStatus(grpc, '', tlsCredentials())).toBe('SERVING');
  });

  it('restarts PostgreSQL killed with -9, and adopts one restarted by hand (pg_ctl restart)', async () => {
    const [first] = reportedPids('PostgreSQL');
    expect(postmasterPid()).toBe(first);
    let from = output.length;
    process.kill(first, 'SIGKILL');
    const again = await lineAfter(
      from,
      /^\[up\] PostgreSQL restarted \(pid (\d+)\)$/m,
      'PostgreSQL restarted',
    );
    expect(postmasterPid()).toBe(again);
    await waitFor('/health to answer 200 again', () => answers(`${http}/health`), 60000);

    // the reported orphan: a server restarted outside the launcher is no child of it
    const dataDir = join(home, 'postgres');
    const owner = statSync(dataDir);
    from = output.length;
    const pgCtl = spawnSync(
      join(findPostgresBinDir()!, 'pg_ctl'),
      ['-D', dataDir, 'restart', '-m', 'fast', '-w'],
      { uid: owner.uid, gid: owner.gid, stdio: 'ignore', timeout: 60000 },
    );
    expect(pgCtl.status).toBe(0);
    const adopted = await lineAfter(
      from,
      /^\[up\] PostgreSQL already runs on .* \(pid (\d+)\): using it; it stops with the stack$/m,
      'the adoption',
    );
    expect(adopted).toBe(postmasterPid());
    expect(readProcess(adopted)?.ppid).not.toBe(launcher.pid);
    await waitFor('/health to answer 200 after pg_ctl restart', () => answers(`${http}/health`), 60000);
  });

  it('stops everything it started on a Ctrl-C (SIGINT to its process group) and exits 0', async () => {
    // everything that runs of the stack now: the tree below the launcher, each pid it reported
    // (restarts included) and the PostgreSQL started by pg_ctl, which is no descendant of ours
    const tree: ProcessInfo[] = [
      ...descendantsOf(launcher.pid!, listProcesses()),
      ...['worker', 'node-pool', 'Redis', 'PostgreSQL'].flatMap(reportedPids).flatMap((pid) => {
        const info = readProcess(pid);
        return info ? [info] : [];
      }),
    ];
    expect(['worker', 'node-pool', 'Redis'].map((n) => reportedPids(n).length)).toEqual([2, 2, 1]);
    expect(reportedPids('PostgreSQL').length).toBeGreaterThanOrEqual(3);
    expect(tree.filter(isRunning).length).toBeGreaterThanOrEqual(8); // the apps, servers and backends
    const postgres = readProcess(postmasterPid())!;
    expect(tree.map((p) => p.pid)).toContain(postgres.pid);
    // a task's process, which the worker leaves running when it stops, is ended too
    tree.push(...taskProcesses);
    expect(tree.some((p) => p.command === 'sleep' && isRunning(p))).toBe(true);

    const exited = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
    process.kill(-launcher.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/^\[up\] SIGINT: stopping$/m);
    const left = tree.filter(isRunning).map((p) => `${p.command} (pid ${p.pid})`);
    expect(left).toEqual([]);
    expect(existsSync(join(home, 'postgres', 'postmaster.pid'))).toBe(false); // a clean shutdown
    expect(await isPortFree(Number(new URL(http).port))).toBe(true);
    expect(await isPortFree(workerPort)).toBe(true);
  });
});
