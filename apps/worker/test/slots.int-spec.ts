/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the tests read the REST API's JSON loosely */
// The pool and the worker agree on slots: the real worker (MAX_CONCURRENT_TASKS=2) against a real
// node pool and Docker engine never has more than two containers, also while the pool cancels
// attempts whose containers are still being killed, and never says it was pushed beyond its limit.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, buildBusyboxImage, imageExists } from '@hivemind/local-stack';
import { removeTree, stackInfo, waitFor } from '@hivemind/testing';
import { call, newUser, type TestUser } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { WorkerProcess } from './support/worker-process';

const NODE = 'wt-slots-1';
const MAX = 2;
const docker = new Docker();
const describeDocker = stackInfo().docker ? describe : describe.skip;

/** How many of the node's containers exist at once, from the engine's own create / destroy events. */
class ContainerCount {
  current = 0;
  peak = 0;
  private stream?: NodeJS.ReadableStream & { destroy(): void };

  async open(): Promise<void> {
    this.stream = (await docker.getEvents({
      filters: { type: ['container'], event: ['create', 'destroy'], label: [`hivemind.node=${NODE}`] },
    })) as NodeJS.ReadableStream & { destroy(): void };
    let rest = '';
    this.stream.on('data', (chunk: Buffer) => {
      rest += chunk.toString();
      let newline: number;
      while ((newline = rest.indexOf('\n')) >= 0) {
        const event = JSON.parse(rest.slice(0, newline)) as { Action?: string };
        rest = rest.slice(newline + 1);
        if (event.Action === 'create') this.current += 1;
        if (event.Action === 'destroy') this.current -= 1;
        this.peak = Math.max(this.peak, this.current);
      }
    });
  }

  close(): void {
    this.stream?.destroy();
  }
}

describeDocker('slots: the pool and the worker agree', () => {
  let pool: TestNodePool;
  let user: TestUser;
  let adminToken: string;
  let worker: WorkerProcess;
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-slots-'));
  const count = new ContainerCount();

  const submit = async (name: string, command: string[]) => {
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      // one owner's worker forms no quorum: slots are under test here, not validation
      body: {
        name,
        image: BUSYBOX_IMAGE,
        command,
        cpu_cores: 0.25,
        memory_gb: 0.25,
        timeout_s: 120,
        validation: 'none',
      },
    });
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.task.id as string;
  };
  const detail = async (taskId: string) =>
    (await call(pool, 'GET', `/api/tasks/${taskId}`, { token: adminToken })).body;

  beforeAll(async () => {
    if (!(await imageExists(docker, BUSYBOX_IMAGE))) await buildBusyboxImage(docker);
    const admin = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };
    pool = await startTestNodePool({ ...admin, SIGNUP_GRANT_CPT: '100000' });
    adminToken = (
      await call(pool, 'POST', '/api/auth/login', {
        body: { username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD },
      })
    ).body.access_token;
    const owner = await newUser(pool, 'slot-owner');
    user = await newUser(pool, 'slot-user');
    await count.open();
    worker = new WorkerProcess(NODE, join(scratch, NODE), {
      NODE_POOL_ADDRESS: pool.grpc,
      HIVEMIND_USERNAME: owner.username,
      HIVEMIND_PASSWORD: owner.password,
      DOCKER_ENABLED: 'true',
      MAX_CONCURRENT_TASKS: String(MAX),
      RECONNECT_MAX_S: '2',
    });
    await worker.start();
  }, 600_000);

  afterAll(async () => {
    count.close();
    await worker?.kill('SIGTERM');
    for (const c of await docker.listContainers({ all: true, filters: { label: [`hivemind.node=${NODE}`] } }))
      await docker.getContainer(c.Id).remove({ force: true });
    await pool?.close();
    removeTree(scratch);
  });

  it('never runs more than MAX_CONCURRENT_TASKS containers, also while cancelled ones are being killed', async () => {
    // sleepers ignore SIGTERM (PID 1 without a handler): each cancelled one takes its 2 s of grace to
    // die, while the pool has already freed its slot and pushes the next attempt
    const sleepers = await Promise.all([0, 1, 2, 3].map((i) => submit(`sleeper-${i}`, ['sleep', '600'])));
    const quick = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => submit(`quick-${i}`, ['true'])));
    for (const taskId of sleepers) {
      await waitFor(
        `sleeper ${taskId} to run`,
        async () =>
          (await detail(taskId)).shards[0]?.attempts.some((a: { state: string }) => a.state === 'RUNNING'),
        90_000,
      );
      const res = await call(pool, 'POST', `/api/tasks/${taskId}/cancel`, { token: user.token });
      expect(res.status).toBe(200);
    }
    for (const taskId of quick) {
      const task = await waitFor(
        `task ${taskId} to end`,
        async () => {
          const t = await detail(taskId);
          return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(t.status) ? t : undefined;
        },
        90_000,
      );
      expect(task.status).toBe('COMPLETED');
    }
    await waitFor('every container gone', () => Promise.resolve(count.current === 0), 30_000);
    await waitFor(
      'the worker to hold nothing',
      async () => (await worker.status())?.running_tasks === 0,
      30_000,
    );
    expect(count.peak).toBeGreaterThan(0);
    expect(count.peak).toBeLessThanOrEqual(MAX);
    const log = readFileSync(worker.logFile, 'utf8');
    expect(log).not.toContain('beyond MAX_CONCURRENT_TASKS');
    // each cancelled attempt was told to stop once, and its end did not draw more stops
    for (const taskId of sleepers) {
      const [attempt] = (await detail(taskId)).shards[0].attempts;
      expect(attempt.state).toBe('CANCELLED');
      expect(log.split(`attempt ${attempt.id}: stop (`).length - 1).toBe(1);
    }
  });
});
