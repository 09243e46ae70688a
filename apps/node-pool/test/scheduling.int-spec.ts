/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the tests read the REST API's JSON loosely */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import * as yauzl from 'yauzl';
import { PROBATION_RUN } from '@hivemind/contracts';
import { waitFor } from '@hivemind/testing';
import { NodeCapacityRepository } from '../src/nodes/node-capacity.repository';
import { QueueName } from '../src/queues/queue-names';
import { ReconcilerService } from '../src/scheduling/reconciler.service';
import { LedgerService } from '../src/ledger/ledger.service';
import { TaskEndWaiter } from '../src/tasks/task-end-waiter';
import { call, loginAs, newUser, type TestUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';
import { makeZip } from './support/zip';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };

function zipNames(buffer: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('not a zip'));
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names.sort()));
      zip.readEntry();
    });
  });
}

describe('nodes, tasks and trust-level scheduling', () => {
  let pool: TestNodePool;
  let db: DataSource;
  let adminToken: string;
  const workers: SimWorker[] = [];

  const sim = async (owner: TestUser, spec: ConstructorParameters<typeof SimWorker>[1], credit?: number) => {
    const w = new SimWorker(pool.grpc, spec);
    workers.push(w);
    await w.register(owner.token);
    // past probation (docs/validation.md): these nodes are under test for placement, not for trust
    await db.query(`UPDATE nodes SET valid_run = $2 WHERE id = $1`, [w.nodeId, PROBATION_RUN]);
    if (credit !== undefined)
      await db.query(`UPDATE nodes SET credit_score = $2 WHERE id = $1`, [w.nodeId, credit]);
    w.connect();
    await w.heartbeat();
    return w;
  };
  const setTrust = (user: TestUser, trust: number) =>
    call(pool, 'PATCH', `/api/admin/users/${user.id}`, { token: adminToken, body: { trust_score: trust } });
  const wallet = async (user: TestUser) =>
    (await call(pool, 'GET', '/api/wallet', { token: user.token })).body;

  beforeAll(async () => {
    pool = await startTestNodePool({
      ...ADMIN,
      HEARTBEAT_TIMEOUT_S: '3600',
      SIGNUP_GRANT_CPT: '5000',
      LOG_LEVEL: process.env.DEBUG_POOL ? 'debug' : 'warn',
    });
    db = pool.app.get(DataSource);
    adminToken = await loginAs(pool, 'root', ADMIN.ADMIN_PASSWORD);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) w.close();
    // each test starts with no node online and no open work
    await db.query(`UPDATE nodes SET status = 'offline'`);
    await db.query(`UPDATE attempts SET state = 'CANCELLED' WHERE state IN ('ASSIGNED', 'RUNNING')`);
    await db.query(`UPDATE shards SET state = 'CANCELLED' WHERE state IN ('QUEUED', 'ASSIGNED', 'RUNNING')`);
    await db.query(`UPDATE tasks SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING')`);
    // and node counters that match (the SQL above bypassed the life cycle)
    await pool.app.get(ReconcilerService).reconcile();
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('places a 3-shard task by trust group, runs it, keeps logs in order, serves outputs, and settles the money', async () => {
    const owner = await newUser(pool, 'owner');
    const user = await newUser(pool, 'submitter');
    const high = await sim(owner, { name: `high-${owner.id.slice(0, 6)}`, maxConcurrent: 2 }, 120);
    const normal = await sim(owner, { name: `normal-${owner.id.slice(0, 6)}`, maxConcurrent: 2 }, 60);
    const low = await sim(owner, { name: `low-${owner.id.slice(0, 6)}`, maxConcurrent: 4, docker: false });

    const zip = await makeZip({ 'main.py': 'print("hi")' });
    const form = new FormData();
    form.set(
      'spec',
      JSON.stringify({
        name: 'three',
        shards: 3,
        split: 'simulation',
        split_params: { seed: 7 },
        timeout_s: 600,
        validation: 'none',
      }),
    );
    form.set('input', new Blob([new Uint8Array(zip)]), 'job.zip');
    const submitted = await fetch(`${pool.http}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
      body: form,
    });
    const body = (await submitted.json()) as { task: { id: string; max_cost: number; shards_total: number } };
    expect(submitted.status).toBe(201);
    const taskId = body.task.id;
    expect(body.task.shards_total).toBe(3);
    expect((await wallet(user)).held).toBe(body.task.max_cost);

    // high first (2 slots), then normal; the low-trust node is not for a trust-50 user
    await high.until((w) => w.executes().length === 2);
    await normal.until((w) => w.executes().length === 1);
    expect(low.executes()).toHaveLength(0);
    const seeds = [...high.executes(), ...normal.executes()]
      .map((e) => JSON.parse(e.shard_params_json).seed)
      .sort();
    expect(seeds).toEqual([7, 8, 9]);

    for (const [w, e] of [
      ...high.executes().map((e) => [high, e] as const),
      ...normal.executes().map((e) => [normal, e] as const),
    ]) {
      const r = w.report(e);
      const input = await r.download();
      expect(input.sha256).toBe(input.declared);
      expect(input.data.equals(zip)).toBe(true);
      expect((await r.running()).success).toBe(true);
      for (let seq = 1; seq <= 3; seq++) {
        const ack = await r.log(seq, `shard ${e.shard_index} line ${seq}\n`);
        expect(ack.acked_seq).toBe(String(seq));
      }
      // a resent batch is stored once
      expect((await r.log(2, `shard ${e.shard_index} line 2\n`)).acked_seq).toBe('3');
      const out = await r.upload(await makeZip({ 'result.txt': `shard ${e.shard_index}` }));
      expect(out.success).toBe(true);
      const done = await r.completed({ exitCode: 0, outputSha256: out.sha256, durationMs: 120_000 });
      expect(done).toMatchObject({ success: true, message: expect.stringContaining('COMPLETED') });
    }

    const task = await waitFor('the task to complete', async () => {
      const res = await call(pool, 'GET', `/api/tasks/${taskId}`, { token: user.token });
      return res.body.status === 'COMPLETED' && res.body;
    });
    expect(task.progress).toBe(100);
    expect(
      task.shards.every(
        (s: { state: string; has_output: boolean }) => s.state === 'COMPLETED' && s.has_output,
      ),
    ).toBe(true);

    const logs = await call(pool, 'GET', `/api/tasks/${taskId}/logs?after=0`, { token: user.token });
    for (const index of [0, 1, 2]) {
      const lines = logs.body.chunks
        .filter((c: { shard_index: number }) => c.shard_index === index)
        .map((c: { data: string }) => c.data);
      expect(lines).toEqual([1, 2, 3].map((n) => `shard ${index} line ${n}\n`));
    }
    const tail = await call(pool, 'GET', `/api/tasks/${taskId}/logs?after=${logs.body.next_after}`, {
      token: user.token,
    });
    expect(tail.body.chunks).toEqual([]);

    const results = await fetch(`${pool.http}/api/tasks/${taskId}/results`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(results.status).toBe(200);
    expect(await zipNames(Buffer.from(await results.arrayBuffer()))).toEqual([
      'shard-000/result.txt',
      'shard-001/result.txt',
      'shard-002/result.txt',
    ]);
    // the task's files: its input and one output per shard, with the shard's index
    const taskFiles = await call(pool, 'GET', `/api/tasks/${taskId}/files`, { token: user.token });
    expect(taskFiles.status).toBe(200);
    expect(
      taskFiles.body.items.map((f: { kind: string; name: string; shard_index: number | null }) => [
        f.kind,
        f.shard_index,
        f.name,
      ]),
    ).toEqual(expect.arrayContaining([['input', null, 'job.zip']]));
    const outputs = taskFiles.body.items.filter((f: { kind: string }) => f.kind === 'output');
    expect(outputs.map((f: { shard_index: number }) => f.shard_index).sort()).toEqual([0, 1, 2]);
    expect(taskFiles.body.items[0]).toMatchObject({ task_id: taskId, size_bytes: zip.length });
    // the user's files, newest first and paged; an admin may name the user, nobody else may
    const mine = await call(pool, 'GET', '/api/files?limit=2', { token: user.token });
    expect(mine.body.items).toHaveLength(2);
    const rest = await call(pool, 'GET', `/api/files?cursor=${mine.body.next_cursor}`, { token: user.token });
    expect([...mine.body.items, ...rest.body.items].map((f: { id: string }) => f.id).sort()).toEqual(
      taskFiles.body.items.map((f: { id: string }) => f.id).sort(),
    );
    const asAdmin = await call(pool, 'GET', `/api/files?user=${user.username}`, { token: adminToken });
    expect(asAdmin.body.items).toHaveLength(taskFiles.body.items.length);

    // someone else's task (and its files) is invisible
    const stranger = await newUser(pool, 'stranger');
    expect((await call(pool, 'GET', `/api/tasks/${taskId}`, { token: stranger.token })).status).toBe(404);
    expect((await call(pool, 'GET', `/api/tasks/${taskId}/files`, { token: stranger.token })).status).toBe(
      404,
    );
    const snooping = await call(pool, 'GET', `/api/files?user=${user.username}`, { token: stranger.token });
    expect(snooping.status).toBe(403);
    expect(
      (await call(pool, 'GET', `/api/files?user=nobody-${owner.id.slice(0, 6)}`, { token: adminToken }))
        .status,
    ).toBe(404);

    // money from the pool's clock, not the 2 minutes each node claimed: well under a minute each
    // at 1.125 CPT/min is the 1 CPT minimum per shard; the owner gets 90 %, the platform the rest
    expect(task.cost).toBe(3);
    expect(await wallet(user)).toMatchObject({ held: 0, available: 5000 - 3 });
    expect((await wallet(owner)).available).toBe(5000 + 3 - 0); // 3 × (1 − floor(0.1)) = 3: fee rounds down to 0
    const audit = await pool.app.get(LedgerService).audit();
    expect(audit.problems).toEqual([]);

    // validation none: results accepted as reported move no node's credit (only verdicts do)
    const [{ credit_score }] = await db.query(`SELECT credit_score FROM nodes WHERE id = $1`, [high.nodeId]);
    expect(credit_score).toBe(120);
  });

  it('keeps a shard QUEUED with the reason while nothing fits, and places it when a node registers', async () => {
    const user = await newUser(pool, 'waiter');
    const owner = await newUser(pool, 'owner2');
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', cpu_cores: 16, timeout_s: 60 },
    });
    expect(res.status).toBe(201);
    const waiting = await waitFor('a wait reason', async () => {
      const t = await call(pool, 'GET', `/api/tasks/${res.body.task.id}`, { token: user.token });
      return t.body.wait_reason && t.body;
    });
    expect(waiting.status).toBe('QUEUED');
    expect(waiting.wait_reason).toMatch(/no node is online|16 CPU cores/);
    const queue = await call(pool, 'GET', '/api/queue', { token: user.token });
    expect(queue.body.head.some((h: { task_id: string }) => h.task_id === res.body.task.id)).toBe(true);

    const big = await sim(owner, { name: `big-${owner.id.slice(0, 6)}`, cpuCores: 32, memoryGb: 64 });
    await big.until((w) => w.executes().some((e) => e.task_id === res.body.task.id));
    const placed = await call(pool, 'GET', `/api/tasks/${res.body.task.id}`, { token: user.token });
    expect(placed.body.status).toBe('RUNNING');
    expect(placed.body.shards[0].attempts[0].node_name).toBe(big.spec.name);
  });

  it('places nothing while placement is paused, not even at once on an idle replica: the request waits in Bull', async () => {
    const user = await newUser(pool, 'pauser');
    const owner = await newUser(pool, 'pauseowner');
    const node = await sim(owner, { name: `pause-${owner.id.slice(0, 6)}`, cpuCores: 8, memoryGb: 16 });
    const placement = pool.app.get<Queue>(getQueueToken(QueueName.Placement));
    // every replica's pause, in Redis: the idle runner learns of it while its pass has begun
    await placement.pause();
    let taskId = '';
    try {
      const res = await call(pool, 'POST', '/api/tasks', {
        token: user.token,
        body: { image: 'alpine:3', cpu_cores: 1, timeout_s: 60 },
      });
      expect(res.status).toBe(201);
      taskId = res.body.task.id;
      await waitFor('the request to wait in Bull', async () =>
        (await placement.getJobs(['paused', 'waiting'])).some((job) =>
          String((job?.data as { reason?: string } | undefined)?.reason).includes('task submitted'),
        ),
      );
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM attempts WHERE task_id = $1`, [taskId]);
      expect(n).toBe(0);
      const task = await call(pool, 'GET', `/api/tasks/${taskId}`, { token: user.token });
      expect(task.body.status).toBe('QUEUED');
    } finally {
      await placement.resume();
    }
    await node.until((w) => w.executes().some((e) => e.task_id === taskId));
  });

  it('declares the attempts of a silent node LOST, re-runs the shard elsewhere and refuses the late report', async () => {
    const user = await newUser(pool, 'lossy');
    const owner = await newUser(pool, 'owner3');
    const first = await sim(owner, { name: `first-${owner.id.slice(0, 6)}`, maxConcurrent: 1 }, 80);
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', timeout_s: 60, validation: 'none' },
    });
    await first.until((w) => w.executes().length === 1);
    const lostAttempt = first.executes()[0];
    await first.report(lostAttempt).running();
    const second = await sim(owner, { name: `second-${owner.id.slice(0, 6)}`, maxConcurrent: 1 }, 60);

    // the sweep found the node silent (as the liveness job does after HEARTBEAT_TIMEOUT_S)
    await db.query(`UPDATE nodes SET status = 'offline' WHERE id = $1`, [first.nodeId]);
    const report = await pool.app.get(ReconcilerService).reconcile();
    expect(report.attempts_lost).toBe(1);

    await second.until((w) => w.executes().length === 1);
    const retry = second.executes()[0];
    expect(retry.task_id).toBe(res.body.task.id);
    expect(retry.attempt_number).toBe(2);
    expect(BigInt(retry.fencing_token)).toBeGreaterThan(BigInt(lostAttempt.fencing_token));

    // the old attempt's late report is refused and told to stop
    const late = await first.report(lostAttempt).completed({ exitCode: 0 });
    expect(late).toMatchObject({ success: false, stop: true });
    const lateLog = await first.report(lostAttempt).log(1, 'too late');
    expect(lateLog).toMatchObject({ success: false, stop: true });

    const r = second.report(retry);
    await r.running();
    expect((await r.completed({ exitCode: 0, durationMs: 1000 })).success).toBe(true);
    const t = await waitFor('completion', async () => {
      const x = await call(pool, 'GET', `/api/tasks/${res.body.task.id}`, { token: user.token });
      return x.body.status === 'COMPLETED' && x.body;
    });
    expect(t.shards[0].attempts.map((a: { state: string }) => a.state)).toEqual(['LOST', 'COMPLETED']);
    // a loss is the node's reliability, not its honesty (docs/validation.md)
    const [standing] = await db.query(`SELECT credit_score, node_faults FROM nodes WHERE id = $1`, [
      first.nodeId,
    ]);
    expect(standing).toEqual({ credit_score: 80, node_faults: 1 });
  });

  it('refuses a task the balance cannot cover with 402 and queues nothing', async () => {
    const user = await newUser(pool, 'poor');
    const before = await db.query(`SELECT count(*)::int AS n FROM tasks WHERE user_id = $1`, [user.id]);
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', cpu_cores: 64, timeout_s: 604800, shards: 10 },
    });
    expect(res.status).toBe(402);
    expect(res.body.message).toMatch(/this task may cost up to \d+ CPT/);
    const after = await db.query(`SELECT count(*)::int AS n FROM tasks WHERE user_id = $1`, [user.id]);
    expect(after[0].n).toBe(before[0].n);
    expect(await wallet(user)).toMatchObject({ held: 0, available: 5000 });
    // no hold, no ledger row but the sign-up grant's, no "ok" audit event
    expect(
      await db.query(`SELECT count(*)::int AS n FROM ledger_holds WHERE user_id = $1`, [user.id]),
    ).toEqual([{ n: 0 }]);
    expect(
      await db.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE account = $1`, [`user:${user.id}`]),
    ).toEqual([{ n: 1 }]);
    expect(
      await db.query(`SELECT outcome FROM audit_events WHERE action = 'task.submit' AND actor_id = $1`, [
        user.id,
      ]),
    ).toEqual([{ outcome: 'refused' }]);
  });

  it('creates one task, holds its cost once and records one event for a submission retried with one Idempotency-Key while the retries race', async () => {
    const user = await newUser(pool, 'retrier');
    // 3,000 CPT of the 5,000: two holds cannot both fit, so a retry that waited finds the CPT gone
    const body = { image: 'alpine:3', timeout_s: 20_000, shards: 2 };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(pool, 'POST', '/api/tasks', {
          token: user.token,
          body,
          headers: { 'Idempotency-Key': 'submit-once' },
        }),
      ),
    );
    const ids = new Set(answers.map((a) => a.body.task?.id));
    expect(ids.size).toBe(1);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const [task] = [...ids];
    const tasks = await db.query(`SELECT id, max_cost FROM tasks WHERE user_id = $1`, [user.id]);
    expect(tasks).toEqual([{ id: task, max_cost: '3000' }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM shards WHERE task_id = $1`, [task])).toEqual([
      { n: 2 },
    ]);
    expect(await wallet(user)).toMatchObject({
      held: Number(tasks[0].max_cost),
      available: 5000 - Number(tasks[0].max_cost),
    });
    const events = await db.query(
      `SELECT target_id FROM audit_events WHERE action = 'task.submit' AND actor_id = $1`,
      [user.id],
    );
    expect(events).toEqual([{ target_id: task }]);
  });

  it('answers bad submissions with 400 naming the field', async () => {
    const user = await newUser(pool, 'sloppy');
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine', shards: 0, cpu_cores: 'x' },
    });
    expect(res.status).toBe(400);
    expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual([
      'cpu_cores',
      'shards',
    ]);
    const none = await call(pool, 'POST', '/api/tasks', { token: user.token, body: {} });
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/image, an input zip, or both/);
  });

  it('GET /api/tasks/:id?wait= holds the answer until the task ends, and lets go of a client that leaves', async () => {
    const user = await newUser(pool, 'waiter');
    const stranger = await newUser(pool, 'waitstranger');
    const owner = await newUser(pool, 'owner5');
    const node = await sim(owner, { name: `wt-${owner.id.slice(0, 6)}`, maxConcurrent: 1 });
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', timeout_s: 600, validation: 'none' },
    });
    const taskId: string = res.body.task.id;
    await node.until((w) => w.executes().length === 1);
    const e = node.executes()[0];
    await node.report(e).running();
    const waiter = pool.app.get(TaskEndWaiter);

    // hostile or out of range: 400 naming the field, before any wait
    for (const bad of ['61', '-1', 'soon', 'NaN'])
      expect(
        await call(pool, 'GET', `/api/tasks/${taskId}?wait=${bad}`, { token: user.token }),
      ).toMatchObject({ status: 400, body: { message: expect.stringMatching(/wait/) } });
    // someone else's task is not there for them, waiting or not
    expect((await call(pool, 'GET', `/api/tasks/${taskId}?wait=5`, { token: stranger.token })).status).toBe(
      404,
    );
    // a short wait that runs out answers the state as it is
    expect(
      (await call(pool, 'GET', `/api/tasks/${taskId}?wait=0.3`, { token: user.token })).body.status,
    ).toBe('RUNNING');

    // a long one is answered by the task's end, not by its timer
    let answered = false;
    const held = call(pool, 'GET', `/api/tasks/${taskId}?wait=60`, { token: user.token }).then((r) => {
      answered = true;
      return r;
    });
    await waitFor('the request to be held', () => Promise.resolve(waiter.watching === 1));
    expect(answered).toBe(false);
    expect((await node.report(e).completed({ exitCode: 0 })).success).toBe(true);
    const woken = await Promise.race([
      held,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000)),
    ]);
    expect(woken).toMatchObject({ status: 200, body: { id: taskId, status: 'COMPLETED' } });
    expect(waiter.watching).toBe(0);
    // an ended task answers at once
    expect((await call(pool, 'GET', `/api/tasks/${taskId}?wait=60`, { token: user.token })).body.status).toBe(
      'COMPLETED',
    );

    // a client that leaves while held frees its watch
    const other = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', timeout_s: 600, validation: 'none' },
    });
    const leaving = new AbortController();
    const gone = pool
      .fetch(`${pool.http}/api/tasks/${other.body.task.id}?wait=60`, {
        headers: { authorization: `Bearer ${user.token}` },
        signal: leaving.signal,
      })
      .catch((error: Error) => error.name);
    await waitFor('the second request to be held', () => Promise.resolve(waiter.watching === 1));
    leaving.abort();
    expect(await gone).toBe('AbortError');
    await waitFor('its watch to be let go', () => Promise.resolve(waiter.watching === 0), 5_000);
  });

  it('cancel stops the attempts, frees the node and refunds', async () => {
    const user = await newUser(pool, 'canceller');
    const owner = await newUser(pool, 'owner4');
    const node = await sim(owner, { name: `cx-${owner.id.slice(0, 6)}`, maxConcurrent: 1 });
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', timeout_s: 600, shards: 2, validation: 'none' },
    });
    await node.until((w) => w.executes().length === 1);
    const e = node.executes()[0];
    await node.report(e).running();
    const cancelled = await call(pool, 'POST', `/api/tasks/${res.body.task.id}/cancel`, {
      token: user.token,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', refunded: res.body.task.max_cost });
    await node.until((w) => w.stops().includes(e.attempt_id));
    const [n] = await db.query(
      `SELECT running_attempts, avail_cpu_millicores, cpu_millicores FROM nodes WHERE id = $1`,
      [node.nodeId],
    );
    expect(n.running_attempts).toBe(0);
    expect(n.avail_cpu_millicores).toBe(n.cpu_millicores);
    expect(await wallet(user)).toMatchObject({ held: 0, available: 5000 });
    expect(
      (await call(pool, 'POST', `/api/tasks/${res.body.task.id}/cancel`, { token: user.token })).status,
    ).toBe(409);
    expect((await node.report(e).log(1, 'after cancel')).stop).toBe(true);
  });

  it("rebuilds every node's counters chunk by chunk, one transaction each", async () => {
    const owner = await newUser(pool, 'chunks');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await sim(owner, { name: `ch${i}-${owner.id.slice(0, 6)}`, maxConcurrent: 2 })).nodeId);
    await db.query(
      `UPDATE nodes SET avail_cpu_millicores = 0, running_attempts = 7 WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const capacity = pool.app.get(NodeCapacityRepository);
    // a chunk of one node: every drifted node, wherever its id falls, is reached
    expect(await capacity.rebuildAll(1)).toBeGreaterThanOrEqual(3);
    const rows = await db.query(
      `SELECT running_attempts, avail_cpu_millicores = cpu_millicores AS whole FROM nodes WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toEqual(ids.map(() => ({ running_attempts: 0, whole: true })));
    expect(await capacity.rebuildAll(2)).toBe(0);
  });

  it('restores everything after Redis loses its data mid-run, and every shard completes', async () => {
    const user = await newUser(pool, 'flushed');
    const owner = await newUser(pool, 'owner5');
    const node = await sim(owner, { name: `fl-${owner.id.slice(0, 6)}`, maxConcurrent: 2 });
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', timeout_s: 60, shards: 4, validation: 'none' },
    });
    await node.until((w) => w.executes().length === 2);
    // Redis loses this pool's data (queues, schedules, heartbeats); counters drift too
    const redis = pool.app.get<string, { client: import('ioredis').default }>('BullQueue_placement').client;
    const keys = await redis.keys(`${pool.config.redis.queuePrefix}:*`);
    if (keys.length) await redis.del(...keys);
    await db.query(`UPDATE nodes SET avail_cpu_millicores = 0, running_attempts = 99 WHERE id = $1`, [
      node.nodeId,
    ]);
    const report = await pool.app.get(ReconcilerService).reconcile();
    expect(report.nodes_fixed).toBeGreaterThanOrEqual(1);

    const done = new Set<string>();
    await waitFor(
      'all 4 shards to run',
      async () => {
        for (const e of node.executes()) {
          if (done.has(e.attempt_id)) continue;
          done.add(e.attempt_id);
          await node.report(e).running();
          await node.report(e).completed({ exitCode: 0, durationMs: 1000 });
        }
        const t = await call(pool, 'GET', `/api/tasks/${res.body.task.id}`, { token: user.token });
        return t.body.status === 'COMPLETED';
      },
      30_000,
    );
  });

  it('two node-pool replicas on one database place 1,000 shards, none twice', async () => {
    const second = await startTestNodePool({
      DATABASE_URL: pool.config.database.url,
      JWT_SECRET: pool.config.auth.jwtSecret,
      QUEUE_PREFIX: `${pool.config.redis.queuePrefix}-b`,
      HEARTBEAT_TIMEOUT_S: '3600',
      MIGRATIONS_RUN: 'false',
    });
    try {
      const owner = await newUser(pool, 'farm');
      const user = await newUser(pool, 'bulk');
      await setTrust(user, 100);
      await db.query(`UPDATE users SET trust_score = 100 WHERE id = $1`, [user.id]);
      // 25 nodes × 40 slots = 1,000 slots (nodes need no stream for placement)
      for (let i = 0; i < 25; i++) {
        const w = new SimWorker(i % 2 ? pool.grpc : second.grpc, {
          name: `farm-${i}-${owner.id.slice(0, 4)}`,
          cpuCores: 40,
          memoryGb: 64,
          maxConcurrent: 40,
        });
        workers.push(w);
        await w.register(owner.token);
      }
      await db.query(`UPDATE nodes SET valid_run = $2 WHERE owner_id = $1`, [owner.id, PROBATION_RUN]);
      for (let i = 0; i < 10; i++) {
        const r = await call(pool, 'POST', '/api/tasks', {
          token: user.token,
          body: {
            image: 'alpine:3',
            timeout_s: 1,
            shards: 100,
            cpu_cores: 1,
            memory_gb: 0.5,
            validation: 'none',
          },
        });
        expect(r.status).toBe(201);
      }
      await waitFor(
        '1,000 placed shards',
        async () => {
          const [row] = await db.query(
            `SELECT count(*)::int AS n FROM shards s JOIN tasks t ON t.id = s.task_id WHERE t.user_id = $1 AND s.state = 'ASSIGNED'`,
            [user.id],
          );
          return row.n === 1000;
        },
        60_000,
      );
      const [check] = await db.query(
        `SELECT count(*)::int AS attempts, count(DISTINCT shard_id)::int AS shards FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE t.user_id = $1`,
        [user.id],
      );
      expect(check).toEqual({ attempts: 1000, shards: 1000 });
      const over = await db.query(
        `SELECT n.name FROM nodes n WHERE n.running_attempts > n.max_concurrent OR n.avail_cpu_millicores < 0`,
      );
      expect(over).toEqual([]);
      expect((await pool.app.get(ReconcilerService).reconcile()).nodes_fixed).toBe(0);
    } finally {
      await second.app.close();
    }
  });
});

