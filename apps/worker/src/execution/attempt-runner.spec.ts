import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteTaskRequest__Output } from '@hivemind/contracts/grpc';
import type { Completion, PoolClient } from '../pool/pool-client';
import type { WorkspaceQuota } from './workspace-quota.repository';
import { AttemptRunner, type RunnerContext } from './attempt-runner';
import { resultDigest } from './result-digest';
import type { Executor, LogSink, RunHandle, RunResult, RunSpec } from './executor';

/** Never settles: a call, a start or a run that hangs. */
const forever = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** Settles when `signal` aborts, rejecting with its reason (a call that honours cancellation). */
const untilAborted = (signal?: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error)));

/** The pool as the runner sees it; every call is recorded, the test scripts the answers. */
class ScriptedPool {
  readonly calls: string[] = [];
  readonly completions: Completion[] = [];
  /** The bytes of each zip uploaded. */
  readonly uploads: Buffer[] = [];
  /** The text of every log batch sent. */
  readonly logs: string[] = [];
  download: (signal?: AbortSignal) => Promise<{ size: number }> = () => Promise.resolve({ size: 0 });
  upload: (signal?: AbortSignal) => Promise<string> = () => Promise.resolve('file-1');
  onCompleted: () => Promise<void> = () => Promise.resolve();

  client(): PoolClient {
    const fake = {
      download: (_ref: unknown, _file: string, _sha: string, signal?: AbortSignal) => {
        this.calls.push('download');
        return this.download(signal);
      },
      upload: (_ref: unknown, file: { path: string }, signal?: AbortSignal) => {
        this.calls.push('upload');
        this.uploads.push(readFileSync(file.path));
        return this.upload(signal);
      },
      running: () => {
        this.calls.push('running');
        return Promise.resolve('0');
      },
      log: (_ref: unknown, record: { seq: number; data: string }) => {
        this.logs.push(record.data);
        return Promise.resolve(record.seq);
      },
      completed: (_ref: unknown, completion: Completion) => {
        this.calls.push('completed');
        this.completions.push(completion);
        return this.onCompleted();
      },
    };
    // strict: any other call is a test failure
    return new Proxy(fake, {
      get: (target, name) => {
        if (name in target) return target[name as keyof typeof target];
        if (name === 'then') return undefined;
        throw new Error(`unexpected pool call: ${String(name)}`);
      },
    }) as unknown as PoolClient;
  }
}

/** A run the test controls: when it ends, and what stopping and removing it do. */
class ScriptedRun implements RunHandle {
  readonly id = 'run-1';
  readonly done: Promise<RunResult>;
  stops = 0;
  removed = false;
  end!: (result: RunResult) => void;

  constructor(private readonly endsOnStop: boolean) {
    this.done = new Promise((resolve) => (this.end = resolve));
  }

  stop(): Promise<void> {
    this.stops += 1;
    if (this.endsOnStop) this.end(result(137));
    return Promise.resolve();
  }

  /** What remove() waits for (at once unless a test holds it). */
  removal: Promise<void> = Promise.resolve();

  remove(): Promise<void> {
    this.removed = true;
    return this.removal;
  }
}

const result = (exitCode: number): RunResult => ({
  exitCode,
  oomKilled: false,
  durationMs: 5,
  cpuSeconds: 0,
  peakMemoryMb: 1,
});

class ScriptedExecutor implements Executor {
  readonly kind = 'process';
  started = 0;
  constructor(private readonly starts: (spec: RunSpec, sink: LogSink) => Promise<RunHandle>) {}
  start(spec: RunSpec, sink: LogSink): Promise<RunHandle> {
    this.started += 1;
    return this.starts(spec, sink);
  }
  leftovers = () => Promise.resolve([]);
  discard = () => Promise.resolve();
}

