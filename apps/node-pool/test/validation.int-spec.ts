/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the tests read the REST API's JSON loosely */
// Honest results from untrusted machines (docs/validation.md), tried as an attacker would: a rogue
// node that claims resources and success it does not have, an owner dealing with themselves, two
// nodes of one owner agreeing on a wrong result, a nondeterministic task, an honest node that
// crashes. Real PostgreSQL, Redis and gRPC; the nodes are gRPC clients (SimWorker).
import { DataSource } from 'typeorm';
import { waitFor } from '@hivemind/testing';
import { type ExecuteTaskRequest__Output } from '@hivemind/contracts/grpc';
import { LedgerService } from '../src/ledger/ledger.service';
import { NodeCapacityRepository } from '../src/nodes/node-capacity.repository';
import { LifecycleService } from '../src/scheduling/lifecycle.service';
import { ReconcilerService } from '../src/scheduling/reconciler.service';
import { SchedulerService } from '../src/scheduling/scheduler.service';
import { call, loginAs, newUser, type TestUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';
import { makeZip, readZip } from './support/zip';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };

/** mulberry32: a seeded generator for the spot-checks (no timing, no luck). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('result validation and earned trust', () => {
  let pool: TestNodePool;
  let db: DataSource;
  let adminToken: string;
  const workers: SimWorker[] = [];

  /** A node of `owner`, online; `standing` sets an earned run (as if it had validated results before). */
  const sim = async (
    owner: TestUser,
    name: string,
    spec: Partial<ConstructorParameters<typeof SimWorker>[1]> = {},
    standing?: { validRun: number; credit?: number },
  ) => {
    const w = new SimWorker(pool.grpc, {
      name: `${name}-${owner.id.slice(0, 6)}`,
      maxConcurrent: 4,
      ...spec,
    });
    workers.push(w);
    await w.register(owner.token);
    if (standing) {
      await db.query(`UPDATE nodes SET valid_run = $2, valid_results = $2, credit_score = $3 WHERE id = $1`, [
        w.nodeId,
        standing.validRun,
        standing.credit ?? 60,
      ]);
    }
    w.connect();
    await w.heartbeat();
    return w;
  };
  const node = async (w: SimWorker) =>
    (await call(pool, 'GET', `/api/nodes/${w.nodeId}`, { token: adminToken })).body;
  const task = async (user: TestUser, id: string) =>
    (await call(pool, 'GET', `/api/tasks/${id}`, { token: user.token })).body;
  const wallet = async (user: TestUser) =>
    (await call(pool, 'GET', '/api/wallet', { token: user.token })).body;
  const submit = async (user: TestUser, spec: Record<string, unknown>): Promise<string> => {
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'busybox:latest', command: ['true'], timeout_s: 600, ...spec },
    });
    expect(res.status).toBe(201);
    return res.body.task.id;
  };
  /** Runs an execution to its end: running, an output zip of `files`, then TaskCompleted. */
  const finish = async (
    w: SimWorker,
    e: ExecuteTaskRequest__Output,
    files: Record<string, string>,
    claim: { exitCode?: number; durationMs?: number; resultDigest?: string } = {},
  ) => {
    const r = w.report(e);
    await r.running();
    const out = await r.upload(await makeZip(files));
    return r.completed({ exitCode: 0, outputSha256: out.sha256, ...claim });
  };
  const executionOf = async (w: SimWorker, taskId: string) => {
    await w.until((x) => x.executes().some((e) => e.task_id === taskId));
    return w.executes().filter((e) => e.task_id === taskId);
  };
  const audit = async () => {
    const report = await pool.app.get(LedgerService).audit();
    expect(report).toMatchObject({ ok: true });
  };

  beforeAll(async () => {
    pool = await startTestNodePool({
      ...ADMIN,
      HEARTBEAT_TIMEOUT_S: '3600',
      SIGNUP_GRANT_CPT: '100000',
      LOG_LEVEL: process.env.DEBUG_POOL ? 'debug' : 'warn',
    });
    db = pool.app.get(DataSource);
    adminToken = await loginAs(pool, 'root', ADMIN.ADMIN_PASSWORD);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) w.close();
    await db.query(`UPDATE nodes SET status = 'offline'`);
    await db.query(`UPDATE attempts SET state = 'CANCELLED' WHERE state IN ('ASSIGNED', 'RUNNING')`);
    await db.query(
      `UPDATE shards SET state = 'CANCELLED' WHERE state IN ('QUEUED', 'ASSIGNED', 'RUNNING', 'VALIDATING')`,
    );
    await db.query(`UPDATE tasks SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING')`);
    await pool.app.get(ReconcilerService).reconcile();
    pool.app.get(SchedulerService).random = Math.random;
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('a rogue node: replicated, contradicted, unpaid and penalised; billed by the pool’s clock; the honest result is the shard’s', async () => {
    const mallory = await newUser(pool, 'mallory');
    const victim = await newUser(pool, 'victim');
    const alice = await newUser(pool, 'alice');
    const bob = await newUser(pool, 'bob');
    // the rogue claims a big machine; it is new, so on probation
    const rogue = await sim(mallory, 'rogue', { cpuCores: 64, memoryGb: 256 });
    const before = await wallet(victim);
    const taskId = await submit(victim, { name: 'honest work' }); // adaptive by default
    const [onRogue] = await executionOf(rogue, taskId);
    // the shard needs a second replica of another owner: it says so while none is online
    await waitFor('the wait reason', async () => {
      const t = await task(victim, taskId);
      return /replica 2 of 2/.test(t.shards[0].wait_reason ?? '') && t;
    });

    // fast fake success: "30 minutes", 5 ms after the start, with made-up output
    const claimed = await finish(rogue, onRogue, { 'result.txt': 'forged' }, { durationMs: 1_800_000 });
    expect(claimed.success).toBe(true);
    let t = await task(victim, taskId);
    expect(t.status).toBe('RUNNING');
    expect(t.shards[0].attempts[0]).toMatchObject({ validation: 'PENDING', duration_ms: 1_800_000 });
    expect(t.shards[0].attempts[0].observed_ms).toBeLessThan(60_000);

    const honestA = await sim(alice, 'honest-a');
    const [onA] = await executionOf(honestA, taskId);
    await finish(honestA, onA, { 'result.txt': 'the right answer' });
    // two results disagree: a third replica, of a third owner
    await waitFor('a third replica asked', async () => {
      const x = await task(victim, taskId);
      return x.shards[0].replicas_wanted === 3 && x;
    });
    const honestB = await sim(bob, 'honest-b');
    // a second node of the rogue's owner is never given the shard
    const rogue2 = await sim(mallory, 'rogue-2');
    const [onB] = await executionOf(honestB, taskId);
    await finish(honestB, onB, { 'result.txt': 'the right answer' });

    t = await waitFor('the task to complete', async () => {
      const x = await task(victim, taskId);
      return x.status === 'COMPLETED' && x;
    });
    expect(rogue2.executes()).toHaveLength(0);
    const shard = t.shards[0];
    const byNode = Object.fromEntries(shard.attempts.map((a: { node_id: string }) => [a.node_id, a]));
    expect(byNode[rogue.nodeId]).toMatchObject({ validation: 'INVALID', cost: 0, reward: 0 });
    expect(byNode[honestA.nodeId]).toMatchObject({ validation: 'VALID' });
    expect(byNode[honestB.nodeId]).toMatchObject({ validation: 'VALID' });
    expect(shard.canonical_attempt_id).toBe(byNode[honestA.nodeId].id);
    // the canonical result is what downloads
    const results = await fetch(`${pool.http}/api/tasks/${taskId}/results`, {
      headers: { authorization: `Bearer ${victim.token}` },
    });
    const files = await readZip(Buffer.from(await results.arrayBuffer()));
    expect(Object.values(files)).toEqual(['the right answer']);
    // every replica's upload is listed, the canonical one marked
    const listed = (await call(pool, 'GET', `/api/tasks/${taskId}/files`, { token: victim.token })).body
      .items;
    const outputs = listed.filter((f: { kind: string }) => f.kind === 'output');
    expect(outputs).toHaveLength(3);
    expect(outputs.filter((f: { canonical: boolean }) => f.canonical)).toEqual([
      expect.objectContaining({ attempt_id: shard.canonical_attempt_id, shard_index: 0 }),
    ]);

    // money: the victim paid the two honest results' observed time, not the rogue's 30 minutes
    const paid = byNode[honestA.nodeId].cost + byNode[honestB.nodeId].cost;
    expect(t.cost).toBe(paid);
    expect(paid).toBeLessThanOrEqual(4); // seconds of work, rounded up to a CPT each
    expect((await wallet(victim)).balance).toBe(before.balance - paid);
    expect((await wallet(mallory)).balance).toBe(
      (await wallet(alice)).balance - byNode[honestA.nodeId].reward,
    );

    // standing: the rogue is penalised and back on probation; the honest nodes earn
    const r = await node(rogue);
    expect(r).toMatchObject({
      credit_score: 25,
      trust_group: 'low',
      standing: { valid_run: 0, invalid_results: 1, probation: true },
    });
    expect((await node(honestA)).standing).toMatchObject({ valid_run: 1, valid_results: 1 });
    expect((await node(honestA)).credit_score).toBe(52);
    // /metrics counts the verdicts
    const metrics = await (await fetch(`${pool.http}/metrics`)).text();
    expect(metrics).toMatch(/hivemind_result_validations_total\{validation="INVALID"\} [1-9]/);
    expect(metrics).toMatch(/hivemind_result_validations_total\{validation="VALID"\} [2-9]/);
    await audit();
  });

  it('self-dealing and fast fake completions never lift a node to high trust', async () => {
    const mallory = await newUser(pool, 'dealer');
    const own = await sim(mallory, 'own', { maxConcurrent: 30 });
    for (let i = 0; i < 26; i++) {
      const taskId = await submit(mallory, { name: `tiny ${i}`, validation: i % 2 ? 'none' : 'adaptive' });
      const [e] = await executionOf(own, taskId);
      await finish(own, e, { 'r.txt': 'x' }, { durationMs: 1 });
    }
    await waitFor('26 completed', async () => {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM tasks t JOIN users u ON u.id = t.user_id
         WHERE u.username = $1 AND t.status = 'COMPLETED'`,
        [mallory.username],
      );
      return n === 26;
    });
    expect(await node(own)).toMatchObject({
      credit_score: 50,
      trust_group: 'normal',
      standing: { valid_run: 0, valid_results: 0, probation: true },
    });
    await audit();
  });

  it('a node on probation never receives network access; one that earned trust does', async () => {
    const owner = await newUser(pool, 'netowner');
    const submitter = await newUser(pool, 'netuser');
    await call(pool, 'PATCH', `/api/admin/users/${submitter.id}`, {
      token: adminToken,
      body: { trust_score: 150 },
    });
    const fresh = await sim(owner, 'fresh');
    const taskId = await submit(submitter, { network_allowed: true, validation: 'none' });
    const t = await waitFor('the wait reason', async () => {
      const x = await task(submitter, taskId);
      return /on probation/.test(x.wait_reason ?? '') && x;
    });
    expect(t.wait_reason).toContain('network access');
    expect(fresh.executes()).toHaveLength(0);
    const earned = await sim(owner, 'earned', {}, { validRun: 5 });
    await executionOf(earned, taskId);
  });

  it('a node on probation never receives another user’s secret env; one that earned trust does', async () => {
    const mallory = await newUser(pool, 'secretrogue');
    const submitter = await newUser(pool, 'secretuser');
    const honest = await newUser(pool, 'secretowner');
    // the rogue claims a big machine and Docker; it is new, so on probation
    const rogue = await sim(mallory, 'bigclaims', { cpuCores: 64, memoryGb: 256 });
    const password = `pw-${Date.now()}-secret`;
    const taskId = await submit(submitter, { validation: 'none', secret_env: { DB_PASSWORD: password } });
    const t = await waitFor('the wait reason', async () => {
      const x = await task(submitter, taskId);
      return /on probation/.test(x.wait_reason ?? '') && x;
    });
    expect(t.wait_reason).toContain('secret env values');
    expect(rogue.executes()).toHaveLength(0);
    const earned = await sim(honest, 'trusted', {}, { validRun: 5 });
    const [execution] = await executionOf(earned, taskId);
    expect(execution.env.DB_PASSWORD).toBe(password);
    expect(execution.secret_env_keys).toEqual(['DB_PASSWORD']);
    // the rogue still never saw it
    expect(JSON.stringify(rogue.commands)).not.toContain(password);
  });

  it('a node on probation holds two attempts at most, whatever slots it declares, even against a raced take', async () => {
    const owner = await newUser(pool, 'slotowner');
    const submitter = await newUser(pool, 'slotuser');
    const fresh = await sim(owner, 'slots', { maxConcurrent: 8 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await submit(submitter, { name: `slot ${i}`, validation: 'none' }));
    await waitFor('two placed and the others told why', async () => {
      const waiting = await Promise.all(ids.map((id) => task(submitter, id)));
      return fresh.executes().length === 2 && waiting.filter((t) => t.wait_reason).length === 2;
    });
    expect(fresh.executes()).toHaveLength(2);
    // a take computed from a stale snapshot (another replica's pass) is refused by the guard itself
    const capacity = pool.app.get(NodeCapacityRepository);
    const take = {
      nodeId: fresh.nodeId,
      cpuMillicores: 1,
      memoryMb: 1,
      storageMb: 1,
      gpuMemoryMb: 0,
      attempts: 1,
    };
    const granted = await db.transaction((m) => capacity.take(m, [take]));
    expect(granted.size).toBe(0);
  });

  it('two nodes of one owner never form a quorum', async () => {
    const mallory = await newUser(pool, 'twins');
    const victim = await newUser(pool, 'twinvictim');
    const honest = await newUser(pool, 'twinhonest');
    const one = await sim(mallory, 'twin-1');
    const two = await sim(mallory, 'twin-2');
    const taskId = await submit(victim, { validation: 'quorum', quorum: 2 });
    // only one of the twins gets a replica; the other replica waits for another owner
    await waitFor('one replica placed', () =>
      Promise.resolve(one.executes().length + two.executes().length === 1),
    );
    const t = await waitFor('the wait reason', async () => {
      const x = await task(victim, taskId);
      return /another owner/.test(x.shards[0].wait_reason ?? '') && x;
    });
    expect(t.shards[0].wait_reason).toContain('one owner’s nodes never form a quorum'.replace('’', "'"));
    const twin = one.executes().length ? one : two;
    await finish(twin, twin.executes()[0], { 'r.txt': 'wrong' });
    const good = await sim(honest, 'lone-honest');
    await finish(good, (await executionOf(good, taskId))[0], { 'r.txt': 'right' });
    // disagreement: a third replica, which neither the twins nor the honest owner may take
    await waitFor(
      'a third replica asked',
      async () => (await task(victim, taskId)).shards[0].replicas_wanted === 3,
    );
    expect(one.executes().length + two.executes().length).toBe(1);
    expect((await task(victim, taskId)).status).toBe('RUNNING');
  });

  it('a nondeterministic task ends inconclusive and failed; the submitter pays every result; the audit balances', async () => {
    const victim = await newUser(pool, 'dice');
    const owners = await Promise.all([1, 2, 3].map((i) => newUser(pool, `dice-owner-${i}`)));
    const nodes = await Promise.all(owners.map((o, i) => sim(o, `dice-${i}`)));
    const before = await wallet(victim);
    const taskId = await submit(victim, { validation: 'quorum', quorum: 2, max_replicas: 3 });
    let round = 0;
    for (const w of nodes) {
      const [e] = await executionOf(w, taskId);
      await finish(w, e, { 'roll.txt': `rolled ${++round}` });
    }
    const t = await waitFor('the task to fail', async () => {
      const x = await task(victim, taskId);
      return x.status === 'FAILED' && x;
    });
    expect(t.error).toBe(
      'shard 0 failed: inconclusive: 3 result(s), no 2 of different owners agree (max_replicas 3)',
    );
    expect(t.shards[0].attempts.map((a: { validation: string }) => a.validation)).toEqual([
      'INCONCLUSIVE',
      'INCONCLUSIVE',
      'INCONCLUSIVE',
    ]);
    const paid = t.shards[0].attempts.reduce((sum: number, a: { cost: number }) => sum + a.cost, 0);
    expect(paid).toBeGreaterThanOrEqual(3);
    expect(t.cost).toBe(paid);
    const after = await wallet(victim);
    expect(after.balance).toBe(before.balance - paid);
    expect(after.held).toBe(0);
    for (const w of nodes)
      expect((await node(w)).standing).toMatchObject({ valid_run: 0, invalid_results: 0 });
    await audit();
  });

  it('an honest node killed with four attempts running still serves the same users afterwards', async () => {
    const owner = await newUser(pool, 'crashowner');
    const user = await newUser(pool, 'crashuser'); // trust 50: normal and high nodes only
    const honest = await sim(owner, 'crashy', { maxConcurrent: 4 }, { validRun: 12, credit: 60 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await submit(user, { validation: 'none', name: `job ${i}` }));
    await honest.until((w) => w.executes().length === 4);
    // the machine dies: every live attempt LOST
    honest.close();
    await pool.app.get(LifecycleService).nodesLost([honest.nodeId], 'the node stopped heartbeating');
    const after = await node(honest);
    expect(after).toMatchObject({
      credit_score: 60,
      trust_group: 'normal',
      standing: { valid_run: 12, node_faults: 4 },
    });
    expect(after.standing.last_fault_at).not.toBeNull();
    // it comes back: the same user's work is placed on it again
    const back = new SimWorker(pool.grpc, honest.spec);
    workers.push(back);
    back.nodeId = honest.nodeId;
    back.credential = honest.credential;
    back.connect();
    await back.heartbeat();
    await back.until((w) => w.executes().length === 4);
    expect(new Set(back.executes().map((e) => e.task_id))).toEqual(new Set(ids));
  });

  it('adaptive: a node with a long valid run is accepted alone, spot-checked at about 1/run (seeded)', async () => {
    const owner = await newUser(pool, 'veteran');
    const user = await newUser(pool, 'steady');
    const veteran = await sim(
      owner,
      'veteran',
      { maxConcurrent: 256, cpuCores: 400, memoryGb: 400, storageGb: 1000 },
      { validRun: 20 },
    );
    pool.app.get(SchedulerService).random = seeded(20);
    const taskId = await submit(user, { shards: 200, split: 'simulation', cpu_cores: 1, memory_gb: 0.5 });
    await veteran.until((w) => w.executes().length === 200, 30_000);
    const quorums: { quorum: number; n: number }[] = await db.query(
      `SELECT quorum, count(*)::int AS n FROM shards WHERE task_id = $1 GROUP BY quorum ORDER BY quorum`,
      [taskId],
    );
    const checked = quorums.find((q) => q.quorum === 2)?.n ?? 0;
    // 1/20 of 200 is 10; the seeded draw gives a fixed figure near it
    expect(checked).toBeGreaterThanOrEqual(4);
    expect(checked).toBeLessThanOrEqual(18);
    expect(quorums.find((q) => q.quorum === 1)?.n).toBe(200 - checked);
  });
});
