/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the tests read the REST API's JSON loosely */
// A real tunnel (docs/vpn.md "Worker nodes join"): the node pool in one network namespace with a
// WireGuard interface it fills itself (VPN_APPLY=live), a worker in another with VPN_AUTO_JOIN=true,
// a veth pair the only link between them (and unix sockets to the host's PostgreSQL, Redis and
// Docker). The worker bootstraps over the pool's "public" veth address, brings its tunnel up
// (wireguard-go when the kernel has no WireGuard), dials the pool's gRPC at 10.128.0.1 through it,
// registers with its 10.x address and runs a task.
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import {
  BUSYBOX_IMAGE,
  REQUIREMENTS,
  buildBusyboxImage,
  ensureLocalPki,
  ensureSystemPackages,
  imageExists,
} from '@hivemind/local-stack';
import {
  built,
  createTestDatabase,
  removeTree,
  stackInfo,
  type TestDatabase,
  waitFor,
} from '@hivemind/testing';
import { STRONG_PASSWORD } from '../../node-pool/test/support/http';
import {
  NetNs,
  link,
  netnsUnavailable,
  removeStaleNamespaces,
  startRelay,
  unixToHostPort,
} from './support/netns';

const POOL_VETH = '198.18.0.1'; // the pool's "public" address, inside the test's namespaces only
const WORKER_VETH = '198.18.0.2';
const VPN_SERVER = '10.128.0.1';
const POOL_WG = 'hmwg0';
const NODE = `vpn-node-${randomBytes(3).toString('hex')}`;
const ADMIN = { username: 'root', password: 'amber-quartz-lantern-58' };
const docker = new Docker();
const describeDocker = stackInfo().docker ? describe : describe.skip;

interface Answer {
  status: number;
  body: any;
  /** The `name=value` of a Set-Cookie answered. */
  cookie?: string;
}

/** One request over a unix socket (the relays into the namespaces); TLS with `ca`. */
function over(socketPath: string, ca?: string) {
  return (method: string, path: string, options: { token?: string; body?: unknown; cookie?: string } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const req = (ca ? httpsRequest : httpRequest)(
        {
          socketPath,
          path,
          method,
          ...(ca ? { ca, servername: 'localhost', host: 'localhost' } : {}),
          headers: {
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(options.cookie ? { cookie: options.cookie } : {}),
          },
          timeout: 10_000,
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON
            }
            const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
            resolve({ status: res.statusCode ?? 0, body: parsed, ...(cookie ? { cookie } : {}) });
          });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.end(body);
    });
}

const tail = (file: string, lines = 60) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';

/** As the other WireGuard tests: apt-installs what is missing when root on Debian, else says what to run. */
function installTools(): void {
  ensureSystemPackages(
    [
      REQUIREMENTS.wireguard,
      REQUIREMENTS.iproute2,
      ...(existsSync('/sys/module/wireguard') ? [] : [REQUIREMENTS.wireguardGo]),
    ],
    (line) => process.stderr.write(`[vpn tunnel test] ${line}\n`),
  );
}

describe('VPN tunnel: the machine can run it', () => {
  // not skipped on a machine without namespaces or /dev/net/tun: the reason is the failure
  it('has root, network namespaces, /dev/net/tun and a WireGuard (kernel or wireguard-go)', () => {
    installTools();
    expect(netnsUnavailable()).toBeUndefined();
  });
});

