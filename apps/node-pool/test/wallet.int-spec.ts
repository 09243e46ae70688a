import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { type LedgerMovementView, type Page, type WalletView } from '@hivemind/contracts';
import { LedgerService, type AuditReport } from '../src/ledger/ledger.service';
import { userAccount } from '../src/ledger/ledger-accounts';
import { MaintenanceJob, QueueName } from '../src/queues/queue-names';
import { call, newUser, type TestUser } from './support/http';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

describe('the CPT wallet and ledger', () => {
  let pool: TestNodePool;
  let db: DataSource;
  let ledger: LedgerService;

  beforeAll(async () => {
    pool = await startTestNodePool({ DATABASE_POOL_SIZE: '10', SIGNUP_GRANT_CPT: '1000' });
    db = pool.app.get(DataSource);
    ledger = pool.app.get(LedgerService);
  });
  afterAll(async () => pool?.close());

  const wallet = async (user: TestUser) =>
    (await call<WalletView>(pool, 'GET', '/api/wallet', { token: user.token })).body;
  const transfer = (from: TestUser, body: unknown, headers: Record<string, string> = {}) =>
    call(pool, 'POST', '/api/wallet/transfer', { token: from.token, body, headers });
  const expectAuditOk = async () => {
    const report = await ledger.audit();
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, entriesSum: 0, balancesSum: 0, negativeAccounts: [] });
  };

  it('grants SIGNUP_GRANT_CPT at registration, from the mint', async () => {
    const user = await newUser(pool, 'grant');
    expect(await wallet(user)).toEqual({ balance: 1000, held: 0, available: 1000 });
    const history = await call<Page<LedgerMovementView>>(pool, 'GET', '/api/wallet/history', {
      token: user.token,
    });
    expect(history.body.items).toEqual([
      expect.objectContaining({
        kind: 'signup_grant',
        amount: 1000,
        balance_after: 1000,
        counterparty: 'mint',
      }),
    ]);
    await expectAuditOk();
  });

  it('transfers to another user, recorded on both sides', async () => {
    const [alice, bob] = [await newUser(pool, 'alice'), await newUser(pool, 'bob')];
    const res = await transfer(alice, {
      to: bob.username.toUpperCase(),
      amount: 250,
      memo: 'for the GPU hours',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: true, wallet: { balance: 750, held: 0, available: 750 } });
    expect(await wallet(bob)).toEqual({ balance: 1250, held: 0, available: 1250 });
    const sent = await call<Page<LedgerMovementView>>(pool, 'GET', '/api/wallet/history', {
      token: alice.token,
    });
    expect(sent.body.items[0]).toMatchObject({
      kind: 'transfer',
      amount: -250,
      balance_after: 750,
      counterparty: bob.username,
      memo: 'for the GPU hours',
      transaction_id: res.body.transaction_id,
    });
    const received = await call<Page<LedgerMovementView>>(pool, 'GET', '/api/wallet/history', {
      token: bob.token,
    });
    expect(received.body.items[0]).toMatchObject({ amount: 250, counterparty: alice.username });
    await expectAuditOk();
  });

  it.each([
    ['to self', (u: TestUser) => ({ to: u.username, amount: 5 }), 400, /yourself/],
    ['to an unknown user', () => ({ to: 'nobody-at-all', amount: 5 }), 404, /no user named nobody-at-all/],
    ['of zero', (_: TestUser, r: TestUser) => ({ to: r.username, amount: 0 }), 400, /at least 1 CPT/],
    [
      'of a negative amount',
      (_: TestUser, r: TestUser) => ({ to: r.username, amount: -10 }),
      400,
      /at least 1 CPT/,
    ],
    ['of a fraction', (_: TestUser, r: TestUser) => ({ to: r.username, amount: 1.5 }), 400, /whole number/],
    ['of a string', (_: TestUser, r: TestUser) => ({ to: r.username, amount: '10' }), 400, /whole number/],
    [
      'beyond the balance',
      (_: TestUser, r: TestUser) => ({ to: r.username, amount: 1001 }),
      402,
      /insufficient balance: 1000 CPT available, 1001 CPT needed/,
    ],
    ['without a receiver', () => ({ amount: 5 }), 400, /to must be a username/],
  ])('refuses a transfer %s, moving nothing', async (_name, body, status, message) => {
    const [sender, receiver] = [await newUser(pool, 'snd'), await newUser(pool, 'rcv')];
    const res = await transfer(sender, body(sender, receiver));
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
    expect(await wallet(sender)).toEqual({ balance: 1000, held: 0, available: 1000 });
    expect(await wallet(receiver)).toEqual({ balance: 1000, held: 0, available: 1000 });
  });

  it('refuses a transfer without a token and with a malformed Idempotency-Key', async () => {
    const [a, b] = [await newUser(pool, 'tk'), await newUser(pool, 'tk')];
    expect(
      (await call(pool, 'POST', '/api/wallet/transfer', { body: { to: b.username, amount: 1 } })).status,
    ).toBe(401);
    const bad = await transfer(a, { to: b.username, amount: 1 }, { 'idempotency-key': 'x'.repeat(129) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('Idempotency-Key');
  });

  it('moves money once for a retried Idempotency-Key, even when retries race', async () => {
    const [a, b] = [await newUser(pool, 'idem'), await newUser(pool, 'idem')];
    const first = await transfer(a, { to: b.username, amount: 100 }, { 'idempotency-key': 'order-42' });
    const retry = await transfer(a, { to: b.username, amount: 100 }, { 'idempotency-key': 'order-42' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ created: false, transaction_id: first.body.transaction_id });
    const racing = await Promise.all(
      Array.from({ length: 20 }, () =>
        transfer(a, { to: b.username, amount: 7 }, { 'idempotency-key': 'race-1' }),
      ),
    );
    expect(racing.filter((r) => r.status === 201)).toHaveLength(1);
    expect(racing.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(racing.map((r) => String(r.body.transaction_id))).size).toBe(1);
    expect(await wallet(a)).toMatchObject({ available: 1000 - 100 - 7 });
    const reused = await transfer(a, { to: b.username, amount: 101 }, { 'idempotency-key': 'order-42' });
    expect(reused.status).toBe(409);
    // keys are per sender: another user may use the same key
    expect((await transfer(b, { to: a.username, amount: 1 }, { 'idempotency-key': 'order-42' })).status).toBe(
      201,
    );
    // a retry that finds the money gone — its first run took it — is answered as the first run
    const all = (await wallet(a)).available;
    const draining = await Promise.all(
      Array.from({ length: 6 }, () =>
        transfer(a, { to: b.username, amount: all }, { 'idempotency-key': 'drain-1' }),
      ),
    );
    expect(draining.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(draining.map((r) => String(r.body.transaction_id))).size).toBe(1);
    const late = await transfer(a, { to: b.username, amount: all }, { 'idempotency-key': 'drain-1' });
    expect(late.status).toBe(200);
    expect(await wallet(a)).toMatchObject({ available: 0 });
    await expectAuditOk();
  });

  it('pages the history newest first', async () => {
    const [a, b] = [await newUser(pool, 'hist'), await newUser(pool, 'hist')];
    for (let i = 1; i <= 5; i++) expect((await transfer(a, { to: b.username, amount: i })).status).toBe(201);
    const first = await call<Page<LedgerMovementView>>(pool, 'GET', '/api/wallet/history?limit=4', {
      token: a.token,
    });
    expect(first.body.items.map((m) => m.amount)).toEqual([-5, -4, -3, -2]);
    const second = await call<Page<LedgerMovementView>>(
      pool,
      'GET',
      `/api/wallet/history?limit=4&cursor=${first.body.next_cursor}`,
      { token: a.token },
    );
    expect(second.body.items.map((m) => m.amount)).toEqual([-1, 1000]);
    expect(second.body.next_cursor).toBeNull();
    expect((await call(pool, 'GET', '/api/wallet/history?cursor=abc', { token: a.token })).status).toBe(400);
    expect((await call(pool, 'GET', '/api/wallet/history?limit=100000', { token: a.token })).status).toBe(
      400,
    );
  });

  it('keeps the ledger whole under 500 concurrent transfers among 10 users', async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < 10; i++) users.push(await newUser(pool, 'storm'));
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = () => users[Math.floor(random() * users.length)];
    const results = await Promise.all(
      Array.from({ length: 500 }, () => {
        const from = pick();
        let to = pick();
        while (to === from) to = pick();
        // large amounts so that some transfers must be refused for lack of funds
        return transfer(from, { to: to.username, amount: 1 + Math.floor(random() * 400) });
      }),
    );
    const statuses = new Set(results.map((r) => r.status));
    expect([...statuses].every((s) => s === 201 || s === 402)).toBe(true);
    const made = results.filter((r) => r.status === 201).length;
    expect(made).toBeGreaterThan(100);

    const balances = await db.query<{ balance: string }[]>(
      `SELECT balance FROM ledger_accounts WHERE account = ANY($1)`,
      [users.map((u) => userAccount(u.id))],
    );
    expect(balances.map((b) => Number(b.balance)).reduce((a, b) => a + b, 0)).toBe(10 * 1000);
    expect(balances.every((b) => Number(b.balance) >= 0)).toBe(true);
    const [{ count }] = await db.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM ledger_transactions WHERE kind = 'transfer' AND memo LIKE 'transfer to storm-%'`,
    );
    expect(count).toBe(made);
    await expectAuditOk();
  });

  describe('escrow for tasks: hold, charge, release', () => {
    const newTask = async (user: TestUser) =>
      (await db.query<{ id: string }[]>(`INSERT INTO tasks (user_id) VALUES ($1) RETURNING id`, [user.id]))[0]
        .id;

    it('holds the maximum cost, pays the node owner, refunds the rest once', async () => {
      const [submitter, owner] = [await newUser(pool, 'sub'), await newUser(pool, 'own')];
      const task = await newTask(submitter);
      await db.transaction((m) => ledger.hold(m, task, submitter.id, 300));
      expect(await wallet(submitter)).toEqual({ balance: 1000, held: 300, available: 700 });

      await ledger.charge(task, 120, userAccount(owner.id), 'attempt-1');
      await ledger.charge(task, 120, userAccount(owner.id), 'attempt-1'); // a retried charge
      expect(await wallet(owner)).toMatchObject({ available: 1120 });
      expect(await wallet(submitter)).toEqual({ balance: 880, held: 180, available: 700 });
      // escrow also holds another task's budget: a charge may still not take more than its own hold
      const other = await newUser(pool, 'oth');
      await db.transaction(async (m) => ledger.hold(m, await newTask(other), other.id, 500));
      await expect(ledger.charge(task, 181, userAccount(owner.id), 'attempt-2')).rejects.toThrow(
        /exceeds the 180 CPT still held/,
      );
      await expectAuditOk();

      expect(await ledger.release(task)).toEqual({ refunded: 180 });
      expect(await ledger.release(task)).toEqual({ refunded: 0 });
      expect(await wallet(submitter)).toEqual({ balance: 880, held: 0, available: 880 });
      await expectAuditOk();
    });

    it('racing charges of one hold: no more than it holds is paid, each charge once', async () => {
      const [submitter, owner] = [await newUser(pool, 'race-sub'), await newUser(pool, 'race-own')];
      const task = await newTask(submitter);
      await db.transaction((m) => ledger.hold(m, task, submitter.id, 300));
      // escrow holds more than this task's 300: only the hold's own lock and check can stop a charge
      const other = await newUser(pool, 'race-oth');
      await db.transaction(async (m) => ledger.hold(m, await newTask(other), other.id, 900));
      // twelve charges of 50 against a hold of 300, each key sent twice, all at once
      const keys = Array.from({ length: 12 }, (_, i) => `attempt-${i}`);
      const settled = await Promise.allSettled(
        [...keys, ...keys].map((key) => ledger.charge(task, 50, userAccount(owner.id), key)),
      );
      const paid = new Set(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.transactionId] : [])));
      const refusals = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
      expect(paid.size).toBe(6);
      for (const message of refusals) expect(message).toMatch(/exceeds the 0 CPT still held/);
      expect(await wallet(owner)).toMatchObject({ available: 1300 });
      expect(await wallet(submitter)).toEqual({ balance: 700, held: 0, available: 700 });
      const [hold] = await db.query<{ remaining: string }[]>(
        `SELECT remaining FROM ledger_holds WHERE task_id = $1`,
        [task],
      );
      expect(Number(hold.remaining)).toBe(0);
      await expectAuditOk();

      // a charge retried after the hold was spent and closed is answered as the first, paying nothing more
      const first = settled.find((s) => s.status === 'fulfilled')!;
      const firstKey = [...keys, ...keys][settled.indexOf(first)];
      expect(await ledger.release(task)).toEqual({ refunded: 0 });
      await expect(ledger.charge(task, 50, userAccount(owner.id), firstKey)).resolves.toEqual({
        transactionId: (first as PromiseFulfilledResult<{ transactionId: string }>).value.transactionId,
        created: false,
      });
      await expect(ledger.charge(task, 50, userAccount(owner.id), 'attempt-new')).rejects.toThrow(
        /exceeds the 0 CPT still held/,
      );
      expect(await wallet(owner)).toMatchObject({ available: 1300 });
      await expectAuditOk();
    });

    it('settles a task that may have no hold through the ledger (releaseIfHeldWithin)', async () => {
      const submitter = await newUser(pool, 'free');
      const free = await newTask(submitter); // a task that cost nothing has no hold
      expect(await db.transaction((m) => ledger.releaseIfHeldWithin(m, free))).toEqual({ refunded: 0 });
      await expect(ledger.release(free)).rejects.toThrow(/has no hold/);

      const held = await newTask(submitter);
      await db.transaction((m) => ledger.hold(m, held, submitter.id, 250));
      expect(await db.transaction((m) => ledger.releaseIfHeldWithin(m, held))).toEqual({ refunded: 250 });
      expect(await db.transaction((m) => ledger.releaseIfHeldWithin(m, held))).toEqual({ refunded: 0 });
      expect(await wallet(submitter)).toEqual({ balance: 1000, held: 0, available: 1000 });
      await expectAuditOk();
    });

    it('refuses a hold beyond the balance and keeps nothing of it', async () => {
      const submitter = await newUser(pool, 'poor');
      const task = await newTask(submitter);
      await expect(db.transaction((m) => ledger.hold(m, task, submitter.id, 1001))).rejects.toThrow(
        /insufficient balance/,
      );
      expect(await db.query(`SELECT * FROM ledger_holds WHERE task_id = $1`, [task])).toEqual([]);
      expect(await wallet(submitter)).toEqual({ balance: 1000, held: 0, available: 1000 });
    });

    it('refuses a second hold of one task, moving nothing, even when the two race', async () => {
      const submitter = await newUser(pool, 'twice');
      const task = await newTask(submitter);
      const results = await Promise.allSettled([
        db.transaction((m) => ledger.hold(m, task, submitter.id, 200)),
        db.transaction((m) => ledger.hold(m, task, submitter.id, 300)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected');
      expect(String(refused?.reason)).toMatch(new RegExp(`task ${task} already has a hold`));
      const [hold] = await db.query<{ amount: string }[]>(
        `SELECT amount FROM ledger_holds WHERE task_id = $1`,
        [task],
      );
      const held = Number(hold.amount);
      expect(await wallet(submitter)).toEqual({ balance: 1000, held, available: 1000 - held });
      await expectAuditOk();
    });
  });

  describe('the ledger audit job', () => {
    let queue: Queue;
    beforeAll(() => {
      queue = pool.app.get<Queue>(getQueueToken(QueueName.Maintenance));
    });

    it('is scheduled as a repeatable job on the maintenance queue', async () => {
      const repeatable = await queue.getRepeatableJobs();
      expect(repeatable.map((r) => r.name)).toContain(MaintenanceJob.LedgerAudit);
    });

    it('passes on a whole ledger and fails, naming the account, when a balance drifts', async () => {
      const ok = (await (await queue.add(MaintenanceJob.LedgerAudit, {})).finished()) as AuditReport;
      expect(ok).toMatchObject({ ok: true, entriesSum: 0 });

      const victim = await newUser(pool, 'drift');
      await db.query(`UPDATE ledger_accounts SET balance = balance + 5 WHERE account = $1`, [
        userAccount(victim.id),
      ]);
      const failed = await queue.add(MaintenanceJob.LedgerAudit, {});
      await expect(failed.finished()).rejects.toThrow(
        new RegExp(`balances sum to 5, not 0.*balances differ from their entries: ${userAccount(victim.id)}`),
      );
      await db.query(`UPDATE ledger_accounts SET balance = balance - 5 WHERE account = $1`, [
        userAccount(victim.id),
      ]);
    });
  });
});
