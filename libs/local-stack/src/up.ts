// `npm run up`: the whole platform on this machine — PostgreSQL and Redis (unless DATABASE_URL /
// REDIS_URL are given), a Docker engine when one can run, the node pool (HTTP + gRPC + console)
// and one local worker, each supervised (restarted with backoff when it crashes). Ctrl-C stops
// everything it started. scripts/up.mjs installs and builds first.
import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { NODE_POOL_NODE_FLAGS } from '@hivemind/config';
import { startApp } from './app-process';
import { waitUntil } from './child-process';
import { DockerDaemon, type EngineState, dockerAnswers, whyDockerdCannotStart } from './docker-engine';
import { isPortFree, preferredOrFreePort } from './free-port';
import { type LocalPki, ensureLocalPki, trustInBrowsers, trustingFetch } from './local-pki';
import { PostgresServer, findPostgresBinDir } from './postgres-server';
import { RedisServer } from './redis-server';
import { repoRoot } from './repo-root';
import {
  BUSYBOX_IMAGE,
  RUNTIME_IMAGE,
  buildBusyboxImage,
  buildDebianRuntimeImage,
  imageExists,
} from './runtime-image';
import { Stack } from './stack';
import { REQUIREMENTS, ensureSystemPackages, onPath } from './system-packages';
import { canEnterAs, ensureServiceUser, isRoot } from './system-user';

/** Where the built apps are (npm run build). */
export const BUILD_OUTPUTS = {
  nodePool: 'dist/apps/node-pool/apps/node-pool/src/main.js',
  worker: 'dist/apps/worker/apps/worker/src/main.js',
  web: 'dist/apps/web/browser',
} as const;

interface Secrets {
  jwtSecret: string;
  postgresPassword: string;
  /** The local stack's admin (ADMIN_USERNAME, default "admin") unless ADMIN_PASSWORD is given. */
  adminPassword: string;
}

const log = (line: string): void => {
  process.stdout.write(`[up] ${line}\n`);
};

