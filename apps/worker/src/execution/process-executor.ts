import { Logger } from '@nestjs/common';
import { type ChildProcessByStdio, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants as fsConstants, readFileSync } from 'node:fs';
import {
  access,
  chmod,
  lchown,
  lstat,
  mkdir,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Executor, LeftoverRun, LogSink, LogStream, RunHandle, RunResult, RunSpec } from './executor';

// Runs an attempt as a process group on the host, for nodes without Docker (low trust). What a
// container gives for free is rebuilt from util-linux tools around the command:
//   unshare --mount [--net] (root only; --net unless the task may use the network)
//   → sh binding the workspace's .tmp over the host's world-writable folders (/tmp, /var/tmp,
//     /dev/shm, …) in that private mount namespace, so what the task writes there counts towards
//     its storage quota instead of filling the host's disk or memory
//   → prlimit (address space, processes, file size, open files, no core dumps)
//   → setpriv (root: the task's uid/gid without supplementary groups; always: no new privileges)
//   → the command.
// Each tool execs the next, so the spawned pid is the task's main process and leads its own group.

export interface ProcessExecutorOptions {
  /** Where one JSON record per live run is kept, so leftovers() finds them after a restart. */
  stateDir: string;
  /** Default when the worker is root: 65534 (nobody). A non-root worker runs tasks as itself. */
  runAsUid?: number;
  runAsGid?: number;
  /** Seconds processes still in the group after the main process exited get before SIGKILL. */
  killGraceS?: number;
}

const TASK_PATH = '/usr/local/bin:/usr/bin:/bin';
/** The task's temporary folder in its workspace: TMPDIR, and /tmp & co. in its mount namespace. */
const TASK_TMP = '.tmp';
/** Host folders anyone may write to, which the task gets its own TASK_TMP over (when they exist). */
const SHARED_TMP_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/run/lock', '/run/shm'];
/**
 * Run by sh in the task's new mount namespace, as root, before the limits and the user change:
 * `$1` the workspace's TASK_TMP, `$2` the workspace, `$3` mount, `$4` mkdir, then the folders to
 * cover, `--`, the command. A workspace inside a covered folder (WORK_DIR under /tmp) is bound back
 * at its own path inside TASK_TMP first, so that the task still finds it where its variables say.
 * Every program is named by its absolute path: the task's environment (its PATH) is in force here.
 */
const BIND_TMP_SCRIPT = [
  'tmp=$1 ws=$2 mount=$3 mkdir=$4; shift 4',
  'for d in "$@"; do [ "$d" = -- ] && break',
  '  case "$ws/" in "$d"/*) rel=${ws#"$d"/}; "$mkdir" -p "$tmp/$rel" && "$mount" --bind "$ws" "$tmp/$rel" || exit 126;; esac',
  'done',
  'while [ "$1" != -- ]; do "$mount" --rbind "$tmp" "$1" || exit 126; shift; done',
  'shift; exec "$@"',
].join('\n');
const TOOL_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];
const NOBODY = 65534;
const MIB = 1024 * 1024;
const SAMPLE_MS = 500;
const POLL_MS = 100;
const DISCARD_TIMEOUT_MS = 5000;
// /proc reports CPU time in USER_HZ, which Linux fixes at 100 on every architecture Node runs on.
const CLOCK_TICKS_PER_S = 100;
const NODE_LABEL = 'hivemind.node';
const RECORD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const logger = new Logger('ProcessExecutor');

export class ProcessExecutor implements Executor {
  readonly kind = 'process';
  private readonly records: RunRecords;
  private readonly asRoot = ownIds().uid === 0;
  private readonly uid: number;
  private readonly gid: number;
  private readonly killGraceS: number;
  private readonly active = new Set<string>();
  private toolsFound?: Promise<Partial<Tools>>;

