/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- the tests read the JSON answers loosely */
// The worker console's API end to end: the real worker program against a real node pool (its
// PostgreSQL and Redis); sign-in checked by the pool over the worker's gRPC channel, sessions,
// CSRF, bounds, the reads, the stop, the static app, and the pool going away.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { removeTree, waitFor } from '@hivemind/testing';
import { call, loginAs, newUser, type TestUser } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { makeZip } from '../../node-pool/test/support/zip';
import { NOT_BUILT } from '../src/console/console-static.module';
import { SIGN_IN_LIMITS } from '../src/console/console-auth.service';
import { WorkerProcess } from './support/worker-process';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };

describe('the worker console API', () => {
  let pool: TestNodePool;
  let owner: TestUser;
  let stranger: TestUser;
  let adminToken: string;
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-worker-console-'));
  const workers: WorkerProcess[] = [];
  /** The node under test: no console build here, so its / answers 503. */
  let w: WorkerProcess;
  /** Short sessions, and a console "build" of our own. */
  let short: WorkerProcess;
  const fakeBuild = join(scratch, 'fake-console');

  const worker = (name: string, env: Record<string, string> = {}) => {
    const made = new WorkerProcess(name, join(scratch, name), {
      NODE_POOL_ADDRESS: pool.grpc,
      HIVEMIND_USERNAME: owner.username,
      HIVEMIND_PASSWORD: owner.password,
      DOCKER_ENABLED: 'false',
      RECONNECT_MAX_S: '1',
      WORKER_CONSOLE_ROOT: join(scratch, 'not-built'),
      ...env,
    });
    workers.push(made);
    return made;
  };
  const as = (cookie: string, headers: Record<string, string> = {}) => ({
    headers: { cookie, 'x-hivemind-console': '1', ...headers },
  });
  const signedIn = async (target: WorkerProcess, user: TestUser | { username: string; password: string }) => {
    const res = await target.signIn(user.username, user.password);
    expect(res.status).toBe(200);
    return res.cookie!;
  };

  beforeAll(async () => {
    // the sign-ins of this file (many, from one address) stay within the pool's own login limits
    pool = await startTestNodePool({ ...ADMIN, LOGIN_ATTEMPTS_PER_ADDRESS: '1000' });
    adminToken = await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    owner = await newUser(pool, 'wc-owner');
    stranger = await newUser(pool, 'wc-stranger');
    mkdirSync(fakeBuild);
    writeFileSync(join(fakeBuild, 'index.html'), '<!doctype html><hm-worker-root></hm-worker-root>');
    writeFileSync(join(fakeBuild, 'main-ABCD1234.js'), 'console.log("worker console")');
    w = worker('wc-main');
    short = worker('wc-short', { SESSION_TIMEOUT: '0.0005', WORKER_CONSOLE_ROOT: fakeBuild });
    await Promise.all([w.start(), short.start()]);
  });

  afterAll(async () => {
    for (const each of workers) await each.kill('SIGTERM');
    await pool?.close();
    removeTree(scratch);
  });

  it('keeps every /api route closed without a session; /health stays open', async () => {
    for (const [method, path] of [
      ['GET', '/api/status'],
      ['GET', '/api/tasks'],
      ['GET', '/api/tasks/anything/logs'],
      ['GET', '/api/resources'],
      ['GET', '/api/node'],
      ['GET', '/api/session'],
      ['POST', '/api/stop_task/anything'],
    ]) {
      const res = await w.http(method, path, method === 'POST' ? { body: {} } : {});
      expect({ path, status: res.status, body: res.body }).toEqual({
        path,
        status: 401,
        body: { error: 'sign in' },
      });
    }
    // a made-up cookie is no session
    const forged = await w.http('GET', '/api/status', as('hm_worker_session=' + 'A'.repeat(43)));
    expect(forged.status).toBe(401);
    const health = await w.http('GET', '/health');
    expect([200, 503]).toContain(health.status);
    expect(health.body.checks.grpc).toMatchObject({ connected: true, registered: true, last_error: null });
  });

  it('signs the owner in with an HttpOnly, SameSite=Strict cookie; the reads answer; sign-out ends it', async () => {
    const res = await w.signIn();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      username: owner.username,
      role: 'owner',
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      offline: false,
    });
    const hours = (Date.parse(res.body.expires_at) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^hm_worker_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain('Max-Age=86400');
    expect(setCookie).not.toContain('Secure'); // plain HTTP here
    const cookie = res.cookie!;

    expect((await w.http('GET', '/api/session', as(cookie))).body).toEqual(res.body);

    const status = (await w.http('GET', '/api/status', as(cookie))).body;
    expect(status).toMatchObject({
      node_id: 'wc-main',
      connected: true,
      is_registered: true,
      executor: 'process',
      running_tasks: 0,
      trust_group: 'low',
      total_resources: { cpu_cores: expect.any(Number), memory_gb: expect.any(Number) },
    });

    const tasks = (await w.http('GET', '/api/tasks', as(cookie))).body;
    expect(tasks).toEqual({ tasks: [], history: [] });

    const resources = (await w.http('GET', '/api/resources', as(cookie))).body;
    expect(resources).toMatchObject({
      total: status.total_resources,
      available: status.available_resources,
      cpu_percent: expect.any(Number),
      memory_percent: expect.any(Number),
      gpu: expect.any(Array),
      disk: { total_gb: expect.any(Number), free_gb: expect.any(Number), path: join(scratch, 'wc-main') },
      docker: { available: expect.any(Boolean) },
      running_tasks: 0,
    });

    const nodes = (await call(pool, 'GET', '/api/nodes', { token: adminToken })).body;
    const registered = (nodes.items ?? nodes).find((n: { name: string }) => n.name === 'wc-main');
    const node = (await w.http('GET', '/api/node', as(cookie))).body;
    expect(node).toMatchObject({
      node_id: 'wc-main',
      node_uuid: registered.id,
      owner: owner.username,
      owner_id: owner.id,
      trust_group: 'low',
      cpt_earned: 0,
      pool: { address: pool.grpc, connected: true, last_heartbeat: expect.any(String), last_error: null },
      vpn: { state: 'disabled' },
      cached_at: expect.any(String),
    });

    const out = await w.http('DELETE', '/api/session', as(cookie));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^hm_worker_session=; .*Max-Age=0/);
    expect((await w.http('GET', '/api/status', as(cookie))).status).toBe(401);
  });

  it('refuses a stranger’s valid account (403) and a wrong password (401); lets an admin in', async () => {
    const strangerTry = await w.signIn(stranger.username, stranger.password);
    expect(strangerTry.status).toBe(403);
    expect(strangerTry.body).toEqual({ error: `${stranger.username} does not own this node` });
    expect(strangerTry.headers.get('set-cookie')).toBeNull();

    const wrong = await w.signIn(owner.username, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'wrong username or password' });
    const nobody = await w.signIn('nobody-at-all', 'whatever-it-is');
    expect(nobody.status).toBe(401);

    const admin = await w.signIn(ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ username: ADMIN.ADMIN_USERNAME, role: 'admin', offline: false });
    expect((await w.http('GET', '/api/status', as(admin.cookie!))).status).toBe(200);
  });

  it('refuses bad bodies and parameters with 400 naming the field, never 500', async () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${w.url}/api/session`, { method: 'POST', headers: { 'content-type': contentType }, body });
    const cases: [string, string, number, string][] = [
      ['malformed JSON', '{"username": "a", ', 400, 'body'],
      ['an array', '[]', 400, 'body'],
      ['a string', '"alice"', 400, 'body'],
      ['no password', JSON.stringify({ username: owner.username }), 400, 'password'],
      ['a number for username', JSON.stringify({ username: 7, password: 'x' }), 400, 'username'],
      [
        'a 65-character username',
        JSON.stringify({ username: 'u'.repeat(65), password: 'x' }),
        400,
        'username',
      ],
      [
        'a 257-character password',
        JSON.stringify({ username: 'u', password: 'p'.repeat(257) }),
        400,
        'password',
      ],
      [
        'a 17-character otp',
        JSON.stringify({ username: 'u', password: 'p', otp: '1'.repeat(17) }),
        400,
        'otp',
      ],
      [
        'a 20 KiB body',
        JSON.stringify({ username: 'u', password: 'p', pad: 'x'.repeat(20_000) }),
        413,
        'body',
      ],
    ];
    for (const [what, body, status, field] of cases) {
      const res = await post(body);
      expect({ what, status: res.status, body: await res.json() }).toEqual({
        what,
        status,
        body: { error: expect.any(String), field },
      });
    }
    const cookie = await signedIn(w, owner);
    for (const tail of ['0', '501', 'abc', '-1', '1.5', '99999999999']) {
      const res = await w.http('GET', `/api/tasks/x/logs?tail=${tail}`, as(cookie));
      expect({ tail, status: res.status, field: res.body.field }).toEqual({
        tail,
        status: 400,
        field: 'tail',
      });
    }
    const long = await w.http('GET', `/api/tasks/${'x'.repeat(3000)}/logs`, as(cookie));
    expect(long.status).toBe(414);
  });

  it('refuses cross-site writes: a foreign Origin, or neither JSON nor the console header (403)', async () => {
    const cookie = await signedIn(w, owner);
    const foreign = await w.http('POST', '/api/session', {
      body: { username: owner.username, password: owner.password },
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toContain('https://evil.example');
    const form = await fetch(`${w.url}/api/stop_task/anything`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(403);
    const otherPort = await w.http('POST', '/api/stop_task/anything', {
      body: {},
      headers: { cookie, origin: 'http://127.0.0.1:1' },
    });
    expect(otherPort.status).toBe(403);
    // the console itself: its own origin, JSON
    const own = await w.http('POST', '/api/stop_task/anything', {
      body: {},
      headers: { cookie, origin: w.url },
    });
    expect(own.status).toBe(404);
    const signOut = await w.http('DELETE', '/api/session', {
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(signOut.status).toBe(403);
    expect((await w.http('GET', '/api/status', as(cookie))).status).toBe(200);
  });

  it('shows a running task and its log tail, stops it only with a session, and keeps it in the history', async () => {
    // a node without Docker takes the tasks of users trusted above 50; target_node is for admins
    const me = (await call(pool, 'GET', '/api/me', { token: adminToken })).body;
    await call(pool, 'PATCH', `/api/admin/users/${me.id ?? me.user?.id}`, {
      token: adminToken,
      body: { trust_score: 100 },
    });
    const zip = await makeZip({
      'run.sh':
        'echo "console line 1"; echo "console line 2"; if [ "$HIVEMIND_ATTEMPT_NUMBER" = 1 ]; then sleep 600; fi; echo "attempt $HIVEMIND_ATTEMPT_NUMBER done"',
    });
    const form = new FormData();
    form.set(
      'spec',
      JSON.stringify({
        name: 'console-task',
        target_node: 'wc-main',
        cpu_cores: 0.25,
        memory_gb: 0.25,
        timeout_s: 300,
        max_attempts: 2,
        validation: 'none',
      }),
    );
    form.set('input', new Blob([new Uint8Array(zip)]), 'job.zip');
    const submitted = await fetch(`${pool.http}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
      body: form,
    });
    expect(submitted.status).toBe(201);
    const taskId = ((await submitted.json()) as { task: { id: string } }).task.id;

    const cookie = await signedIn(w, owner);
    const running = await waitFor('the attempt to run on wc-main', async () => {
      const tasks = (await w.http('GET', '/api/tasks', as(cookie))).body.tasks;
      return tasks.find(
        (t: { task_id: string; status: string }) => t.task_id === taskId && t.status === 'running',
      );
    });
    const lines = await waitFor('its output in the tail', async () => {
      const res = await w.http('GET', `/api/tasks/${taskId}/logs?tail=500`, as(cookie));
      return res.body.lines?.some((l: { text: string }) => l.text === 'console line 2')
        ? res.body.lines
        : undefined;
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        { stream: 'stdout', text: 'console line 1', at: expect.any(String) },
        { stream: 'stdout', text: 'console line 2', at: expect.any(String) },
      ]),
    );
    const one = await w.http('GET', `/api/tasks/${running.attempt_id}/logs?tail=1`, as(cookie));
    expect(one.body.lines).toHaveLength(1);
    expect((await w.http('GET', '/api/tasks/no-such-attempt/logs', as(cookie))).status).toBe(404);

    // the stop needs a session
    expect((await w.http('POST', `/api/stop_task/${taskId}`, { body: {} })).status).toBe(401);
    expect((await w.http('POST', `/api/stop_task/${taskId}`, { body: {}, headers: { cookie } })).status).toBe(
      200,
    );
    const history = await waitFor('the stopped attempt in the history', async () => {
      const res = await w.http('GET', '/api/tasks', as(cookie));
      return res.body.history.find((h: { attempt_id: string }) => h.attempt_id === running.attempt_id);
    });
    expect(history).toEqual({
      attempt_id: running.attempt_id,
      task_id: taskId,
      status: 'stopped',
      exit_code: expect.anything(),
      started_at: expect.any(String),
      finished_at: expect.any(String),
      error: "stopped by the node's operator",
    });
    // the pool runs the shard again (here: the only node), and that attempt completes
    await waitFor(
      'the second attempt to complete',
      async () => {
        const res = await w.http('GET', '/api/tasks', as(cookie));
        return res.body.history.some(
          (h: { task_id: string; status: string }) => h.task_id === taskId && h.status === 'completed',
        );
      },
      90_000,
    );
    const tail = (await w.http('GET', `/api/tasks/${taskId}/logs`, as(cookie))).body.lines;
    expect(tail.map((l: { text: string }) => l.text)).toContain('attempt 2 done');
    // the first attempt's tail is still there by its own id
    const first = (await w.http('GET', `/api/tasks/${running.attempt_id}/logs`, as(cookie))).body.lines;
    expect(first.map((l: { text: string }) => l.text)).toContain('console line 1');
  }, 150_000);

  it('reads the CPT the node earned at registration', async () => {
    const data = pool.app.get(DataSource);
    await waitFor('the completed attempt to be paid', async () => {
      const [row] = await data.query<{ earned: string }[]>(
        `SELECT COALESCE(SUM(a.reward), 0)::text AS earned FROM attempts a JOIN nodes n ON n.id = a.node_id WHERE n.name = 'wc-main'`,
      );
      return Number(row.earned) > 0 ? row : undefined;
    });
    const [{ earned }] = await data.query<{ earned: string }[]>(
      `SELECT COALESCE(SUM(a.reward), 0)::text AS earned FROM attempts a JOIN nodes n ON n.id = a.node_id WHERE n.name = 'wc-main'`,
    );
    // a restarted worker registers again (its credential lived in memory): the pool sums it then
    await w.kill('SIGTERM');
    await w.start();
    const cookie = await signedIn(w, owner);
    const node = (await w.http('GET', '/api/node', as(cookie))).body;
    expect(node.cpt_earned).toBe(Number(earned));
  }, 120_000);

  it('ends a session SESSION_TIMEOUT hours after sign-in (0.0005 h: 1.8 s)', async () => {
    const res = await short.signIn();
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toContain('Max-Age=1;');
    expect((await short.http('GET', '/api/status', as(res.cookie!))).status).toBe(200);
    await sleep(2_200);
    const expired = await short.http('GET', '/api/status', as(res.cookie!));
    expect(expired).toMatchObject({ status: 401, body: { error: 'sign in' } });
    expect((await short.http('GET', '/api/session', as(res.cookie!))).status).toBe(401);
  });

  it('serves the built console at / and its deep links, never over /api or /health; else a 503 saying so', async () => {
    for (const path of ['/', '/login', '/dashboard', '/tasks', '/monitor']) {
      const built = await short.http('GET', path, { headers: { accept: 'text/html' } });
      expect({ path, status: built.status, body: built.body }).toEqual({
        path,
        status: 200,
        body: '<!doctype html><hm-worker-root></hm-worker-root>',
      });
      const missing = await w.http('GET', path, { headers: { accept: 'text/html' } });
      expect({ path, status: missing.status, body: missing.body }).toEqual({
        path,
        status: 503,
        body: NOT_BUILT,
      });
    }
    const asset = await short.http('GET', '/main-ABCD1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const target of [short, w]) {
      expect((await target.http('GET', '/api/status')).body).toEqual({ error: 'sign in' });
      expect((await target.http('GET', '/api/no-such-route')).status).toBe(404);
      expect((await target.http('GET', '/health')).body.checks).toBeDefined();
    }
  });

  it(`limits sign-in attempts: after ${SIGN_IN_LIMITS.perUsername} for one username, 429 with Retry-After`, async () => {
    for (let i = 0; i < SIGN_IN_LIMITS.perUsername; i++)
      expect((await short.signIn('guessing-game', `guess-${i}`)).status).toBe(401);
    const limited = await short.signIn('guessing-game', 'one-more');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.error).toMatch(/too many sign-in attempts: try again in \d+ s/);
    // another username from the same address still gets its say
    expect((await short.signIn()).status).toBe(200);
  });

  it('keeps working while the pool is unreachable: cached identity, offline sign-in only with a cached verifier', async () => {
    // the owner and the admin signed in online before; the stranger was refused (no verifier kept)
    const cookie = await signedIn(w, owner);
    const online = (await w.http('GET', '/api/node', as(cookie))).body;
    const consoleDir = join(scratch, 'wc-main', 'console');
    for (const file of ['node.json', 'verifiers.json'])
      expect(statSync(join(consoleDir, file)).mode & 0o777).toBe(0o600);
    expect(statSync(consoleDir).mode & 0o777).toBe(0o700);
    const verifiers = readFileSync(join(consoleDir, 'verifiers.json'), 'utf8');
    expect(verifiers).not.toContain(owner.password);
    expect(Object.keys(JSON.parse(verifiers).users).sort()).toEqual(
      [ADMIN.ADMIN_USERNAME, owner.username].sort(),
    );

    await pool.stop();
    try {
      await waitFor('the worker to notice', async () => {
        const status = (await w.http('GET', '/api/status', as(cookie))).body;
        return status.connected === false;
      });
      // restarted while the pool is away: the identity comes from disk
      await w.kill('SIGTERM');
      await w.start({ connected: false });

      const offline = await w.signIn();
      expect(offline.status).toBe(200);
      expect(offline.body).toMatchObject({ username: owner.username, role: 'owner', offline: true });
      const node = (await w.http('GET', '/api/node', as(offline.cookie!))).body;
      expect(node).toMatchObject({
        node_id: 'wc-main',
        node_uuid: online.node_uuid,
        owner: owner.username,
        owner_id: owner.id,
        trust_group: online.trust_group,
        cpt_earned: online.cpt_earned,
        pool: { connected: false, last_heartbeat: expect.any(String) },
        cached_at: expect.any(String),
      });
      const admin = await w.signIn(ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
      expect(admin.body).toMatchObject({ role: 'admin', offline: true });

      expect((await w.signIn(owner.username, 'not-the-password')).status).toBe(401);
      const neverSeen = await w.signIn(stranger.username, stranger.password);
      expect(neverSeen.status).toBe(503);
      expect(neverSeen.body).toEqual({
        error: `the node pool cannot be reached, and ${stranger.username} has not signed in here before`,
      });
      expect((await w.signIn('someone-new', 'whatever-it-is')).status).toBe(503);
    } finally {
      await pool.start();
    }
  }, 120_000);
});
