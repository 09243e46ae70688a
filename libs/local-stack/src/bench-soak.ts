// npm run bench:soak — sustained load, not speed: SOAK_TASKS (default 1,000) short Docker tasks (`true`
// in hivemind/busybox) submitted back to back to one worker that runs MAX_CONCURRENT_TASKS (2) at a
// time, the whole platform brought up by `up()` on free loopback ports in a temporary directory, as
// bench:e2e does. It answers the questions of the wedge report (docs/worker.md "Slots and stops"):
//   - total time and throughput, per hundred tasks in order of completion: the first hundred against
//     the last (steady, or slowing down as slots leak);
//   - wedged attempts: attempts RUNNING for longer than SOAK_WEDGE_S (30 s; a `true` takes
//     milliseconds), and tasks that did not complete;
//   - "beyond MAX_CONCURRENT_TASKS" warnings in the worker's log: the pool pushing into slots the
//     worker had not let go.
// The apps' output goes to a log file (its path is printed), not the terminal. It exits 1 when any
// attempt wedged, any task did not complete, any warning was logged, or the last hundred ran at less
// than SOAK_MIN_STEADY (0.5) times the first hundred's rate. It writes nothing to the repository: the
// figures go into docs/BENCHMARKS.md by hand.
import { randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import {
  type Page,
  type SubmitTaskResultView,
  type TaskDetailView,
  type TaskView,
} from '@hivemind/contracts';
import {
  Api,
  BENCH_RATE_LIMITS,
  envNumber,
  machine,
  mapAtMost,
  percentile,
  sleep,
  stackFetch,
  waitForWorker,
} from './bench-support';
import { freePort } from './free-port';
import { BUSYBOX_IMAGE, buildBusyboxImage, imageExists } from './runtime-image';
import { up } from './up';

const TASKS = envNumber('SOAK_TASKS', 1000, 10, false);
const MAX_CONCURRENT = envNumber('SOAK_MAX_CONCURRENT', 2, 1, false);
const WEDGE_S = envNumber('SOAK_WEDGE_S', 30, 1, false);
const MIN_STEADY = envNumber('SOAK_MIN_STEADY', 0.5, 0, false);
/** Tasks per throughput bucket: a hundred, or a tenth of a shorter run. */
const BUCKET = TASKS >= 1000 ? 100 : Math.max(1, Math.floor(TASKS / 10));
const NODE_ID = 'bench-soak-worker';
const TASK_SPEC = {
  image: BUSYBOX_IMAGE,
  command: ['true'],
  cpu_cores: 0.25,
  memory_gb: 0.25,
  timeout_s: 60,
};
const SLOT_WARNING = 'beyond MAX_CONCURRENT_TASKS';

const began = Date.now();
const say = (line: string): void => {
  out(`[soak +${((Date.now() - began) / 1000).toFixed(1)} s] ${line}\n`);
};

// ---------------------------------------------------------------------------------------------------
// The apps' output: `up()` prints their lines as "[worker] …" / "[node-pool] …" on our stdout; they go
// to a file instead, and the worker's slot warnings are counted on the way.

const terminal = process.stdout.write.bind(process.stdout);
const out = (text: string): void => void terminal(text);

class AppLog {
  warnings = 0;
  private rest = '';
  private readonly file: ReturnType<typeof createWriteStream>;

  constructor(readonly path: string) {
    this.file = createWriteStream(path);
    const write = (chunk: string | Uint8Array, ...args: unknown[]): boolean => {
      this.take(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const callback = args.find((a): a is () => void => typeof a === 'function');
      callback?.();
      return true;
    };
    process.stdout.write = write;
  }

  private take(text: string): void {
    this.rest += text;
    let newline: number;
    while ((newline = this.rest.indexOf('\n')) >= 0) {
      const line = this.rest.slice(0, newline + 1);
      this.rest = this.rest.slice(newline + 1);
      if (!/^\[(worker|node-pool)\] /.test(line)) {
        out(line);
        continue;
      }
      this.file.write(line);
      if (line.startsWith('[worker] ') && line.includes(SLOT_WARNING)) {
        this.warnings += 1;
        out(line);
      }
    }
  }

  close(): Promise<void> {
    process.stdout.write = terminal;
    return new Promise((resolve) => this.file.end(resolve));
  }
}

// ---------------------------------------------------------------------------------------------------
// The platform's REST API

/** Every task of this run (name contains `prefix`), page by page. */
async function tasksOf(api: Api, prefix: string): Promise<TaskView[]> {
  const all: TaskView[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<TaskView> = await api.get<Page<TaskView>>(
      `/api/tasks?limit=500&search=${prefix}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

// ---------------------------------------------------------------------------------------------------
// Figures

const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED'];

interface Figures {
  totalS: number;
  perBucket: { from: number; to: number; seconds: number; rate: number }[];
  steady: number;
  wedged: { id: string; runningS: number }[];
  notCompleted: { id: string; status: string; why: string }[];
  latencyP50: number;
  latencyP95: number;
  retried: number;
}

function figuresOf(details: TaskDetailView[], submittedAt: Map<string, number>, startedAt: number): Figures {
  const now = Date.now();
  const attempts = details.flatMap((d) => d.shards.flatMap((s) => s.attempts.map((a) => ({ task: d, a }))));
  const wedged = attempts
    .filter(({ a }) => a.started_at)
    .map(({ a }) => ({
      id: a.id,
      runningS: ((a.finished_at ? Date.parse(a.finished_at) : now) - Date.parse(a.started_at!)) / 1000,
    }))
    .filter((w) => w.runningS > WEDGE_S);
  const notCompleted = details
    .filter((d) => d.status !== 'COMPLETED')
    .map((d) => {
      const last = d.shards.flatMap((s) => s.attempts).at(-1);
      return {
        id: d.id,
        status: d.status,
        why: last
          ? `${last.state}: ${last.error ?? '(no error)'}`
          : (d.shards[0]?.wait_reason ?? 'no attempt'),
      };
    });
  const finishes = details
    .filter((d) => d.status === 'COMPLETED' && d.finished_at)
    .map((d) => Date.parse(d.finished_at!))
    .sort((a, b) => a - b);
  const perBucket: Figures['perBucket'] = [];
  for (let from = 0; from + BUCKET <= finishes.length; from += BUCKET) {
    const begin = from === 0 ? startedAt : finishes[from - 1];
    const seconds = (finishes[from + BUCKET - 1] - begin) / 1000;
    perBucket.push({ from: from + 1, to: from + BUCKET, seconds, rate: BUCKET / seconds });
  }
  const latencies = details
    .filter((d) => d.finished_at && submittedAt.has(d.id))
    .map((d) => (Date.parse(d.finished_at!) - submittedAt.get(d.id)!) / 1000);
  const first = perBucket[0]?.rate ?? NaN;
  const last = perBucket.at(-1)?.rate ?? NaN;
  return {
    totalS: ((finishes.at(-1) ?? now) - startedAt) / 1000,
    perBucket,
    steady: last / first,
    wedged,
    notCompleted,
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    retried: attempts.length - details.length,
  };
}

function report(f: Figures, warnings: number, submitS: number, lines: string[]): string {
  const rows = f.perBucket.map(
    (b) =>
      `  ${`${b.from}–${b.to}`.padEnd(11)} ${b.seconds.toFixed(1).padStart(7)} s  ${b.rate.toFixed(2).padStart(6)} tasks/s`,
  );
  return [
    '',
    `Soak: ${TASKS} × \`true\` in ${BUSYBOX_IMAGE}, submitted back to back (in ${submitS.toFixed(1)} s), one worker, MAX_CONCURRENT_TASKS=${MAX_CONCURRENT}`,
    '',
    `total                 ${f.totalS.toFixed(1)} s (first submission → last completion), ${(TASKS / f.totalS).toFixed(2)} tasks/s`,
    `submit → completed    p50 ${f.latencyP50.toFixed(1)} s, p95 ${f.latencyP95.toFixed(1)} s (the queue: all are submitted at once)`,
    `per ${BUCKET} completions (the first from the first submission):`,
    ...rows,
    `steady                last ${BUCKET} / first ${BUCKET} = ${f.steady.toFixed(2)} (at least ${MIN_STEADY} required)`,
    `wedged attempts       ${f.wedged.length} (RUNNING longer than ${WEDGE_S} s)${f.wedged.length ? `: ${f.wedged.map((w) => `${w.id} ${w.runningS.toFixed(0)} s`).join(', ')}` : ''}`,
    `not completed         ${f.notCompleted.length}${
      f.notCompleted.length
        ? `: ${f.notCompleted
            .slice(0, 5)
            .map((n) => `${n.id} ${n.status} (${n.why})`)
            .join('; ')}`
        : ''
    }`,
    `attempts retried      ${f.retried}`,
    `"${SLOT_WARNING}"  ${warnings} in the worker's log`,
    '',
    'Machine',
    ...lines.map((l) => `  ${l}`),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------

const abort = new AbortController();

async function main(): Promise<number> {
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping after the current step`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const home = mkdtempSync(join(tmpdir(), 'hivemind-bench-soak-'));
  chmodSync(home, 0o755); // PostgreSQL runs as an unprivileged user when we are root
  const stamp = Date.now().toString(36);
  const log = new AppLog(join(tmpdir(), `hivemind-bench-soak-${stamp}.log`));
  const adminPassword = randomBytes(24).toString('base64url');
  const [httpPort, grpcPort, workerPort] = [await freePort(), await freePort(), await freePort()];
  // up() hands its own environment to the apps it starts: the worker's slots and the admin's money
  process.env.MAX_CONCURRENT_TASKS = String(MAX_CONCURRENT);
  process.env.SIGNUP_GRANT_CPT = '10000000';
  let stack: Awaited<ReturnType<typeof up>> | undefined;
  process.once('exit', () => rmSync(home, { recursive: true, force: true }));
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
      HIVEMIND_RUNTIME_IMAGE: 'off',
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    say(`starting the platform in ${home} (HTTP ${httpPort}, gRPC ${grpcPort}); the apps' log: ${log.path}`);
    stack = await up(env);
    abort.signal.throwIfAborted();
    const docker = new Docker();
    const engine = await docker.version();
    if (!(await imageExists(docker, BUSYBOX_IMAGE))) {
      say(`building ${BUSYBOX_IMAGE}`);
      await buildBusyboxImage(docker, BUSYBOX_IMAGE);
    }
    const api = new Api(`https://localhost:${httpPort}`, abort.signal, 60_000, stackFetch(home));
    await api.login('admin', adminPassword);
    const node = await waitForWorker(api, NODE_ID, abort.signal);
    if (node.max_concurrent !== MAX_CONCURRENT)
      throw new Error(`the worker registered ${node.max_concurrent} slots, not ${MAX_CONCURRENT}`);
    say(`worker ${node.name} online with Docker, ${node.max_concurrent} attempts at a time`);

    const prefix = `soak-${stamp}`;
    const submittedAt = new Map<string, number>();
    const startedAt = Date.now();
    say(`submitting ${TASKS} tasks back to back`);
    for (let i = 0; i < TASKS; i++) {
      abort.signal.throwIfAborted();
      const { task } = await api.post<SubmitTaskResultView>('/api/tasks', {
        name: `${prefix}-${i}`,
        ...TASK_SPEC,
      });
      submittedAt.set(task.id, Date.now());
    }
    const submitS = (Date.now() - startedAt) / 1000;
    say(`submitted in ${submitS.toFixed(1)} s; waiting for them to end`);

    // a wedged attempt ends at the latest with its timeout (60 s) plus the reconciler's grace: give
    // the run its expected time at 1 task/s and that much more before giving up on it
    const deadline = Date.now() + TASKS * 1000 + 600_000;
    let lastSaid = 0;
    for (;;) {
      const tasks = await tasksOf(api, prefix);
      const ended = tasks.filter((t) => ENDED.includes(t.status)).length;
      if (Date.now() - lastSaid > 30_000) {
        say(`${ended} of ${TASKS} ended, ${tasks.filter((t) => t.status === 'RUNNING').length} running`);
        lastSaid = Date.now();
      }
      if (ended >= TASKS) break;
      if (Date.now() > deadline) {
        say(`giving up waiting: ${TASKS - ended} tasks have not ended`);
        break;
      }
      await sleep(1000, abort.signal);
    }
    const ids = [...submittedAt.keys()];
    const details = await mapAtMost(4, ids, (id) => api.get<TaskDetailView>(`/api/tasks/${id}`));
    const figures = figuresOf(details, submittedAt, startedAt);
    out(report(figures, log.warnings, submitS, machine(engine.Version)));
    const failed =
      figures.wedged.length > 0 ||
      figures.notCompleted.length > 0 ||
      log.warnings > 0 ||
      !(figures.steady >= MIN_STEADY);
    out(failed ? 'SOAK FAILED\n' : 'soak passed\n');
    return failed ? 1 : 0;
  } finally {
    if (stack) {
      say('stopping the platform');
      await stack.stop();
    }
    await log.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`[soak] ${abort.signal.aborted ? 'interrupted' : error.message}\n`);
    process.exit(abort.signal.aborted ? 130 : 1);
  },
);