const request = (over: Partial<ExecuteTaskRequest__Output> = {}): ExecuteTaskRequest__Output =>
  ({
    attempt_id: '7c3c1d0e-2f1a-4d7e-9d5e-0b8c1f7e6a01',
    task_id: 't-1',
    fencing_token: '5',
    attempt_number: 1,
    shard_index: 0,
    shard_count: 1,
    shard_params_json: '{}',
    image: 'busybox',
    command: ['true'],
    env: {},
    timeout_s: 0,
    network_allowed: false,
    cpu_millicores: 250,
    memory_mb: 256,
    storage_mb: 0,
    gpu: 0,
    gpu_memory_gb: 0,
    input_sha256: '',
    ...over,
  }) as ExecuteTaskRequest__Output;

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** A run that writes `files` into its output folder and ends with `exitCode`. */
const writesOutputs =
  (exitCode: number, files: Record<string, string>) =>
  (spec: RunSpec): Promise<RunHandle> => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(spec.workspace, 'output', name, '..'), { recursive: true });
      writeFileSync(join(spec.workspace, 'output', name), text);
    }
    const run = new ScriptedRun(false);
    setTimeout(() => run.end(result(exitCode)), 1);
    return Promise.resolve(run);
  };

/** A workspace quota that only makes the folder (the quota has its own specs). */
const noQuota = {
  mode: 'accounting',
  prepare: (ws: string) => mkdir(ws, { recursive: true }).then(() => undefined),
  reattach: () => Promise.resolve(),
  watch: () => ({ stop: () => Promise.resolve(false) }),
  release: () => Promise.resolve(),
} as unknown as WorkspaceQuota;

