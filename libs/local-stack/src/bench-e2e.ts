// npm run bench:e2e — a benchmark, not a test: what the platform adds to a trivial task. It brings the
// whole platform up with `up()` (PostgreSQL, Redis, the built node pool and worker, the running Docker
// engine or a dockerd of its own) in a temporary data directory on free ports, then times `true` in
// hivemind/busybox:latest three ways, in turn (one run of each per round, so that the three see the
// same machine: a virtual machine's engine speeds up and slows down by ±20 % from minute to minute):
//   1. as a HiveMind task: POST /api/tasks, then GET /api/tasks/:id?wait=30 (a blocking query: the
//      answer comes when the task has ended) until COMPLETED, as a client that does not poll;
//   2. as `docker run --rm --network none` (the docker CLI);
//   3. through dockerode, create + start + wait + remove with the worker's lock-down options.
// Each run is split into phases from the task's own timestamps and the engine's container events, so
// the output says where the time goes. Then, unless BENCH_CONCURRENT=0, N tasks at once against N
// `docker run`s at once and as many at a time as the worker runs (MAX_CONCURRENT_TASKS). It writes
// nothing to the repository: the figures go into docs/BENCHMARKS.md by hand. BENCH_RUNS (default 20)
// sets the number of rounds (runs of each), BENCH_CONCURRENT (default 10) the concurrent batch.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import {
  type AttemptView,
  type Page,
  type SubmitTaskResultView,
  type TaskDetailView,
  type TaskView,
} from '@hivemind/contracts';
import {
  Api,
  envNumber,
  machine,
  mapAtMost,
  percentile,
  readOr,
  sleep,
  stackFetch,
  waitForWorker,
  BENCH_RATE_LIMITS,
} from './bench-support';
import { freePort } from './free-port';
import { BUSYBOX_IMAGE, TASK_UID, buildBusyboxImage, imageExists } from './runtime-image';
import { BUILD_OUTPUTS, up } from './up';

const IMAGE = BUSYBOX_IMAGE;
const RUNS = envNumber('BENCH_RUNS', 20, 1);
const CONCURRENT = envNumber('BENCH_CONCURRENT', 10, 0);
const POLL_MS = 20;
/** The blocking GET's wait (seconds): the task's end answers it. */
const WAIT_S = 30;
const TASK_DEADLINE_MS = 60_000;
const NODE_ID = 'bench-e2e-worker';
const TASK_SPEC = { command: ['true'], cpu_cores: 0.25, memory_gb: 0.25, timeout_s: 60 };
const MIB = 1024 * 1024;

type Stack = Awaited<ReturnType<typeof up>>;

const began = performance.now();
/** Epoch milliseconds with sub-millisecond precision, comparable with the server's and the engine's. */
const now = (): number => performance.timeOrigin + performance.now();
const say = (line: string): void => {
  process.stdout.write(`[bench +${((performance.now() - began) / 1000).toFixed(1)} s] ${line}\n`);
};

// ---------------------------------------------------------------------------------------------------
// Figures

const median = (values: readonly number[]): number => percentile(values, 50);
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '–');

/** A plain text table: a header, a rule, and the rows; every column but the first right-aligned. */
function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One timed run: its wall time and the phases it splits into (ms; they sum to the wall time). */
interface Sample {
  wallMs: number;
  phases: Record<string, number>;
  /** Figures beside the phases (not part of the sum). */
  extra: Record<string, number>;
}

function summary(name: string, values: readonly number[]): string[] {
  return [
    name,
    ms(median(values)),
    ms(percentile(values, 90)),
    ms(percentile(values, 99)),
    ms(Math.min(...values)),
    ms(Math.max(...values)),
  ];
}

