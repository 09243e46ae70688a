import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@hivemind/local-stack';
import { built } from '@hivemind/testing';

export interface WorkerStatus {
  node_id: string;
  status: string;
  is_registered: boolean;
  connected: boolean;
  executor: string;
  storage_quota: string;
  running_tasks: number;
  last_error: string | null;
  trust_score: number | null;
  trust_group: string | null;
}

/** An answer of the worker's HTTP server. */
export interface WorkerAnswer {
  status: number;
  // the tests read many answers' shapes; each asserts what it reads
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

/** Seconds between two sign-ins the helper tries after one failed (the worker rate-limits them). */
const SIGN_IN_BACKOFF_MS = 2_000;

/**
 * The real worker agent (the built dist/ program) as a child process: what an operator runs. Its
 * output goes to `<workDir>.log` for post-mortems. `kill('SIGKILL')` is a crash; `start()` again on
 * the same work folder is the restart. Its API needs a console session: the helper signs in as the
 * node's owner (HIVEMIND_USERNAME) and keeps the cookie, signing in again when it stops working.
 */
export class WorkerProcess {
  private child?: ChildProcess;
  port = 0;
  private cookie?: string;
  private signInFailedAt = 0;

  constructor(
    readonly name: string,
    readonly workDir: string,
    private readonly env: Record<string, string>,
  ) {
    mkdirSync(workDir, { recursive: true });
  }

  get logFile(): string {
    return `${this.workDir}.log`;
  }

  /** Starts the worker and (unless `connected: false`) waits until its push stream to the pool is open. */
  async start(options: { connected?: boolean } = {}): Promise<void> {
    this.port = await freePort();
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [built('dist/apps/worker/apps/worker/src/main.js')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        NODE_ID: this.name,
        WORK_DIR: this.workDir,
        WORKER_HTTP_PORT: String(this.port),
        HEARTBEAT_INTERVAL_S: '1',
        STOP_GRACE_S: '2',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child = child;
    if (options.connected === false) await this.until(() => true, 30_000, 'serving its API');
    else await this.until((s) => s.connected, 30_000, 'connected to the pool');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * GET /api/status as the owner. Before the owner can sign in at all (the pool unreachable since
   * the worker started, so no cached verifier either), what /health tells without a session:
   * connected, is_registered and last_error.
   */
  async status(): Promise<WorkerStatus | undefined> {
    try {
      const res = await this.api('GET', '/api/status');
      if (res.status === 200) return res.body as WorkerStatus;
      const health = await fetch(`${this.url}/health`);
      const grpc = ((await health.json()) as { checks: { grpc: Record<string, unknown> } }).checks.grpc;
      return {
        connected: grpc.connected,
        is_registered: grpc.registered,
        last_error: grpc.last_error,
      } as WorkerStatus;
    } catch {
      return undefined;
    }
  }

  /** A request without a session (`headers` as given, a JSON body with its content type). */
  async http(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<WorkerAnswer> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (the console's pages, a 503 text)
    }
    return { status: res.status, body, headers: res.headers };
  }

  /** Signs in (the owner unless told otherwise); the answer, and its cookie's `name=value`. */
  async signIn(
    username = this.env.HIVEMIND_USERNAME,
    password = this.env.HIVEMIND_PASSWORD,
  ): Promise<WorkerAnswer & { cookie?: string }> {
    const res = await this.http('POST', '/api/session', { body: { username, password } });
    const cookie = res.headers.get('set-cookie')?.split(';')[0];
    return { ...res, ...(cookie ? { cookie } : {}) };
  }

  /** A request as the owner: signs in first when the helper has no working session. */
  async api(method: string, path: string, body?: unknown): Promise<WorkerAnswer> {
    const send = () =>
      this.http(method, path, {
        ...(body !== undefined ? { body } : {}),
        headers: { 'x-hivemind-console': '1', ...(this.cookie ? { cookie: this.cookie } : {}) },
      });
    let res = await send();
    if (res.status !== 401 || Date.now() - this.signInFailedAt < SIGN_IN_BACKOFF_MS) return res;
    const signedIn = await this.signIn();
    if (signedIn.status !== 200 || !signedIn.cookie) {
      this.signInFailedAt = Date.now();
      return res;
    }
    this.cookie = signedIn.cookie;
    res = await send();
    return res;
  }

  async until(predicate: (s: WorkerStatus) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined)
        throw new Error(`worker ${this.name} exited (${this.child.exitCode}); its log:\n${this.tail()}`);
      const status = await this.status();
      if (status && predicate(status)) return;
      if (Date.now() > deadline)
        throw new Error(`worker ${this.name}: not ${what} within ${timeoutMs} ms; its log:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Sends `signal` and waits for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  attemptsDir(): string {
    return join(this.workDir, 'attempts');
  }
}
