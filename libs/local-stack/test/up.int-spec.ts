import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { built, grpcHealthStatus, grpcListServices } from '@hivemind/testing';
import { freePort, isPortFree, stopChild, waitUntil } from '../src';

/**
 * `npm run up` end to end, minus install and build: the launcher starts its own PostgreSQL and
 * Redis, the node pool and a worker, on free ports, with data in a throw-away HIVEMIND_HOME.
 */
describe('the local stack launcher (npm run up)', () => {
  let home: string;
  let launcher: ChildProcess;
  let output = '';
  let http: string;
  let grpc: string;
  let workerPort: number;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'hivemind-up-'));
    chmodSync(home, 0o755);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    workerPort = await freePort();
    http = `http://127.0.0.1:${httpPort}`;
    grpc = `127.0.0.1:${grpcPort}`;
    launcher = spawn(process.execPath, [built('dist/libs/local-stack/libs/local-stack/src/up.js')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HIVEMIND_HOME: home,
        HTTP_PORT: String(httpPort),
        GRPC_SERVER_PORT: String(grpcPort),
        WORKER_HTTP_PORT: String(workerPort),
        HIVEMIND_DOCKER: 'off',
        HIVEMIND_ENV_FILE: join(home, 'no-such.env'), // a developer's .env must not leak in
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitUntil(() => Promise.resolve(output.includes('HiveMind is up')), {
      timeoutMs: 120000,
      child: launcher,
      describe: () => `the stack did not come up; its output:\n${output}`,
    });
  });

  afterAll(async () => {
    // if a test failed before the SIGINT test, stop the stack the way a user would
    if (launcher && launcher.exitCode === null && launcher.signalCode === null)
      await stopChild(launcher, 'SIGINT', 60000);
    rmSync(home, { recursive: true, force: true });
  });

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
    expect(await grpcHealthStatus(grpc)).toBe('SERVING');
    expect(await grpcListServices(grpc)).toEqual(
      expect.arrayContaining([
        'nodepool.UserService',
        'nodepool.NodeManagerService',
        'nodepool.MasterNodeService',
        'nodepool.WorkerNodeService',
      ]),
    );
  });

  it('runs a local worker that sees the node pool', async () => {
    const status = (await (await fetch(`http://127.0.0.1:${workerPort}/api/status`)).json()) as {
      node_id: string;
    };
    expect(status.node_id).toBe('local-worker-1');
    const health = (await (await fetch(`http://127.0.0.1:${workerPort}/health`)).json()) as {
      checks: { grpc: { status: string } };
    };
    expect(health.checks.grpc.status).toBe('healthy');
  });

  it('stops everything it started on SIGINT and exits 0', async () => {
    const postmasterPid = Number(
      readFileSync(join(home, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
    launcher.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await isPortFree(Number(new URL(http).port))).toBe(true);
    expect(await isPortFree(workerPort)).toBe(true);
    expect(() => process.kill(postmasterPid, 0)).toThrow();
  });
});
