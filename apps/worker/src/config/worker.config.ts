import { cpus, hostname, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  type Env,
  bool,
  hostPort,
  int,
  logLevel,
  nodeEnv,
  oneOf,
  parseEnv,
  port,
  positiveNumber,
} from '@hivemind/config';
import { INTERFACE_NAME } from '@hivemind/contracts/wireguard';

const schema = z.object({
  NODE_ENV: nodeEnv(),
  LOG_LEVEL: logLevel(),
  NODE_POOL_ADDRESS: hostPort('127.0.0.1:50051'),
  NODE_POOL_TLS: oneOf(['auto', 'true', 'false'] as const, 'auto'),
  NODE_POOL_CA_FILE: z.string().min(1).optional(),
  NODE_POOL_INSECURE: bool(false),
  WORKER_HTTP_INSECURE: bool(false),
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: 'must be 1-64 letters, digits, "_", "." or "-"' })
    .optional(),
  WORKER_HTTP_HOST: z.string().default('127.0.0.1'),
  WORKER_HTTP_PORT: port(5000),
  SESSION_TIMEOUT: z.coerce
    .number({ message: 'must be a number of hours, e.g. 24 or 0.5' })
    .positive({ message: 'must be a positive number of hours, e.g. 24 or 0.5' })
    .max(8760, { message: 'must be at most 8760 hours (a year)' })
    .default(24),
  WORKER_CONSOLE_ROOT: z.string().min(1).optional(),
  DOCKER_ENABLED: oneOf(['auto', 'true', 'false'] as const, 'auto'),
  MAX_CPU_CORES: positiveNumber(cpus().length),
  MAX_MEMORY_GB: positiveNumber(Math.floor(totalmem() / 1024 ** 3) || 1),
  MAX_CONCURRENT_TASKS: int(2, { min: 1, max: 256 }),
  LOCATION: z.string().max(64).default(''),
  MAX_STORAGE_GB: z.coerce
    .number({ message: 'must be a positive number' })
    .positive({ message: 'must be a positive number' })
    .optional(),
  WORK_DIR: z.string().default('./.hivemind/worker'),
  HIVEMIND_USERNAME: z
    .string()
    .min(1, { message: 'is required (the owner account the node registers with)' }),
  HIVEMIND_PASSWORD: z.string().min(1, { message: 'is required (the owner account password)' }),
  RUNTIME_IMAGE: z.string().min(1).default('hivemind/runtime:latest'),
  TASK_NETWORK: z.string().min(1).default('bridge'),
  TASK_PIDS_LIMIT: int(256, { min: 16, max: 65536 }),
  TASK_USER: z
    .string()
    .regex(/^\d+(:\d+)?$/, { message: 'must be uid or uid:gid, e.g. 1000:1000' })
    .default('1000:1000'),
  IMAGE_PULL_TIMEOUT_S: int(120, { min: 1, max: 3600 }),
  INPUT_MAX_FILES: int(10000, { min: 1, max: 10_000_000 }),
  INPUT_MAX_MB: int(2048, { min: 1, max: 1_000_000 }),
  STORAGE_QUOTA_MODE: oneOf(['auto', 'loop', 'accounting'] as const, 'auto'),
  HEARTBEAT_INTERVAL_S: positiveNumber(5),
  RECONNECT_MAX_S: positiveNumber(30),
  STOP_GRACE_S: int(10, { min: 0, max: 600 }),
  VPN_AUTO_JOIN: bool(false),
  VPN_INTERFACE: z
    .string()
    .regex(INTERFACE_NAME, { message: 'must be an interface name of 1-15 letters, digits, "_=+.-"' })
    .default('hm0'),
  VPN_POOL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port, e.g. 10.128.0.1:50051' })
    .optional(),
  VPN_CHECK_INTERVAL_S: int(30, { min: 2, max: 3600 }),
});