function phaseTable(samples: readonly Sample[], key: 'phases' | 'extra'): string {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s[key])))];
  return table(
    ['  phase (ms)', 'median', 'p90', 'p99', 'min', 'max'],
    names.map((n) =>
      summary(
        `  ${n}`,
        samples.map((s) => s[key][n]).filter((v): v is number => v !== undefined),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// The machine and its CPU time

/** The stack's PostgreSQL log (next to its data directory, which may be a link; see up.ts). */
function postgresLog(home: string): string {
  const data = join(home, 'postgres');
  return join(dirname(existsSync(data) ? realpathSync(data) : data), 'postgres.log');
}

/** PostgreSQL's "deadlock detected" errors in its log, and who waited for whom in the first one. */
function deadlocks(home: string): { count: number; first: string[] } {
  const lines = readOr(postgresLog(home)).split('\n');
  const at = lines.findIndex((l) => l.includes('deadlock detected'));
  const first: string[] = [];
  for (let i = at; at >= 0 && i < lines.length && !lines[i].includes('STATEMENT:'); i++) {
    // the error, its DETAIL, and the first line of each process's statement
    if (/deadlock detected|DETAIL:|^\s*Process \d+/.test(lines[i]))
      first.push(lines[i].replace(/\s+/g, ' ').trim().slice(0, 200));
  }
  return { count: lines.filter((l) => l.includes('deadlock detected')).length, first };
}

/** What the log says about deadlocks since `before`, beside the runs that waited about a second. */
function deadlockNotes(home: string, before: number, samples: readonly Sample[]): string[] {
  const { count, first } = deadlocks(home);
  const slow = samples.filter((s) => Object.values(s.phases).some((v) => v > 900)).length;
  return [
    `PostgreSQL "deadlock detected" (warm-up included): ${count - before}; runs with a phase over 900 ms: ${slow} of ${samples.length}`,
    ...(count > before ? ['the first deadlock in its log:', ...first.map((l) => `  ${l}`)] : []),
  ];
}

const CLOCK_TICKS_PER_S = 100;
type CpuFamily = 'node pool' | 'worker' | 'PostgreSQL' | 'Redis';

interface CpuSnapshot {
  at: number;
  families: Map<number, { family: CpuFamily; ticks: number }>;
  machineBusy: number;
  self: number;
}

/** CPU ticks of the stack's processes (our descendants, by command) and of the whole machine. */
function cpuSnapshot(): CpuSnapshot {
  const procs = new Map<number, { ppid: number; comm: string; ticks: number }>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const stat = readOr(`/proc/${name}/stat`);
    const close = stat.lastIndexOf(')');
    if (close < 0) continue; // ended while we looked
    const fields = stat.slice(close + 2).split(' ');
    procs.set(Number(name), {
      ppid: Number(fields[1]),
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ticks: Number(fields[11]) + Number(fields[12]),
    });
  }
  const families = new Map<number, { family: CpuFamily; ticks: number }>();
  for (const [pid, p] of procs) {
    let ancestor = p.ppid;
    while (ancestor > 1 && ancestor !== process.pid) ancestor = procs.get(ancestor)?.ppid ?? 0;
    if (ancestor !== process.pid) continue;
    const cmdline = readOr(`/proc/${pid}/cmdline`);
    const family: CpuFamily | undefined = cmdline.includes(BUILD_OUTPUTS.nodePool)
      ? 'node pool'
      : cmdline.includes(BUILD_OUTPUTS.worker)
        ? 'worker'
        : p.comm.startsWith('postgres')
          ? 'PostgreSQL'
          : p.comm.startsWith('redis-server')
            ? 'Redis'
            : undefined;
    if (family) families.set(pid, { family, ticks: p.ticks });
  }
  const [, ...cpu] = readOr('/proc/stat').split('\n')[0].split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = cpu.map(Number);
  const self = process.cpuUsage();
  return {
    at: now(),
    families,
    machineBusy: user + nice + system + irq + softirq + steal,
    self: (self.user + self.system) / 1e6,
  };
}

/**
 * The CPU a series' runs used, summed over the runs (a snapshot before and after each): "node pool
 * 1.2 s, worker 0.8 s, … of 7.1 busy CPU s in 10.3 s". What a process does after a run has ended
 * (the worker unmounting a workspace) counts for the run that follows, whichever series it is.
 */
class CpuTally {
  private readonly seconds = new Map<CpuFamily, number>();
  private busy = 0;
  private self = 0;
  private wall = 0;
  private runs = 0;

  add(from: CpuSnapshot, to: CpuSnapshot): void {
    for (const [pid, p] of to.families) {
      const before = from.families.get(pid)?.ticks ?? 0;
      this.seconds.set(p.family, (this.seconds.get(p.family) ?? 0) + (p.ticks - before) / CLOCK_TICKS_PER_S);
    }
    this.busy += (to.machineBusy - from.machineBusy) / CLOCK_TICKS_PER_S;
    this.self += to.self - from.self;
    this.wall += (to.at - from.at) / 1000;
    this.runs += 1;
  }

  describe(): string {
    const ours = [...this.seconds.values()].reduce((a, b) => a + b, 0) + this.self;
    const parts = (['node pool', 'worker', 'PostgreSQL', 'Redis'] as const).map(
      (f) => `${f} ${(this.seconds.get(f) ?? 0).toFixed(2)}`,
    );
    return (
      `CPU s over its ${this.runs} runs (${this.wall.toFixed(1)} s): ${parts.join(', ')}, this script ${this.self.toFixed(2)}; ` +
      `everything else (Docker engine, runc, containers, docker CLI, other users) ${Math.max(0, this.busy - ours).toFixed(2)}; ` +
      `machine ${((100 * this.busy) / (this.wall * cpus().length)).toFixed(0)} % busy; ` +
      `${((1000 * (this.busy - this.self)) / this.runs).toFixed(0)} ms of machine CPU per run (this script left out)`
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// The engine's container events: when each of our containers was created, started, exited, removed

type ContainerAction = 'create' | 'start' | 'die' | 'destroy';
const ACTIONS: readonly string[] = ['create', 'start', 'die', 'destroy'];

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { Attributes?: Record<string, string> };
  timeNano?: number;
}

class ContainerEvents {
  private readonly seen = new Map<string, Partial<Record<ContainerAction, number>>>();
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly stream: NodeJS.ReadableStream) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      rest += chunk.toString();
      let newline: number;
      while ((newline = rest.indexOf('\n')) >= 0) {
        this.take(rest.slice(0, newline));
        rest = rest.slice(newline + 1);
      }
    });
    stream.on('error', (error: Error) => say(`engine events: ${error.message}`));
  }

  static async open(docker: Docker): Promise<ContainerEvents> {
    return new ContainerEvents(await docker.getEvents({ filters: { type: ['container'] } }));
  }

  of(name: string): Partial<Record<ContainerAction, number>> {
    return this.seen.get(name) ?? {};
  }

  /** Resolves once the engine reported `action` for `name`; false after `timeoutMs`. */
  async waitFor(name: string, action: ContainerAction, timeoutMs: number): Promise<boolean> {
    const deadline = now() + timeoutMs;
    while (this.of(name)[action] === undefined) {
      if (now() > deadline) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, 50);
        function wake(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(wake);
      });
    }
    return true;
  }

  close(): void {
    (this.stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }

  private take(line: string): void {
    let event: EngineEvent;
    try {
      event = JSON.parse(line) as EngineEvent;
    } catch {
      return;
    }
    const name = event.Actor?.Attributes?.name;
    const action = event.Action;
    if (event.Type !== 'container' || !name || !action || !ACTIONS.includes(action) || !event.timeNano)
      return;
    const times = this.seen.get(name) ?? {};
    times[action as ContainerAction] ??= event.timeNano / 1e6;
    this.seen.set(name, times);
    for (const wake of [...this.waiters]) wake();
    this.waiters.clear();
  }
}

