import { cpus, hostname, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  type Env,
  hostPort,
  int,
  logLevel,
  nodeEnv,
  oneOf,
  parseEnv,
  port,
  positiveNumber,
} from '@hivemind/config';

const schema = z.object({
  NODE_ENV: nodeEnv(),
  LOG_LEVEL: logLevel(),
  NODE_POOL_ADDRESS: hostPort('127.0.0.1:50051'),
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: 'must be 1-64 letters, digits, "_", "." or "-"' })
    .optional(),
  WORKER_HTTP_HOST: z.string().default('127.0.0.1'),
  WORKER_HTTP_PORT: port(5000),
  DOCKER_ENABLED: oneOf(['auto', 'true', 'false'] as const, 'auto'),
  MAX_CPU_CORES: positiveNumber(cpus().length),
  MAX_MEMORY_GB: positiveNumber(Math.floor(totalmem() / 1024 ** 3) || 1),
  MAX_CONCURRENT_TASKS: int(2, { min: 1, max: 256 }),
  LOCATION: z.string().max(64).default(''),
  WORK_DIR: z.string().default('./.hivemind/worker'),
  HIVEMIND_USERNAME: z.string().optional(),
  HIVEMIND_PASSWORD: z.string().optional(),
});

export class WorkerConfig {
  readonly env: 'production' | 'development' | 'test';
  readonly logLevel: z.output<typeof schema>['LOG_LEVEL'];
  readonly nodePoolAddress: string;
  readonly nodeId: string;
  readonly http: { host: string; port: number };
  /** auto: use Docker when an engine answers; without one the node runs as low trust. */
  readonly docker: 'auto' | 'true' | 'false';
  readonly limits: { cpuCores: number; memoryGb: number; concurrentTasks: number };
  readonly location: string;
  readonly workDir: string;
  /** The owner's account the node registers with. */
  readonly owner: { username?: string; password?: string };

  constructor(values: WorkerConfig) {
    Object.assign(this, values);
  }
}

/** The worker's environment (see .env.example), validated; throws a ConfigError naming bad variables. */
export function parseWorkerConfig(env: Env): WorkerConfig {
  const e = parseEnv(
    schema.refine((v) => (v.HIVEMIND_USERNAME === undefined) === (v.HIVEMIND_PASSWORD === undefined), {
      message: 'and HIVEMIND_USERNAME must be given together',
      path: ['HIVEMIND_PASSWORD'],
    }),
    env,
  );
  return new WorkerConfig({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    nodePoolAddress: e.NODE_POOL_ADDRESS,
    nodeId:
      e.NODE_ID ??
      hostname()
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .slice(0, 64),
    http: { host: e.WORKER_HTTP_HOST, port: e.WORKER_HTTP_PORT },
    docker: e.DOCKER_ENABLED,
    limits: { cpuCores: e.MAX_CPU_CORES, memoryGb: e.MAX_MEMORY_GB, concurrentTasks: e.MAX_CONCURRENT_TASKS },
    location: e.LOCATION,
    workDir: resolve(e.WORK_DIR),
    owner: { username: e.HIVEMIND_USERNAME, password: e.HIVEMIND_PASSWORD },
  });
}

export const WORKER_USAGE = `Usage: hivemind-worker [--help] [--version]

The HiveMind worker agent: runs tasks from the node pool in Docker containers on this machine.
It dials out to the node pool (no inbound port needed) and serves a local status API.

Configuration (environment variables, see .env.example):
  NODE_POOL_ADDRESS     node pool gRPC address                 (default 127.0.0.1:50051)
  NODE_ID               this node's name                        (default: the hostname)
  HIVEMIND_USERNAME     owner account the node registers with
  HIVEMIND_PASSWORD     its password
  WORKER_HTTP_HOST      status API address                      (default 127.0.0.1)
  WORKER_HTTP_PORT      status API port                         (default 5000)
  DOCKER_ENABLED        auto | true | false                     (default auto)
  MAX_CPU_CORES         cores offered to tasks                  (default: all)
  MAX_MEMORY_GB         memory offered to tasks                 (default: all)
  MAX_CONCURRENT_TASKS  attempts run at once                    (default 2)
  LOCATION              location label used for placement
  WORK_DIR              task workspaces                         (default ./.hivemind/worker)
  LOG_LEVEL             fatal | error | warn | info | debug | trace | silent

Status API: GET /health, GET /api/status, GET /api/tasks, POST /api/stop_task/:id
`;