  constructor(options: ProcessExecutorOptions) {
    this.records = new RunRecords(options.stateDir);
    this.killGraceS = options.killGraceS ?? 2;
    const own = ownIds();
    this.uid = options.runAsUid ?? (this.asRoot ? NOBODY : own.uid);
    this.gid = options.runAsGid ?? (this.asRoot ? NOBODY : own.gid);
    if (this.uid === 0 || this.gid === 0) {
      throw new Error('tasks never run as root: give runAsUid/runAsGid ≠ 0');
    }
    if (!this.asRoot && (this.uid !== own.uid || this.gid !== own.gid)) {
      throw new Error('only a worker running as root can run tasks as another user');
    }
  }

  async start(spec: RunSpec, sink: LogSink): Promise<RunHandle> {
    if (!RECORD_NAME.test(spec.attemptId)) {
      throw new Error(`attempt id ${JSON.stringify(spec.attemptId)} cannot name a run record`);
    }
    const tools = requireTools(await this.tools());
    const command =
      spec.command.length > 0 ? spec.command : await defaultCommand(join(spec.workspace, 'input'));
    await this.prepareWorkspace(spec.workspace);
    const { env, loaderEnv } = splitLoaderEnv(taskEnv(spec));
    const wrappers = await this.wrappers(spec, tools, await tasksOwnedBy(this.uid), loaderEnv);
    const [file, ...args] = [...wrappers, ...command];
    const child = spawn(file, args, {
      cwd: spec.hasInput ? join(spec.workspace, 'input') : spec.workspace,
      env,
      detached: true, // setsid: the task leads a new process group that stop() signals as a whole
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      const [error] = (await once(child, 'error')) as [Error];
      throw new Error(`cannot start the task: ${error.message}`);
    }
    return this.track(spec, child as TaskProcess, sink);
  }

  async leftovers(nodeName: string): Promise<LeftoverRun[]> {
    const records = (await this.records.all()).filter(
      (r) => r.labels[NODE_LABEL] === nodeName && !this.active.has(r.attemptId),
    );
    return Promise.all(
      records.map(async (r) => ({
        attemptId: r.attemptId,
        id: String(r.pgid),
        running: (await liveGroup(r)).length > 0,
        labels: r.labels,
      })),
    );
  }

  async discard(leftover: LeftoverRun): Promise<void> {
    const record = await this.records.load(leftover.attemptId);
    if (!record) return;
    if ((await liveGroup(record)).length > 0) {
      signalGroup(record.pgid, 'SIGKILL');
      await waitUntilGone(record);
    }
    await this.records.delete(record.attemptId);
  }

  private async track(spec: RunSpec, child: TaskProcess, sink: LogSink): Promise<RunHandle> {
    const run = new ProcessRun(child, sink, this.killGraceS, async () => {
      await this.records.delete(spec.attemptId);
      this.active.delete(spec.attemptId);
    });
    this.active.add(spec.attemptId);
    try {
      // Read before anything awaits: until Node reaps the child its /proc entry exists, even if it
      // already exited, so this is the start time of our process and not of a reused pid.
      const startTime = startTimeOf(child.pid);
      await this.records.save({
        attemptId: spec.attemptId,
        pgid: child.pid,
        pid: child.pid,
        startTime,
        labels: spec.labels,
      });
    } catch (error) {
      await run.remove();
      throw error;
    }
    return run;
  }

  private tools(): Promise<Partial<Tools>> {
    this.toolsFound ??= findTools(this.asRoot);
    return this.toolsFound;
  }

  private async wrappers(spec: RunSpec, tools: Tools, owned: number, loaderEnv: string[]): Promise<string[]> {
    const argv: string[] = [];
    const net = tools.unshare !== undefined && !spec.networkAllowed;
    const privateTmp = tools.privateTmp !== undefined;
    if (tools.unshare && (net || privateTmp)) {
      argv.push(tools.unshare, ...(privateTmp ? ['--mount', '--propagation', 'private'] : []));
      argv.push(...(net ? ['--net'] : []), '--');
    }
    if (tools.privateTmp) {
      const { sh, mount, mkdir: mkdirTool } = tools.privateTmp;
      argv.push(sh, '-c', BIND_TMP_SCRIPT, 'hivemind-tmp', join(spec.workspace, TASK_TMP), spec.workspace);
      argv.push(mount, mkdirTool, ...(await sharedTmpDirs()), '--');
    }
    argv.push(tools.prlimit, ...rlimitArgs(spec, owned), '--');
    argv.push(tools.setpriv);
    if (this.asRoot) argv.push(`--reuid=${this.uid}`, `--regid=${this.gid}`, '--clear-groups');
    argv.push('--no-new-privs', '--');
    if (loaderEnv.length > 0) {
      if (!tools.env)
        throw new Error(
          `env not found in ${TOOL_DIRS.join(', ')}: cannot give the task ${loaderEnv[0].split('=')[0]}`,
        );
      argv.push(tools.env, ...loaderEnv);
    }
    return argv;
  }

  private async prepareWorkspace(workspace: string): Promise<void> {
    await mkdir(join(workspace, 'output'), { recursive: true });
    await mkdir(join(workspace, TASK_TMP), { recursive: true });
    await chmod(join(workspace, TASK_TMP), 0o1777); // as /tmp: the umask must not decide
    if (!this.asRoot) return;
    await chownTree(workspace, this.uid, this.gid);
    await makeTraversable(dirname(workspace));
  }
}

type TaskProcess = ChildProcessByStdio<null, Readable, Readable> & { pid: number };

/** A started task: its process group, its output pipes and its usage. */
class ProcessRun implements RunHandle {
  readonly id: string;
  readonly done: Promise<RunResult>;
  private readonly pgid: number;
  private readonly problems: string[] = [];
  private groupGone = false;
  private finished = false;
  private stopping?: Promise<void>;

