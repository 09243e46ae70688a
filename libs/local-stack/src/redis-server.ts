import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import {
  type Exit,
  type RunningProcess,
  readyOrStopped,
  runningChild,
  spawnLogged,
  tailOf,
  waitUntil,
} from './child-process';

export interface RedisOptions {
  dir: string;
  port: number;
  /** true: append-only file in `dir`, so queued jobs survive a restart; false: memory only. */
  persistent?: boolean;
  logFile?: string;
  /** Own process group (see PostgresOptions.detached). */
  detached?: boolean;
  /** Aborting it abandons the start (and stops the server it spawned). */
  signal?: AbortSignal;
}

export function findRedisServer(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/** A Redis server running as our child process on loopback. */
export class RedisServer implements RunningProcess {
  private constructor(
    private readonly handle: RunningProcess,
    readonly port: number,
  ) {}

  get pid(): number {
    return this.handle.pid;
  }

  get exited(): Promise<Exit> {
    return this.handle.exited;
  }

  static async start(options: RedisOptions): Promise<RedisServer> {
    const binary = findRedisServer();
    if (!binary) throw new Error('redis-server not found: install it with `apt-get install redis-server`');
    mkdirSync(options.dir, { recursive: true });
    const logFile = options.logFile ?? join(options.dir, 'redis.log');
    const args = [
      '--port',
      String(options.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      options.dir,
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--save',
      '',
      '--appendonly',
      options.persistent ? 'yes' : 'no',
      '--loglevel',
      'warning',
    ];
    const child = spawnLogged(binary, args, logFile, { detached: options.detached });
    const server = new RedisServer(runningChild(child, 'SIGTERM', 10000), options.port);
    return readyOrStopped(server, () =>
      waitUntil(() => server.ping(), {
        timeoutMs: 30000,
        child,
        signal: options.signal,
        describe: () => `Redis did not start on 127.0.0.1:${options.port}; its log says:\n${tailOf(logFile)}`,
      }),
    );
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** PING over a raw socket: no client library needed to know the server answers. */
  async ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    });
  }

  stop(): Promise<void> {
    return this.handle.stop();
  }
}
