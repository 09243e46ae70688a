import { getQueueToken } from '@nestjs/bull';
import * as grpc from '@grpc/grpc-js';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { type AuditEventView, type Page } from '@hivemind/contracts';
import { MaintenanceJob, QueueName } from '../src/queues/queue-names';
import { GrpcCaller } from './support/grpc-call';
import { call, loginAs, newUser, STRONG_PASSWORD, type TestUser } from './support/http';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const ADMIN = { username: 'root', password: 'amber-quartz-lantern-58' };

describe('the audit trail', () => {
  let pool: TestNodePool;
  let db: DataSource;
  let grpcCaller: GrpcCaller;
  let adminToken: string;
  let alice: TestUser;
  let bob: TestUser;

  const audit = (query: string, token = adminToken) =>
    call<Page<AuditEventView>>(pool, 'GET', `/api/admin/audit${query}`, { token });

  beforeAll(async () => {
    pool = await startTestNodePool({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    db = pool.app.get(DataSource);
    grpcCaller = new GrpcCaller(pool.grpc);
    adminToken = await loginAs(pool, ADMIN.username, ADMIN.password);
    alice = await newUser(pool, 'alice');
    bob = await newUser(pool, 'bob');
  });

  afterAll(async () => {
    grpcCaller?.close();
    await pool?.close();
  });

  it('records a login and a refused login with actor, address and request id, never the password', async () => {
    const ok = await call(pool, 'POST', '/api/auth/login', {
      body: { username: alice.username, password: STRONG_PASSWORD },
      headers: { 'x-request-id': 'login-ok-1' },
    });
    expect(ok.status).toBe(200);
    const refused = await call(pool, 'POST', '/api/auth/login', {
      body: { username: alice.username, password: 'wrong-password-guess-1' },
      headers: { 'x-request-id': 'login-refused-1' },
    });
    expect(refused.status).toBe(401);

    const logins = (await audit(`?action=auth.login&limit=500`)).body.items;
    const good = logins.find((e) => e.request_id === 'login-ok-1');
    expect(good).toMatchObject({
      action: 'auth.login',
      outcome: 'ok',
      actor_id: alice.id,
      actor_username: alice.username,
      address: expect.stringMatching(/127\.0\.0\.1$/),
      target_type: 'user',
      target_id: alice.id,
    });
    const bad = logins.find((e) => e.request_id === 'login-refused-1');
    expect(bad).toMatchObject({
      outcome: 'refused',
      actor_id: null,
      actor_username: null,
      address: expect.stringMatching(/127\.0\.0\.1$/),
      detail: { username: alice.username, reason: 'unauthenticated' },
    });
    const stored = JSON.stringify(await db.query(`SELECT * FROM audit_events`));
    expect(stored).not.toContain('wrong-password-guess-1');
    expect(stored).not.toContain(STRONG_PASSWORD);
  });

  it('records a gRPC login with the peer address and the caller’s x-request-id', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'grpc-login-7');
    const answer = await grpcCaller.call(
      'UserService',
      'Login',
      { username: bob.username, password: STRONG_PASSWORD },
      metadata,
    );
    expect(answer).toMatchObject({ ok: true, response: { success: true } });
    const events = (await audit(`?actor=${bob.username}&action=auth.login`)).body.items;
    expect(events[0]).toMatchObject({
      outcome: 'ok',
      request_id: 'grpc-login-7',
      address: '127.0.0.1',
      actor_username: bob.username,
    });
  });

  it('records a transfer, and a refused one, with the sender as actor', async () => {
    const sent = await call(pool, 'POST', '/api/wallet/transfer', {
      token: alice.token,
      body: { to: bob.username, amount: 7 },
    });
    expect(sent.status).toBe(201);
    const tooMuch = await call(pool, 'POST', '/api/wallet/transfer', {
      token: alice.token,
      body: { to: bob.username, amount: 10_000_000 },
    });
    expect(tooMuch.status).toBe(402);

    const events = (await audit(`?action=wallet.*&actor=${alice.username}`)).body.items;
    expect(events).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        detail: expect.objectContaining({ amount: 10_000_000 }),
      }),
      expect.objectContaining({
        outcome: 'ok',
        actor_id: alice.id,
        address: expect.stringMatching(/127\.0\.0\.1$/),
        target_type: 'ledger_transaction',
        target_id: sent.body.transaction_id,
        detail: expect.objectContaining({ to: bob.username, amount: 7 }),
      }),
    ]);
  });

  it('records an admin change with the admin as actor and the user as target', async () => {
    const changed = await call(pool, 'PATCH', `/api/admin/users/${bob.id}`, {
      token: adminToken,
      body: { trust_score: 640 },
    });
    expect(changed.status).toBe(200);
    const events = (await audit(`?target=user:${bob.id}&action=admin`)).body.items;
    expect(events).toEqual([
      expect.objectContaining({
        action: 'admin.user_trust',
        outcome: 'ok',
        actor_username: ADMIN.username,
        address: expect.stringMatching(/127\.0\.0\.1$/),
        detail: expect.objectContaining({ to: 640 }),
      }),
    ]);
  });

  it('records a node registration over gRPC', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${alice.token}`);
    const registered = await grpcCaller.call(
      'NodeManagerService',
      'RegisterWorkerNode',
      {
        node_id: `audit-box-${process.pid}`,
        hostname: '10.0.0.7',
        cpu_cores: 4,
        memory_gb: 8,
        cpu_score: 1000,
        location: 'eu-west',
        port: 50052,
        docker_status: 'enabled',
        storage_gb: 50,
        max_concurrent_tasks: 2,
        agent_version: '0.1.0',
      },
      metadata,
    );
    expect(registered).toMatchObject({ ok: true, response: { success: true } });
    const events = (await audit(`?action=node.register`)).body.items;
    expect(events[0]).toMatchObject({
      outcome: 'ok',
      actor_username: alice.username,
      address: '127.0.0.1',
      target_type: 'node',
      detail: { name: `audit-box-${process.pid}`, created: true },
    });
    expect(events[0].request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records a task submitted as a multipart upload and cancelled, and a VPN peer added and revoked', async () => {
    const form = new FormData();
    form.set('spec', JSON.stringify({ image: 'busybox', command: ['true'], timeout_s: 60, name: 'audited' }));
    const res = await fetch(`${pool.http}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'x-request-id': 'submit-1' },
      body: form,
    });
    expect(res.status).toBe(201);
    const taskId = ((await res.json()) as { task: { id: string } }).task.id;
    const cancelled = await call(pool, 'POST', `/api/tasks/${taskId}/cancel`, { token: alice.token });
    expect(cancelled.status).toBe(200);
    const peer = await call(pool, 'POST', '/api/vpn/peers', { token: alice.token, body: { name: 'laptop' } });
    expect(peer.status).toBe(201);
    expect(
      (await call(pool, 'DELETE', `/api/vpn/peers/${peer.body.peer.id}`, { token: alice.token })).status,
    ).toBe(200);

    const task = (await audit(`?target=task:${taskId}`)).body.items;
    expect(task).toEqual([
      expect.objectContaining({ action: 'task.cancel', outcome: 'ok', actor_username: alice.username }),
      expect.objectContaining({
        action: 'task.submit',
        outcome: 'ok',
        actor_username: alice.username,
        address: expect.stringMatching(/127\.0\.0\.1$/),
        request_id: 'submit-1',
        detail: expect.objectContaining({ name: 'audited', shards: 1 }),
      }),
    ]);
    const vpn = (await audit(`?action=vpn&actor=${alice.username}`)).body.items;
    expect(vpn.map((e) => [e.action, e.outcome, e.target_id])).toEqual([
      ['vpn.peer_revoke', 'ok', peer.body.peer.id],
      ['vpn.peer_create', 'ok', peer.body.peer.id],
    ]);
  });

  it('pages newest first, and filters by outcome and time', async () => {
    const first = await audit(`?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const next = await audit(`?limit=2&cursor=${first.body.next_cursor}`);
    expect(Number(next.body.items[0].id)).toBeLessThan(Number(first.body.items[1].id));
    const refused = (await audit(`?outcome=refused`)).body.items;
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((e) => e.outcome === 'refused')).toBe(true);
    expect((await audit(`?since=2999-01-01T00:00:00Z`)).body.items).toEqual([]);
  });

  it('is for admins only', async () => {
    expect((await audit('', alice.token)).status).toBe(403);
    expect((await call(pool, 'GET', '/api/admin/audit')).status).toBe(401);
  });

  it.each([
    ['action', 'auth.login%27--'],
    ['action', 'AUTH'],
    ['actor', 'x'.repeat(40)],
    ['outcome', 'maybe'],
    ['target', 'user:%27%20OR%201=1'],
    ['since', 'yesterday'],
    ['until', '2026-13-45'],
    ['since', '0000-01-01T00:00:00Z'],
    ['limit', '501'],
    ['limit', '-1'],
    ['cursor', 'abc'],
  ])('answers a hostile %s (%s) with 400 naming it', async (field, value) => {
    const answer = await audit(`?${field}=${value}`);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(field);
  });

  it('refuses since after until, naming since', async () => {
    const answer = await audit(`?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z`);
    expect(answer.status).toBe(400);
    expect((answer.body as unknown as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({ field: 'since' }),
    ]);
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(
      db.query(`UPDATE audit_events SET outcome = 'ok' WHERE outcome = 'refused'`),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    // a recent row stays even under the retention job's setting
    await expect(
      db.transaction(async (m) => {
        await m.query(`SELECT set_config('hivemind.audit_prune_before', $1, true)`, [
          new Date().toISOString(),
        ]);
        await m.query(`DELETE FROM audit_events`);
      }),
    ).rejects.toThrow(/append-only/);
  });

  it('retention: the maintenance job deletes only events older than AUDIT_RETENTION_DAYS', async () => {
    const old = new Date(Date.now() - 400 * 86_400_000);
    const recent = new Date(Date.now() - 300 * 86_400_000);
    for (const at of [old, old, recent]) {
      await db.query(
        `INSERT INTO audit_events (at, action, outcome, detail) VALUES ($1, 'auth.login', 'ok', $2)`,
        [at, JSON.stringify({ seeded: at.toISOString() })],
      );
    }
    const count = async () => Number((await db.query(`SELECT count(*) AS n FROM audit_events`))[0].n);
    const before = await count();
    const queue = pool.app.get<Queue>(getQueueToken(QueueName.Maintenance));
    expect((await queue.getRepeatableJobs()).map((r) => r.name)).toContain(MaintenanceJob.AuditPrune);
    const result = await (await queue.add(MaintenanceJob.AuditPrune, {})).finished();
    expect(result).toEqual({ deleted: 2 });
    expect(await count()).toBe(before - 2);
    const left = await db.query<{ at: Date }[]>(`SELECT at FROM audit_events WHERE detail ? 'seeded'`);
    expect(left.map((r) => r.at.getTime())).toEqual([recent.getTime()]);
  });
});