  constructor(
    child: TaskProcess,
    sink: LogSink,
    private readonly killGraceS: number,
    private readonly forget: () => Promise<void>,
  ) {
    this.pgid = child.pid;
    this.id = String(child.pid);
    const report = (problem: string) => this.problems.push(problem);
    // not events.once: it rejects on 'error', which a started child emits only when signalling fails
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    child.on('error', (error) => report(error.message));
    const pipes = [
      new OutputPipe(child.stdout, 'stdout', sink, report),
      new OutputPipe(child.stderr, 'stderr', sink, report),
    ];
    this.done = this.follow(exited, pipes).finally(() => {
      this.finished = true;
    });
  }

  stop(graceS: number): Promise<void> {
    this.stopping ??= this.terminate(graceS);
    return this.stopping;
  }

  async remove(): Promise<void> {
    if (!this.finished) {
      this.signal('SIGKILL');
      await this.done;
    }
    await this.forget();
  }

  private async terminate(graceS: number): Promise<void> {
    this.signal('SIGTERM');
    const kill = setTimeout(() => this.signal('SIGKILL'), graceS * 1000);
    try {
      await this.done;
    } finally {
      clearTimeout(kill);
    }
  }

  private async follow(
    exited: Promise<[number | null, NodeJS.Signals | null]>,
    pipes: OutputPipe[],
  ): Promise<RunResult> {
    const startedAt = Date.now();
    const usage = new UsageSampler(this.pgid);
    const [code, signal] = await exited;
    try {
      await this.endStragglers();
      await this.drain(pipes);
    } catch (error) {
      this.problems.push(`ending the run: ${(error as Error).message}`);
    }
    return {
      exitCode: code ?? 128 + (signal ? osConstants.signals[signal] : 0),
      oomKilled: false,
      durationMs: Date.now() - startedAt,
      ...usage.stop(),
      ...(this.problems.length > 0 ? { error: this.problems.join('; ') } : {}),
    };
  }

  /** Like a container whose main process ended: what is left of the group is stopped too. */
  private async endStragglers(): Promise<void> {
    const deadline = Date.now() + this.killGraceS * 1000;
    let signalled = false;
    while ((await groupMembers(this.pgid)).length > 0) {
      if (!signalled) this.signal('SIGTERM');
      if (Date.now() >= deadline) this.signal('SIGKILL');
      signalled = true;
      await sleep(POLL_MS);
    }
    this.groupGone = true;
  }

