import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogSink, LogStream, RunHandle, RunResult, RunSpec } from '../src/execution/executor';
import { ProcessExecutor } from '../src/execution/process-executor';
import { removeTree } from '@hivemind/testing';

const asRoot = process.getuid?.() === 0;
const canUnshare = asRoot && spawnSync('unshare', ['--net', 'true']).status === 0;
const itAsRoot = asRoot ? it : it.skip;
const itWithUnshare = canUnshare ? it : it.skip;

/** Keeps what it is given; `saturate()` makes it ask for a pause until `release()`. */
class MemorySink implements LogSink {
  readonly chunks: { stream: LogStream; data: Buffer }[] = [];
  saturated = false;
  private drain?: { promise: Promise<void>; resolve: () => void };

  write(stream: LogStream, data: Buffer): void {
    this.chunks.push({ stream, data });
  }

  waitDrain(): Promise<void> {
    return this.drain?.promise ?? Promise.resolve();
  }

  text(stream: LogStream): string {
    return Buffer.concat(this.chunks.filter((c) => c.stream === stream).map((c) => c.data)).toString();
  }

  saturate(): void {
    this.saturated = true;
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    this.drain = { promise, resolve };
  }

  release(): void {
    this.saturated = false;
    this.drain?.resolve();
    this.drain = undefined;
  }
}

let root: string;
let stateDir: string;
let executor: ProcessExecutor;
const started: RunHandle[] = [];
let attempts = 0;

/** A workspace with `input/` holding `files` (or no input folder when `files` is undefined). */
function newWorkspace(files?: Record<string, string>): { workspace: string; hasInput: boolean } {
  const workspace = mkdtempSync(join(root, 'ws-'));
  if (files) {
    mkdirSync(join(workspace, 'input'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(workspace, 'input', name), text);
  }
  return { workspace, hasInput: files !== undefined };
}

function newSpec(overrides: Partial<RunSpec> = {}): RunSpec {
  const attemptId = `attempt-${++attempts}`;
  return {
    attemptId,
    taskId: 'task-1',
    image: '',
    command: [],
    env: { HIVEMIND_ATTEMPT_ID: attemptId, HIVEMIND_SHARD_INDEX: '0' },
    ...newWorkspace(),
    cpuMillicores: 1000,
    memoryMb: 256,
    pidsLimit: 64,
    storageMb: 0,
    networkAllowed: false,
    gpu: false,
    labels: { 'hivemind.node': 'node-a', 'hivemind.attempt': attemptId },
    ...overrides,
  };
}

async function start(spec: Partial<RunSpec>, sink = new MemorySink(), on = executor) {
  const handle = await on.start(newSpec(spec), sink);
  started.push(handle);
  return { handle, sink };
}

async function run(spec: Partial<RunSpec>): Promise<{ result: RunResult; sink: MemorySink }> {
  const { handle, sink } = await start(spec);
  return { result: await handle.done, sink };
}

/** Pids of living (not zombie) processes in the process group `pgid`, read from /proc. */
function groupPids(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) === pgid && fields[0] !== 'Z';
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hivemind-process-executor-'));
});

beforeEach(() => {
  stateDir = join(mkdtempSync(join(root, 'state-')), 'runs');
  executor = new ProcessExecutor({ stateDir, killGraceS: 1 });
});

afterEach(async () => {
  for (const handle of started.splice(0)) {
    await handle.stop(0);
    await handle.remove();
  }
});

afterAll(() => {
  removeTree(root);
});

