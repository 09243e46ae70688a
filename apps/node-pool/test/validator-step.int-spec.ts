/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the tests read the REST API's JSON loosely */
// The validator step (docs/validation.md "Fuzzy results"): three owners' floating-point results that
// no two match exactly, compared by the task's validator command run as validating attempts on two
// more owners' nodes; their agreed groups.json decides which results count.
import { DataSource } from 'typeorm';
import { waitFor } from '@hivemind/testing';
import { type ExecuteTaskRequest__Output } from '@hivemind/contracts/grpc';
import { LedgerService } from '../src/ledger/ledger.service';
import { call, newUser, type TestUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';
import { makeZip, readZip } from './support/zip';

describe('the validator step', () => {
  let pool: TestNodePool;
  let db: DataSource;
  const workers: SimWorker[] = [];

  const sim = async (owner: TestUser, name: string) => {
    const w = new SimWorker(pool.grpc, { name: `${name}-${owner.id.slice(0, 6)}`, maxConcurrent: 2 });
    workers.push(w);
    await w.register(owner.token);
    w.connect();
    await w.heartbeat();
    return w;
  };
  const task = async (user: TestUser, id: string) =>
    (await call(pool, 'GET', `/api/tasks/${id}`, { token: user.token })).body;
  const executionOf = async (w: SimWorker, taskId: string) => {
    await w.until((x) => x.executes().some((e) => e.task_id === taskId));
    return w.executes().filter((e) => e.task_id === taskId);
  };
  const finish = async (w: SimWorker, e: ExecuteTaskRequest__Output, files: Record<string, string>) => {
    const r = w.report(e);
    await r.running();
    const out = await r.upload(await makeZip(files));
    return r.completed({ exitCode: 0, outputSha256: out.sha256 });
  };

  beforeAll(async () => {
    pool = await startTestNodePool({ HEARTBEAT_TIMEOUT_S: '3600', SIGNUP_GRANT_CPT: '100000' });
    db = pool.app.get(DataSource);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) w.close();
    await db.query(`UPDATE nodes SET status = 'offline'`);
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('is refused where there is nothing to compare, naming validator_command', async () => {
    const user = await newUser(pool, 'novalidator');
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'busybox:latest', validation: 'none', validator_command: ['true'] },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('validator_command needs validation quorum or adaptive');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown policy', { validation: 'trust-me' }, 'validation'],
    ['a quorum of 0', { quorum: 0 }, 'quorum'],
    ['a quorum as text', { quorum: 'two' }, 'quorum'],
    ['too many replicas', { max_replicas: 17 }, 'max_replicas'],
    ['a quorum over max_replicas', { quorum: 5, max_replicas: 4 }, 'quorum'],
    ['a validator as an object', { validator_command: { cmd: 'x' } }, 'validator_command'],
    ['a validator of 1,000 arguments', { validator_command: Array(1000).fill('x') }, 'validator_command'],
    [
      'a validator argument of 100,000 characters',
      { validator_command: ['x'.repeat(100_000)] },
      'validator_command',
    ],
    ['a validator with nested arrays', { validator_command: [['x']] }, 'validator_command'],
  ])('refuses %s with a 400 naming the field, and writes no task', async (_what, fields, field) => {
    const user = await newUser(pool, 'hostile-validation');
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'busybox:latest', ...fields },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(field);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM tasks WHERE user_id = $1`, [user.id]);
    expect(n).toBe(0);
  });

  it('compares two disagreeing results on two more owners’ nodes; equivalent results count', async () => {
    const owners = await Promise.all(['a', 'b', 'v1', 'v2'].map((n) => newUser(pool, `fuzzy-${n}`)));
    const submitter = await newUser(pool, 'fuzzy-user');
    const created = await call(pool, 'POST', '/api/tasks', {
      token: submitter.token,
      body: {
        image: 'busybox:latest',
        command: ['simulate'],
        validation: 'quorum',
        quorum: 2,
        max_replicas: 3,
        validator_command: ['compare', '--tolerance', '1e-9'],
        timeout_s: 600,
      },
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id as string;
    expect(created.body.task).toMatchObject({ validator_command: ['compare', '--tolerance', '1e-9'] });

    // two replicas whose outputs are not byte-equal
    const [a, b] = [await sim(owners[0], 'fz-a'), await sim(owners[1], 'fz-b')];
    const [onA] = await executionOf(a, taskId);
    const [onB] = await executionOf(b, taskId);
    await finish(a, onA, { 'x.txt': '0.30000000000000004' });
    await finish(b, onB, { 'x.txt': '0.3' });
    await waitFor('the validator asked', async () => {
      const x = await task(submitter, taskId);
      return /validator/.test(x.shards[0].wait_reason ?? '') && x;
    });

    // the validator's runs: on two more owners, with the validator command and the candidates as input
    const [v1, v2] = [await sim(owners[2], 'fz-v1'), await sim(owners[3], 'fz-v2')];
    const [onV1] = await executionOf(v1, taskId);
    const [onV2] = await executionOf(v2, taskId);
    expect(onV1.command).toEqual(['compare', '--tolerance', '1e-9']);
    const input = await readZip((await v1.report(onV1).download()).data);
    expect(Object.keys(input).sort()).toEqual(
      [onA, onB]
        .map((e) => `attempt-${e.attempt_id}/x.txt`)
        .concat('results.json')
        .sort(),
    );
    expect(
      JSON.parse(input['results.json']).results.map((r: { attempt_id: string }) => r.attempt_id),
    ).toEqual([onA.attempt_id, onB.attempt_id]);
    // they agree: a and b are equivalent
    const answer = JSON.stringify({ groups: [[onA.attempt_id, onB.attempt_id]] });
    await finish(v1, onV1, { 'groups.json': answer });
    await finish(v2, onV2, { 'groups.json': answer });

    const t = await waitFor('the task to complete', async () => {
      const x = await task(submitter, taskId);
      return x.status === 'COMPLETED' && x;
    });
    const attempts = Object.fromEntries(
      t.shards[0].attempts.map((x: { id: string; validation: string }) => [x.id, x.validation]),
    );
    expect(attempts).toEqual({
      [onA.attempt_id]: 'VALID',
      [onB.attempt_id]: 'VALID',
      [onV1.attempt_id]: 'VALID',
      [onV2.attempt_id]: 'VALID',
    });
    expect(t.shards[0].canonical_attempt_id).toBe(onA.attempt_id);
    const results = await fetch(`${pool.http}/api/tasks/${taskId}/results`, {
      headers: { authorization: `Bearer ${submitter.token}` },
    });
    expect(Object.values(await readZip(Buffer.from(await results.arrayBuffer())))).toEqual([
      '0.30000000000000004',
    ]);
    const [{ purposes }] = await db.query(
      `SELECT array_agg(purpose ORDER BY attempt_number) AS purposes FROM attempts WHERE task_id = $1`,
      [taskId],
    );
    expect(purposes).toEqual(['run', 'run', 'validate', 'validate']);
    expect(await pool.app.get(LedgerService).audit()).toMatchObject({ ok: true });
  });

  it('a grouping that forms no quorum fails the shard inconclusive; every run is paid; the audit balances', async () => {
    const owners = await Promise.all(['a', 'b', 'v1', 'v2'].map((n) => newUser(pool, `split-${n}`)));
    const submitter = await newUser(pool, 'split-user');
    const created = await call(pool, 'POST', '/api/tasks', {
      token: submitter.token,
      body: { image: 'busybox:latest', validation: 'quorum', validator_command: ['compare'], timeout_s: 600 },
    });
    const taskId = created.body.task.id as string;
    const nodes = [];
    for (const [i, o] of owners.entries()) nodes.push(await sim(o, `sp-${i}`));
    const [onA] = await executionOf(nodes[0], taskId);
    const [onB] = await executionOf(nodes[1], taskId);
    await finish(nodes[0], onA, { 'x.txt': '1' });
    await finish(nodes[1], onB, { 'x.txt': '2' });
    const answer = JSON.stringify({ groups: [[onA.attempt_id], [onB.attempt_id]] });
    for (const v of nodes.slice(2))
      await finish(v, (await executionOf(v, taskId))[0], { 'groups.json': answer });
    const t = await waitFor('the task to fail', async () => {
      const x = await task(submitter, taskId);
      return x.status === 'FAILED' && x;
    });
    expect(t.error).toMatch(/inconclusive: the validator found no 2 owners' results equivalent/);
    const paid = t.shards[0].attempts.reduce((sum: number, x: { cost: number }) => sum + x.cost, 0);
    expect(paid).toBeGreaterThanOrEqual(4);
    expect(t.cost).toBe(paid);
    expect(await pool.app.get(LedgerService).audit()).toMatchObject({ ok: true });
  });
});