  /**
   * Waits for both pipes to end. Once the group is gone only a process that left it (setsid) can
   * still hold them open; when they stay open with nothing waiting on the sink, stop reading.
   */
  private async drain(pipes: OutputPipe[]): Promise<void> {
    const ended = Promise.all(pipes.map((p) => p.ended));
    for (;;) {
      if (await settlesWithin(ended, this.killGraceS * 1000)) return;
      if (pipes.some((p) => p.waitingForSink)) continue;
      this.problems.push(
        "a process that left the task's process group kept its output open; stopped reading it",
      );
      for (const pipe of pipes) pipe.abandon();
      await ended;
      return;
    }
  }

  private signal(sig: NodeJS.Signals): void {
    // once the group is gone its number may be reused by someone else's group
    if (!this.groupGone) signalGroup(this.pgid, sig);
  }
}

/** One output pipe into the sink, paused while the sink is saturated. */
class OutputPipe {
  readonly ended: Promise<void>;
  private waiting = false;

  constructor(
    private readonly stream: Readable,
    name: LogStream,
    private readonly sink: LogSink,
    private readonly report: (problem: string) => void,
  ) {
    this.ended = new Promise((resolve) => stream.once('close', () => resolve()));
    stream.on('error', (error: Error) => report(`reading ${name}: ${error.message}`));
    stream.on('data', (chunk: Buffer) => {
      sink.write(name, chunk);
      if (sink.saturated && !this.waiting) this.holdUntilDrained();
    });
  }

  get waitingForSink(): boolean {
    return this.waiting;
  }

  abandon(): void {
    this.stream.destroy();
  }

  private holdUntilDrained(): void {
    this.waiting = true;
    this.stream.pause();
    void this.sink
      .waitDrain()
      .catch((error: Error) => this.report(`log sink: ${error.message}`))
      .finally(() => {
        this.waiting = false;
        this.stream.resume();
      });
  }
}

/** CPU time and memory of the whole group, sampled from /proc (best effort: no cgroup here). */
class UsageSampler {
  private peakTicks = 0;
  private peakRssKb = 0;
  private sampling = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pgid: number) {
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
    void this.sample();
  }

  stop(): { cpuSeconds: number; peakMemoryMb: number } {
    clearInterval(this.timer);
    return {
      cpuSeconds: this.peakTicks / CLOCK_TICKS_PER_S,
      peakMemoryMb: Math.round((this.peakRssKb / 1024) * 10) / 10,
    };
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const members = await groupMembers(this.pgid);
      // cutime/cstime hold the children each member already reaped, so finished work still counts
      this.peakTicks = Math.max(this.peakTicks, sum(members.map((m) => m.ticks)));
      this.peakRssKb = Math.max(this.peakRssKb, sum(await Promise.all(members.map((m) => rssKbOf(m.pid)))));
    } catch (error) {
      logger.warn(`usage of process group ${this.pgid}: ${(error as Error).message}`);
    } finally {
      this.sampling = false;
    }
  }
}

// ---- run records --------------------------------------------------------------------------------

interface RunRecord {
  attemptId: string;
  pgid: number;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells this process from a later one with the same pid. */
  startTime: number;
  labels: Record<string, string>;
}

/** `<stateDir>/<attemptId>.json` per started run, until the run is removed. */
class RunRecords {
  constructor(private readonly dir: string) {}

  async save(record: RunRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(record.attemptId);
    await writeFile(`${file}.tmp`, JSON.stringify(record));
    await rename(`${file}.tmp`, file);
  }

  async load(attemptId: string): Promise<RunRecord | undefined> {
    if (!RECORD_NAME.test(attemptId)) return undefined;
    const text = await readFile(this.file(attemptId), 'utf8').catch(ifMissing(undefined));
    return text === undefined ? undefined : this.parse(attemptId, text);
  }