export class WorkerConfig {
  readonly env: 'production' | 'development' | 'test';
  readonly logLevel: z.output<typeof schema>['LOG_LEVEL'];
  readonly nodePoolAddress: string;
  /**
   * How the worker reaches the pool: TLS verified against `caFile` (else the system's and Node's
   * trusted CAs), or plain text — only to a loopback pool, unless NODE_POOL_INSECURE=true.
   */
  readonly poolTls: { kind: 'tls'; caFile?: string } | { kind: 'plaintext' };
  readonly nodeId: string;
  readonly http: { host: string; port: number };
  /**
   * The worker console: sessions last `sessionTimeoutHours` (SESSION_TIMEOUT); the built Angular
   * app is served from `root` when given (WORKER_CONSOLE_ROOT), else from where the build and the
   * package put it (console/console-static.ts).
   */
  readonly console: { sessionTimeoutHours: number; root?: string };
  /** auto: use Docker when an engine answers; without one the node runs as low trust. */
  readonly docker: 'auto' | 'true' | 'false';
  readonly limits: { cpuCores: number; memoryGb: number; concurrentTasks: number; storageGb?: number };
  readonly location: string;
  readonly workDir: string;
  /** The owner's account the node registers with. */
  readonly owner: { username: string; password: string };
  /** How task containers are made (see docs/worker.md). */
  readonly tasks: {
    runtimeImage: string;
    network: string;
    pidsLimit: number;
    user: string;
    pullTimeoutS: number;
    inputMaxFiles: number;
    inputMaxBytes: number;
    stopGraceS: number;
    /** How storage_gb is enforced (see docs/worker.md "Storage quota"). */
    storageQuota: 'auto' | 'loop' | 'accounting';
  };
  readonly pool: { heartbeatIntervalMs: number; reconnectMaxMs: number };
  /**
   * VPN_AUTO_JOIN: join the pool's WireGuard network and dial its gRPC through the tunnel
   * (`poolAddress`, else derived from the peer config: vpn/peer-config.ts); see docs/worker.md.
   */
  readonly vpn: { autoJoin: boolean; interface: string; poolAddress?: string; checkIntervalS: number };

  constructor(values: WorkerConfig) {
    Object.assign(this, values);
  }
}

/** The worker's environment (see .env.example), validated; throws a ConfigError naming bad variables. */
export function parseWorkerConfig(env: Env): WorkerConfig {
  const e = parseEnv(
    schema
      .refine(
        (v) => v.NODE_POOL_INSECURE || poolTlsOf(v).kind === 'tls' || isLoopbackAddress(v.NODE_POOL_ADDRESS),
        {
          message:
            "is set to plain text (NODE_POOL_TLS=false) but the pool is not on loopback: use TLS (NODE_POOL_CA_FILE names the pool's CA), or NODE_POOL_INSECURE=true to send credentials in clear text",
          path: ['NODE_POOL_TLS'],
        },
      )
      .refine((v) => v.WORKER_HTTP_INSECURE || isLoopbackAddress(`${v.WORKER_HTTP_HOST}:0`), {
        message:
          'is not a loopback address: the worker console and its API are plain HTTP (sign-in passwords and session cookies would cross the network in clear text); keep it on 127.0.0.1 (an SSH tunnel reaches it), or set WORKER_HTTP_INSECURE=true to expose it',
        path: ['WORKER_HTTP_HOST'],
      }),
    env,
  );
  return new WorkerConfig({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    nodePoolAddress: e.NODE_POOL_ADDRESS,
    poolTls: poolTlsOf(e),
    nodeId:
      e.NODE_ID ??
      hostname()
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .slice(0, 64),
    http: { host: e.WORKER_HTTP_HOST, port: e.WORKER_HTTP_PORT },
    console: {
      sessionTimeoutHours: e.SESSION_TIMEOUT,
      ...(e.WORKER_CONSOLE_ROOT ? { root: resolve(e.WORKER_CONSOLE_ROOT) } : {}),
    },
    docker: e.DOCKER_ENABLED,
    limits: {
      cpuCores: e.MAX_CPU_CORES,
      memoryGb: e.MAX_MEMORY_GB,
      concurrentTasks: e.MAX_CONCURRENT_TASKS,
      storageGb: e.MAX_STORAGE_GB,
    },
    location: e.LOCATION,
    workDir: resolve(e.WORK_DIR),
    owner: { username: e.HIVEMIND_USERNAME, password: e.HIVEMIND_PASSWORD },
    tasks: {
      runtimeImage: e.RUNTIME_IMAGE,
      network: e.TASK_NETWORK,
      pidsLimit: e.TASK_PIDS_LIMIT,
      user: e.TASK_USER,
      pullTimeoutS: e.IMAGE_PULL_TIMEOUT_S,
      inputMaxFiles: e.INPUT_MAX_FILES,
      inputMaxBytes: e.INPUT_MAX_MB * 1024 * 1024,
      stopGraceS: e.STOP_GRACE_S,
      storageQuota: e.STORAGE_QUOTA_MODE,
    },
    pool: { heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_S * 1000, reconnectMaxMs: e.RECONNECT_MAX_S * 1000 },
    vpn: {
      autoJoin: e.VPN_AUTO_JOIN,
      interface: e.VPN_INTERFACE,
      ...(e.VPN_POOL_ADDRESS ? { poolAddress: e.VPN_POOL_ADDRESS } : {}),
      checkIntervalS: e.VPN_CHECK_INTERVAL_S,
    },
  });
}

