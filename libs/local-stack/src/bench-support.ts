// What the end-to-end benchmarks (bench-e2e.ts, bench-soak.ts) share: settings from the environment,
// a small client of the platform's REST API, waiting for their worker, figures, and the machine's
// description. Benchmark code: never imported by the platform.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { DockerStatus, NodeStatus, type NodeView, type Page } from '@hivemind/contracts';
import { trustingFetch } from './local-pki';

/** A numeric setting from the environment (`integer`: whole numbers only); exits 2 when malformed. */
export function envNumber(name: string, fallback: number, min: number, integer = true): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if ((integer ? Number.isInteger(value) : Number.isFinite(value)) && value >= min) return value;
  process.stderr.write(
    `[bench] ${name} must be a ${integer ? 'whole ' : ''}number ≥ ${min} (it is "${raw}")\n`,
  );
  process.exit(2);
}

export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('interrupted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('interrupted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** The p-th percentile (0–100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs `fn` over `items` with at most `width` at a time; answers the results in order. */
export async function mapAtMost<T, R>(
  width: number,
  items: readonly T[],
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

/** The platform's REST API as a signed-in user; any answer but 2xx throws. */
/** fetch that trusts the local CA `up()` made under `home`. */
export function stackFetch(home: string): typeof fetch {
  return trustingFetch(readFileSync(join(home, 'tls', 'ca.pem'), 'utf8'));
}

export class Api {
  private token = '';

  constructor(
    private readonly base: string,
    private readonly signal: AbortSignal,
    private readonly timeoutMs = 30_000,
    /** The stack's pool serves TLS with its local CA: `stackFetch(home)`. */
    private readonly fetcher: typeof fetch = fetch,
  ) {}

  async login(username: string, password: string): Promise<void> {
    const session = await this.call<{ access_token: string }>('POST', '/api/auth/login', {
      username,
      password,
    });
    this.token = session.access_token;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetcher(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([this.signal, AbortSignal.timeout(this.timeoutMs)]),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }
}

/** Waits until the benchmark's worker `nodeId` is online with Docker; answers its view. */
export async function waitForWorker(api: Api, nodeId: string, signal: AbortSignal): Promise<NodeView> {
  const deadline = Date.now() + 90_000;
  let last = 'not registered yet';
  for (;;) {
    const page = await api.get<Page<NodeView>>('/api/nodes?limit=500');
    const node = page.items.find((n) => n.name === nodeId);
    if (node?.status === NodeStatus.Online) {
      if (node.docker_status !== DockerStatus.Enabled) {
        throw new Error(
          `the worker ${nodeId} is online without Docker: the benchmark needs a Docker engine the worker can use`,
        );
      }
      return node;
    }
    if (node) last = `status ${node.status}`;
    if (Date.now() > deadline)
      throw new Error(`the worker ${nodeId} did not come online within 90 s (${last})`);
    await sleep(200, signal);
  }
}

/** The machine the figures come from: CPU, memory, system, Node, Docker, and its load right now. */
export function machine(engineVersion: string): string[] {
  const cpuinfo = readOr('/proc/cpuinfo');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? '?';
  const os = /PRETTY_NAME="?([^"\n]+)"?/.exec(readOr('/etc/os-release'))?.[1] ?? '?';
  const virtual = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  const cli = spawnSync('docker', ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' });
  const load = readOr('/proc/loadavg').split(' ').slice(0, 3).join(' ');
  return [
    `CPU        ${cpus().length} × ${model}${virtual ? ' (a virtual machine)' : ''}`,
    `memory     ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `system     ${os}, Linux ${release()}`,
    `Node       ${process.version}`,
    `Docker     engine ${engineVersion}, CLI ${cli.stdout?.trim() || '?'}`,
    `load       ${load} (1, 5, 15 min) at the end: a shared machine runs slower`,
  ];
}

/** A file's text, or '' when it cannot be read. */
export function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The pool's rate limits lifted for a benchmark (docs/security.md "Rate limits"): a benchmark submits
 * and polls as fast as the platform goes, as one user from one address, which is what the limits
 * exist to stop; what it measures is the platform's speed, not the limits'.
 */
export const BENCH_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_READS_PER_USER: '100000000',
  RATE_LIMIT_WRITES_PER_USER: '100000000',
  RATE_LIMIT_READS_PER_ADDRESS: '100000000',
  RATE_LIMIT_WRITES_PER_ADDRESS: '100000000',
  RATE_LIMIT_RPCS_PER_CREDENTIAL: '100000000',
  RATE_LIMIT_RPCS_PER_ADDRESS: '100000000',
  RATE_LIMIT_WS_UPGRADES_PER_USER: '100000000',
  RATE_LIMIT_WS_UPGRADES_PER_ADDRESS: '100000000',
  UPLOAD_BYTES_PER_USER: String(2 ** 50),
  UPLOAD_BYTES_PER_ADDRESS: String(2 ** 50),
  LOG_BYTES_PER_NODE: String(2 ** 50),
};
