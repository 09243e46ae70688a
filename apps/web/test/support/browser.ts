import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContextOptions, type Page, chromium } from 'playwright-core';
import { type LocalPki, trustInBrowsers } from '@hivemind/local-stack';

/** Debian's Chromium (`npx playwright install` cannot download browsers here). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', '..', '..', '..', 'artifacts', 'e2e');

/** `describe`, or `describe.skip` with one line saying why when no Chromium is installed. */
export function describeInBrowser(): jest.Describe {
  if (existsSync(CHROMIUM)) return describe;
  process.stderr.write(
    `\n[hivemind tests] console end-to-end tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`,
  );
  return describe.skip;
}

/**
 * Headless Chromium. With `trust`, it runs under a HOME of its own whose NSS store (~/.pki/nssdb,
 * what Chromium reads on Linux) holds that CA, added the way `npm run up` adds its local CA: the
 * pool's HTTPS then opens as it would for a user, with no certificate flag or ignored error.
 */
export function launchChromium(trust?: Pick<LocalPki, 'caFile' | 'caFingerprint'>): Promise<Browser> {
  let env: Record<string, string> | undefined;
  if (trust) {
    const home = mkdtempSync(join(tmpdir(), 'hivemind-chromium-home-'));
    const added = trustInBrowsers(trust, home);
    if (!added.trusted) throw new Error(`cannot trust the test CA in Chromium: ${added.why}`);
    env = { ...(process.env as Record<string, string>), HOME: home };
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    ...(env ? { env } : {}),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
    ],
  });
}

/** A fresh page in its own context; `errors` collects what the page logs as errors and throws. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions,
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** A full-page screenshot in artifacts/e2e/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** How the focused element is marked: its outline style and box shadow ("none none": not visibly). */
export function focusMark(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const style = el ? getComputedStyle(el) : null;
    return style ? `${style.outlineStyle} ${style.boxShadow}` : '';
  });
}
