// The reconciler notices a RUNNING attempt its node no longer runs — the heartbeats stopped listing
// it — long before its timeout: LOST, run again; and the stop it sends for it is sent once.
import { DataSource } from 'typeorm';
import { PROBATION_RUN } from '@hivemind/contracts';
import { waitFor } from '@hivemind/testing';
import { ReconcilerService } from '../src/scheduling/reconciler.service';
import { UNLISTED_RULE } from '../src/scheduling/unlisted-attempts';
import { call, newUser, type TestUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

describe('the reconciler and attempts their node no longer lists', () => {
  let pool: TestNodePool;
  let db: DataSource;
  let owner: TestUser;
  let user: TestUser;
  const workers: SimWorker[] = [];

  const node = async (name: string, maxConcurrent: number) => {
    const w = new SimWorker(pool.grpc, { name: `${name}-${owner.id.slice(0, 6)}`, maxConcurrent });
    workers.push(w);
    await w.register(owner.token);
    // normal trust and past probation (three attempts at once; docs/validation.md)
    await db.query(`UPDATE nodes SET credit_score = 80, valid_run = $2 WHERE id = $1`, [
      w.nodeId,
      PROBATION_RUN,
    ]);
    w.connect();
    await w.heartbeat();
    return w;
  };
  const submit = async (shards: number) => {
    const res = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'alpine:3', timeout_s: 3600, shards, validation: 'none' },
    });
    expect(res.status).toBe(201);
    return res.body.task.id as string;
  };
  const stateOf = async (attemptId: string) =>
    (await db.query(`SELECT state, error FROM attempts WHERE id = $1`, [attemptId]))[0] as {
      state: string;
      error: string | null;
    };
  /** As if the attempts had started a minute ago: later heartbeats are well past the margin. */
  const startedLongAgo = (ids: string[]) =>
    db.query(`UPDATE attempts SET started_at = now() - interval '1 minute' WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);

  beforeAll(async () => {
    // heartbeats are sent by the test, not on a clock: no liveness sweep in the way
    pool = await startTestNodePool({ HEARTBEAT_TIMEOUT_S: '3600', SIGNUP_GRANT_CPT: '100000' });
    db = pool.app.get(DataSource);
    owner = await newUser(pool, 'ul-owner');
    user = await newUser(pool, 'ul-user');
  });
  afterAll(async () => {
    for (const w of workers) w.close();
    await pool?.close();
  });

  it('loses a RUNNING attempt its node stopped listing, runs its shard again, and stops it once', async () => {
    const sim = await node('unlisting', 3);
    await submit(2);
    await sim.until((w) => w.executes().length === 2);
    const [kept, forgotten] = sim.executes();
    for (const e of [kept, forgotten]) await sim.report(e).running();
    await startedLongAgo([kept.attempt_id, forgotten.attempt_id]);

    // the node names only one of them, heartbeat after heartbeat
    for (let i = 0; i < UNLISTED_RULE.heartbeats; i++) await sim.heartbeat([kept.attempt_id]);
    await pool.app.get(ReconcilerService).reconcile();

    expect(await stateOf(kept.attempt_id)).toMatchObject({ state: 'RUNNING' });
    const lost = await stateOf(forgotten.attempt_id);
    expect(lost.state).toBe('LOST');
    expect(lost.error).toMatch(/has not listed it in its last 3 heartbeats/);
    // the shard runs again (here: on the same node, the only one) and the old attempt is told to stop
    await sim.until((w) => w.executes().length === 3);
    const retry = sim.executes()[2];
    expect(retry.task_id).toBe(forgotten.task_id);
    expect(retry.attempt_number).toBe(2);
    expect(sim.stops()).toEqual([forgotten.attempt_id]);

    // the node ignores the stop (it does not have the attempt) and goes on not listing it: nothing more
    await sim.report(retry).running();
    for (let i = 0; i < UNLISTED_RULE.heartbeats; i++)
      await sim.heartbeat([kept.attempt_id, retry.attempt_id]);
    await pool.app.get(ReconcilerService).reconcile();
    // a barrier: commands reach the node in the order they were sent, so anything the second pass
    // sent has arrived once the execute of a task submitted after it has
    await submit(1);
    await sim.until((w) => w.executes().length === 4);
    expect(sim.stops()).toEqual([forgotten.attempt_id]);
    expect(await stateOf(kept.attempt_id)).toMatchObject({ state: 'RUNNING' });
    expect(await stateOf(retry.attempt_id)).toMatchObject({ state: 'RUNNING' });
  });

  it.each([
    ['fewer heartbeats in a row than the rule asks', UNLISTED_RULE.heartbeats - 1, true],
    ['heartbeats within the margin after its start', UNLISTED_RULE.heartbeats, false],
  ])('keeps an attempt the node left out of %s', async (_what, heartbeats, longAgo) => {
    const sim = await node(`lenient-${heartbeats}-${String(longAgo)}`, 1);
    await submit(1);
    await sim.until((w) => w.executes().length === 1);
    const [e] = sim.executes();
    await sim.report(e).running();
    if (longAgo) await startedLongAgo([e.attempt_id]);
    await sim.heartbeat([e.attempt_id]);
    for (let i = 0; i < heartbeats; i++) await sim.heartbeat([]);
    await pool.app.get(ReconcilerService).reconcile();
    expect(await stateOf(e.attempt_id)).toMatchObject({ state: 'RUNNING' });
    // the same node, three heartbeats without it once they count: lost after all
    await startedLongAgo([e.attempt_id]);
    for (let i = 0; i < UNLISTED_RULE.heartbeats; i++) await sim.heartbeat([]);
    await pool.app.get(ReconcilerService).reconcile();
    await waitFor('the attempt LOST', async () => (await stateOf(e.attempt_id)).state === 'LOST');
  });
});