  async all(): Promise<RunRecord[]> {
    const names = await readdir(this.dir).catch(ifMissing([]));
    const records = await Promise.all(
      names.filter((n) => n.endsWith('.json')).map((n) => this.load(n.slice(0, -'.json'.length))),
    );
    return records.filter((r) => r !== undefined);
  }

  async delete(attemptId: string): Promise<void> {
    await rm(this.file(attemptId), { force: true });
  }

  private parse(attemptId: string, text: string): RunRecord | undefined {
    try {
      const value: unknown = JSON.parse(text);
      if (isRunRecord(value)) return value;
    } catch {
      // reported below, like any other malformed record
    }
    logger.warn(`ignoring malformed run record ${this.file(attemptId)}`);
    return undefined;
  }

  private file(attemptId: string): string {
    return join(this.dir, `${attemptId}.json`);
  }
}

function isRunRecord(value: unknown): value is RunRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Record<keyof RunRecord, unknown>>;
  return (
    typeof r.attemptId === 'string' &&
    Number.isInteger(r.pgid) &&
    Number.isInteger(r.pid) &&
    Number.isInteger(r.startTime) &&
    typeof r.labels === 'object' &&
    r.labels !== null
  );
}

// ---- command, environment, limits ------------------------------------------------------------------

async function defaultCommand(inputDir: string): Promise<string[]> {
  if (await exists(join(inputDir, 'run.sh'))) return ['sh', 'run.sh'];
  if (await exists(join(inputDir, 'main.py'))) return ['python3', '-u', 'main.py'];
  throw new Error('neither run.sh nor main.py in the input; give the task a command or add one of them');
}

/**
 * Variables that make the dynamic loader, libc or the C library's helpers load or read files of
 * the caller's choosing (what glibc drops for set-uid programs): LD_PRELOAD=./evil.so from the
 * input would otherwise run code as root in unshare, sh, prlimit and setpriv, which run before the
 * task's user is taken. They reach the task through `env`, after setpriv.
 */
const LOADER_PREFIXES = ['LD_', 'MALLOC_'];
const LOADER_VARIABLES = new Set([
  'GCONV_PATH',
  'GETCONF_DIR',
  'GLIBC_TUNABLES',
  'HOSTALIASES',
  'LOCALDOMAIN',
  'LOCPATH',
  'NIS_PATH',
  'NLSPATH',
  'RESOLV_HOST_CONF',
  'RES_OPTIONS',
  'TZDIR',
]);

function splitLoaderEnv(all: Record<string, string>): { env: Record<string, string>; loaderEnv: string[] } {
  const env: Record<string, string> = {};
  const loaderEnv: string[] = [];
  for (const [name, value] of Object.entries(all)) {
    if (LOADER_VARIABLES.has(name) || LOADER_PREFIXES.some((p) => name.startsWith(p))) {
      loaderEnv.push(`${name}=${value}`);
    } else env[name] = value;
  }
  return { env, loaderEnv };
}

/** A clean environment: the worker's own holds secrets. Folders are host paths here. */
function taskEnv(spec: RunSpec): Record<string, string> {
  return {
    PATH: TASK_PATH,
    HOME: spec.workspace,
    LANG: 'C.UTF-8',
    PYTHONUNBUFFERED: '1',
    TMPDIR: join(spec.workspace, TASK_TMP),
    ...spec.env,
    HIVEMIND_WORKSPACE: spec.workspace,
    HIVEMIND_TASK_DIR: join(spec.workspace, 'input'),
    HIVEMIND_OUTPUT_DIR: join(spec.workspace, 'output'),
  };
}

/**
 * prlimit options. --as bounds each process's address space, which runtimes reserve far beyond
 * what they touch (thread stacks, malloc arenas), so it gets twice the memory and at least 512 MiB.
 * RLIMIT_NPROC counts every task of the uid on the machine, so the uid's current count is added.
 */