/** Phases between the engine's events of one container, from `beginAt` to `endAt` (epoch ms). */
function enginePhases(
  times: Partial<Record<ContainerAction, number>>,
  beginAt: number,
  endAt: number,
  labels: { beforeCreate: string; afterDie: string },
): Record<string, number> {
  const { create, start, die, destroy } = times;
  if (create === undefined || start === undefined || die === undefined) return {};
  const end = destroy ?? endAt;
  return {
    [labels.beforeCreate]: create - beginAt,
    'engine: create → start': start - create,
    'process runs (start → exit)': die - start,
    [labels.afterDie]: end - die,
    ...(destroy !== undefined ? { 'after removal': endAt - destroy } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// The platform's REST API

function attemptOf(detail: TaskDetailView): AttemptView | undefined {
  const attempts = detail.shards.flatMap((s) => s.attempts);
  return attempts.sort((a, b) => a.number - b.number).at(-1);
}

function failure(detail: TaskDetailView): Error {
  const attempt = attemptOf(detail);
  const why = attempt
    ? `attempt ${attempt.number} on ${attempt.node_name}: ${attempt.state}, exit code ${attempt.exit_code ?? '–'}` +
      `, error: ${attempt.error ?? '(none)'}, cause: ${attempt.failure_cause ?? '–'}`
    : `no attempt (${detail.wait_reason ?? 'no wait reason'})`;
  return new Error(`task ${detail.id} ended ${detail.status}: ${detail.error ?? ''} — ${why}`);
}

/** One task through the whole system: submit, poll until COMPLETED, split it by its timestamps. */
async function systemRun(
  api: Api,
  events: ContainerEvents,
  name: string,
  signal: AbortSignal,
): Promise<Sample> {
  const submittedAt = now();
  const { task } = await api.post<SubmitTaskResultView>('/api/tasks', { name, image: IMAGE, ...TASK_SPEC });
  let detail: TaskDetailView;
  for (;;) {
    // held by the pool until the task has ended (or WAIT_S have passed)
    detail = await api.get<TaskDetailView>(`/api/tasks/${task.id}?wait=${WAIT_S}`);
    if (detail.status === 'COMPLETED') break;
    if (detail.status === 'FAILED' || detail.status === 'CANCELLED') throw failure(detail);
    if (now() - submittedAt > TASK_DEADLINE_MS || signal.aborted) {
      throw new Error(
        `task ${task.id} not completed after ${TASK_DEADLINE_MS / 1000} s: ${detail.status}` +
          `${detail.wait_reason ? ` (${detail.wait_reason})` : ''}`,
      );
    }
  }
  const observedAt = now();
  const attempt = attemptOf(detail);
  if (!attempt?.finished_at) throw new Error(`task ${task.id} is COMPLETED without a finished attempt`);
  // the worker removes the container after its report: let it finish before the next measure
  const container = `hivemind-${attempt.id}`;
  await events.waitFor(container, 'destroy', 10_000);
  const times = events.of(container);
  const assignedAt = Date.parse(attempt.assigned_at);
  const finishedAt = Date.parse(attempt.finished_at);
  const phases: Record<string, number> = {};
  if (times.create !== undefined && times.start !== undefined && times.die !== undefined) {
    phases['submit → attempt assigned (pool)'] = assignedAt - submittedAt;
    phases['assigned → container created (push, worker prepares)'] = times.create - assignedAt;
    phases['engine: create → start'] = times.start - times.create;
    phases['process runs (start → exit)'] = times.die - times.start;
    phases['exit → attempt finished (worker reports)'] = finishedAt - times.die;
    phases['finished → seen COMPLETED (pool, blocking GET)'] = observedAt - finishedAt;
  }
  const startedAt = attempt.started_at ? Date.parse(attempt.started_at) : undefined;
  return {
    wallMs: observedAt - submittedAt,
    phases,
    extra: {
      ...(attempt.duration_ms !== null
        ? { 'attempt duration_ms (worker: container StartedAt → FinishedAt)': attempt.duration_ms }
        : {}),
      'submit → task row (POST /api/tasks)': Date.parse(detail.created_at) - submittedAt,
      // both on PostgreSQL's clock: the submission's transaction start to the placing batch's
      'task row → attempt assigned (pool only)': assignedAt - Date.parse(detail.created_at),
      ...(startedAt !== undefined && times.start !== undefined
        ? { 'container started → attempt RUNNING (first report)': startedAt - times.start }
        : {}),
      ...(times.destroy !== undefined
        ? { 'attempt finished → container removed': times.destroy - finishedAt }
        : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The baselines

/** `docker run --rm --network none IMAGE true` through the docker CLI; answers when it exited. */
async function dockerCli(name: string): Promise<number> {
  const child = spawn('docker', ['run', '--rm', '--network', 'none', '--name', name, IMAGE, 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`docker run exited with ${code}: ${stderr.trim()}`);
  return now();
}

async function dockerRun(events: ContainerEvents, name: string): Promise<Sample> {
  const startedAt = now();
  const endedAt = await dockerCli(name);
  await events.waitFor(name, 'destroy', 5000);
  return {
    wallMs: endedAt - startedAt,
    phases: enginePhases(events.of(name), startedAt, endedAt, {
      beforeCreate: 'CLI starts → container created',
      afterDie: 'exit → removed (--rm)',
    }),
    extra: {},
  };
}

/** create + start + wait + remove through dockerode, with the options the worker's DockerExecutor uses. */
async function dockerodeRun(
  docker: Docker,
  events: ContainerEvents,
  name: string,
  scratch: string,
): Promise<Sample> {
  const workspace = join(scratch, name);
  mkdirSync(join(workspace, 'output'), { recursive: true });
  for (const dir of [workspace, join(workspace, 'output')]) {
    // as the worker does: handed to the task's user when we are root, else opened to everyone
    if (process.getuid?.() === 0) chownSync(dir, TASK_UID, TASK_UID);
    else chmodSync(dir, 0o777);
  }
  const startedAt = now();
  const container = await docker.createContainer({
    name,
    Image: IMAGE,
    Cmd: ['true'],
    Env: ['HIVEMIND_WORKSPACE=/workspace', 'HIVEMIND_OUTPUT_DIR=/workspace/output'],
    WorkingDir: '/workspace',
    User: `${TASK_UID}:${TASK_UID}`,
    Labels: { 'hivemind.bench': 'e2e' },
    HostConfig: {
      Binds: [`${workspace}:/workspace:rw`],
      NetworkMode: 'none',
      Memory: 256 * MIB,
      MemorySwap: 256 * MIB,
      NanoCpus: 250 * 1_000_000,
      PidsLimit: 256,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '64m', 'max-file': '2' } },
    },
  });
  const exited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
  await container.start();
  const { StatusCode } = await exited;
  await container.remove({ force: true });
  const endedAt = now();
  rmSync(workspace, { recursive: true, force: true });
  if (StatusCode !== 0) throw new Error(`the container ${name} exited with ${StatusCode}`);
  await events.waitFor(name, 'destroy', 5000);
  return {
    wallMs: endedAt - startedAt,
    phases: enginePhases(events.of(name), startedAt, endedAt, {
      beforeCreate: 'create call → container created',
      afterDie: 'exit → removed (wait answers, remove)',
    }),
    extra: {},
  };
}

// ---------------------------------------------------------------------------------------------------
// The benchmark

interface Series {
  name: string;
  samples: Sample[];
  cpu: string;
  notes: string[];
}

/** A way of running `true` once, timed. */
interface SeriesRun {
  name: string;
  runOne: (i: number) => Promise<Sample>;
}

/**
 * Every series in turn, one run each per round, RUNS rounds (after one warm-up run each): the three
 * ways see the machine and its engine in the same state, minute by minute, so the ratio of their
 * medians compares them rather than two moments of a virtual machine whose speed drifts.
 */
async function interleaved(runs: readonly SeriesRun[], signal: AbortSignal): Promise<Series[]> {
  say(`${runs.map((r) => r.name).join('; ')}: one warm-up run each, then ${RUNS} rounds of one run each`);
  for (const r of runs) await r.runOne(0);
  const samples = runs.map((): Sample[] => []);
  const tallies = runs.map(() => new CpuTally());
  for (let i = 1; i <= RUNS; i++) {
    for (const [k, r] of runs.entries()) {
      signal.throwIfAborted();
      const before = cpuSnapshot();
      samples[k].push(await r.runOne(i));
      tallies[k].add(before, cpuSnapshot());
    }
    if (i % 50 === 0) say(`${i} rounds of ${RUNS}`);
  }
  return runs.map((r, k) => {
    say(`${r.name}: median ${ms(median(samples[k].map((s) => s.wallMs)))} ms`);
    return { name: r.name, samples: samples[k], cpu: tallies[k].describe(), notes: [] };
  });
}

/** N tasks at once: when each was seen COMPLETED (polling the task list), epoch ms. */
async function systemBatch(api: Api, prefix: string, count: number, signal: AbortSignal): Promise<number[]> {
  const submitted = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      api.post<SubmitTaskResultView>('/api/tasks', { name: `${prefix}-${i}`, image: IMAGE, ...TASK_SPEC }),
    ),
  );
  const ids = submitted.map((s) => s.task.id);
  const seen = new Map<string, number>();
  const deadline = now() + TASK_DEADLINE_MS * 2;
  while (seen.size < count) {
    const page = await api.get<Page<TaskView>>(
      `/api/tasks?limit=${Math.min(500, count + 10)}&search=${prefix}`,
    );
    for (const task of page.items) {
      if (task.status === 'COMPLETED' && !seen.has(task.id)) seen.set(task.id, now());
      if (task.status === 'FAILED' || task.status === 'CANCELLED')
        throw failure(await api.get<TaskDetailView>(`/api/tasks/${task.id}`));
    }
    if (now() > deadline) throw new Error(`${count - seen.size} of ${count} tasks not completed in time`);
    await sleep(POLL_MS, signal);
  }
  return ids.map((id) => seen.get(id) ?? NaN);
}

async function concurrent(api: Api, width: number, signal: AbortSignal): Promise<string> {
  const rows: string[][] = [];
  const add = (name: string, startedAt: number, endedAt: readonly number[]): void => {
    const latencies = endedAt.map((t) => t - startedAt);
    rows.push([
      name,
      ms(Math.max(...endedAt) - startedAt),
      ms(median(latencies)),
      ms(Math.max(...latencies)),
    ]);
  };
  const stamp = Date.now().toString(36);
  say(`concurrent: ${CONCURRENT} tasks at once (the worker runs ${width} at a time)`);
  let startedAt = now();
  add(
    `HiveMind, ${CONCURRENT} tasks submitted at once`,
    startedAt,
    await systemBatch(api, `bench-e2e-c-${stamp}`, CONCURRENT, signal),
  );
  for (const w of [...new Set([CONCURRENT, width])]) {
    say(`concurrent: ${CONCURRENT} docker runs, ${w} at a time`);
    startedAt = now();
    const ended = await mapAtMost(
      w,
      Array.from({ length: CONCURRENT }, (_, i) => `bench-e2e-c-${stamp}-w${w}-${i}`),
      dockerCli,
    );
    add(`docker run --rm, ${CONCURRENT} runs, ${w} at a time`, startedAt, ended);
  }
  return table(['batch', 'all done (ms)', 'median latency', 'max latency'], rows);
}

function report(series: readonly Series[], batch: string | undefined, lines: readonly string[]): string {
  const [system, ...baselines] = series;
  const out: string[] = [
    '',
    `End to end: \`true\` in ${IMAGE}, ${RUNS} runs each, one of each in turn, after one warm-up (wall ms)`,
    '',
    table(
      ['', 'median', 'p90', 'p99', 'min', 'max'],
      series.map((s) =>
        summary(
          s.name,
          s.samples.map((x) => x.wallMs),
        ),
      ),
    ),
    '',
    ...baselines.map(
      (b) =>
        `ratio median(HiveMind) / median(${b.name}): ${(median(system.samples.map((s) => s.wallMs)) / median(b.samples.map((s) => s.wallMs))).toFixed(2)}`,
    ),
  ];
  for (const s of series) {
    out.push('', `${s.name}: where the time goes`, phaseTable(s.samples, 'phases'));
    if (s.samples.some((x) => Object.keys(x.extra).length)) out.push(phaseTable(s.samples, 'extra'));
    out.push(`  ${s.cpu}`, ...s.notes.map((n) => `  ${n}`));
  }
  if (batch) out.push('', batch);
  out.push('', 'Machine', ...lines.map((l) => `  ${l}`), '');
  return out.join('\n');
}

/** Ctrl-C (or SIGTERM): the current step is abandoned and the platform stopped. */
const abort = new AbortController();

async function main(): Promise<void> {
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping after the current step (again to leave at once)`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const home = mkdtempSync(join(tmpdir(), 'hivemind-bench-e2e-'));
  chmodSync(home, 0o755); // PostgreSQL runs as an unprivileged user when we are root
  const adminPassword = randomBytes(24).toString('base64url');
  const [httpPort, grpcPort, workerPort] = [await freePort(), await freePort(), await freePort()];
  let stack: Stack | undefined;
  let events: ContainerEvents | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-bench-e2e-ws-'));
  // the stack ends the process itself when it gives up on a crashing app: the directories go in any case
  const removeDirs = (): void => {
    for (const dir of [home, scratch]) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', removeDirs);
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...BENCH_RATE_LIMITS,
      HIVEMIND_HOME: home,
      HIVEMIND_TRUST_CA: 'off',
      HTTP_PORT: String(httpPort),
      GRPC_SERVER_PORT: String(grpcPort),
      WORKER_HTTP_PORT: String(workerPort),
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: adminPassword,
      NODE_ID,
      HIVEMIND_USERNAME: 'admin',
      HIVEMIND_PASSWORD: adminPassword,
      HIVEMIND_RUNTIME_IMAGE: 'off', // the benchmark's image is built below, not the Debian one
    };
    // a throw-away PostgreSQL and Redis of our own, whatever the shell points at
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    say(`starting the platform in ${home} (HTTP ${httpPort}, gRPC ${grpcPort})`);
    stack = await up(env);
    abort.signal.throwIfAborted();

    const docker = new Docker();
    const version = await docker.version();
    if (!(await imageExists(docker, IMAGE))) {
      say(`building ${IMAGE}`);
      await buildBusyboxImage(docker, IMAGE);
    }
    events = await ContainerEvents.open(docker);

    const api = new Api(`https://localhost:${httpPort}`, abort.signal, 30_000, stackFetch(home));
    await api.login('admin', adminPassword);
    const node = await waitForWorker(api, NODE_ID, abort.signal);
    say(`worker ${node.name} online with Docker (${node.max_concurrent} attempts at a time)`);

    const stamp = Date.now().toString(36);
    const ev = events;
    const deadlocksBefore = deadlocks(home).count;
    const series = await interleaved(
      [
        {
          name: 'HiveMind task (submit → COMPLETED)',
          runOne: (i) => systemRun(api, ev, `bench-e2e-${stamp}-${i}`, abort.signal),
        },
        { name: 'docker run --rm', runOne: (i) => dockerRun(ev, `bench-e2e-run-${stamp}-${i}`) },
        {
          name: "dockerode, the worker's lock-down",
          runOne: (i) => dockerodeRun(docker, ev, `bench-e2e-api-${stamp}-${i}`, scratch),
        },
      ],
      abort.signal,
    );
    series[0].notes.push(...deadlockNotes(home, deadlocksBefore, series[0].samples));
    const batchDeadlocksBefore = deadlocks(home).count;
    const batch =
      CONCURRENT > 0
        ? `${await concurrent(api, node.max_concurrent, abort.signal)}\n` +
          `PostgreSQL "deadlock detected" during the batch: ${deadlocks(home).count - batchDeadlocksBefore}`
        : undefined;
    process.stdout.write(report(series, batch, machine(version.Version)));
  } finally {
    events?.close();
    if (stack) {
      say('stopping the platform');
      await stack.stop();
    }
    removeDirs();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`[bench] ${abort.signal.aborted ? 'interrupted' : error.message}\n`);
    process.exit(abort.signal.aborted ? 130 : 1);
  },
);