describe(ProcessExecutor.name, () => {
  it('streams stdout and stderr into the sink and reports the exit code', async () => {
    const { result, sink } = await run({ command: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });

    expect(sink.text('stdout')).toBe('out\n');
    expect(sink.text('stderr')).toBe('err\n');
    expect(result).toMatchObject({ exitCode: 3, oomKilled: false });
    expect(result.error).toBeUndefined();
  });

  it('reports a command that does not exist as exit code 127', async () => {
    const { result, sink } = await run({ command: ['no-such-program-here'] });

    expect(result.exitCode).toBe(127);
    expect(sink.text('stderr')).toContain('no-such-program-here');
  });

  describe('without a command', () => {
    it('runs run.sh from the input', async () => {
      const { result, sink } = await run(
        newWorkspace({ 'run.sh': 'echo "run.sh in $(pwd)"', 'main.py': 'print("main.py")' }),
      );

      expect(result.exitCode).toBe(0);
      expect(sink.text('stdout')).toMatch(/^run\.sh in .*\/input\n$/);
    });

    it('runs main.py with python3 when there is no run.sh', async () => {
      const { result, sink } = await run(
        newWorkspace({ 'main.py': 'import sys\nprint("main.py", sys.version_info[0])' }),
      );

      expect(result.exitCode).toBe(0);
      expect(sink.text('stdout')).toBe('main.py 3\n');
    });

    it('refuses an input with neither run.sh nor main.py', async () => {
      await expect(
        executor.start(newSpec(newWorkspace({ 'data.txt': 'x' })), new MemorySink()),
      ).rejects.toThrow(
        'neither run.sh nor main.py in the input; give the task a command or add one of them',
      );
      await expect(executor.start(newSpec(), new MemorySink())).rejects.toThrow('neither run.sh nor main.py');
    });
  });

  describe('environment', () => {
    beforeEach(() => {
      process.env.SECRET_FOR_TEST = 'worker-secret';
    });

    afterEach(() => {
      delete process.env.SECRET_FOR_TEST;
    });

    it("gives the task the task's variables and host folders, not the worker's environment", async () => {
      const spec = newSpec({
        command: ['sh', '-c', 'env; echo "cwd=$(pwd)"'],
        env: { MY_VAR: 'mine', HIVEMIND_SHARD_INDEX: '2' },
      });
      const sink = new MemorySink();
      const handle = await executor.start(spec, sink);
      started.push(handle);
      await handle.done;

      const out = sink.text('stdout');
      expect(out).not.toContain('SECRET_FOR_TEST');
      expect(out).toContain('MY_VAR=mine\n');
      expect(out).toContain('HIVEMIND_SHARD_INDEX=2\n');
      expect(out).toContain(`HIVEMIND_WORKSPACE=${spec.workspace}\n`);
      expect(out).toContain(`HIVEMIND_TASK_DIR=${spec.workspace}/input\n`);
      expect(out).toContain(`HIVEMIND_OUTPUT_DIR=${spec.workspace}/output\n`);
      expect(out).toContain(`HOME=${spec.workspace}\n`);
      expect(out).toContain('PATH=/usr/local/bin:/usr/bin:/bin\n');
      expect(out).toContain(`cwd=${spec.workspace}\n`);
      expect(statSync(join(spec.workspace, 'output')).isDirectory()).toBe(true);
    });
  });

  describe('stop', () => {
    it.each([
      { case: 'with the network', networkAllowed: true, trap: '', exitCode: 143 },
      { case: 'in a network namespace', networkAllowed: false, trap: '', exitCode: 143 },
      { case: 'ignoring SIGTERM', networkAllowed: false, trap: 'trap "" TERM; ', exitCode: 137 },
    ])('ends the whole group, grandchildren too ($case)', async ({ networkAllowed, trap, exitCode }) => {
      const { handle } = await start({
        command: ['sh', '-c', `${trap}sleep 100 & sleep 100 & wait`],
        networkAllowed,
      });
      const pgid = Number(handle.id);
      const pids = await waitFor(() => (groupPids(pgid).length === 3 ? groupPids(pgid) : undefined));

      const stoppedAt = Date.now();
      await Promise.all([handle.stop(1), handle.stop(1)]);

      // bounded by the grace period, not by the sleeps (100 s): a wide margin for a busy machine
      expect(Date.now() - stoppedAt).toBeLessThan(20_000);
      expect(pids.filter(isAlive)).toEqual([]);
      expect(groupPids(pgid)).toEqual([]);
      expect((await handle.done).exitCode).toBe(exitCode);
    });

    it('ends what the main process left running when it exits', async () => {
      const { handle, sink } = await start({ command: ['sh', '-c', 'sleep 100 & echo "$!"'] });

      const result = await handle.done;

      expect(result.exitCode).toBe(0);
      expect(isAlive(Number(sink.text('stdout')))).toBe(false);
      expect(groupPids(Number(handle.id))).toEqual([]);
      await expect(handle.stop(1)).resolves.toBeUndefined();
    });
  });

  describe('limits', () => {
    it('keeps a process storm within the pids limit', async () => {
      const storm = [
        'import subprocess',
        'procs = []',
        'try:',
        '    for _ in range(500):',
        "        procs.append(subprocess.Popen(['sleep', '30']))",
        'except OSError as error:',
        "    print('refused:', error)",
        'print(len(procs))',
      ].join('\n');

      const { handle, sink } = await start({ command: ['python3', '-c', storm], pidsLimit: 20 });
      const result = await handle.done;

      expect(result.exitCode).toBe(0);
      const [refusal, count] = sink.text('stdout').trim().split('\n');
      expect(refusal).toContain('refused:');
      // RLIMIT_NPROC counts every process of the uid, so others running as nobody shift the bound
      expect(Number(count)).toBeLessThan(500);
      expect(groupPids(Number(handle.id))).toEqual([]);
    });

    it('stops a file from growing past storageMb', async () => {
      const spec = newSpec({
        command: ['sh', '-c', 'head -c 3000000 /dev/zero > "$HIVEMIND_OUTPUT_DIR/big"'],
        storageMb: 1,
      });
      const handle = await executor.start(spec, new MemorySink());
      started.push(handle);

      const result = await handle.done;

      expect(result.exitCode).not.toBe(0);
      expect(statSync(join(spec.workspace, 'output', 'big')).size).toBe(1024 * 1024);
    });

    it('reports CPU time and peak memory of the run', async () => {
      const work = [
        'import time',
        'data = b"x" * (100 * 1024 * 1024)',
        'while time.process_time() < 1.5: pass',
      ].join('\n');

      const { result } = await run({ command: ['python3', '-c', work] });

      expect(result.exitCode).toBe(0);
      expect(result.cpuSeconds).toBeGreaterThan(0.9);
      expect(result.peakMemoryMb).toBeGreaterThan(100);
      expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    });
  });

  describe('privileges', () => {
    itAsRoot('runs the task as nobody without supplementary groups or new privileges', async () => {
      const { result, sink } = await run({
        command: [
          'sh',
          '-c',
          'id -u; id -G; grep NoNewPrivs /proc/self/status; touch "$HIVEMIND_OUTPUT_DIR/made"',
        ],
      });

      expect(result.exitCode).toBe(0);
      expect(sink.text('stdout')).toBe('65534\n65534\nNoNewPrivs:\t1\n');
    });

    itAsRoot(
      "keeps the loader's variables from the programs that run as root, and gives them to the task",
      async () => {
        // LD_DEBUG_OUTPUT makes every dynamically linked program it reaches write a file, as its user:
        // a file of root's would mean LD_PRELOAD could have run the task's code as root
        const spec = newSpec({ command: ['true'] });
        const logs = join(spec.workspace, 'output', 'ld');
        spec.env = { ...spec.env, LD_DEBUG: 'libs', LD_DEBUG_OUTPUT: logs };
        const handle = await executor.start(spec, new MemorySink());
        started.push(handle);

        expect((await handle.done).exitCode).toBe(0);
        const written = readdirSync(join(spec.workspace, 'output')).filter((n) => n.startsWith('ld.'));
        expect(written.length).toBeGreaterThan(0); // the task (env, then true) got them
        expect(written.map((n) => statSync(join(spec.workspace, 'output', n)).uid)).toEqual(
          written.map(() => 65534),
        );
      },
    );

    it('refuses to run tasks as root', () => {
      expect(() => new ProcessExecutor({ stateDir, runAsUid: 0 })).toThrow('tasks never run as root');
    });
  });

  describe('network', () => {
    let server: ReturnType<typeof createServer>;
    let port: number;
    const connect = (p: number) => [
      'python3',
      '-c',
      `import socket; socket.create_connection(('127.0.0.1', ${p}), 2); print('connected')`,
    ];

    beforeEach(async () => {
      server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    itWithUnshare('cannot reach even the loopback unless the task allows the network', async () => {
      const isolated = await run({ command: connect(port) });
      const allowed = await run({ command: connect(port), networkAllowed: true });

      expect(isolated.result.exitCode).not.toBe(0);
      expect(isolated.sink.text('stderr')).toMatch(/unreachable|refused/i);
      expect(allowed.result.exitCode).toBe(0);
      expect(allowed.sink.text('stdout')).toBe('connected\n');
    });
  });

  describe('temporary files', () => {
    itWithUnshare(
      "gives the task its own /tmp, /var/tmp and /dev/shm inside its workspace, not the host's",
      async () => {
        const marker = join(tmpdir(), `hivemind-host-only-${process.pid}`);
        writeFileSync(marker, 'host');
        try {
          const spec = newSpec({
            command: [
              'sh',
              '-c',
              `echo t > /tmp/t.txt; echo v > /var/tmp/v.txt; echo s > /dev/shm/s.txt; cat ${marker}; echo "TMPDIR=$TMPDIR"; touch "$HIVEMIND_OUTPUT_DIR/reached"`,
            ],
          });
          const sink = new MemorySink();
          const handle = await executor.start(spec, sink);
          started.push(handle);

          await handle.done;

          const tmp = join(spec.workspace, '.tmp');
          expect(sink.text('stdout')).toBe(`TMPDIR=${tmp}\n`);
          expect(sink.text('stderr')).toContain('No such file'); // the host's file is not there
          // one folder of the workspace stands for all three: counted in the storage quota, gone with it
          expect(readFileSync(join(tmp, 't.txt'), 'utf8')).toBe('t\n');
          expect(readFileSync(join(tmp, 'v.txt'), 'utf8')).toBe('v\n');
          expect(readFileSync(join(tmp, 's.txt'), 'utf8')).toBe('s\n');
          expect(['/tmp/t.txt', '/var/tmp/v.txt', '/dev/shm/s.txt'].filter((f) => existsSync(f))).toEqual([]);
          // the host's /tmp is out of sight, but the workspace (under /tmp here) is where it was
          expect(existsSync(join(spec.workspace, 'output', 'reached'))).toBe(true);
        } finally {
          rmSync(marker, { force: true });
        }
      },
    );
  });

  describe('after a restart', () => {
    it('finds a run left by an earlier executor and discards it', async () => {
      const { handle } = await start({ command: ['sleep', '100'], labels: { 'hivemind.node': 'node-a' } });
      const attemptId = `attempt-${attempts}`;
      expect(existsSync(join(stateDir, `${attemptId}.json`))).toBe(true);
      const restarted = new ProcessExecutor({ stateDir, killGraceS: 1 });

      const leftovers = await restarted.leftovers('node-a');

      expect(leftovers).toEqual([
        { attemptId, id: handle.id, running: true, labels: { 'hivemind.node': 'node-a' } },
      ]);
      expect(await restarted.leftovers('node-b')).toEqual([]);
      expect(await executor.leftovers('node-a')).toEqual([]); // its own live runs are not leftovers

      await restarted.discard(leftovers[0]);

      expect((await handle.done).exitCode).toBe(137);
      expect(groupPids(Number(handle.id))).toEqual([]);
      expect(await restarted.leftovers('node-a')).toEqual([]);
    });

    it('reports a run that ended meanwhile as not running, and remove() deletes its record', async () => {
      const { handle } = await start({ command: ['true'] });
      await handle.done;
      const restarted = new ProcessExecutor({ stateDir, killGraceS: 1 });

      expect(await restarted.leftovers('node-a')).toMatchObject([{ id: handle.id, running: false }]);

      await handle.remove();

      expect(await restarted.leftovers('node-a')).toEqual([]);
    });
  });

  describe('back-pressure', () => {
    it('stops reading while the sink is saturated and reads the rest once it drains', async () => {
      const sink = new MemorySink();
      sink.saturate();
      const size = 50 * 1000 * 1000;
      const { handle } = await start({ command: ['head', '-c', String(size), '/dev/zero'] }, sink);

      await waitFor(() => (sink.chunks.length > 0 ? true : undefined));
      await sleep(1000);

      expect(sink.chunks).toHaveLength(1);
      expect(groupPids(Number(handle.id))).toHaveLength(1); // the writer waits on the full pipe

      sink.release();
      const result = await handle.done;

      expect(result.exitCode).toBe(0);
      expect(sink.text('stdout').length).toBe(size);
    });
  });
});