function loadSecrets(home: string): Secrets {
  const file = join(home, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const secrets: Secrets = {
    jwtSecret: stored.jwtSecret ?? randomBytes(32).toString('hex'),
    postgresPassword: stored.postgresPassword ?? randomBytes(18).toString('base64url'),
    // data directories made before the admin existed get one on their next start
    adminPassword: stored.adminPassword ?? randomBytes(18).toString('base64url'),
  };
  if (Object.keys(stored).length !== Object.keys(secrets).length) {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as an unprivileged user, who must be able
 * to reach the data directory. When the checkout is somewhere that user cannot enter (e.g. under
 * /root), the data lives in /var/lib/hivemind/<id> and .hivemind/postgres links to it.
 */
function postgresDataDir(home: string): string {
  const wanted = join(home, 'postgres');
  if (!isRoot()) return wanted;
  if (existsSync(wanted) && lstatSync(wanted).isSymbolicLink()) return realpathSync(wanted);
  const user = ensureServiceUser();
  if (canEnterAs(user, home) || existsSync(join(wanted, 'PG_VERSION'))) return wanted;
  const id = createHash('sha256').update(realpathSync(home)).digest('hex').slice(0, 12);
  const parent = join('/var/lib/hivemind', id);
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  const elsewhere = join(parent, 'postgres');
  if (existsSync(wanted)) rmdirSync(wanted); // an empty directory from an earlier attempt
  symlinkSync(elsewhere, wanted);
  log(
    `PostgreSQL data in ${elsewhere} (the "${user.name}" user cannot enter ${home}); linked from ${wanted}`,
  );
  return elsewhere;
}

async function httpAnswers(url: string, okOnly: boolean, fetcher: typeof fetch = fetch): Promise<boolean> {
  try {
    const res = await fetcher(url, { signal: AbortSignal.timeout(2000) });
    return okOnly ? res.ok : true;
  } catch {
    return false;
  }
}

/** True once the worker's /health (open: its API needs a console session) says its push stream is open. */
async function workerConnectedTo(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    const health = (await res.json()) as { checks?: { grpc?: { connected?: boolean } } };
    return health.checks?.grpc?.connected === true;
  } catch {
    return false;
  }
}

async function ensureRuntimeImage(engine: EngineState, mode: string): Promise<void> {
  if (engine.kind === 'unavailable' || mode === 'off') return;
  const docker = new Docker();
  if (await imageExists(docker, RUNTIME_IMAGE)) return;
  if (mode !== 'busybox' && isRoot() && onPath('debootstrap')) {
    await buildDebianRuntimeImage(docker, { log });
    log(`task runtime image ${RUNTIME_IMAGE} built (Debian, shell, python3)`);
    return;
  }
  log(
    `cannot build the Debian runtime image here (needs root and debootstrap); tagging a busybox image as ${RUNTIME_IMAGE}: zip tasks get a shell but no python3`,
  );
  await buildBusyboxImage(docker, BUSYBOX_IMAGE);
  await docker.getImage(BUSYBOX_IMAGE).tag({ repo: 'hivemind/runtime', tag: 'latest' });
}

/** PostgreSQL and Redis of our own (unless DATABASE_URL / REDIS_URL name others), supervised. */
async function startDatabases(
  stack: Stack,
  env: NodeJS.ProcessEnv,
  home: string,
  secrets: Secrets,
): Promise<{ databaseUrl: string; redisUrl: string }> {
  // Started side by side; each is registered for shutdown before it starts, so a failure of one
  // never leaves the other behind.
  const [databaseUrl, redisUrl] = await Promise.all([
    env.DATABASE_URL ??
      (async () => {
        const port = await preferredOrFreePort(54329);
        const dataDir = postgresDataDir(home);
        log(`starting PostgreSQL on 127.0.0.1:${port}`);
        const server = await stack.supervise({
          name: 'PostgreSQL',
          start: async (signal) => {
            // a server restarted by hand (pg_ctl restart), or left by an earlier run, is used
            // and stopped with the stack rather than left behind
            const started = await PostgresServer.start({
              dataDir,
              port,
              password: secrets.postgresPassword,
              detached: true,
              signal,
              adoptRunning: true,
            });
            if (started.adopted)
              log(
                `PostgreSQL already runs on ${dataDir} (pid ${started.pid}): using it; it stops with the stack`,
              );
            return started;
          },
        });
        return server.ensureDatabase('hivemind');
      })(),
    env.REDIS_URL ??
      (async () => {
        const port = await preferredOrFreePort(63799);
        log(`starting Redis on 127.0.0.1:${port}`);
        const server = await stack.supervise({
          name: 'Redis',
          start: (signal) =>
            RedisServer.start({ dir: join(home, 'redis'), port, persistent: true, detached: true, signal }),
        });
        return server.url;
      })(),
  ]);
  return { databaseUrl, redisUrl };
}

/** The running Docker engine, one we start (and supervise), or the reason there is none. */
async function startDockerEngine(stack: Stack, mode: string, home: string): Promise<EngineState> {
  if (mode === 'off') return { kind: 'unavailable', reason: 'HIVEMIND_DOCKER=off' };
  if (await dockerAnswers()) return { kind: 'running' };
  const cannot = whyDockerdCannotStart();
  if (cannot) return { kind: 'unavailable', reason: `no Docker engine answers and ${cannot}` };
  const daemon = await stack.supervise({
    name: 'dockerd',
    start: (signal) => DockerDaemon.start(join(home, 'dockerd.log'), true, signal),
  });
  log('started a Docker engine (dockerd, no bridge network: tasks run with NetworkMode none)');
  return { kind: 'started', daemon };
}

export async function up(env: NodeJS.ProcessEnv = process.env, stack = new Stack(log)): Promise<Stack> {
  const root = repoRoot();
  const home = resolve(env.HIVEMIND_HOME ?? join(root, '.hivemind'));
  mkdirSync(home, { recursive: true });
  const httpPort = Number(env.HTTP_PORT ?? 8080);
  const grpcPort = Number(env.GRPC_SERVER_PORT ?? 50051);
  const dockerMode = env.HIVEMIND_DOCKER ?? 'auto'; // auto | off
  const imageMode = env.HIVEMIND_RUNTIME_IMAGE ?? 'debian'; // debian | busybox | off

  for (const output of [BUILD_OUTPUTS.nodePool, BUILD_OUTPUTS.worker]) {
    if (!existsSync(join(root, output)))
      throw new Error(`${output} is missing: run \`npm run build\` (npm run up does it for you)`);
  }
  for (const [name, port] of [
    ['HTTP_PORT', httpPort],
    ['GRPC_SERVER_PORT', grpcPort],
  ] as const) {
    if (!(await isPortFree(port, '0.0.0.0'))) {
      throw new Error(`port ${port} is in use (is HiveMind already up?): stop what uses it, or set ${name}`);
    }
  }

  // What the machine lacks: PostgreSQL and Redis are needed; Docker and the image tools are optional.
  const required = [
    ...(env.DATABASE_URL
      ? []
      : [{ ...REQUIREMENTS.postgres, present: () => findPostgresBinDir() !== undefined }]),
    ...(env.REDIS_URL ? [] : [REQUIREMENTS.redis]),
  ];
  ensureSystemPackages(required, log);
  if (dockerMode !== 'off') {
    const optional = [
      REQUIREMENTS.docker,
      REQUIREMENTS.busybox,
      ...(imageMode === 'debian' ? [REQUIREMENTS.debootstrap] : []),
    ];
    try {
      ensureSystemPackages(optional, log);
    } catch (error) {
      log(`${(error as Error).message} — the worker will run without Docker (low trust)`);
    }
  }

  const secrets = loadSecrets(home);
  const tls = await localTls(env, home);
  const poolFetch = tls.caFile ? trustingFetch(readFileSync(tls.caFile, 'utf8')) : fetch;
  try {
    const { databaseUrl, redisUrl } = await startDatabases(stack, env, home, secrets);
    const engine = await startDockerEngine(stack, dockerMode, home);
    if (engine.kind === 'unavailable')
      log(`no Docker: ${engine.reason}; the worker runs tasks as processes (low trust)`);

    const adminUsername = env.ADMIN_USERNAME ?? 'admin';
    const origin = `https://localhost:${httpPort}`;
    const health = `${origin}/health`;
    await stack.supervise({
      name: 'node-pool',
      start: (signal, restart) =>
        startApp(
          'node-pool',
          join(root, BUILD_OUTPUTS.nodePool),
          {
            NODE_ENV: env.NODE_ENV ?? 'production',
            HTTP_PORT: String(httpPort),
            GRPC_SERVER_PORT: String(grpcPort),
            DATABASE_URL: databaseUrl,
            REDIS_URL: redisUrl,
            JWT_SECRET: env.JWT_SECRET ?? secrets.jwtSecret,
            ADMIN_USERNAME: adminUsername,
            ADMIN_PASSWORD: env.ADMIN_PASSWORD ?? secrets.adminPassword,
            STORAGE_PATH: env.STORAGE_PATH ?? join(home, 'storage'),
            WEB_ROOT: env.WEB_ROOT ?? join(root, BUILD_OUTPUTS.web),
            MIGRATIONS_RUN: 'true',
            ...tls.poolEnv,
          },
          // a restart is up once it serves HTTP: /health may well say 503 while a database is down
          (child) =>
            waitUntil(() => httpAnswers(health, !restart, poolFetch), {
              timeoutMs: 120000,
              child,
              signal,
              describe: () => `the node pool did not become healthy on port ${httpPort}`,
            }),
          NODE_POOL_NODE_FLAGS,
        ),
    });

    const workerPort = await preferredOrFreePort(Number(env.WORKER_HTTP_PORT ?? 5000));
    await stack.supervise({
      name: 'worker',
      start: (signal) =>
        startApp(
          'worker',
          join(root, BUILD_OUTPUTS.worker),
          {
            NODE_POOL_ADDRESS: `localhost:${grpcPort}`,
            ...(tls.caFile ? { NODE_POOL_CA_FILE: tls.caFile } : {}),
            NODE_ID: env.NODE_ID ?? 'local-worker-1',
            // the local worker belongs to the admin unless the .env names another owner
            HIVEMIND_USERNAME: env.HIVEMIND_USERNAME ?? adminUsername,
            HIVEMIND_PASSWORD: env.HIVEMIND_PASSWORD ?? env.ADMIN_PASSWORD ?? secrets.adminPassword,
            WORKER_HTTP_PORT: String(workerPort),
            DOCKER_ENABLED: engine.kind === 'unavailable' ? 'false' : 'auto',
            WORK_DIR: join(home, 'worker'),
          },
          (child) =>
            waitUntil(() => httpAnswers(`http://127.0.0.1:${workerPort}/health`, false), {
              timeoutMs: 60000,
              child,
              signal,
              describe: () => `the worker did not start on port ${workerPort}`,
            }),
        ),
    });
    const workerConnected = await waitUntil(() => workerConnectedTo(workerPort), {
      timeoutMs: 30000,
      describe: () => 'the worker did not connect to the node pool',
    }).then(
      () => true,
      () => false,
    );
    if (!workerConnected)
      log(`the worker has not connected to the node pool yet: see http://127.0.0.1:${workerPort}/health`);

    process.stdout.write(
      [
        '',
        '  HiveMind is up',
        `  Console        ${origin}/`,
        `  REST API       ${origin}/api   (OpenAPI: /api/docs)`,
        `  gRPC (TLS)     localhost:${grpcPort}   (nodepool.*, grpc.health.v1, reflection)`,
        `  Bull Board     ${origin}/admin/queues   (admins)`,
        ...tls.lines,
        `  Admin          ${adminUsername} / ${env.ADMIN_PASSWORD ? '(your ADMIN_PASSWORD)' : `${secrets.adminPassword}   (kept in ${join(home, 'secrets.json')})`}`,
        `  Health         ${health}   Metrics: /metrics`,
        `  Worker         http://127.0.0.1:${workerPort}/   (its console: sign in as ${env.HIVEMIND_USERNAME ?? adminUsername})`,
        `  Data           ${home}`,
        '  A crashed process is restarted; Ctrl-C stops everything.',
        '',
      ].join('\n') + '\n',
    );

    // The image takes a minute to build the first time: do it while the platform already serves.
    ensureRuntimeImage(engine, imageMode).catch((error: Error) =>
      log(`task runtime image: ${error.message}`),
    );
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** The VPN gateway's address (the subnet's first host), a name the server certificate covers. */
function vpnGatewayAddress(subnet: string): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(subnet);
  return match ? `${match[1]}.${match[2]}.${match[3]}.${Number(match[4]) + 1}` : undefined;
}

/**
 * TLS for the local stack: the operator's files when TLS_CERT_FILE is set, else a local CA and a
 * server certificate under HIVEMIND_HOME/tls (localhost, 127.0.0.1, ::1, the host name, the VPN
 * gateway), the CA added to this user's browser store (HIVEMIND_TRUST_CA=off skips that).
 */
async function localTls(
  env: NodeJS.ProcessEnv,
  home: string,
): Promise<{ poolEnv: Record<string, string>; caFile?: string; lines: string[] }> {
  if (env.TLS_CERT_FILE) {
    const caFile = env.NODE_POOL_CA_FILE ?? env.TLS_CA_FILE;
    return {
      poolEnv: {},
      ...(caFile ? { caFile } : {}),
      lines: [`  TLS            your certificate ${env.TLS_CERT_FILE}`],
    };
  }
  const hosts = [
    'localhost',
    '127.0.0.1',
    '::1',
    hostname(),
    vpnGatewayAddress(env.VPN_SUBNET ?? '10.128.0.0/16'),
  ];
  const pki: LocalPki = await ensureLocalPki(
    join(home, 'tls'),
    hosts.filter((h): h is string => Boolean(h)),
  );
  if (pki.made !== 'nothing')
    log(`made ${pki.made === 'ca' ? 'a local CA and ' : ''}a server certificate in ${pki.dir}`);
  let browsers = 'not added to browsers (HIVEMIND_TRUST_CA=off)';
  if (env.HIVEMIND_TRUST_CA !== 'off') {
    try {
      ensureSystemPackages([REQUIREMENTS.nss], log);
    } catch {
      // trustInBrowsers says what is missing
    }
    const trust = trustInBrowsers(pki, env.HOME ?? homedir());
    browsers = trust.trusted
      ? `trusted by this user's browsers (${trust.where})`
      : `not added to browsers: ${trust.why}`;
  }
  return {
    poolEnv: {
      TLS_CERT_FILE: pki.certFile,
      TLS_KEY_FILE: pki.keyFile,
      TLS_CA_FILE: pki.caFile,
      TLS_CA_KEY_FILE: pki.caKeyFile,
    },
    caFile: pki.caFile,
    lines: [
      `  TLS CA         ${pki.caFile}   ${browsers}`,
      `  CA SHA-256     ${pki.caFingerprint}`,
      `  CLI            hivemind login --ca ${pki.caFile} (or HIVEMIND_CA), or trust the fingerprint above`,
    ],
  };
}

if (require.main === module) {
  // A .env at the repository root (or HIVEMIND_ENV_FILE) configures the stack and the apps it
  // starts (see .env.example); variables set in the real environment win over it.
  const dotenv = process.env.HIVEMIND_ENV_FILE ?? join(repoRoot(), '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  const stack = new Stack(log);
  // Handled from the first moment: a Ctrl-C during the start stops what has started so far. A
  // terminal's Ctrl-C reaches us twice (from the terminal and forwarded by scripts/up.mjs).
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) return;
    signalled = true;
    log(`${signal}: stopping`);
    void stack.stop().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);
  up(process.env, stack).catch((error: Error) => {
    if (signalled) return; // the start was cut short on purpose
    process.stderr.write(`[up] ${error.message}\n`);
    process.exit(1);
  });
}
