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

/**
 * The real worker agent (the built dist/ program) as a child process: what an operator runs. Its
 * output goes to `<workDir>.log` for post-mortems. `kill('SIGKILL')` is a crash; `start()` again on
 * the same work folder is the restart.
 */
export class WorkerProcess {
  private child?: ChildProcess;
  port = 0;

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
    if (options.connected === false) await this.until(() => true, 30_000, 'serving its status API');
    else await this.until((s) => s.connected, 30_000, 'connected to the pool');
  }

  async status(): Promise<WorkerStatus | undefined> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/api/status`);
      return (await res.json()) as WorkerStatus;
    } catch {
      return undefined;
    }
  }

  async http(method: string, path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, { method });
    return { status: res.status, body: await res.json() };
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
