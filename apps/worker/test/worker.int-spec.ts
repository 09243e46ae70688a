/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the tests read the REST API JSON loosely */
// The worker agent end to end: the real worker program (child processes) against a real node pool,
// PostgreSQL, Redis and Docker engine, running real containers.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import {
  BUSYBOX_IMAGE,
  RUNTIME_IMAGE,
  buildBusyboxImage,
  buildDebianRuntimeImage,
  imageExists,
} from '@hivemind/local-stack';
import { canonicalResultText } from '@hivemind/contracts';
import { removeTree, stackInfo, waitFor } from '@hivemind/testing';
import { call, loginAs, newUser, type TestUser } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { watchResultDigests } from '../../node-pool/test/support/result-digests';
import { makeZip, readZip } from '../../node-pool/test/support/zip';
import { quotaMessage } from '../src/execution/storage-quota';
import { craftZip } from './support/hostile-zip';
import { WorkerProcess } from './support/worker-process';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };
const PIDS_LIMIT = 64;
const docker = new Docker();
const describeDocker = stackInfo().docker ? describe : describe.skip;

const containersOf = async (label: string): Promise<Docker.ContainerInfo[]> =>
  docker.listContainers({ all: true, filters: { label: [label] } });

const MIB = 1024 * 1024;
/** What storage_gb 0.1 gives: 102 MB. */
const QUOTA_MB = 102;
/** The quota's mode here: loop-mounted images need root (and loop devices, mkfs.ext4). */
const QUOTA_MODE = process.getuid?.() === 0 ? 'loop' : 'accounting';
const itWithLoop = QUOTA_MODE === 'loop' ? it : it.skip;
/** The attempt's error starts with the quota's message (a failed output upload may follow it). */
const QUOTA_ERROR = new RegExp(`^${quotaMessage(QUOTA_MB).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/** Bytes `dir` takes on the host's disk; `-x`: a mounted workspace counts by its image's blocks. */
const diskUse = (dir: string): number =>
  Number(spawnSync('du', ['-sxB1', dir]).stdout?.toString().split('\t')[0]) || 0;

/** File systems mounted under `dir` (the attempts' workspaces in loop mode). */
const mountsUnder = (dir: string): string[] =>
  (spawnSync('findmnt', ['-rn', '-o', 'TARGET']).stdout?.toString() ?? '')
    .split('\n')
    .filter((target) => target.startsWith(`${dir}/`));

/** The most `dir` took on the host's disk, sampled every 100 ms until `done` settles. */
async function peakDiskUse(dir: string, done: Promise<unknown>): Promise<number> {
  let settled = false;
  done.then(
    () => (settled = true),
    () => (settled = true),
  );
  let peak = 0;
  while (!settled) {
    peak = Math.max(peak, diskUse(dir));
    await sleep(100);
  }
  return peak;
}

/**
 * Four 90 MB files, one after the other into `targets` (cycled), whatever fails; exit 1 if any did.
 * dd, not head: busybox's head reports any failed write as "I/O error".
 */
const fourBigFiles = (targets: string[]) =>
  [
    'failed=0',
    ...[1, 2, 3, 4].map(
      (i) =>
        `dd if=/dev/zero of="${targets[(i - 1) % targets.length]}/big-${i}" bs=1000000 count=90 || failed=1`,
    ),
    'sleep 1', // the workspace at its fullest for a while: the sampler sees it
    'exit $failed',
  ].join('\n');

describe('the worker agent', () => {
  let pool: TestNodePool;
  let user: TestUser;
  let owner: TestUser;
  let adminToken: string;
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-worker-test-'));
  const workers: WorkerProcess[] = [];

  const worker = (name: string, env: Record<string, string> = {}) => {
    const w = new WorkerProcess(name, join(scratch, name), {
      NODE_POOL_ADDRESS: pool.grpc,
      HIVEMIND_USERNAME: owner.username,
      HIVEMIND_PASSWORD: owner.password,
      MAX_CONCURRENT_TASKS: '4',
      TASK_PIDS_LIMIT: String(PIDS_LIMIT),
      IMAGE_PULL_TIMEOUT_S: '5',
      RECONNECT_MAX_S: '2',
      ...env,
    });
    workers.push(w);
    return w;
  };

  const submit = async (spec: Record<string, unknown>, zip?: Buffer, as: TestUser | string = user) => {
    const token = typeof as === 'string' ? as : as.token;
    const form = new FormData();
    form.set(
      'spec',
      // one owner's workers form no quorum: the worker is under test here, validation in
      // validation-docker.int-spec.ts
      JSON.stringify({
        cpu_cores: 0.25,
        memory_gb: 0.25,
        timeout_s: 120,
        max_attempts: 2,
        validation: 'none',
        ...spec,
      }),
    );
    if (zip) form.set('input', new Blob([new Uint8Array(zip)]), 'job.zip');
    const res = await fetch(`${pool.http}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const body = (await res.json()) as { task: { id: string } };
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(body)}`);
    return body.task.id;
  };
  const detail = async (taskId: string) =>
    (await call(pool, 'GET', `/api/tasks/${taskId}`, { token: adminToken })).body;
  const ended = (taskId: string, timeoutMs = 90_000) =>
    waitFor(
      `task ${taskId} to end`,
      async () => {
        const task = await detail(taskId);
        return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(task.status) ? task : undefined;
      },
      timeoutMs,
    );
  const logsOf = async (taskId: string) =>
    (await call(pool, 'GET', `/api/tasks/${taskId}/logs`, { token: adminToken })).body.chunks as {
      stream: string;
      data: string;
      attempt_id: string;
    }[];
  const logText = async (taskId: string) => (await logsOf(taskId)).map((c) => c.data).join('');
  const results = async (taskId: string) => {
    const res = await fetch(`${pool.http}/api/tasks/${taskId}/results`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(200);
    return readZip(Buffer.from(await res.arrayBuffer()));
  };
  const runningAttempt = (taskId: string) =>
    waitFor(`task ${taskId} to run`, async () => {
      const task = await detail(taskId);
      return task.shards[0]?.attempts.find((a: { state: string }) => a.state === 'RUNNING');
    });

  beforeAll(async () => {
    pool = await startTestNodePool({ ...ADMIN, HEARTBEAT_TIMEOUT_S: '6', SIGNUP_GRANT_CPT: '100000' });
    adminToken = await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    owner = await newUser(pool, 'owner');
    user = await newUser(pool, 'submitter');
  });

  afterAll(async () => {
    for (const w of workers) await w.kill('SIGTERM');
    for (const c of await containersOf('hivemind.node')) {
      if (c.Labels['hivemind.node']?.startsWith('wt-'))
        await docker.getContainer(c.Id).remove({ force: true });
    }
    await pool?.close();
    removeTree(scratch);
  });

  it.each([0, -1, 0.001, 5000])('refuses storage_gb %p with a 400 naming it', async (storage) => {
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { name: 'no-quota', image: BUSYBOX_IMAGE, command: ['true'], storage_gb: storage },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/storage_gb must be at (least 0\.01|most 4096)/);
  });

  describeDocker('with Docker', () => {
    let w1: WorkerProcess;

    beforeAll(async () => {
      if (!(await imageExists(docker, BUSYBOX_IMAGE))) await buildBusyboxImage(docker);
      if (!(await imageExists(docker, RUNTIME_IMAGE))) await buildDebianRuntimeImage(docker);
      w1 = worker('wt-docker-1', { DOCKER_ENABLED: 'true' });
      await w1.start();
    }, 600_000);

    it('runs a zip task in the default runtime image: shard variables, logs and outputs come back', async () => {
      const zip = await makeZip({
        'main.py': [
          'import os, json',
          'i = os.environ["HIVEMIND_SHARD_INDEX"]',
          'params = json.loads(os.environ["HIVEMIND_SHARD_PARAMS"])',
          "print(f\"hello from shard {i} of {os.environ['HIVEMIND_SHARD_COUNT']}, seed {params['seed']}\", flush=True)",
          'open(f"/workspace/output/result-{i}.txt", "w").write(str(params["seed"] * 2))',
        ].join('\n'),
      });
      const taskId = await submit(
        { name: 'zip-task', shards: 2, split: 'simulation', split_params: { seed: 5 } },
        zip,
      );
      const task = await ended(taskId);
      expect(task.status).toBe('COMPLETED');
      expect(task.progress).toBe(100);
      const text = await logText(taskId);
      expect(text).toContain('hello from shard 0 of 2, seed 5');
      expect(text).toContain('hello from shard 1 of 2, seed 6');
      expect(await results(taskId)).toMatchObject({
        'shard-000/result-0.txt': '10',
        'shard-001/result-1.txt': '12',
      });
      expect(await containersOf(`hivemind.task=${taskId}`)).toEqual([]);
    });

    it('runs an image task as the unprivileged user with both output streams', async () => {
      const taskId = await submit({
        name: 'image-task',
        image: BUSYBOX_IMAGE,
        command: [
          'sh',
          '-c',
          'echo "uid=$(id -u)"; echo to-stderr >&2; echo 42 > /workspace/output/answer.txt',
        ],
      });
      const task = await ended(taskId);
      expect(task.status).toBe('COMPLETED');
      const chunks = await logsOf(taskId);
      expect(
        chunks
          .filter((c) => c.stream === 'stdout')
          .map((c) => c.data)
          .join(''),
      ).toContain('uid=1000');
      expect(
        chunks
          .filter((c) => c.stream === 'stderr')
          .map((c) => c.data)
          .join(''),
      ).toContain('to-stderr');
      expect(await results(taskId)).toEqual({ 'shard-000/answer.txt': '42\n' });
      const attempt = task.shards[0].attempts[0];
      expect(attempt).toMatchObject({ state: 'COMPLETED', exit_code: 0, oom_killed: false });
      // the local status API: the seed's fields, trust as the pool's heartbeat answers tell it
      await w1.until((s) => s.trust_group === 'normal', 10_000, 'told its trust group');
      expect(await w1.status()).toMatchObject({
        node_id: w1.name,
        is_registered: true,
        docker_available: true,
        executor: 'docker',
        trust_score: expect.any(Number),
        total_resources: { cpu_cores: expect.any(Number), memory_gb: expect.any(Number) },
      });
      expect((await w1.http('GET', '/health')).status).toBe(200);
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
    });

    it('reports a task that exceeds its memory as OOM-killed', async () => {
      const taskId = await submit({
        name: 'oom',
        image: RUNTIME_IMAGE,
        memory_gb: 0.0625,
        command: ['python3', '-c', 'x = [bytearray(1 << 20) for _ in range(512)]; print("survived")'],
      });
      const task = await ended(taskId);
      expect(task.status).toBe('FAILED');
      expect(task.shards[0].attempts[0]).toMatchObject({ oom_killed: true });
      expect(await logText(taskId)).not.toContain('survived');
    });

    it('gives a task no network: nothing is reachable, not even the host', async () => {
      const taskId = await submit({
        name: 'no-network',
        image: BUSYBOX_IMAGE,
        command: [
          'sh',
          '-c',
          `ls /sys/class/net; wget -q -T 3 -O /dev/null ${pool.http}/health; echo "wget exit $?"; wget -q -T 3 -O /dev/null http://1.1.1.1/; echo "wget exit $?"`,
        ],
      });
      const task = await ended(taskId);
      expect(task.status).toBe('COMPLETED');
      const text = await logText(taskId);
      expect(text.split('\n').filter((l) => /^[a-z0-9]+$/.test(l))).toEqual(['lo']);
      expect(text).not.toContain('wget exit 0');
      expect(text.match(/wget exit [1-9]/g)).toHaveLength(2);
    });

    it('contains a fork bomb with the pids limit and stops it at its timeout', async () => {
      const taskId = await submit({
        name: 'fork-bomb',
        image: RUNTIME_IMAGE,
        timeout_s: 8,
        // every process forks forever and shrugs off the failures: the population stays at the limit
        command: [
          'python3',
          '-c',
          'import os, time\nwhile True:\n  try: os.fork()\n  except OSError: time.sleep(0.01)',
        ],
      });
      const attempt = await runningAttempt(taskId);
      const [container] = await waitFor('the container', async () => {
        const list = await containersOf(`hivemind.attempt=${attempt.id}`);
        return list.length ? list : undefined;
      });
      let peak = 0;
      for (let i = 0; i < 5; i++) {
        const stats = (await docker.getContainer(container.Id).stats({ stream: false })) as {
          pids_stats?: { current?: number };
        };
        peak = Math.max(peak, stats.pids_stats?.current ?? 0);
        // the host can still start processes
        expect(spawnSync('true').status).toBe(0);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(peak).toBeGreaterThan(PIDS_LIMIT / 2);
      expect(peak).toBeLessThanOrEqual(PIDS_LIMIT);
      const task = await ended(taskId);
      expect(task.status).toBe('FAILED');
      expect(task.shards[0].attempts[0].error).toMatch(/timed out after 8 s/);
      await waitFor('the container to be removed', async () =>
        (await containersOf(`hivemind.attempt=${attempt.id}`)).length === 0 ? true : undefined,
      );
    });

    it('stops a task past its timeout', async () => {
      const started = Date.now();
      const taskId = await submit({
        name: 'slow',
        image: BUSYBOX_IMAGE,
        timeout_s: 3,
        command: ['sleep', '600'],
      });
      const task = await ended(taskId);
      expect(task.status).toBe('FAILED');
      expect(task.shards[0].attempts[0]).toMatchObject({ state: 'FAILED', failure_cause: 'task' });
      expect(task.shards[0].attempts[0].error).toMatch(/timed out after 3 s/);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await logText(taskId)).toContain('timed out after 3 s');
    });

    it.each([
      [
        'a ../ entry',
        () =>
          craftZip([
            { name: '../escaped.txt', data: 'gotcha' },
            { name: 'main.py', data: 'print(1)' },
          ]),
      ],
      ['an absolute path', () => craftZip([{ name: '/tmp/escaped.txt', data: 'gotcha' }])],
      [
        'a zip bomb',
        () => craftZip([{ name: 'zeros.bin', data: Buffer.alloc(64 * 1024 * 1024), deflate: true }]),
      ],
    ])('refuses an input zip with %s without writing outside the workspace', async (_what, make) => {
      const taskId = await submit({ name: 'hostile-zip' }, make());
      const task = await ended(taskId);
      expect(task.status).toBe('FAILED');
      expect(task.shards[0].attempts[0]).toMatchObject({ failure_cause: 'task' });
      expect(task.shards[0].attempts[0].error).toMatch(/input refused/);
      expect(await logText(taskId)).toMatch(/input refused/);
      expect(existsSync(join(w1.attemptsDir(), '..', 'escaped.txt'))).toBe(false);
      expect(existsSync(join(w1.attemptsDir(), 'escaped.txt'))).toBe(false);
      expect(existsSync('/tmp/escaped.txt')).toBe(false);
    });

    itWithLoop(
      'holds a task with storage_gb 0.1 to its 102 MB of the host disk; it fails with the quota message, not retried',
      async () => {
        expect((await w1.status())?.storage_quota).toBe(QUOTA_MODE);
        const taskId = await submit({
          name: 'quota',
          image: BUSYBOX_IMAGE,
          storage_gb: 0.1,
          command: [
            'sh',
            '-c',
            // /tmp is a 64 MB tmpfs counted in the container's memory (it never reaches the disk)
            `head -c ${100 * MIB} /dev/zero > /tmp/big; echo "tmp holds $(wc -c < /tmp/big)"; rm /tmp/big\n${fourBigFiles(['$HIVEMIND_OUTPUT_DIR', '$HIVEMIND_WORKSPACE'])}`,
          ],
        });

        const peak = await peakDiskUse(w1.attemptsDir(), ended(taskId));

        const task = await ended(taskId);
        expect(task.status).toBe('FAILED');
        expect(task.shards[0].attempts).toHaveLength(1); // the task's fault: it would do it again
        expect(task.shards[0].attempts[0]).toMatchObject({
          failure_cause: 'task',
          error: quotaMessage(QUOTA_MB),
        });
        const text = await logText(taskId);
        expect(text).toMatch(/No space left on device/); // the task's own error
        expect(text).toContain(`tmp holds ${64 * MIB}`);
        expect(peak).toBeGreaterThan(80 * MIB); // it did write, and the sampler saw it
        // the image (exactly the quota) plus the attempt's log spool
        expect(peak).toBeLessThanOrEqual((QUOTA_MB + 1) * MIB);
        expect(diskUse(w1.attemptsDir())).toBeLessThan(MIB); // all gone once reported
      },
    );

    itWithLoop(
      "refuses an input that fits storage_gb on paper but not in its file system, as the task's fault",
      async () => {
        // 9.9 MiB of files for a 10 MB quota: under the limit as declared, over what the file system
        // holds once its own bookkeeping is taken
        const zip = craftZip([
          { name: 'main.py', data: 'print("never runs")' },
          { name: 'data.bin', data: randomBytes(Math.round(9.9 * MIB)) },
        ]);
        const taskId = await submit({ name: 'quota-input', storage_gb: 0.01 }, zip);

        const task = await ended(taskId);

        expect(task.status).toBe('FAILED');
        expect(task.shards[0].attempts).toHaveLength(1);
        expect(task.shards[0].attempts[0]).toMatchObject({
          failure_cause: 'task',
          error: "input refused: the input does not fit in the task's storage_gb (10 MB)",
        });
        expect(await logText(taskId)).not.toContain('never runs');
      },
    );

    itWithLoop(
      'keeps a workspace mounted across a worker crash: what the task writes after it comes back',
      async () => {
        const taskId = await submit({
          name: 'quota-restart',
          image: BUSYBOX_IMAGE,
          storage_gb: 0.05,
          command: [
            'sh',
            '-c',
            'echo before > "$HIVEMIND_OUTPUT_DIR/a"; echo started; sleep 4; echo after > "$HIVEMIND_OUTPUT_DIR/b"',
          ],
        });
        await waitFor('the task to start', async () => (await logText(taskId)).includes('started'));
        await w1.kill('SIGKILL');
        expect(mountsUnder(w1.attemptsDir())).toHaveLength(1); // a mount outlives the worker's process

        await w1.start();

        const task = await ended(taskId);
        expect(task.status).toBe('COMPLETED');
        expect(task.shards[0].attempts).toHaveLength(1);
        expect(await results(taskId)).toEqual({ 'shard-000/a': 'before\n', 'shard-000/b': 'after\n' });
        await waitFor('the workspace to be unmounted', () =>
          Promise.resolve(mountsUnder(w1.attemptsDir()).length === 0 ? true : undefined),
        );
      },
    );

    it('fails a task whose image is missing with a clear message, not a hang', async () => {
      const taskId = await submit({ name: 'no-image', image: 'hivemind/not-there:1', command: ['true'] });
      const task = await ended(taskId, 60_000);
      expect(task.status).toBe('FAILED');
      expect(task.shards[0].attempts[0].error).toMatch(/image hivemind\/not-there:1 is not on this node/);
    });

    it('stops the container within 5 s when the task is cancelled', async () => {
      const taskId = await submit({ name: 'cancel-me', image: BUSYBOX_IMAGE, command: ['sleep', '600'] });
      const attempt = await runningAttempt(taskId);
      await waitFor(
        'the container',
        async () => (await containersOf(`hivemind.attempt=${attempt.id}`)).length > 0,
      );
      const cancelled = Date.now();
      expect((await call(pool, 'POST', `/api/tasks/${taskId}/cancel`, { token: user.token })).status).toBe(
        200,
      );
      await waitFor(
        'the container to go',
        async () => (await containersOf(`hivemind.attempt=${attempt.id}`)).length === 0,
        5_000,
      );
      expect(Date.now() - cancelled).toBeLessThan(5_000);
      await waitFor('the worker to forget it', async () => (await w1.status())?.running_tasks === 0, 5_000);
    });

    it('lets the operator stop a task locally; the pool runs it again', async () => {
      const taskId = await submit({
        name: 'operator-stop',
        image: BUSYBOX_IMAGE,
        command: [
          'sh',
          '-c',
          'if [ "$HIVEMIND_ATTEMPT_NUMBER" = 1 ]; then sleep 600; fi; echo "attempt $HIVEMIND_ATTEMPT_NUMBER"',
        ],
      });
      await runningAttempt(taskId);
      const tasks = (await w1.api('GET', '/api/tasks')).body as { tasks: { task_id: string }[] };
      expect(tasks.tasks.map((t) => t.task_id)).toContain(taskId);
      // the operator's stop needs a console session
      expect((await w1.http('POST', `/api/stop_task/${taskId}`, { body: {} })).status).toBe(401);
      expect((await w1.api('POST', `/api/stop_task/${taskId}`)).status).toBe(200);
      expect((await w1.api('POST', '/api/stop_task/no-such-task')).status).toBe(404);
      const task = await ended(taskId);
      expect(task.status).toBe('COMPLETED');
      expect(task.shards[0].attempts.map((a: { state: string }) => a.state)).toEqual(['FAILED', 'COMPLETED']);
      expect(await logText(taskId)).toContain('attempt 2');
    });

    it('takes a running container back after a quick restart: no line lost or stored twice', async () => {
      const taskId = await submit({
        name: 'reattach',
        image: BUSYBOX_IMAGE,
        command: ['sh', '-c', 'for i in $(seq 1 16); do echo "line $i"; sleep 0.5; done'],
      });
      await waitFor('a few lines', async () => (await logText(taskId)).includes('line 3'));
      await w1.kill('SIGKILL');
      await w1.start();
      const task = await ended(taskId);
      expect(task.status).toBe('COMPLETED');
      expect(task.shards[0].attempts).toHaveLength(1);
      const lines = (await logText(taskId)).split('\n').filter((l) => l.startsWith('line '));
      expect(lines).toEqual(Array.from({ length: 16 }, (_, i) => `line ${i + 1}`));
    });

    it('keeps running work while the pool is away and reconnects when it is back', async () => {
      const taskId = await submit({
        name: 'pool-away',
        image: BUSYBOX_IMAGE,
        command: [
          'sh',
          '-c',
          'for i in $(seq 1 14); do echo "tick $i"; sleep 0.5; done; echo 7 > /workspace/output/seven.txt',
        ],
      });
      await waitFor('a few ticks', async () => (await logText(taskId)).includes('tick 2'));
      await pool.restart(3000);
      await w1.until((s) => s.connected, 30_000, 'connected again');
      const task = await ended(taskId);
      expect(task.status).toBe('COMPLETED');
      expect(task.shards[0].attempts).toHaveLength(1);
      const ticks = (await logText(taskId)).split('\n').filter((l) => l.startsWith('tick '));
      expect(ticks).toEqual(Array.from({ length: 14 }, (_, i) => `tick ${i + 1}`));
      expect(await results(taskId)).toEqual({ 'shard-000/seven.txt': '7\n' });
      expect(w1.tail(400)).toMatch(/push stream closed|node pool .*try/);
    });

    it('re-runs the shard elsewhere when the worker is killed, and a restart leaves no container behind', async () => {
      const taskId = await submit({
        name: 'crash',
        image: BUSYBOX_IMAGE,
        command: [
          'sh',
          '-c',
          'if [ "$HIVEMIND_ATTEMPT_NUMBER" = 1 ]; then sleep 600; fi; echo "done on attempt $HIVEMIND_ATTEMPT_NUMBER"',
        ],
      });
      const first = await runningAttempt(taskId);
      expect(first.node_name).toBe(w1.name);
      await w1.kill('SIGKILL');
      const w2 = worker('wt-docker-2', { DOCKER_ENABLED: 'true' });
      await w2.start();
      const task = await ended(taskId);
      expect(task.status).toBe('COMPLETED');
      expect(
        task.shards[0].attempts.map((a: { state: string; node_name: string }) => [a.state, a.node_name]),
      ).toEqual([
        ['LOST', w1.name],
        ['COMPLETED', w2.name],
      ]);
      expect(await logText(taskId)).toContain('done on attempt 2');
      // the crashed worker's container still runs until its worker comes back
      expect(await containersOf(`hivemind.attempt=${first.id}`)).toHaveLength(1);
      await w1.start();
      await waitFor(
        'no container of the crashed worker',
        async () => (await containersOf(`hivemind.node=${w1.name}`)).length === 0,
      );
      await waitFor('its attempt folder gone', () =>
        Promise.resolve(readdirSync(w1.attemptsDir()).length === 0),
      );
      const after = await detail(taskId);
      expect(after.shards[0].attempts).toHaveLength(2);
      await w2.kill('SIGTERM');
    });
  });

  describe('without Docker', () => {
    it('registers as docker disabled (low trust) and runs a task with the process executor', async () => {
      const proc = worker('wt-process-1', { DOCKER_ENABLED: 'false' });
      await proc.start();
      expect((await proc.status())?.executor).toBe('process');
      await proc.until((s) => s.trust_group === 'low', 10_000, 'told it is in the low trust group');
      const nodes = (await call(pool, 'GET', '/api/nodes', { token: adminToken })).body;
      const node = (nodes.items ?? nodes).find((n: { name: string }) => n.name === proc.name);
      expect(node).toMatchObject({ docker_status: 'disabled', trust_group: 'low' });

      // non-Docker nodes only take tasks of users trusted above 50; dispatching to a node is for admins
      const me = (await call(pool, 'GET', '/api/me', { token: adminToken })).body;
      const trusted = await call(pool, 'PATCH', `/api/admin/users/${me.id ?? me.user?.id}`, {
        token: adminToken,
        body: { trust_score: 100 },
      });
      expect(trusted.status).toBe(200);
      const zip = await makeZip({
        'run.sh':
          'echo "running as $(id -u) in $PWD"; echo "shard $HIVEMIND_SHARD_INDEX" > "$HIVEMIND_OUTPUT_DIR/out.txt"',
      });
      const taskId = await submit({ name: 'process-task', target_node: proc.name }, zip, adminToken);
      const task = await ended(taskId);
      expect(task.status).toBe('COMPLETED');
      expect(task.shards[0].attempts[0].node_name).toBe(proc.name);
      expect(await logText(taskId)).toMatch(/running as \d+ in .*input/);
      expect(await results(taskId)).toEqual({ 'shard-000/out.txt': 'shard 0\n' });
      await proc.kill('SIGTERM');
    });

    it('reports a result digest the pool recomputes from the uploaded output', async () => {
      const digests = watchResultDigests(pool);
      const proc = worker('wt-process-digest', { DOCKER_ENABLED: 'false' });
      await proc.start();
      const me = (await call(pool, 'GET', '/api/me', { token: adminToken })).body;
      await call(pool, 'PATCH', `/api/admin/users/${me.id ?? me.user?.id}`, {
        token: adminToken,
        body: { trust_score: 100 },
      });
      const run = async (script: string) => {
        const taskId = await submit(
          { name: 'digest', target_node: proc.name, max_attempts: 1 },
          await makeZip({ 'run.sh': script }),
          adminToken,
        );
        const attempt = (await ended(taskId)).shards[0].attempts[0];
        const reported = digests.reported.get(attempt.id);
        return { attempt, reported, recomputed: await digests.recomputed(attempt.id, attempt.exit_code) };
      };
      const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

      // files in folders, a link (left out of the zip, so out of the digest), an empty folder
      const out = await run(
        [
          'cd "$HIVEMIND_OUTPUT_DIR"',
          'mkdir -p b/deeper empty',
          'printf one > b/deeper/1.txt',
          'printf two > a.txt',
          'ln -s /etc/passwd passwd',
        ].join('; '),
      );
      expect(out.attempt).toMatchObject({ state: 'COMPLETED', exit_code: 0 });
      expect(out.reported?.resultDigest).toBe(
        sha256(
          canonicalResultText(0, [
            { path: 'a.txt', sha256: sha256('two') },
            { path: 'b/deeper/1.txt', sha256: sha256('one') },
          ]),
        ),
      );
      expect(out.recomputed).toBe(out.reported?.resultDigest);

      // no output, a failure: the digest of no entries with its exit code
      const none = await run('exit 3');
      expect(none.attempt).toMatchObject({ state: 'FAILED', exit_code: 3 });
      expect(none.reported?.resultDigest).toBe(sha256('hivemind-result v1\nexit 3\n'));
      expect(none.recomputed).toBe(none.reported?.resultDigest);
      await proc.kill('SIGTERM');
    });

    it.each(
      (
        [
          // /tmp, /var/tmp and /dev/shm are the workspace's own .tmp for the task: they count too
          ['loop', 'wt-process-quota', ['$HIVEMIND_OUTPUT_DIR', '/tmp', '/var/tmp', '/dev/shm']],
          ['accounting', 'wt-process-accounting', ['$HIVEMIND_OUTPUT_DIR']],
        ] as [string, string, string[]][]
      ).filter(([mode]) => mode === 'accounting' || QUOTA_MODE === 'loop'),
    )(
      'holds a task with storage_gb 0.1 to its quota in the process executor (%s)',
      async (mode, name, targets) => {
        const proc = worker(name, { DOCKER_ENABLED: 'false', STORAGE_QUOTA_MODE: mode });
        await proc.start();
        expect(await proc.status()).toMatchObject({ executor: 'process', storage_quota: mode });
        const me = (await call(pool, 'GET', '/api/me', { token: adminToken })).body;
        await call(pool, 'PATCH', `/api/admin/users/${me.id ?? me.user?.id}`, {
          token: adminToken,
          body: { trust_score: 100 },
        });
        // accounting walks the workspace every 250 ms: written at ~50 MB/s, the task passes the quota
        // by what it writes until the next walk
        const script =
          mode === 'loop'
            ? fourBigFiles(targets)
            : `for i in $(seq 1 36); do head -c ${10 * 1000 * 1000} /dev/zero > "${targets[0]}/part-$i"; sleep 0.2; done`;
        const taskId = await submit(
          { name: `quota-${mode}`, target_node: proc.name, storage_gb: 0.1 },
          await makeZip({ 'run.sh': script }),
          adminToken,
        );

        const peak = await peakDiskUse(proc.attemptsDir(), ended(taskId));

        const task = await ended(taskId);
        expect(task.status).toBe('FAILED');
        expect(task.shards[0].attempts).toHaveLength(1);
        expect(task.shards[0].attempts[0]).toMatchObject({
          node_name: proc.name,
          failure_cause: 'task',
          error: expect.stringMatching(QUOTA_ERROR),
        });
        expect(['/tmp', '/var/tmp', '/dev/shm'].filter((d) => existsSync(`${d}/big-2`))).toEqual([]);
        expect(peak).toBeGreaterThan(80 * MIB);
        expect(peak).toBeLessThanOrEqual((QUOTA_MB + (mode === 'loop' ? 1 : 32)) * MIB);
        await proc.kill('SIGTERM');
      },
    );
  });
});