describeDocker('VPN tunnel: a worker joins with VPN_AUTO_JOIN and works through it', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-vpn-'));
  const namespaces: NetNs[] = [];
  const children: ChildProcess[] = [];
  const hostSockets: Server[] = [];
  let poolNs: NetNs;
  let workerNs: NetNs;
  let db: TestDatabase;
  let pool: ReturnType<typeof over>;
  let worker: ReturnType<typeof over>;
  let workerProcess: ChildProcess;
  let poolProcess: ChildProcess;
  let adminToken: string;
  const poolLog = join(scratch, 'pool.log');
  const workerLog = join(scratch, 'worker.log');
  const workDir = join(scratch, 'worker');
  const logs = () => `\n--- pool log:\n${tail(poolLog)}\n--- worker log:\n${tail(workerLog)}`;
  /** waitFor, failing with both logs as they are then. */
  const until = async (what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number) => {
    try {
      const exited = (name: string, child?: ChildProcess) => {
        if (child && (child.exitCode !== null || child.signalCode !== null))
          throw new Error(`the ${name} exited (${child.exitCode ?? child.signalCode})`);
      };
      await waitFor(
        what,
        async () => {
          exited('node pool', poolProcess);
          exited('worker', workerProcess);
          return (await probe()) || undefined;
        },
        timeoutMs,
        250,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}${logs()}`, { cause: error });
    }
  };

  beforeAll(async () => {
    installTools();
    const missing = netnsUnavailable();
    if (missing) throw new Error(`the tunnel test cannot run here: ${missing}`);
    if (!(await imageExists(docker, BUSYBOX_IMAGE))) await buildBusyboxImage(docker);
    removeStaleNamespaces();
    poolNs = NetNs.create('pool');
    namespaces.push(poolNs);
    workerNs = NetNs.create('worker');
    namespaces.push(workerNs);
    link(poolNs, POOL_VETH, workerNs, WORKER_VETH);

    // the operator's side: an interface with the server's address; the pool gives it its key,
    // port and peers (VPN_APPLY=live)
    if (existsSync('/sys/module/wireguard')) poolNs.run('ip', 'link', 'add', POOL_WG, 'type', 'wireguard');
    else poolNs.run('wireguard-go', POOL_WG);
    poolNs.run('ip', 'addr', 'add', `${VPN_SERVER}/16`, 'dev', POOL_WG);
    poolNs.run('ip', 'link', 'set', POOL_WG, 'up');

    // the host's PostgreSQL and Redis, reached from the pool's namespace through unix sockets
    db = await createTestDatabase('vpn');
    const pgPort = Number(new URL(db.url).port);
    const redisPort = stackInfo().redisPort;
    hostSockets.push(await unixToHostPort(join(scratch, 'pg.sock'), pgPort));
    hostSockets.push(await unixToHostPort(join(scratch, 'redis.sock'), redisPort));
    children.push(
      startRelay(poolNs, scratch, [
        `tcp:127.0.0.1:${pgPort}=unix:${join(scratch, 'pg.sock')}`,
        `tcp:127.0.0.1:${redisPort}=unix:${join(scratch, 'redis.sock')}`,
        `unix:${join(scratch, 'pool-http.sock')}=tcp:127.0.0.1:8080`,
      ]),
      startRelay(workerNs, scratch, [`unix:${join(scratch, 'worker-http.sock')}=tcp:127.0.0.1:5000`]),
    );

    // TLS for the pool's public and VPN addresses: the worker verifies it on both
    const pki = await ensureLocalPki(join(scratch, 'tls'), ['localhost', POOL_VETH, VPN_SERVER]);
    poolProcess = poolNs.spawn(
      process.execPath,
      [built('dist/apps/node-pool/apps/node-pool/src/main.js')],
      {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '5',
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        QUEUE_PREFIX: `test-vpn-${randomBytes(4).toString('hex')}`,
        JWT_SECRET: randomBytes(32).toString('hex'),
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        SIGNUP_GRANT_CPT: '100000',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '8080',
        GRPC_SERVER_HOST: '0.0.0.0',
        GRPC_SERVER_PORT: '50051',
        STORAGE_PATH: join(scratch, 'storage'),
        WEB_ROOT: join(scratch, 'no-console-here'),
        TLS_CERT_FILE: pki.certFile,
        TLS_KEY_FILE: pki.keyFile,
        TLS_CA_FILE: pki.caFile,
        TLS_CA_KEY_FILE: pki.caKeyFile,
        VPN_ENDPOINT: `${POOL_VETH}:51820`,
        VPN_APPLY: 'live',
        VPN_SERVER_INTERFACE: POOL_WG,
        VPN_SYNC_INTERVAL_S: '2',
      },
      poolLog,
    );
    children.push(poolProcess);
    pool = over(join(scratch, 'pool-http.sock'), readFileSync(pki.caFile, 'utf8'));
    await until(
      `the node pool in ${poolNs.name}`,
      async () => (await pool('GET', '/health').catch(() => ({ status: 0 }))).status === 200,
      90_000,
    );
    adminToken = (await pool('POST', '/api/auth/login', { body: ADMIN })).body.access_token;

    const owner = `vpn-owner-${randomBytes(3).toString('hex')}`;
    const registered = await pool('POST', '/api/auth/register', {
      body: { username: owner, password: STRONG_PASSWORD },
    });
    expect(registered.status).toBe(201);

    workerProcess = workerNs.spawn(
      process.execPath,
      [built('dist/apps/worker/apps/worker/src/main.js')],
      {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        NODE_ID: NODE,
        WORK_DIR: workDir,
        WORKER_HTTP_PORT: '5000',
        NODE_POOL_ADDRESS: `${POOL_VETH}:50051`,
        NODE_POOL_CA_FILE: pki.caFile,
        HIVEMIND_USERNAME: owner,
        HIVEMIND_PASSWORD: STRONG_PASSWORD,
        DOCKER_ENABLED: 'true',
        HEARTBEAT_INTERVAL_S: '1',
        STOP_GRACE_S: '2',
        VPN_AUTO_JOIN: 'true',
        VPN_CHECK_INTERVAL_S: '3',
      },
      workerLog,
    );
    children.push(workerProcess);
    // the worker's API needs a console session: signs in as the owner when it has none
    const workerHttp = over(join(scratch, 'worker-http.sock'));
    let cookie: string | undefined;
    worker = async (method, path, options = {}) => {
      const first = await workerHttp(method, path, { ...options, cookie });
      if (first.status !== 401) return first;
      const signIn = await workerHttp('POST', '/api/session', {
        body: { username: owner, password: STRONG_PASSWORD },
      });
      cookie = signIn.cookie;
      return workerHttp(method, path, { ...options, cookie });
    };
  }, 240_000);

  afterAll(async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    for (const server of hostSockets) server.close();
    for (const ns of namespaces) ns.destroy();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`hivemind.node=${NODE}`] } }))
      await docker.getContainer(c.Id).remove({ force: true });
    await db?.drop();
    removeTree(scratch);
  }, 120_000);

  it('joins: a 0600 config, the tunnel up, the pool dialed at its 10.x address', async () => {
    let status: any;
    await until(
      'the worker joined and connected',
      async () => {
        status = (await worker('GET', '/api/status').catch(() => ({ body: undefined }))).body;
        return status?.connected === true && status?.vpn?.state === 'up';
      },
      120_000,
    );
    expect(status.vpn).toMatchObject({
      state: 'up',
      interface: 'hm0',
      pool_address: `${VPN_SERVER}:50051`,
      error: null,
    });
    expect(status.vpn.address).toMatch(/^10\.128\.\d+\.\d+$/);
    expect(status.pool_address).toBe(`${VPN_SERVER}:50051`);

    const health = await worker('GET', '/health');
    expect(health.body.checks.vpn).toMatchObject({
      status: 'healthy',
      state: 'up',
      address: status.vpn.address,
    });

    // the config and the key are the owner's alone
    expect(statSync(join(workDir, 'vpn')).mode & 0o777).toBe(0o700);
    expect(statSync(join(workDir, 'vpn', 'hm0.conf')).mode & 0o777).toBe(0o600);
    expect(statSync(join(workDir, 'vpn', 'private.key')).mode & 0o777).toBe(0o600);

    // the pool put the node's peer on its interface (VPN_APPLY=live), and handshakes happen
    const peers = poolNs.run('wg', 'show', POOL_WG, 'allowed-ips');
    expect(peers).toContain(`${status.vpn.address}/32`);
    expect(Number(poolNs.run('wg', 'show', POOL_WG, 'latest-handshakes').split('\t')[1])).toBeGreaterThan(0);

    // every gRPC connection the pool holds comes through the tunnel, from the node's VPN address
    const connections = poolNs.run('ss', '-Htn', 'state', 'established', '( sport = :50051 )');
    const sources = connections
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/).at(-1)!.replace(/:\d+$/, ''));
    expect(sources.length).toBeGreaterThan(0);
    expect(new Set(sources)).toEqual(new Set([status.vpn.address]));

    // and the pool knows the node by that address
    const nodes = await pool('GET', '/api/nodes?limit=100', { token: adminToken });
    const node = (nodes.body.items ?? nodes.body.nodes ?? nodes.body).find((n: any) => n.name === NODE);
    expect(node).toMatchObject({ hostname: status.vpn.address });
  }, 150_000);

  it('runs a task sent through the tunnel', async () => {
    const user = await pool('POST', '/api/auth/register', {
      body: { username: `vpn-user-${randomBytes(3).toString('hex')}`, password: STRONG_PASSWORD },
    });
    const submitted = await pool('POST', '/api/tasks', {
      token: user.body.access_token,
      body: {
        name: 'through-the-tunnel',
        image: BUSYBOX_IMAGE,
        command: ['sh', '-c', 'echo hello through the tunnel'],
        cpu_cores: 0.25,
        memory_gb: 0.25,
        timeout_s: 120,
        validation: 'none',
      },
    });
    expect(submitted.status).toBe(201);
    const id = submitted.body.task.id as string;
    let task: any;
    await until(
      'the task to end',
      async () => {
        task = (await pool('GET', `/api/tasks/${id}`, { token: adminToken })).body;
        return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(task?.status);
      },
      120_000,
    );
    expect(task.status).toBe('COMPLETED');
    const logsAnswer = await pool('GET', `/api/tasks/${id}/logs?after=0`, { token: user.body.access_token });
    expect(JSON.stringify(logsAnswer.body)).toContain('hello through the tunnel');
  }, 150_000);

  it('brings the tunnel back when its interface goes away', async () => {
    const before = (await worker('GET', '/api/status')).body.vpn;
    workerNs.run('ip', 'link', 'delete', 'dev', 'hm0');
    await until(
      'the watchdog to notice and restore hm0',
      () => tail(workerLog, 30).includes('VPN hm0 back up'),
      30_000,
    );
    const after = (await worker('GET', '/api/status')).body;
    expect(after.vpn).toMatchObject({ state: 'up', address: before.address, error: null });
    expect(tail(workerLog, 30)).toContain('VPN hm0: the interface hm0 is gone: bringing it back up');
    // the pool is reached through it again
    await until(
      'a handshake through the restored tunnel',
      () => Number(workerNs.run('wg', 'show', 'hm0', 'latest-handshakes').split('\t')[1]) > 0,
      30_000,
    );
    expect((await worker('GET', '/health')).body.checks.vpn.status).toBe('healthy');
  }, 90_000);

  it('a revoked peer leaves the pool’s interface; the worker takes its tunnel down on SIGTERM', async () => {
    const status = (await worker('GET', '/api/status')).body;
    const peers = await pool('GET', '/api/vpn/peers?all=true', { token: adminToken });
    const peer = peers.body.items.find((p: any) => p.node_name === NODE);
    expect(peer.address).toBe(status.vpn.address);
    expect((await pool('DELETE', `/api/vpn/peers/${peer.id}`, { token: adminToken })).status).toBe(200);
    // applied before the answer (VPN_APPLY=live)
    expect(poolNs.run('wg', 'show', POOL_WG, 'allowed-ips')).not.toContain(`${status.vpn.address}/32`);

    await new Promise<void>((resolve) => {
      workerProcess.once('exit', () => resolve());
      workerProcess.kill('SIGTERM');
    });
    expect(workerNs.run('ip', '-o', 'link')).not.toMatch(/\bhm0\b/);
    expect(tail(workerLog, 200)).toContain('VPN hm0 taken down');
  }, 60_000);
});
