// The seam between an attempt's life cycle (attempt-runner.ts) and what actually runs it: a Docker
// container (docker-executor.ts) or, on a machine without Docker, a process group
// (process-executor.ts). Both stream output into a LogSink and end with a RunResult.

export type LogStream = 'stdout' | 'stderr';

/**
 * Where an executor writes a run's output as it comes. `write` never blocks; when `saturated`
 * turns true the executor stops reading its source (pause) until `waitDrain()` resolves, so a task
 * that prints faster than the pool takes its logs is slowed down instead of filling memory.
 */
export interface LogSink {
  /** `ts`: the engine's timestamp of this piece (RFC 3339 with nanoseconds), when it has one. */
  write(stream: LogStream, data: Buffer, ts?: string): void;
  readonly saturated: boolean;
  waitDrain(): Promise<void>;
}

/** Everything an executor needs to start one attempt; built by the attempt runner. */
export interface RunSpec {
  attemptId: string;
  taskId: string;
  /** Docker: the image (already resolved: the task's, or the default runtime image). */
  image: string;
  /** Empty: the image's default command (Docker) / run.sh, else python3 main.py (process). */
  command: string[];
  /** The task's variables plus HIVEMIND_* (shard index/count/params, attempt, folders). */
  env: Record<string, string>;
  /** Host folder of the attempt's workspace: `input/` (the extracted zip) and `output/`. */
  workspace: string;
  /** True when the workspace has an input/ folder the command starts in. */
  hasInput: boolean;
  cpuMillicores: number;
  memoryMb: number;
  pidsLimit: number;
  /**
   * Largest file the task may write, in MB (ulimit fsize); 0 = none. Not the quota itself: the
   * attempt runner bounds the workspace's total (storage-quota.ts) and sets this only in
   * accounting mode, where it keeps one file from running far past the quota between two walks.
   */
  storageMb: number;
  networkAllowed: boolean;
  /** The task asked for a GPU: Docker gives the container the node's GPUs (NVIDIA runtime). */
  gpu: boolean;
  /** Docker labels / recovery records: which node, task, shard, attempt this run belongs to. */
  labels: Record<string, string>;
}

export interface RunResult {
  /** The process's exit code; 137 after a SIGKILL, -1 when it never started. */
  exitCode: number;
  oomKilled: boolean;
  durationMs: number;
  cpuSeconds: number;
  peakMemoryMb: number;
  /** Why the run did not happen or ended abnormally (executor's words), if it did. */
  error?: string;
  /** The run's end could not be read (its container vanished): the node's failure, not the task's. */
  lost?: boolean;
}

/** A started run. */
export interface RunHandle {
  /** Container id, or the process group id as a string. */
  readonly id: string;
  /** Resolves once the run has ended and its output has been written to the sink. */
  readonly done: Promise<RunResult>;
  /**
   * Resolves (never rejects) as soon as the run's processes are seen ended, before `done`, which
   * still reads the end's figures and last log lines: from then on nothing of the run writes to the
   * workspace. Optional: without it, `done` says so.
   */
  readonly exited?: Promise<void>;
  /**
   * Asks the run to end (SIGTERM), kills it (SIGKILL) after `graceS` seconds. Idempotent. Settles
   * within bounded time, and `done` follows soon after, also for a run that had already ended.
   */
  stop(graceS: number): Promise<void>;
  /** Frees what the run holds (container, process records). The workspace is the runner's. */
  remove(): Promise<void>;
}

/** A run a previous process of this worker left behind (found after a restart). */
export interface LeftoverRun {
  attemptId: string;
  /** Container id or process group id. */
  id: string;
  running: boolean;
  labels: Record<string, string>;
}

/** A run created but not started yet (see Executor.create). */
export interface CreatedRun {
  /** Starts it; rejects with a clear message when it cannot. */
  start(sink: LogSink): Promise<RunHandle>;
  /** Removes it, never started (the attempt ended before its start). */
  discard(): Promise<void>;
}

export interface Executor {
  readonly kind: 'docker' | 'process';
  /** Starts `spec`; rejects with a clear message when it cannot (missing image, bad command). */
  start(spec: RunSpec, sink: LogSink): Promise<RunHandle>;
  /**
   * Creates the run without starting it, for an executor whose creation takes long enough to be
   * worth doing while the workspace is made (the engine's create: the workspace's bind mount is
   * resolved only at the start). `start(spec, sink)` is `create(spec)` then its `start(sink)`.
   */
  create?(spec: RunSpec): Promise<CreatedRun>;
  /** Runs of this node (by label / record) left by an earlier process of this worker. */
  leftovers(nodeName: string): Promise<LeftoverRun[]>;
  /**
   * Takes a leftover run back: follows its output from after `sinceTs` (the last timestamp the
   * worker had spooled) and waits for its end. Undefined when this executor cannot re-attach
   * (process groups of a dead worker): the caller then kills it.
   */
  resume?(leftover: LeftoverRun, sink: LogSink, sinceTs?: string): Promise<RunHandle>;
  /** Kills and removes a leftover run the pool no longer assigns to this node. */
  discard(leftover: LeftoverRun): Promise<void>;
}

/** Nest injection token of the Executor this worker uses (chosen at start-up, see worker.module). */
export const EXECUTOR = Symbol('EXECUTOR');