function rlimitArgs(spec: RunSpec, tasksAlreadyOwned: number): string[] {
  const args = ['--nofile=1024', '--core=0'];
  if (spec.memoryMb > 0) args.push(`--as=${Math.max(spec.memoryMb * 2, 512) * MIB}`);
  if (spec.pidsLimit > 0) args.push(`--nproc=${spec.pidsLimit + tasksAlreadyOwned}`);
  if (spec.storageMb > 0) args.push(`--fsize=${spec.storageMb * MIB}`);
  return args;
}

// ---- tools ------------------------------------------------------------------------------------------

interface Tools {
  prlimit: string;
  setpriv: string;
  /** Only when the worker is root and network (or mount) namespaces can be made here. */
  unshare?: string;
  /** Only when the worker is root and mount namespaces can be made: the task gets a private /tmp. */
  privateTmp?: { sh: string; mount: string; mkdir: string };
  /** Gives the task the loader's variables once it runs as its own user (splitLoaderEnv). */
  env?: string;
}

async function findTools(asRoot: boolean): Promise<Partial<Tools>> {
  const [prlimit, setpriv, unshare, sh, mount, mkdirTool, env] = await Promise.all(
    ['prlimit', 'setpriv', 'unshare', 'sh', 'mount', 'mkdir', 'env'].map(findTool),
  );
  const canIsolate = asRoot && unshare !== undefined && (await namespaceWorks(unshare, '--net'));
  if (!canIsolate) {
    logger.warn('no network isolation (needs root and a working `unshare --net`): tasks can use the network');
  }
  const privateTmp =
    sh !== undefined && mount !== undefined && mkdirTool !== undefined
      ? { sh, mount, mkdir: mkdirTool }
      : undefined;
  const canHideTmp =
    asRoot && unshare !== undefined && privateTmp !== undefined && (await namespaceWorks(unshare, '--mount'));
  if (!canHideTmp) {
    logger.warn(
      "no private /tmp (needs root and a working `unshare --mount`): what a task writes to the host's /tmp is not counted in its storage quota",
    );
  }
  if (!asRoot) logger.warn(`the worker is not root: tasks run as its own user (uid ${ownIds().uid})`);
  return {
    prlimit,
    setpriv,
    env,
    ...(canIsolate || canHideTmp ? { unshare } : {}),
    ...(canHideTmp ? { privateTmp } : {}),
  };
}

/** Without rlimits or no-new-privs a task could take the machine down; refuse instead. */
function requireTools(tools: Partial<Tools>): Tools {
  const { prlimit, setpriv } = tools;
  if (prlimit === undefined || setpriv === undefined) {
    throw new Error(
      `${prlimit === undefined ? 'prlimit' : 'setpriv'} not found in ${TOOL_DIRS.join(', ')}: ` +
        'install util-linux to run tasks without Docker',
    );
  }
  return { ...tools, prlimit, setpriv };
}

async function findTool(name: string): Promise<string | undefined> {
  for (const dir of TOOL_DIRS) {
    const path = join(dir, name);
    if (await exists(path, fsConstants.X_OK)) return path;
  }
  return undefined;
}

async function namespaceWorks(unshare: string, kind: '--net' | '--mount'): Promise<boolean> {
  try {
    await promisify(execFile)(unshare, [kind, 'true'], { env: { PATH: TASK_PATH } });
    return true;
  } catch (error) {
    logger.warn(`\`unshare ${kind}\` fails here: ${(error as Error).message.split('\n')[0]}`);
    return false;
  }
}

/** The SHARED_TMP_DIRS of this host that are real folders anyone may write to. */
async function sharedTmpDirs(): Promise<string[]> {
  const found = await Promise.all(
    SHARED_TMP_DIRS.map(async (dir) => {
      const info = await lstat(dir).catch(() => undefined);
      return info?.isDirectory() && (info.mode & 0o002) !== 0 ? dir : undefined;
    }),
  );
  return found.filter((dir) => dir !== undefined);
}

// ---- workspace ownership --------------------------------------------------------------------------