describe('liveness: a node that stops heartbeating', () => {
  let pool: TestNodePool;

  beforeAll(async () => {
    pool = await startTestNodePool({ HEARTBEAT_TIMEOUT_S: '2' });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('goes offline after HEARTBEAT_TIMEOUT_S, its attempt is LOST and re-run on a live node, and its late report is refused', async () => {
    const owner = await newUser(pool, 'hb-owner');
    const user = await newUser(pool, 'hb-user');
    const silent = new SimWorker(pool.grpc, { name: `silent-${owner.id.slice(0, 6)}`, maxConcurrent: 1 });
    const alive = new SimWorker(pool.grpc, { name: `alive-${owner.id.slice(0, 6)}`, maxConcurrent: 1 });
    const beating: NodeJS.Timeout[] = [];
    try {
      await silent.register(owner.token);
      silent.connect();
      const res = await call(pool, 'POST', '/api/tasks', {
        token: user.token,
        body: { image: 'alpine:3', timeout_s: 60, validation: 'none' },
      });
      await silent.until((w) => w.executes().length === 1);
      const first = silent.executes()[0];
      await silent.report(first).running();

      await alive.register(owner.token);
      alive.connect();
      beating.push(setInterval(() => void alive.heartbeat().catch(() => undefined), 400));
      // `silent` sends no heartbeat: the liveness job declares it offline and its attempt LOST
      await alive.until((w) => w.executes().length === 1, 20_000);
      expect(alive.executes()[0].task_id).toBe(res.body.task.id);
      const [node] = await pool.app
        .get(DataSource)
        .query(`SELECT status FROM nodes WHERE id = $1`, [silent.nodeId]);
      expect(node.status).toBe('offline');

      expect(await silent.report(first).completed({ exitCode: 0 })).toMatchObject({
        success: false,
        stop: true,
      });
      const detail = await call(pool, 'GET', `/api/tasks/${res.body.task.id}`, { token: user.token });
      expect(detail.body.shards[0].attempts.map((a: { state: string }) => a.state)).toEqual([
        'LOST',
        'ASSIGNED',
      ]);
    } finally {
      beating.forEach(clearInterval);
      silent.close();
      alive.close();
    }
  });
});
