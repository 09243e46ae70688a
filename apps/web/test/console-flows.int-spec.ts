// The console's main flows end to end in Chromium, against a real node pool and a real worker
// (Docker when an engine answers, else the process executor): register → submit a zip task → watch
// its logs live → download its results; a sharded task reaching 100 %; the nodes page showing the
// worker; a transfer; an admin changing a user's trust, and the audit page showing it with a login
// and a refused login. Screenshots go to artifacts/e2e/.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { type Browser, type Page } from 'playwright-core';
import { buildBusyboxImage } from '@hivemind/local-stack';
import { built, removeTree, stackInfo, waitFor } from '@hivemind/testing';
import { call, loginAs, STRONG_PASSWORD } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { makeZip, readZip } from '../../node-pool/test/support/zip';
import { startOwnedWorker } from '../../worker/test/support/owned-worker';
import { type WorkerProcess } from '../../worker/test/support/worker-process';
import { describeInBrowser, launchChromium, openPage, screenshot } from './support/browser';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };
/** A shell-only runtime image of this test's own, so no other test's rebuild races it. */
const RUNTIME = 'hivemind/busybox-e2e:latest';

describeInBrowser()('the console, its flows with a real worker', () => {
  let pool: TestNodePool;
  let worker: WorkerProcess;
  let browser: Browser;
  let page: Page;
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-e2e-'));
  let consoleErrors: string[];
  let n = 0;
  const username = () => `flow-${process.pid}-${++n}`;

  const shot = (name: string) => screenshot(page, name);
  const signIn = async (user: string, password: string, mode: 'login' | 'register' = 'login') => {
    await page.goto(mode === 'login' ? '/login' : '/register');
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: mode === 'login' ? 'Sign in' : 'Create account' }).click();
    await page.getByTestId('health').waitFor();
  };
  const register = async () => {
    const user = username();
    await signIn(user, STRONG_PASSWORD, 'register');
    return user;
  };
  const userId = async (name: string) => {
    const token = await loginAs(pool, name, STRONG_PASSWORD);
    return ((await call(pool, 'GET', '/api/me', { token })).body as { id: string }).id;
  };
  /**
   * Submits through the form; the zip (if any) is uploaded from a file. Validation none: one worker
   * of one owner can form no quorum (docs/validation.md).
   */
  const submitTask = async (fields: Record<string, string>, zip?: Buffer, fresh = true) => {
    if (fresh) await page.goto('/submit');
    for (const [name, value] of Object.entries(fields)) await page.getByTestId(`field-${name}`).fill(value);
    await page.getByTestId('field-validation').click();
    await page.getByRole('option', { name: 'None' }).click();
    if (zip) {
      const file = join(scratch, `input-${++n}.zip`);
      writeFileSync(file, zip);
      await page.getByTestId('field-input').setInputFiles(file);
    }
    await page.getByTestId('cost-estimate').waitFor();
    await shot('submit');
    await page.getByTestId('submit-button').click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    return page.url().split('/').pop()!;
  };
  const progress = () => page.getByTestId('task-progress').textContent();

  beforeAll(async () => {
    const docker = stackInfo().docker;
    if (docker) await buildBusyboxImage(new Docker(), RUNTIME);
    // the whole flow over HTTPS and wss, with the pool's own CA trusted the way `npm run up` does it
    pool = await startTestNodePool(
      {
        ...ADMIN,
        WEB_ROOT: built('dist/apps/web/browser'),
        SIGNUP_GRANT_CPT: '5000',
      },
      { tls: true },
    );
    worker = await startOwnedWorker(pool, {
      name: 'e2e-worker',
      owner: 'e2e-owner',
      scratch,
      runtimeImage: RUNTIME,
      maxConcurrent: 3,
    });
    browser = await launchChromium(pool.pki);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.kill('SIGTERM');
    await pool?.close();
    removeTree(scratch);
  });

  beforeEach(async () => {
    ({ page, errors: consoleErrors } = await openPage(browser, {
      baseURL: pool.http,
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    }));
  });

  afterEach(async () => {
    await page.context().close();
  });

  /** Without Docker the worker is a low-trust node: only users trusted above 50 run there. */
  const trustForProcessWorker = async (user: string) => {
    if (stackInfo().docker) return;
    const admin = await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    await call(pool, 'PATCH', `/api/admin/users/${await userId(user)}`, {
      token: admin,
      body: { trust_score: 60 },
    });
  };

  it('register → submit a zip task → watch its logs live → download its results (HTTPS, wss)', async () => {
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    const user = await register();
    await trustForProcessWorker(user);
    const zip = await makeZip({
      'run.sh': [
        'for i in 1 2 3 4 5 6; do echo "step $i of shard $HIVEMIND_SHARD_INDEX"; sleep 0.4; done',
        'echo "the answer" > "$HIVEMIND_OUTPUT_DIR/answer.txt"',
      ].join('\n'),
    });
    const taskId = await submitTask({ name: 'e2e zip task' }, zip);
    const log = page.getByTestId('log');
    // the lines arrive while the task runs, without reloading the page
    await waitFor(
      'the first lines',
      async () => ((await log.textContent()) ?? '').includes('step 2 of shard 0'),
      30_000,
    );
    expect(((await log.textContent()) ?? '').includes('step 6')).toBe(false);
    // live over TLS: the page is HTTPS, its telemetry socket wss
    expect(page.url()).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(
      sockets.some((url) => url.startsWith(`wss://127.0.0.1:${pool.config.http.port}/ws/telemetry`)),
    ).toBe(true);
    await waitFor(
      'the last line',
      async () => ((await log.textContent()) ?? '').includes('step 6 of shard 0'),
      30_000,
    );
    await waitFor(
      'COMPLETED',
      async () => ((await page.getByTestId('task-status').textContent()) ?? '').includes('COMPLETED'),
      30_000,
    );
    // validation none: the result is taken alone
    expect(await page.getByTestId('attempt-validation').first().textContent()).toMatch(/accepted/i);
    await shot('task');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-results').click(),
    ]);
    const saved = join(scratch, 'results.zip');
    await download.saveAs(saved);
    expect(await readZip(readFileSync(saved))).toEqual({ 'shard-000/answer.txt': 'the answer\n' });
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(consoleErrors).toEqual([]);
  });

  it("shows a sharded task's progress reaching 100 %", async () => {
    const user = await register();
    await trustForProcessWorker(user);
    // a folder this time: the page zips it before the upload
    const folder = join(scratch, 'sharded-job');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'run.sh'), 'sleep 0.5; echo "shard $HIVEMIND_SHARD_INDEX done"');
    await page.goto('/submit');
    await page.getByTestId('field-folder').setInputFiles(folder);
    await waitFor('the folder zipped', async () =>
      ((await page.getByTestId('input-file').textContent()) ?? '').includes('sharded-job.zip'),
    );
    await submitTask({ name: 'e2e sharded', shards: '3' }, undefined, false);
    await waitFor('100 %', async () => ((await progress()) ?? '').includes('100'), 60_000);
    expect(await page.getByTestId('shard-row').count()).toBe(3);
    await page.goto('/tasks');
    await page.getByTestId('task-row').first().waitFor();
    await shot('tasks');
  });

  it('shows the worker on the nodes page', async () => {
    await register();
    await page.goto('/nodes');
    const row = page.getByTestId('node-row').filter({ hasText: worker.name });
    await row.waitFor();
    expect(await row.getByTestId('node-status').textContent()).toMatch(/online/i);
    await shot('nodes');
    await row.click();
    await page.waitForURL(/\/nodes\/[0-9a-f-]{36}$/);
    await page.getByTestId('cpu-chart').waitFor();
    await shot('node');
  });

  it('transfers CPT to another user', async () => {
    const recipient = await register();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await register();
    await page.goto('/wallet');
    const available = async () => {
      const value = await page.getByTestId('available').getAttribute('data-value');
      return value ? Number(value) : undefined;
    };
    const before = await waitFor('the wallet', available);
    await page.getByTestId('transfer-to').fill(recipient);
    await page.getByTestId('transfer-amount').fill('25');
    await page.getByTestId('transfer-submit').click();
    await waitFor('the transfer to be confirmed', async () =>
      (await page.getByTestId('transfer-result').textContent())?.trim(),
    );
    await waitFor('the balance to drop by 25', async () => (await available()) === before - 25);
    await page.getByTestId('history-row').first().waitFor();
    await shot('wallet');
    const recipientToken = await loginAs(pool, recipient, STRONG_PASSWORD);
    const wallet = (await call(pool, 'GET', '/api/wallet', { token: recipientToken })).body as {
      available: number;
    };
    expect(wallet.available).toBe(5000 + 25);
  });

  it("lets an admin change a user's trust", async () => {
    const user = await register();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await signIn(ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    await page.goto('/admin');
    const row = page.getByTestId('user-row').filter({ hasText: user });
    await row.waitFor();
    await row.getByTestId('user-trust').fill('120');
    await row.getByTestId('user-trust-save').click();
    await row.getByTestId('user-saved').waitFor();
    await shot('admin');
    const admin = await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    const users = (await call(pool, 'GET', `/api/admin/users?search=${user}`, { token: admin })).body as {
      items: { username: string; trust_score: number }[];
    };
    expect(users.items.find((u) => u.username === user)?.trust_score).toBe(120);

    // the audit page: the admin's change, a login and a refused login, with who and from where
    const refused = await call(pool, 'POST', '/api/auth/login', {
      body: { username: user, password: 'not-the-password-at-all' },
    });
    expect(refused.status).toBe(401);
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit', exact: true }).waitFor();
    await page.getByTestId('audit-row').filter({ hasText: 'admin.user_trust' }).first().waitFor();
    await page.getByTestId('audit-action').fill('auth.login');
    await page.getByTestId('audit-action').press('Enter');
    const refusedRow = page
      .locator('[data-testid="audit-row"][data-outcome="refused"]')
      .filter({ hasText: `(${user})` });
    await refusedRow.first().waitFor();
    expect(await refusedRow.first().textContent()).toMatch(/127\.0\.0\.1/);
    const loginRow = page
      .locator('[data-testid="audit-row"][data-action="auth.login"][data-outcome="ok"]')
      .filter({ hasText: ADMIN.ADMIN_USERNAME });
    await loginRow.first().waitFor();
    expect(await page.locator('[data-testid="audit-row"]:not([data-action="auth.login"])').count()).toBe(0);
    await shot('audit');
    // a phone: each event a card, no sideways scrolling; the filters answer the keyboard alone
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
    await shot('audit-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/');
    await page.getByTestId('health').waitFor();
    await shot('dashboard-admin');
  });
});
