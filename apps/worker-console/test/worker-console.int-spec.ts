/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- the tests read the REST API JSON loosely */
// The worker console end to end in a real browser: Debian's Chromium driven by playwright-core
// against the real worker program (serving the built console and its API) connected to a real node
// pool (PostgreSQL, Redis) and running a real container. Screenshots go to artifacts/e2e/worker-*.
import Docker from 'dockerode';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { BUSYBOX_IMAGE, buildBusyboxImage, imageExists } from '@hivemind/local-stack';
import { built, removeTree, stackInfo, waitFor } from '@hivemind/testing';
import { call, loginAs, newUser, STRONG_PASSWORD, type TestUser } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { WorkerProcess } from '../../worker/test/support/worker-process';
import {
  describeInBrowser,
  focusMark,
  launchChromium,
  openPage,
  screenshot,
} from '../../web/test/support/browser';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };
const PHONE = { width: 390, height: 844 };
const itWithDocker = stackInfo().docker ? it : it.skip;

describeInBrowser()('the worker console in Chromium', () => {
  let pool: TestNodePool;
  let browser: Browser;
  let page: Page;
  let owner: TestUser;
  let submitter: TestUser;
  let adminToken: string;
  let worker: WorkerProcess;
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-worker-console-e2e-'));
  const workers: WorkerProcess[] = [];

  const startWorker = async (name: string, env: Record<string, string> = {}) => {
    const w = new WorkerProcess(name, join(scratch, name), {
      NODE_POOL_ADDRESS: pool.grpc,
      HIVEMIND_USERNAME: owner.username,
      HIVEMIND_PASSWORD: owner.password,
      DOCKER_ENABLED: stackInfo().docker ? 'true' : 'false',
      MAX_CONCURRENT_TASKS: '2',
      RECONNECT_MAX_S: '2',
      WORKER_CONSOLE_ROOT: built('dist/apps/worker-console/browser'),
      ...env,
    });
    workers.push(w);
    await w.start();
    return w;
  };

  const shot = (name: string) => screenshot(page, `worker-${name}`);
  const signIn = async (username: string, password = STRONG_PASSWORD) => {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const overflows = () => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  const taskOnPool = async (taskId: string) =>
    (await call(pool, 'GET', `/api/tasks/${taskId}`, { token: adminToken })).body;

  beforeAll(async () => {
    // every sign-in to the console is a login at the pool, all from 127.0.0.1
    pool = await startTestNodePool({
      ...ADMIN,
      HEARTBEAT_TIMEOUT_S: '6',
      SIGNUP_GRANT_CPT: '100000',
      LOGIN_ATTEMPTS_PER_ADDRESS: '1000',
    });
    adminToken = await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    owner = await newUser(pool, 'wc-owner');
    submitter = await newUser(pool, 'wc-submitter');
    if (stackInfo().docker) {
      const docker = new Docker();
      if (!(await imageExists(docker, BUSYBOX_IMAGE))) await buildBusyboxImage(docker);
    }
    worker = await startWorker('wc-node');
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    for (const w of workers) await w.kill('SIGTERM');
    await pool?.close();
    removeTree(scratch);
  });

  beforeEach(async () => {
    ({ page } = await openPage(browser, { baseURL: worker.url, viewport: { width: 1280, height: 800 } }));
  });

  afterEach(async () => {
    await page?.context().close();
  });

  it("refuses a wrong password and a stranger's account, each with a message", async () => {
    const stranger = await newUser(pool, 'wc-stranger');
    await page.goto('/dashboard');
    await page.waitForURL(/\/login\?returnUrl=%2Fdashboard$/);
    await signIn(owner.username, 'not-the-password-at-all');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/wrong username or password/);
    await signIn(stranger.username);
    await page.getByText(`${stranger.username} does not own this node`).waitFor();
    expect(page.url()).toMatch(/\/login\?/);
    await shot('login-refused');
  });

  itWithDocker(
    'shows a running task live; the owner stops it after confirming, and the pool runs it again',
    async () => {
      // the first attempt ticks until stopped; the pool's second one ends at once
      const command = [
        'sh',
        '-c',
        'if [ "$HIVEMIND_ATTEMPT_NUMBER" = 1 ]; then i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done; fi; echo "attempt $HIVEMIND_ATTEMPT_NUMBER"',
      ];
      const submitted = await call(pool, 'POST', '/api/tasks', {
        token: submitter.token,
        body: {
          name: 'console-stop',
          image: BUSYBOX_IMAGE,
          command,
          cpu_cores: 0.25,
          memory_gb: 0.25,
          timeout_s: 300,
          max_attempts: 3,
          validation: 'none',
        },
      });
      expect(submitted.status).toBe(201);
      const taskId = submitted.body.task.id as string;

      await page.goto('/tasks');
      await signIn(owner.username);
      await page.waitForURL(/\/tasks$/);
      const card = page.locator(`[data-testid="running-task"][data-task="${taskId}"]`);
      await card.waitFor({ timeout: 60_000 });
      await card.getByText('running', { exact: true }).waitFor({ timeout: 60_000 });
      // its output, live: the tail grows while the page is open
      await card.getByRole('button', { name: 'Show output' }).click();
      const tail = card.getByTestId('log-tail');
      await waitFor('a few ticks', async () => /tick 3/.test((await tail.textContent()) ?? ''), 30_000);
      await shot('tasks-running');

      // the dashboard counts it while it runs
      await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
      await page.getByTestId('running-count').waitFor();
      await waitFor(
        'the dashboard to count it',
        async () =>
          /^\s*1 running of 2\s*$/.test((await page.getByTestId('running-count').textContent()) ?? ''),
        10_000,
      );
      await page.getByRole('link', { name: 'Tasks', exact: true }).click();

      // cancelling the confirmation leaves it running
      await card.getByRole('button', { name: 'Stop', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(taskId);
      await shot('tasks-stop-dialog');
      await dialog.getByRole('button', { name: 'Keep it running' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await card.count()).toBe(1);

      await card.getByRole('button', { name: 'Stop', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Stop the task' }).click();
      await page.getByTestId('stop-notice').waitFor();
      expect(await page.getByTestId('stop-notice').textContent()).toContain(`Task ${taskId} stopped`);

      // docs/worker.md step 5: the operator's stop is the node's failure; the pool runs the shard again
      const task = await waitFor(
        `task ${taskId} to end`,
        async () => {
          const t = await taskOnPool(taskId);
          return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(t.status) ? t : undefined;
        },
        90_000,
      );
      expect(task.status).toBe('COMPLETED');
      const attempts = task.shards[0].attempts as { state: string; error: string | null }[];
      expect(attempts.map((a) => a.state)).toEqual(['FAILED', 'COMPLETED']);

      // and this node's console lists both among its finished attempts
      await waitFor(
        'both attempts in the history',
        async () =>
          (await page.locator(`[data-testid="finished-task"][data-task="${taskId}"]`).count()) === 2,
        15_000,
      );
      const finished = page.locator(`[data-testid="finished-task"][data-task="${taskId}"]`);
      const states = await finished.locator('hm-badge').allTextContents();
      expect(states.map((s) => s.trim()).sort()).toEqual(['completed', 'stopped']);
      expect(await card.count()).toBe(0);
      await shot('tasks-stopped');
    },
    180_000,
  );

  it('shows the dashboard and the monitor: the pool connection, trust, live charts, Docker and the VPN', async () => {
    await page.goto('/login');
    await signIn(owner.username);
    await page.waitForURL(/\/dashboard$/);
    expect(await page.getByTestId('pool-connection').textContent()).toContain('Connected');
    expect(await page.getByTestId('user').textContent()).toBe(owner.username);
    await page.locator('[data-testid="cpu-chart"] canvas').waitFor();
    await page.locator('[data-testid="disk-chart"] canvas').waitFor();
    await waitFor(
      'the trust the pool told the node',
      async () => /\d/.test((await page.getByTestId('trust').textContent()) ?? ''),
      15_000,
    );
    await shot('dashboard');

    await page.getByRole('link', { name: 'Monitor', exact: true }).click();
    await page.waitForURL(/\/monitor$/);
    const docker = page.getByTestId('monitor-docker');
    await docker.waitFor();
    expect(await docker.textContent()).toContain(stackInfo().docker ? 'Answers' : 'Not available');
    expect(await page.getByTestId('monitor-pool').textContent()).toContain('Connected');
    expect(await page.getByTestId('monitor-pool').textContent()).toContain(pool.grpc);
    expect(await page.getByTestId('monitor-vpn').textContent()).toContain('not used (VPN_AUTO_JOIN is off)');
    expect(await page.getByTestId('monitor-cpu').textContent()).toMatch(/\d+(\.\d)? % busy/);
    expect(await page.getByTestId('monitor-memory').textContent()).toMatch(/% in use/);
    expect(await page.getByTestId('monitor-disk').textContent()).toMatch(/GB free of \d/);
    await shot('monitor');
  });

  it('says so when the pool goes away, still showing who the node is', async () => {
    await page.goto('/login');
    await signIn(owner.username);
    await page.waitForURL(/\/dashboard$/);
    await page.getByTestId('trust').waitFor();
    const away = pool.restart(8_000);
    try {
      const banner = page.getByTestId('pool-banner');
      await banner.waitFor({ timeout: 15_000 });
      expect(await banner.textContent()).toContain(`The node pool at ${pool.grpc} cannot be reached`);
      expect(await page.getByTestId('pool-connection').textContent()).toContain('Unreachable');
      expect(await page.locator('a.brand').textContent()).toContain('wc-node');
      await shot('dashboard-pool-away');
    } finally {
      await away;
    }
    await worker.until((s) => s.connected, 30_000, 'connected again');
    await page.getByTestId('pool-banner').waitFor({ state: 'detached', timeout: 15_000 });
  }, 60_000);

  it('takes an expired session back to sign-in, remembering the page', async () => {
    // 3.6 s; it runs no task, so it needs no Docker engine
    const short = await startWorker('wc-short', { SESSION_TIMEOUT: '0.001', DOCKER_ENABLED: 'false' });
    await page.goto(`${short.url}/monitor`);
    await page.waitForURL(/\/login\?returnUrl=%2Fmonitor$/);
    await signIn(owner.username);
    await page.waitForURL(`${short.url}/monitor`);
    await page.getByTestId('monitor-cpu').waitFor();
    await page.waitForURL(/\/login\?returnUrl=%2Fmonitor&expired=1$/, { timeout: 15_000 });
    expect(await page.getByTestId('expired').textContent()).toContain('Your session expired');
    await shot('login-expired');
    await short.kill('SIGTERM');
  }, 60_000);

  it('works from the keyboard alone: sign in with Tab and Enter, then reach and open each page', async () => {
    await page.goto('/login');
    await page.getByLabel('Username').focus();
    await page.keyboard.type(owner.username);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('password');
    await page.keyboard.type(STRONG_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dashboard$/);
    await page.locator('a.brand').focus();
    const reached: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      reached.push((await page.evaluate(() => document.activeElement?.textContent?.trim())) ?? '');
    }
    expect(reached).toEqual(['Dashboard', 'Tasks', 'Monitor', 'Sign out']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/monitor$/);
    // the focused element is visibly marked
    await page.locator('a.brand').focus();
    await page.keyboard.press('Tab');
    expect(await focusMark(page)).not.toBe('none none');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tasks$/);
  });

  it('fits a phone screen, every page, without sideways scrolling', async () => {
    await page.setViewportSize(PHONE);
    await page.goto('/login');
    expect(await overflows()).toBe(false);
    await shot('login-phone');
    await signIn(owner.username);
    await page.waitForURL(/\/dashboard$/);
    for (const path of ['/dashboard', '/tasks', '/monitor']) {
      await page.goto(path);
      await page.locator('h1').waitFor();
      await page.waitForLoadState('networkidle');
      // the data of the page, not its loading line
      await page.getByText('Loading…').first().waitFor({ state: 'detached' });
      expect({ path, overflow: await overflows() }).toEqual({ path, overflow: false });
      await shot(`${path.slice(1)}-phone`);
    }
    // signing out ends the session: the pages ask for a sign-in again
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto('/tasks');
    await page.waitForURL(/\/login\?returnUrl=%2Ftasks$/);
  });
});
