import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Executor, LeftoverRun, LogSink, RunHandle, RunSpec } from './executor';
import { chownTree, defaultCommand, findTools, makeTraversable, ownIds, sharedTmpDirs } from './process-host';
import { ProcessRun, type TaskProcess } from './process-run';
import { RECORD_NAME, RunRecords, liveGroup, waitUntilGone } from './process-run-records';
import { TASK_TMP, type Tools, requireTools, splitLoaderEnv, taskEnv, wrapperArgv } from './process-sandbox';
import { signalGroup, startTimeOf, tasksOwnedBy } from './procfs';

// Runs an attempt as a process group on the host, for nodes without Docker (low trust). What a
// container gives for free is rebuilt around the command from util-linux tools (process-sandbox.ts:
// namespaces, a private /tmp, rlimits, the task's user); the started group is followed by
// process-run.ts and found again after a restart through its run record (process-run-records.ts),
// both reading /proc (procfs.ts).

export interface ProcessExecutorOptions {
  /** Where one JSON record per live run is kept, so leftovers() finds them after a restart. */
  stateDir: string;
  /** Default when the worker is root: 65534 (nobody). A non-root worker runs tasks as itself. */
  runAsUid?: number;
  runAsGid?: number;
  /** Seconds processes still in the group after the main process exited get before SIGKILL. */
  killGraceS?: number;
}

const NOBODY = 65534;
const NODE_LABEL = 'hivemind.node';

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
    const wrappers = wrapperArgv(spec, tools, {
      user: this.asRoot ? { uid: this.uid, gid: this.gid } : undefined,
      tasksOwned: await tasksOwnedBy(this.uid),
      loaderEnv,
      sharedTmpDirs: tools.privateTmp ? await sharedTmpDirs() : [],
    });
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

  private async prepareWorkspace(workspace: string): Promise<void> {
    await mkdir(join(workspace, 'output'), { recursive: true });
    await mkdir(join(workspace, TASK_TMP), { recursive: true });
    await chmod(join(workspace, TASK_TMP), 0o1777); // as /tmp: the umask must not decide
    if (!this.asRoot) return;
    await chownTree(workspace, this.uid, this.gid);
    await makeTraversable(dirname(workspace));
  }
}
