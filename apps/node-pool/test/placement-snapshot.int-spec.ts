// Placement's snapshot of the nodes (docs/scheduling.md "Placement at scale") against the real
// PostgreSQL: kept up to date from the rows changed since its last read, whoever changed them.
import { DataSource } from 'typeorm';
import { NodeCapacityRepository } from '../src/nodes/node-capacity.repository';
import { hasFreeSlot } from '../src/scheduling/node-index';
import { FULL_READ_INTERVAL_MS, PlacementNodes } from '../src/scheduling/placement-nodes';
import { newUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

describe('placement snapshot', () => {
  let pool: TestNodePool;
  let db: DataSource;
  let snapshot: PlacementNodes;
  const workers: SimWorker[] = [];

  beforeAll(async () => {
    pool = await startTestNodePool({ HEARTBEAT_TIMEOUT_S: '3600' });
    db = pool.app.get(DataSource);
    snapshot = pool.app.get(PlacementNodes);
  });
  afterAll(async () => {
    for (const w of workers) w.close();
    await pool?.close();
  });

  const register = async (name: string) => {
    const owner = await newUser(pool, 'owner');
    const w = new SimWorker(pool.grpc, { name, maxConcurrent: 2 });
    workers.push(w);
    await w.register(owner.token);
    return w;
  };

  it('sees a node registered, filled by any SQL, gone offline and freed, without reading every node again', async () => {
    const start = Date.now();
    const a = await register(`snap-a-${process.pid}`);
    const b = await register(`snap-b-${process.pid}`);
    const quiet = await register(`snap-q-${process.pid}`);
    const c = await register(`snap-c-${process.pid}`);
    // the passes the registrations asked for have read by now; nothing below asks for one
    await new Promise((resolve) => setTimeout(resolve, 500));
    let index = await snapshot.current(start + FULL_READ_INTERVAL_MS); // a delta; every node read beside it
    await snapshot.settled();
    expect(index.get(a.nodeId)?.runningAttempts).toBe(0);
    expect(index.get(b.nodeId)).toBeDefined();

    // statements that never mention updated_at (an operator's SQL): the trigger stamps the rows
    await db.query(`UPDATE nodes SET running_attempts = max_concurrent WHERE id = $1`, [a.nodeId]);
    await db.query(`UPDATE nodes SET status = 'offline' WHERE id = $1`, [b.nodeId]);
    const repository = pool.app.get(NodeCapacityRepository);
    const read = repository.snapshot.bind(repository);
    const sent: string[][] = [];
    const spy = jest.spyOn(repository, 'snapshot').mockImplementation(async (...args) => {
      const result = await read(...args);
      sent.push(result.rows.map((r) => r.name));
      return result;
    });
    try {
      // twice: a pass this pool runs may have begun a read before the statements above
      await snapshot.current(start + FULL_READ_INTERVAL_MS + 1);
      index = await snapshot.current(start + FULL_READ_INTERVAL_MS + 1); // a delta
    } finally {
      spy.mockRestore();
    }
    // the delta sent the rows changed since the previous read, not the unchanged ones (quiet)
    const changed = [a, b].map((w) => w.spec.name);
    expect(sent.flat().filter((name) => name === quiet.spec.name)).toEqual([]);
    expect(changed.every((name) => sent.flat().includes(name))).toBe(true);
    expect(hasFreeSlot(index.get(a.nodeId)!)).toBe(false);
    expect(index.get(b.nodeId)).toBeUndefined();
    expect(index.get(c.nodeId)?.status).toBe('online');
    expect(index.get(quiet.nodeId)?.status).toBe('online');

    await db.query(`UPDATE nodes SET running_attempts = 0 WHERE id = $1`, [a.nodeId]);
    await snapshot.current(start + FULL_READ_INTERVAL_MS + 2);
    index = await snapshot.current(start + FULL_READ_INTERVAL_MS + 2);
    expect(hasFreeSlot(index.get(a.nodeId)!)).toBe(true);
  });

  it('reads every node beside the passes: a batch does not wait for that read, the next one takes it up', async () => {
    const e = await register(`snap-e-${process.pid}`);
    const later = Date.now() + 10 * FULL_READ_INTERVAL_MS;
    await snapshot.settled();
    await snapshot.current(later - FULL_READ_INTERVAL_MS); // takes up any read arrived, or starts one
    await snapshot.settled();
    const repository = pool.app.get(NodeCapacityRepository);
    const read = repository.snapshot.bind(repository);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let wholeReads = 0;
    const spy = jest.spyOn(repository, 'snapshot').mockImplementation(async (cooldown, since, reread) => {
      if (!since) {
        wholeReads++;
        await held; // every node, read slowly (100,000 of them take over a second)
      }
      return read(cooldown, since, reread);
    });
    try {
      await db.query(`UPDATE nodes SET running_attempts = 1 WHERE id = $1`, [e.nodeId]);
      let index = await snapshot.current(later); // answered while the whole read is held
      // a pass of the pool's own may have had a read under way, which the call joined: ask again
      for (let i = 0; wholeReads === 0 && i < 10; i++) index = await snapshot.current(later);
      expect(wholeReads).toBe(1);
      expect(index.get(e.nodeId)?.runningAttempts).toBe(1); // by a delta, the whole read still held
      release();
      await snapshot.settled();
      let adopted = await snapshot.current(later + 1);
      for (let i = 0; adopted === index && i < 10; i++) adopted = await snapshot.current(later + 1);
      expect(adopted).not.toBe(index);
      expect(adopted.get(e.nodeId)?.runningAttempts).toBe(1);
      expect(wholeReads).toBe(1);
    } finally {
      release();
      spy.mockRestore();
      await db.query(`UPDATE nodes SET running_attempts = 0 WHERE id = $1`, [e.nodeId]);
    }
  });

  it('reads again the nodes whose capacity it counted wrongly, and everything after a failed batch', async () => {
    const d = await register(`snap-d-${process.pid}`);
    await snapshot.current();
    let index = await snapshot.current();
    const node = index.get(d.nodeId)!;
    // what a batch does to its snapshot before its transaction commits
    node.runningAttempts = 2;
    index.refile(node);
    expect(hasFreeSlot(node)).toBe(false);
    snapshot.rereadLater([d.nodeId]);
    index = await snapshot.current();
    expect(index.get(d.nodeId)?.runningAttempts).toBe(0);

    index.get(d.nodeId)!.runningAttempts = 2;
    snapshot.invalidate();
    const fresh = await snapshot.current();
    expect(fresh).not.toBe(index);
    expect(fresh.get(d.nodeId)?.runningAttempts).toBe(0);
  });
});