describe(AttemptRunner.name, () => {
  let dir: string;
  let pool: ScriptedPool;

  const context = (executor: Executor): RunnerContext => ({
    nodeName: 'n1',
    pool: pool.client(),
    executor,
    attemptsDir: dir,
    runtimeImage: 'hivemind/runtime',
    pidsLimit: 64,
    taskUser: '1000:1000',
    inputLimits: { maxFiles: 100, maxBytes: 1 << 20 },
    stopGraceS: 0,
    runningReportS: 0.01,
    shutdown: new AbortController().signal,
    usage: () => ({ cpuPercent: 1, memoryPercent: 1 }),
    stopSettleMs: 50,
    quota: noQuota,
  });
  /** Resolves once `predicate` holds (checked as the runner moves on; the test's timeout bounds it). */
  const until = async (predicate: () => boolean): Promise<void> => {
    while (!predicate()) await new Promise((r) => setTimeout(r, 5));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-'));
    pool = new ScriptedPool();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the end without waiting for the removal, and keeps the slot until the run and workspace are gone', async () => {
    const run = new ScriptedRun(false);
    let removed!: () => void;
    run.removal = new Promise((resolve) => (removed = resolve));
    const seenAtReport: { removing: boolean; slot: boolean; leaving: boolean }[] = [];
    const executor = new ScriptedExecutor(() => {
      setTimeout(() => run.end(result(0)), 1);
      return Promise.resolve(run);
    });
    const runner = AttemptRunner.begin(context(executor), request());
    pool.onCompleted = () => {
      seenAtReport.push({ removing: run.removed, slot: runner.holdsSlot, leaving: runner.leavingSlot });
      return Promise.resolve();
    };
    await until(() => runner.acknowledged);
    // the report went out while the engine was still removing the run: the slot is still held here
    expect(seenAtReport).toEqual([{ removing: true, slot: true, leaving: true }]);
    expect(pool.completions).toMatchObject([{ exitCode: 0, failureCause: '' }]);
    expect(runner.holdsSlot).toBe(true);
    expect(existsSync(runner.dir)).toBe(true);
    removed();
    await runner.done;
    expect(runner.holdsSlot).toBe(false);
    expect(existsSync(runner.dir)).toBe(false);
  });

  it("takes the workspace's last look when the run's processes end, not after the end's figures are read", async () => {
    const run = new ScriptedRun(false);
    let exited!: () => void;
    (run as { exited?: Promise<void> }).exited = new Promise<void>((resolve) => (exited = resolve));
    const looks: string[] = [];
    const quota = {
      ...noQuota,
      watch: () => ({ stop: () => (looks.push('quota'), Promise.resolve(false)) }),
    } as unknown as WorkspaceQuota;
    const executor = new ScriptedExecutor(() => Promise.resolve(run));
    const runner = AttemptRunner.begin({ ...context(executor), quota }, request());
    await until(() => runner.status === 'running');
    exited();
    const deadline = Date.now() + 1000; // then ended anyway: the look must have come before
    await until(() => looks.length > 0 || Date.now() > deadline);
    looks.push('done');
    run.end(result(0));
    await runner.done;
    expect(looks).toEqual(['quota', 'done']); // once, before the run was done
    expect(pool.completions).toMatchObject([{ exitCode: 0, failureCause: '' }]);
  });

  it('runs with the secret env in the clear and masks its values in the log it sends', async () => {
    const run = new ScriptedRun(false);
    let env: Record<string, string> = {};
    const executor = new ScriptedExecutor((spec, sink) => {
      env = spec.env;
      sink.write('stdout', Buffer.from(`token ${spec.env.API_TOKEN}, mode ${spec.env.MODE}\n`));
      setTimeout(() => run.end(result(0)), 1);
      return Promise.resolve(run);
    });
    const secret = { env: { API_TOKEN: 'tok-123456', MODE: 'fast' }, secret_env_keys: ['API_TOKEN'] };
    const runner = AttemptRunner.begin(context(executor), request(secret));
    await runner.done;
    expect(env).toMatchObject({ API_TOKEN: 'tok-123456', MODE: 'fast' });
    expect(pool.logs.join('')).toBe('token ********, mode fast\n');
  });

  it('ends a wedged attempt on the pool stop: its run already ended unseen, nothing more is reported', async () => {
    // the reported wedge: the container exited, its end never reached the worker, and stopping it
    // does nothing (it is not running); every running report is refused with another stop
    const run = new ScriptedRun(false);
    const runner = AttemptRunner.begin(context(new ScriptedExecutor(() => Promise.resolve(run))), request());
    await until(() => runner.status === 'running' && pool.calls.filter((c) => c === 'running').length >= 2);
    runner.stopByPool('task abc was cancelled');
    runner.stopByPool('task abc was cancelled'); // re-sent: changes nothing
    await runner.done;
    const reportsAtEnd = pool.calls.filter((c) => c === 'running').length;
    expect(run.removed).toBe(true);
    expect(run.stops).toBeGreaterThanOrEqual(1);
    expect(runner.holdsSlot).toBe(false);
    expect(runner.acknowledged).toBe(true);
    expect(pool.calls).not.toContain('completed');
    expect(existsSync(runner.dir)).toBe(false);
    await new Promise((r) => setTimeout(r, 50)); // several report periods
    expect(pool.calls.filter((c) => c === 'running')).toHaveLength(reportsAtEnd);
  });

  it.each<[string, (pool: ScriptedPool) => void, (spec: RunSpec) => Promise<RunHandle>, () => object]>([
    [
      'downloading',
      (p) => (p.download = (signal) => untilAborted(signal)),
      () => Promise.resolve(new ScriptedRun(true)),
      () => request({ input_sha256: 'ab'.repeat(32) }),
    ],
    ['starting', () => undefined, () => forever<RunHandle>(), () => request()],
    ['running', () => undefined, () => Promise.resolve(new ScriptedRun(true)), () => request()],
    [
      'uploading',
      (p) => (p.upload = (signal) => untilAborted(signal)),
      (spec) => {
        writeFileSync(join(spec.workspace, 'output', 'out.txt'), 'x');
        const run = new ScriptedRun(false);
        setTimeout(() => run.end(result(0)), 1);
        return Promise.resolve(run);
      },
      () => request(),
    ],
    [
      'reporting',
      (p) => (p.onCompleted = () => forever<void>()),
      () => {
        const run = new ScriptedRun(false);
        setTimeout(() => run.end(result(0)), 1);
        return Promise.resolve(run);
      },
      () => request(),
    ],
  ])('ends on a pool stop while %s', async (phase, script, starts, make) => {
    script(pool);
    const runner = AttemptRunner.begin(
      context(new ScriptedExecutor(starts)),
      make() as ExecuteTaskRequest__Output,
    );
    // while reporting: once the report is in flight (the pool does not answer it)
    await until(() => runner.status === phase && (phase !== 'reporting' || pool.completions.length > 0));
    runner.stopByPool('the attempt was lost');
    await runner.done;
    expect(runner.holdsSlot).toBe(false);
    expect(runner.status).toBe('done');
    expect(pool.completions).toHaveLength(phase === 'reporting' ? 1 : 0); // only the one in flight
    expect(existsSync(runner.dir)).toBe(false);
  });

  it.each<[string, (pool: ScriptedPool) => void, (spec: RunSpec) => Promise<RunHandle>, () => object]>([
    [
      'downloading',
      (p) => (p.download = (signal) => untilAborted(signal)),
      () => Promise.resolve(new ScriptedRun(true)),
      () => request({ input_sha256: 'ab'.repeat(32) }),
    ],
    ['starting', () => undefined, () => forever<RunHandle>(), () => request()],
    // a run that does not end when stopped: removed by force after the grace period and the settle time
    ['running', () => undefined, () => Promise.resolve(new ScriptedRun(false)), () => request()],
    [
      'uploading',
      (p) => (p.upload = (signal) => untilAborted(signal)),
      (spec) => {
        writeFileSync(join(spec.workspace, 'output', 'out.txt'), 'x');
        const run = new ScriptedRun(false);
        setTimeout(() => run.end(result(0)), 1);
        return Promise.resolve(run);
      },
      () => request(),
    ],
  ])("reports the node's failure on the operator's stop while %s", async (phase, script, starts, make) => {
    script(pool);
    const runner = AttemptRunner.begin(
      context(new ScriptedExecutor(starts)),
      make() as ExecuteTaskRequest__Output,
    );
    await until(() => runner.status === phase);
    runner.stopByOperator();
    await runner.done;
    expect(pool.completions).toMatchObject([
      { failureCause: 'node', error: "stopped by the node's operator" },
    ]);
    expect(runner.holdsSlot).toBe(false);
    expect(existsSync(runner.dir)).toBe(false);
  });

  it.each<[string, number, Record<string, string>, { path: string; sha256: string }[]]>([
    [
      'the files that went into the uploaded zip',
      3,
      { 'result.txt': 'done', 'sub/deeper/a.txt': 'a' },
      [
        { path: 'result.txt', sha256: sha256('done') },
        { path: 'sub/deeper/a.txt', sha256: sha256('a') },
      ],
    ],
    ['no entry when the task left no output', 0, {}, []],
  ])('reports the result digest over %s, with the exit code', async (_case, exitCode, files, entries) => {
    const runner = AttemptRunner.begin(
      context(new ScriptedExecutor(writesOutputs(exitCode, files))),
      request(),
    );
    await runner.done;
    expect(pool.completions).toMatchObject([{ exitCode, resultDigest: resultDigest(exitCode, entries) }]);
    expect(pool.uploads).toHaveLength(entries.length ? 1 : 0);
  });

  it('reports no result digest when nothing ran', async () => {
    const executor = new ScriptedExecutor(() => Promise.reject(new Error('the engine is away')));
    const runner = AttemptRunner.begin(context(executor), request());
    await runner.done;
    expect(pool.completions).toMatchObject([{ exitCode: -1, failureCause: 'node', resultDigest: '' }]);
  });

  it('resends the saved result digest after a restart', async () => {
    const digest = resultDigest(0, [{ path: 'x', sha256: sha256('x') }]);
    const saved = join(dir, request().attempt_id);
    mkdirSync(saved);
    const completion: Completion = {
      exitCode: 0,
      oomKilled: false,
      durationMs: 5,
      cpuSeconds: 0,
      peakMemoryMb: 1,
      error: '',
      failureCause: '',
      outputSha256: 'ab'.repeat(32),
      resultDigest: digest,
    };
    writeFileSync(
      join(saved, 'attempt.json'),
      JSON.stringify({
        request: request(),
        phase: 'reporting',
        receivedAt: new Date().toISOString(),
        completion,
      }),
    );
    const runner = await AttemptRunner.recover(
      context(new ScriptedExecutor(() => forever<RunHandle>())),
      saved,
    );
    await runner.done;
    expect(pool.completions).toEqual([completion]);
  });

  it("reports a run whose container vanished as the node's failure", async () => {
    const executor = new ScriptedExecutor(() => {
      const run = new ScriptedRun(false);
      setTimeout(() => run.end({ ...result(-1), error: 'the container vanished', lost: true }), 1);
      return Promise.resolve(run);
    });
    const runner = AttemptRunner.begin(context(executor), request());
    await runner.done;
    expect(pool.completions).toMatchObject([{ exitCode: -1, failureCause: 'node' }]);
  });
});
