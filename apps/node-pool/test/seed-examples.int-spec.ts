// The node-pool seed's "API Usage Examples", run as written (fixtures/seed-examples, verbatim) with
// Python gRPC against a real pool; then what they rely on: the caller's task_id as a client
// reference, scoped to its user, and "Any" as no constraint.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { DataSource } from 'typeorm';
import { waitFor } from '@hivemind/testing';
import { PasswordHasher } from '../src/accounts/password-hasher';
import { GrpcCaller } from './support/grpc-call';
import { call, loginAs, newUser, type TestUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';
import { makeZip, readZip } from './support/zip';

const PYTHON = '/usr/bin/python3';
const EXAMPLES = join(__dirname, 'fixtures', 'seed-examples');
const PROTO_DIR = join(__dirname, '..', '..', '..', 'libs', 'contracts', 'proto');
/** The seed's account: its password predates (and fails) the sign-up policy, which login does not apply. */
const SEED_USER = { username: 'user123', password: 'password123' };

const bearer = (token: string) => {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
};

/** The examples' session: a line-by-line conversation with run_examples.py. */
class ExampleRun {
  readonly output: string[] = [];
  private readonly lines: string[] = [];
  private wake?: () => void;
  private exit?: number | null;
  readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => this.push(line));
    createInterface({ input: child.stderr }).on('line', (line) => this.push(`stderr: ${line}`));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.exit = code;
        this.wake?.();
        resolve(code);
      }),
    );
  }

  private push(line: string): void {
    this.output.push(line);
    this.lines.push(line);
    this.wake?.();
  }

  /** The next line starting with `prefix` (the rest of it); fails with the output when the run ends first. */
  async next(prefix: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.lines.findIndex((l) => l.startsWith(prefix));
      if (at >= 0) return this.lines.splice(0, at + 1)[at].slice(prefix.length);
      if (this.exit !== undefined || Date.now() > deadline)
        throw new Error(`no "${prefix}" line (exit ${this.exit}):\n${this.output.join('\n')}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  }

  proceed(): void {
    this.child.stdin.write('\n');
  }

  stop(): void {
    if (this.exit === undefined) this.child.kill();
  }
}

describe('the node-pool seed’s API usage examples', () => {
  let pool: TestNodePool;
  let db: DataSource;
  let rpc: GrpcCaller;
  let seedUser: TestUser;
  const workers: SimWorker[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-seed-examples-'));

  beforeAll(async () => {
    pool = await startTestNodePool({
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'amber-quartz-lantern-58',
      // the example's node registers and is then kept by the test's simulated worker
      HEARTBEAT_TIMEOUT_S: '3600',
      SIGNUP_GRANT_CPT: '100000',
    });
    db = pool.app.get(DataSource);
    rpc = new GrpcCaller(pool.grpc);
    const user = await newUser(pool, 'seed');
    const hash = await pool.app.get(PasswordHasher).hash(SEED_USER.password);
    await db.query(`UPDATE users SET username = $2, password_hash = $3 WHERE id = $1`, [
      user.id,
      SEED_USER.username,
      hash,
    ]);
    const token = await loginAs(pool, SEED_USER.username, SEED_USER.password);
    seedUser = { ...user, ...SEED_USER, token };
  });
  afterAll(async () => {
    for (const w of workers) w.close();
    rpc?.close();
    await pool?.close();
  });

  it('run as written: the node registers, the user logs in, the task uploads, is polled by its task_id, reports running and completes', async () => {
    // the client, generated from the project's proto by the seed's toolchain (grpc_tools.protoc)
    const generated = join(scratch, 'generated');
    spawnSync('mkdir', ['-p', generated]);
    const protoc = spawnSync(PYTHON, [
      '-m',
      'grpc_tools.protoc',
      `-I${PROTO_DIR}`,
      `--python_out=${generated}`,
      `--grpc_python_out=${generated}`,
      join(PROTO_DIR, 'nodepool.proto'),
    ]);
    expect({ status: protoc.status, stderr: protoc.stderr?.toString() }).toEqual({ status: 0, stderr: '' });
    // the examples' folder: them, the harness, and the task.zip the upload example reads
    const run = join(scratch, 'run');
    spawnSync('mkdir', ['-p', run]);
    for (const file of readdirSync(EXAMPLES)) copyFileSync(join(EXAMPLES, file), join(run, file));
    const taskZip = await makeZip({ 'run.sh': 'echo "hello from task-001"\n' });
    writeFileSync(join(run, 'task.zip'), taskZip);
    for (const file of readdirSync(EXAMPLES).filter((f) => /^\d.*\.py$/.test(f))) {
      expect(readFileSync(join(run, file))).toEqual(readFileSync(join(EXAMPLES, file)));
    }

    const examples = new ExampleRun(
      spawn(PYTHON, [join(run, 'run_examples.py'), pool.grpc], {
        cwd: run,
        env: { PATH: process.env.PATH, PYTHONPATH: generated, SEED_USER_TOKEN: seedUser.token },
      }),
    );
    try {
      // Node Registration Example: worker-001, owned by user123, with the example's figures
      const credential = await examples.next('@@node_credential ');
      await examples.next('@@done 1_node_registration.py');
      const [node] = await db.query<{ id: string; cpu_score: number; gpu_name: string }[]>(
        `SELECT id, cpu_score, gpu_name FROM nodes WHERE name = 'worker-001'`,
      );
      expect(node).toMatchObject({ cpu_score: 1000, gpu_name: 'RTX 4090' });
      // the machine behind worker-001: its push stream, with the credential the example got
      const worker = new SimWorker(pool.grpc, { name: 'worker-001' });
      workers.push(worker);
      worker.nodeId = node.id;
      worker.credential = credential;
      worker.connect();
      expect((await worker.heartbeat()).success).toBe(true);
      examples.proceed();

      await examples.next('@@done 2_user_login.py');
      examples.proceed();
      // Task Upload Example: "Any" is no constraint, so worker-001 (RTX 4090) fits and gets it
      await examples.next('@@done 3_task_upload.py');
      await worker
        .until((w) => w.executes().length === 1)
        .catch(async (error: Error) => {
          const task = await call(pool, 'GET', '/api/tasks/task-001', { token: seedUser.token });
          throw new Error(`${error.message}; the task: ${JSON.stringify(task.body)}`);
        });
      const execute = worker.executes()[0];
      const report = worker.report(execute);
      expect((await readZip((await report.download()).data))['run.sh']).toBe('echo "hello from task-001"\n');
      examples.proceed();

      // Worker Node Status Report Example: node_id and the user's task_id name the live attempt
      await examples.next('@@done 4_worker_status_report.py');
      examples.proceed();
      expect(await examples.exited).toBe(0);
      expect(examples.output.filter((l) => !l.startsWith('@@'))).toEqual([
        'Registration result: registered node worker-001',
        expect.stringMatching(/^Login successful, Token: \S+$/),
        'Account balance: 100000 CPT',
        expect.stringMatching(
          /^Task upload: task [0-9a-f-]{36} \(task-001\) queued: 1 shard\(s\), up to \d+ CPT held$/,
        ),
        expect.stringMatching(/^Task status: (QUEUED|RUNNING)$/),
        'Output: []',
        expect.stringMatching(/^Status report successful, CPT reward earned: \d+$/),
      ]);

      // the node finishes it; the user follows it by their own task_id
      const out = await report.upload(await makeZip({ 'stdout.txt': 'hello from task-001\n' }));
      expect(
        (await report.completed({ exitCode: 0, outputSha256: out.sha256, durationMs: 2000 })).success,
      ).toBe(true);
      await waitFor('task-001 to complete', async () => {
        const poll = await rpc.call(
          'MasterNodeService',
          'PollTaskStatus',
          { task_id: 'task-001' },
          bearer(seedUser.token),
        );
        return poll.ok && poll.response.status === 'COMPLETED';
      });
      const detail = await call(pool, 'GET', '/api/tasks/task-001', { token: seedUser.token });
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({
        id: execute.task_id,
        client_ref: 'task-001',
        status: 'COMPLETED',
        location: null,
        resources: { memory_gb: 4, cpu_score: 500, gpu_score: 1000, gpu_memory_gb: 4, gpu_name: null },
      });
      const result = await rpc.call(
        'MasterNodeService',
        'GetTaskResult',
        { task_id: 'task-001' },
        bearer(seedUser.token),
      );
      if (!result.ok || !result.response.success) throw new Error(`GetTaskResult: ${JSON.stringify(result)}`);
      expect(Object.values(await readZip(result.response.result_zip as Buffer))).toEqual([
        'hello from task-001\n',
      ]);
    } finally {
      examples.stop();
    }
  });
  describe('client references', () => {
    const upload = (token: string, fields: Record<string, unknown>) =>
      rpc.call(
        'MasterNodeService',
        'UploadTask',
        { image: 'alpine:3', timeout_s: 60, ...fields },
        bearer(token),
      );

    it('are the caller’s alone: another user’s task_id does not resolve, on any route', async () => {
      const owner = await newUser(pool, 'owner');
      const attacker = await newUser(pool, 'attacker');
      const mine = await upload(owner.token, { task_id: 'shared-name', gpu_name: 'any', location: ' ANY ' });
      expect(mine.ok && mine.response.success).toBe(true);
      for (const [method, path] of [
        ['GET', '/api/tasks/shared-name'],
        ['GET', '/api/tasks/shared-name/logs'],
        ['GET', '/api/tasks/shared-name/files'],
        ['GET', '/api/tasks/shared-name/results'],
        ['POST', '/api/tasks/shared-name/cancel'],
      ]) {
        expect({ path, status: (await call(pool, method, path, { token: attacker.token })).status }).toEqual({
          path,
          status: 404,
        });
      }
      for (const method of ['PollTaskStatus', 'GetTaskResult', 'GetTaskLogs', 'StopTask']) {
        const answer = await rpc.call(
          'MasterNodeService',
          method,
          { task_id: 'shared-name' },
          bearer(attacker.token),
        );
        expect({ method, answer: answer.ok && answer.response }).toMatchObject({
          method,
          answer: { success: false, message: 'no task shared-name' },
        });
      }
      // the attacker may use the same name for their own task: it is theirs, the owner's is untouched
      const theirs = await upload(attacker.token, { task_id: 'shared-name', name: 'other' });
      expect(theirs.ok && theirs.response.task_id).not.toBe(mine.ok && mine.response.task_id);
      const owned = await call(pool, 'GET', '/api/tasks/shared-name', { token: owner.token });
      expect(owned.body).toMatchObject({
        id: mine.ok && mine.response.task_id,
        location: null,
      });
      expect(owned.body.resources.gpu_name).toBeNull();
      expect(owned.body.wait_reason ?? '').not.toMatch(/Any/i);
      // the owner stops it by its name
      const stop = await rpc.call(
        'MasterNodeService',
        'StopTask',
        { task_id: 'shared-name' },
        bearer(owner.token),
      );
      expect(stop.ok && stop.response.success).toBe(true);
    });

    it('the same request again is the earlier task; another request with the reference is refused; bad ones are named', async () => {
      const user = await newUser(pool, 'retry');
      const first = await upload(user.token, { task_id: 'job-7', memory_gb: 1 });
      const again = await upload(user.token, { task_id: 'job-7', memory_gb: 1 });
      expect(first.ok && again.ok && again.response).toMatchObject({
        success: true,
        task_id: first.ok && first.response.task_id,
      });
      const other = await upload(user.token, { task_id: 'job-7', memory_gb: 2 });
      expect(other.ok && other.response).toMatchObject({
        success: false,
        message: expect.stringMatching(/client reference "job-7".*already names your task/),
      });
      const bad = await upload(user.token, { task_id: 'no spaces allowed' });
      expect(bad.ok && bad.response).toMatchObject({
        success: false,
        message: expect.stringMatching(/^task_id must be/),
      });
      const impostor = await upload(user.token, { task_id: 'job-8', user_id: 'user123' });
      expect(impostor.ok && impostor.response).toMatchObject({
        success: false,
        message: expect.stringMatching(/user_id/),
      });
      // REST: the same rules, 4xx naming client_ref
      const rest = (body: unknown) => call(pool, 'POST', '/api/tasks', { token: user.token, body });
      expect((await rest({ image: 'alpine:3', client_ref: 'a/b' })).status).toBe(400);
      expect((await rest({ image: 'alpine:3', client_ref: 'job-7' })).status).toBe(409);
      const created = await rest({ image: 'alpine:3', client_ref: 'rest-1', gpu_name: 'Any' });
      expect(created.status).toBe(201);
      expect((await rest({ image: 'alpine:3', client_ref: 'rest-1', gpu_name: 'Any' })).status).toBe(200);
      expect(created.body.task).toMatchObject({ client_ref: 'rest-1', resources: { gpu_name: null } });
      const [count] = await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM tasks WHERE user_id = $1`,
        [user.id],
      );
      expect(count.n).toBe(2);
    });
  });
});