/** "127.0.0.1:50051", "localhost:50051", "[::1]:50051" are loopback. */
export function isLoopbackAddress(address: string): boolean {
  const host = address
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** auto: TLS unless the pool is on loopback with no CA file given (a local pool in plain text). */
function poolTlsOf(e: {
  NODE_POOL_TLS: 'auto' | 'true' | 'false';
  NODE_POOL_CA_FILE?: string | undefined;
  NODE_POOL_ADDRESS: string;
}): WorkerConfig['poolTls'] {
  const tls =
    e.NODE_POOL_TLS === 'true' ||
    (e.NODE_POOL_TLS === 'auto' &&
      (e.NODE_POOL_CA_FILE !== undefined || !isLoopbackAddress(e.NODE_POOL_ADDRESS)));
  return tls
    ? { kind: 'tls', ...(e.NODE_POOL_CA_FILE ? { caFile: resolve(e.NODE_POOL_CA_FILE) } : {}) }
    : { kind: 'plaintext' };
}

export const WORKER_USAGE = `Usage: hivemind-worker [--config FILE] [--help] [--version]

The HiveMind worker agent: runs tasks from the node pool in Docker containers on this machine.
It dials out to the node pool (no inbound port needed) and serves its own web console and API,
for the node's owner and the pool's admins (sign-in with their HiveMind account).

  --config FILE         read NAME=value lines from FILE first (the environment wins). Default:
                        $HIVEMIND_WORKER_CONFIG, else the file \`hivemind node join\` writes, when
                        it exists: /etc/hivemind/worker.env (root), else ~/.config/hivemind/worker.env

Configuration (environment variables, see .env.example):
  NODE_POOL_ADDRESS     node pool gRPC address                 (default 127.0.0.1:50051)
  NODE_POOL_TLS         auto | true | false                     (default auto: TLS unless
                        the pool is on loopback and no NODE_POOL_CA_FILE is given)
  NODE_POOL_CA_FILE     the pool's CA certificate (PEM)         (default: the system's CAs)
  NODE_POOL_INSECURE    allow plain text to a pool off loopback (default false)
  NODE_ID               this node's name                        (default: the hostname)
  HIVEMIND_USERNAME     owner account the node registers with
  HIVEMIND_PASSWORD     its password
  WORKER_HTTP_HOST      console and API address                 (default 127.0.0.1)
  WORKER_HTTP_PORT      console and API port                    (default 5000)
  WORKER_HTTP_INSECURE  allow the plain-HTTP console off loopback (default false)
  SESSION_TIMEOUT       console sessions last this many hours   (default 24; decimals allowed)
  WORKER_CONSOLE_ROOT   the built worker console to serve       (default: the build's or the
                        package's dist/apps/worker-console/browser)
  DOCKER_ENABLED        auto | true | false                     (default auto)
  MAX_CPU_CORES         cores offered to tasks                  (default: all)
  MAX_MEMORY_GB         memory offered to tasks                 (default: all)
  MAX_CONCURRENT_TASKS  attempts run at once                    (default 2)
  MAX_STORAGE_GB        disk offered to tasks                   (default: the free space)
  LOCATION              location label used for placement
  WORK_DIR              task workspaces, log spools, state      (default ./.hivemind/worker)
  RUNTIME_IMAGE         image of tasks without one              (default hivemind/runtime:latest)
  TASK_NETWORK          Docker network of tasks allowed network (default bridge)
  TASK_PIDS_LIMIT       processes per task container            (default 256)
  TASK_USER             uid:gid tasks run as in containers      (default 1000:1000)
  IMAGE_PULL_TIMEOUT_S  give up pulling a missing image after   (default 120)
  INPUT_MAX_FILES       files an input zip may unpack to        (default 10000)
  INPUT_MAX_MB          bytes an input zip may unpack to, MB    (default 2048)
  STORAGE_QUOTA_MODE    auto | loop | accounting: how a task's  (default auto)
                        storage_gb is enforced (loop: an ext4 image per attempt, root only)
  HEARTBEAT_INTERVAL_S  heartbeat period                        (default 5)
  RECONNECT_MAX_S       longest wait between reconnects         (default 30)
  STOP_GRACE_S          SIGTERM to SIGKILL when stopping a task (default 10)
  VPN_AUTO_JOIN         join the pool's WireGuard VPN and dial  (default false)
                        its gRPC through it (needs root, wg-quick; wireguard-go without the module)
  VPN_INTERFACE         the tunnel's interface                  (default hm0)
  VPN_POOL_ADDRESS      the pool's gRPC inside the tunnel       (default: the VPN server's address,
                        the first host of the peer's AllowedIPs, at NODE_POOL_ADDRESS's port)
  VPN_CHECK_INTERVAL_S  how often the tunnel is checked         (default 30)
  LOG_LEVEL             fatal | error | warn | info | debug | trace | silent

Console: http://WORKER_HTTP_HOST:WORKER_HTTP_PORT/ (sign in as the node's owner or an admin).
API (a session needed, POST /api/session signs in): GET /api/status, /api/tasks,
/api/tasks/:id/logs, /api/resources, /api/node; POST /api/stop_task/:id. Open: GET /health
`;