/** chown -R without following symlinks: the input is the task's, its links may point anywhere. */
async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  const info = await lstat(path);
  // a hard link to a file outside the workspace would hand that file to the task
  if (info.isFile() && info.nlink > 1) return;
  await lchown(path, uid, gid);
  if (!info.isDirectory()) return;
  for (const name of await readdir(path)) await chownTree(join(path, name), uid, gid);
}

/** The task's user must be able to reach its workspace: o+x on every ancestor that lacks it. */
async function makeTraversable(dir: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (dirname(current) === current) return;
  }
}

// ---- /proc --------------------------------------------------------------------------------------------

interface ProcStat {
  pid: number;
  pgrp: number;
  zombie: boolean;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
  startTime: number;
}

function parseProcStat(pid: number, text: string): ProcStat {
  // field 2 (comm) may hold spaces and parentheses: field 3 starts after the last ')'
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  return {
    pid,
    pgrp: field(5),
    zombie: fields[0] === 'Z' || fields[0] === 'X',
    ticks: field(14) + field(15) + field(16) + field(17),
    startTime: field(22),
  };
}

function startTimeOf(pid: number): number {
  return parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8')).startTime;
}

async function procFile(pid: number, name: string): Promise<string | undefined> {
  // a process may end between listing /proc and reading it
  return readFile(`/proc/${pid}/${name}`, 'utf8').catch(ifMissing(undefined));
}

async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Living (not zombie) processes whose process group is `pgid`. */
async function groupMembers(pgid: number): Promise<ProcStat[]> {
  const stats = await Promise.all(
    (await allPids()).map(async (pid) => {
      const text = await procFile(pid, 'stat');
      return text === undefined ? undefined : parseProcStat(pid, text);
    }),
  );
  return stats.filter((s) => s !== undefined && s.pgrp === pgid && !s.zombie) as ProcStat[];
}

/**
 * The record's group as far as it is still the same: its leader with the recorded start time, or,
 * the leader gone, members that started after it (the kernel keeps a group's number while any
 * member lives, so those are ours unless the whole group ended and a new one took the number).
 */
async function liveGroup(record: RunRecord): Promise<ProcStat[]> {
  const members = await groupMembers(record.pgid);
  const leader = members.find((m) => m.pid === record.pid);
  if (leader) return leader.startTime === record.startTime ? members : [];
  return members.filter((m) => m.startTime >= record.startTime);
}

async function waitUntilGone(record: RunRecord): Promise<void> {
  const deadline = Date.now() + DISCARD_TIMEOUT_MS;
  while ((await liveGroup(record)).length > 0) {
    if (Date.now() >= deadline) throw new Error(`process group ${record.pgid} still runs after SIGKILL`);
    await sleep(POLL_MS);
  }
}

async function rssKbOf(pid: number): Promise<number> {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec((await procFile(pid, 'status')) ?? '');
  return match ? Number(match[1]) : 0;
}

/** Threads (what RLIMIT_NPROC counts) whose real uid is `uid`. */
async function tasksOwnedBy(uid: number): Promise<number> {
  const counts = await Promise.all(
    (await allPids()).map(async (pid) => {
      const status = (await procFile(pid, 'status')) ?? '';
      if (/^Uid:\s+(\d+)/m.exec(status)?.[1] !== String(uid)) return 0;
      return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }),
  );
  return sum(counts);
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

// ---- small helpers ------------------------------------------------------------------------------------

async function exists(path: string, mode = fsConstants.F_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

/** A catch handler: `fallback` when the file (or process) is gone, otherwise rethrow. */
function ifMissing<T>(fallback: T): (error: NodeJS.ErrnoException) => T {
  return (error) => {
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return fallback;
    throw error;
  };
}

/** True when `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function ownIds(): { uid: number; gid: number } {
  if (!process.getuid || !process.getgid) throw new Error('the process executor needs a POSIX system');
  return { uid: process.getuid(), gid: process.getgid() };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
