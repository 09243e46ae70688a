import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import {
  type Exit,
  type RunningProcess,
  readyOrStopped,
  runningChild,
  spawnLogged,
  tailOf,
  waitUntil,
} from './child-process';
import { adoptProcess, readProcess } from './process-tree';
import { type SystemUser, canEnterAs, ensureServiceUser, isRoot } from './system-user';

export interface PostgresOptions {
  /** The cluster's data directory; created with initdb when empty. */
  dataDir: string;
  port: number;
  /** Password of the `postgres` role for TCP connections; without one, loopback connections are trusted. */
  password?: string;
  /** false for throw-away test clusters: fsync and WAL safety off, several times faster. */
  durable?: boolean;
  logFile?: string;
  /** Directory with initdb/postgres; found automatically when omitted. */
  binDir?: string;
  /** Own process group: a terminal's Ctrl-C reaches only our launcher, which stops servers in order. */
  detached?: boolean;
  /** Aborting it abandons the start (and stops the server it spawned). */
  signal?: AbortSignal;
  /**
   * true: when a server already runs on `dataDir` (restarted by `pg_ctl restart`, or left by an
   * earlier run), use it — and stop it with ours — instead of failing on its lock file.
   */
  adoptRunning?: boolean;
}

/** Fast shutdown (SIGINT): rolls back open transactions and exits cleanly; SIGKILL after this. */
const STOP_GRACE_MS = 20000;

/** Where the PostgreSQL server binaries are: PG_BIN_DIR, Debian's /usr/lib/postgresql/N/bin, pg_config, PATH. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.PG_BIN_DIR) candidates.push(env.PG_BIN_DIR);
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not a Debian layout
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0) candidates.push(dirname(which.stdout.trim()));
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
}

/** The postmaster that runs on `dataDir` now, from its lock file postmaster.pid (pid and port). */
export function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const [pid, port] = [Number(lines[0]), Number(lines[3])];
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  const found = readProcess(pid);
  // a stale file (a crash) may name a pid that something else reuses now
  return found && found.state !== 'Z' && found.command.startsWith('postgres') ? { pid, port } : undefined;
}

/**
 * A PostgreSQL server on loopback only, with no unix socket: our child process, or (adoptRunning)
 * the one already running on the data directory.
 */
export class PostgresServer implements RunningProcess {
  private constructor(
    private readonly handle: RunningProcess,
    readonly port: number,
    private readonly password: string | undefined,
    readonly logFile: string,
    /** true when we found it running rather than starting it. */
    readonly adopted = false,
  ) {}

  get pid(): number {
    return this.handle.pid;
  }

  get exited(): Promise<Exit> {
    return this.handle.exited;
  }

  static async start(options: PostgresOptions): Promise<PostgresServer> {
    const binDir = options.binDir ?? findPostgresBinDir();
    if (!binDir) {
      throw new Error(
        'PostgreSQL server binaries not found: install them with `apt-get install postgresql` or set PG_BIN_DIR',
      );
    }
    const runAs: SystemUser | undefined = isRoot() ? ensureServiceUser() : undefined;
    const logFile = options.logFile ?? join(dirname(options.dataDir), 'postgres.log');
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    if (runAs) {
      chownSync(options.dataDir, runAs.uid, runAs.gid);
      writeFileSync(logFile, '', { flag: 'a' });
      chownSync(logFile, runAs.uid, runAs.gid);
    }
    const asUser = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
    if (runAs && !canEnterAs(runAs, dirname(options.dataDir))) {
      throw new Error(
        `PostgreSQL runs as the "${runAs.name}" user (it refuses root), which cannot enter ${dirname(options.dataDir)}: ` +
          'put the data directory where that user can enter every parent directory',
      );
    }

    const running = options.adoptRunning ? runningPostmaster(options.dataDir) : undefined;
    if (running) {
      const handle = adoptProcess(running.pid, 'SIGINT', STOP_GRACE_MS);
      const server = new PostgresServer(handle, running.port, options.password, logFile, true);
      await waitUntil(() => server.ping(), {
        timeoutMs: 60000,
        signal: options.signal,
        describe: () =>
          `the PostgreSQL already running on ${options.dataDir} (pid ${running.pid}) does not answer on 127.0.0.1:${running.port}`,
      });
      return server;
    }
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
      initCluster(binDir, options, asUser);
    }

    const args = [
      '-D',
      options.dataDir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
    ];
    if (options.durable === false) {
      args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    }
    const child = spawnLogged(join(binDir, 'postgres'), args, logFile, {
      ...asUser,
      cwd: '/',
      detached: options.detached,
    });
    const server = new PostgresServer(
      runningChild(child, 'SIGINT', STOP_GRACE_MS),
      options.port,
      options.password,
      logFile,
    );
    return readyOrStopped(server, () =>
      waitUntil(() => server.ping(), {
        timeoutMs: 60000,
        child,
        signal: options.signal,
        describe: () =>
          `PostgreSQL did not start on 127.0.0.1:${options.port}; its log says:\n${tailOf(logFile)}`,
      }),
    );
  }

  /** A connection URL for `database` as the `postgres` role. */
  url(database = 'postgres'): string {
    const auth = this.password ? `postgres:${encodeURIComponent(this.password)}` : 'postgres';
    return `postgres://${auth}@127.0.0.1:${this.port}/${database}`;
  }

  async ping(): Promise<boolean> {
    const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async query(sql: string, database = 'postgres'): Promise<void> {
    const client = new Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** Creates `name` unless it exists. Names are our own identifiers, never user input. */
  async ensureDatabase(name: string): Promise<string> {
    assertIdentifier(name);
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async dropDatabase(name: string): Promise<void> {
    assertIdentifier(name);
    await this.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }

  /** Fast shutdown: rolls back open transactions and exits cleanly. */
  stop(): Promise<void> {
    return this.handle.stop();
  }
}

function initCluster(binDir: string, options: PostgresOptions, asUser: { uid?: number; gid?: number }): void {
  const args = [
    '-D',
    options.dataDir,
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-instructions',
    '--auth-local=trust',
  ];
  let pwFile: string | undefined;
  if (options.password) {
    pwFile = join(options.dataDir, '..', `.pgpass-init-${process.pid}`);
    writeFileSync(pwFile, options.password + '\n', { mode: 0o600 });
    if (asUser.uid !== undefined) chownSync(pwFile, asUser.uid, asUser.gid ?? asUser.uid);
    args.push(`--pwfile=${pwFile}`, '--auth-host=scram-sha-256');
  } else {
    args.push('--auth-host=trust');
  }
  try {
    const result = spawnSync(join(binDir, 'initdb'), args, { ...asUser, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(
        `initdb failed for ${options.dataDir}: ${(result.stderr || result.stdout || String(result.error)).trim()}`,
      );
    }
  } finally {
    if (pwFile) rmSync(pwFile, { force: true });
  }
}

function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a safe database name: ${name}`);
}
