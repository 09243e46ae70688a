// The console end to end in a real browser: Debian's Chromium driven by playwright-core against a
// real node pool (PostgreSQL, Redis) serving the built console. Screenshots of each page go to
// artifacts/e2e/.
import { readFileSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { built } from '@hivemind/testing';
import { STRONG_PASSWORD } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { describeInBrowser, focusMark, launchChromium, openPage, screenshot } from './support/browser';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };

describeInBrowser()('the console in Chromium', () => {
  let pool: TestNodePool;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];
  let n = 0;
  const username = () => `e2e-${process.pid}-${++n}`;

  const shot = (name: string) => screenshot(page, name);
  const fillAuth = async (user: string, password: string) => {
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(password);
  };

  beforeAll(async () => {
    pool = await startTestNodePool({ ...ADMIN, WEB_ROOT: built('dist/apps/web/browser') });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await pool?.close();
  });

  beforeEach(async () => {
    ({ page, errors: consoleErrors } = await openPage(browser, {
      baseURL: pool.http,
      viewport: { width: 1280, height: 800 },
    }));
  });

  afterEach(async () => {
    await page.context().close();
  });

  it('registers a new user, lands on the dashboard and keeps the session across a reload', async () => {
    await page.goto('/register');
    await shot('register');
    const user = username();
    await fillAuth(user, STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${pool.http}/`);
    await page.getByTestId('health').waitFor();
    expect(await page.getByTestId('health').textContent()).toContain('Healthy');
    expect(await page.getByTestId('replicas').textContent()).toMatch(
      /^1 node-pool replica: \S+:\d+ \(this one\)$/,
    );
    expect(await page.getByTestId('user').textContent()).toBe(user);
    await shot('dashboard');
    await page.reload();
    await page.getByTestId('health').waitFor();
    expect(await page.getByTestId('user').textContent()).toBe(user);
    expect(consoleErrors).toEqual([]);
  });

  it('works from the keyboard alone: register with Tab and Enter, then reach and open a page from the navigation', async () => {
    await page.goto('/register');
    await page.getByLabel('Username').focus();
    await page.keyboard.type(username());
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('password');
    await page.keyboard.type(STRONG_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('health').waitFor();
    // Tab from the top of the page walks the navigation in order; Enter follows the focused link
    await page.locator('a.brand').focus();
    const reached: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      reached.push((await page.evaluate(() => document.activeElement?.textContent?.trim())) ?? '');
    }
    expect(reached).toEqual(['Dashboard', 'Submit', 'Tasks', 'Nodes', 'Wallet', 'VPN']);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/vpn$/);
    // the focused element is visibly marked (a focus ring, not just the browser's default outline of none)
    await page.keyboard.press('Tab');
    expect(await focusMark(page)).not.toBe('none none');
  });

  it('shows the server refusal next to the field it concerns', async () => {
    await page.goto('/register');
    await fillAuth(username(), 'password');
    await page.getByRole('button', { name: 'Create account' }).click();
    const hint = page.locator('mat-form-field', { hasText: 'Password' }).getByRole('alert');
    await hint.waitFor();
    expect(await hint.textContent()).toMatch(/password/i);
    await shot('register-refused');
  });

  it('sends a signed-out visitor to sign in and back to the page they wanted; signing out ends the session', async () => {
    const user = username();
    await page.goto('/register');
    await fillAuth(user, STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('health').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);

    await page.goto('/?from=bookmark');
    await page.waitForURL(/\/login\?returnUrl=/);
    await shot('login');
    await fillAuth(user, 'not-the-password-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/invalid|incorrect|wrong/i);
    await fillAuth(user, STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${pool.http}/?from=bookmark`);
    await page.getByTestId('health').waitFor();
  });

  it('takes an expired session back to sign-in, remembering the page', async () => {
    await page.goto('/login');
    await page.evaluate(() =>
      localStorage.setItem(
        'hivemind.session',
        JSON.stringify({
          token: 'expired',
          expiresAt: new Date(Date.now() - 1000).toISOString(),
          user: { username: 'ghost' },
        }),
      ),
    );
    await page.goto('/');
    await page.waitForURL(/\/login\?returnUrl=%2F/);
  });

  it('fits a phone screen, every page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/register');
    await fillAuth(username(), STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('health').waitFor();
    const overflows = () => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(await overflows()).toBe(false);
    await shot('dashboard-phone');
    for (const path of ['/submit', '/tasks', '/nodes', '/wallet', '/vpn']) {
      await page.goto(path);
      await page.locator('h1').waitFor();
      await page.waitForLoadState('networkidle');
      expect({ path, overflow: await overflows() }).toEqual({ path, overflow: false });
      await shot(`${path.slice(1)}-phone`);
    }
  });

  it('adds a VPN device: its config downloads, its QR code shows, and revoking removes it', async () => {
    await page.goto('/register');
    const user = username();
    await fillAuth(user, STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('health').waitFor();
    await page.getByRole('link', { name: 'VPN' }).click();
    await page.getByTestId('no-peers').waitFor();
    expect(await page.getByTestId('vpn-server').textContent()).toMatch(
      /^ \(10\.128\.0\.0\/16, server 10\.128\.0\.1 at \S+:51820\)$/,
    );

    // a malformed public key is refused at its field; nothing is added
    await page.getByTestId('own-key').locator('input').check();
    await page.getByTestId('peer-public-key').fill('not-a-key');
    await page.getByTestId('add-peer').click();
    await page.getByText('public_key must be a WireGuard public key').waitFor();
    await page.getByTestId('own-key').locator('input').uncheck();

    await page.getByTestId('peer-name').fill('laptop');
    await page.getByTestId('add-peer').click();
    await page.getByTestId('peer-qr').waitFor();
    const text = await page.getByTestId('peer-config-text').textContent();
    expect(text).toMatch(/^\[Interface\]$/m);
    expect(text).toMatch(/^PrivateKey = \S{44}$/m);
    expect(text).toMatch(/^Address = 10\.128\.\d+\.\d+\/32$/m);
    expect(await page.getByTestId('peer-qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await page.locator('tr[data-peer="laptop"]').waitFor();
    await shot('vpn');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-config').click(),
    ]);
    expect(download.suggestedFilename()).toBe('hivemind-laptop.conf');
    const saved = await download.path();
    expect(readFileSync(saved, 'utf8')).toBe(text);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('tr[data-peer="laptop"]').getByTestId('revoke').click();
    await page.getByTestId('no-peers').waitFor();
    expect(await page.getByTestId('peer-config').count()).toBe(0);
    // the one error the browser logged is the refused key's 400
    expect(consoleErrors).toEqual([expect.stringContaining('status of 400')]);
  });

  it('opens Bull Board with the HttpOnly cookie the pool sets, under the Content-Security-Policy; signing out clears it', async () => {
    await page.goto('/login');
    await fillAuth(ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('health').waitFor();
    const boardSession = page.waitForResponse(
      (res) => res.url().endsWith('/api/auth/board-session') && res.request().method() === 'POST',
    );
    await page.goto('/admin');
    expect((await boardSession).status()).toBe(204);
    const cookie = (await page.context().cookies(`${pool.http}/admin/queues`)).find(
      (c) => c.name === 'hivemind_token',
    );
    expect(cookie).toMatchObject({ path: '/admin', httpOnly: true, sameSite: 'Strict' });
    // no script of the page can read it
    expect(await page.evaluate(() => document.cookie)).not.toContain('hivemind_token');

    const [board] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('queues-link').click()]);
    const cspViolations: string[] = [];
    board.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await board.waitForLoadState('domcontentloaded');
    await board.getByText('placement').first().waitFor({ timeout: 20_000 });
    await screenshot(board, 'bull-board');
    expect(cspViolations).toEqual([]);
    await board.close();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    for (let i = 0; i < 50; i++) {
      const left = await page.context().cookies(`${pool.http}/admin/queues`);
      if (!left.some((c) => c.name === 'hivemind_token')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await page.context().cookies(`${pool.http}/admin/queues`)).map((c) => c.name)).not.toContain(
      'hivemind_token',
    );
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });
});
