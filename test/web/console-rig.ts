import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { launchBrowser } from '../harness/browser.ts';
import { freePort } from '../harness/ports.ts';
import { ensureConsoleBuilt } from './bundle.ts';
import { emailOf, PASSWORD, setPassword } from './helpers.ts';

/** What every console browser test starts from: Vigil on 127.0.0.1, an Owner who can sign in, Chromium. */
export type ConsoleRig = { t: TestApp; base: string; owner: TestAccount; email: string; browser: Browser };

/**
 * Starts Vigil listening on a free port (PUBLIC_URL pointing at it, so every detail_url opens in the
 * browser), an account whose Owner has the test password and a time zone of its own — times must
 * show in the member's zone, never this machine's — and headless Chromium. With `realTime` the test
 * clock is brought to now first, because the browser's "now" is real time.
 */
export async function startConsoleRig(
  options: { env?: Record<string, string>; accountName?: string; timeZone?: string; realTime?: boolean } = {},
): Promise<ConsoleRig> {
  ensureConsoleBuilt();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ env: { PUBLIC_URL: base, ...options.env } });
  if (options.realTime) t.clock.advance(Date.now() - t.clock.nowMs());
  await t.app.listen({ port, host: '127.0.0.1' });
  const owner = await t.newAccount(options.accountName ?? 'Acme');
  const email = await emailOf(t, owner);
  await setPassword(t, email);
  await t.post(
    '/member/info/reset',
    { member_id: owner.memberId, time_zone: options.timeZone ?? 'Asia/Tokyo' },
    owner.appKey,
  );
  return { t, base, owner, email, browser: await launchBrowser() };
}

/** Signs in on the sign-in form a console page shows when no session exists. */
export async function signInOnPage(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const SIDEWAYS = 'document.documentElement.scrollWidth - window.innerWidth';
const STICKING_OUT = `[...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')`;

/**
 * Fails unless the page settles without sideways scrolling, naming what sticks out. Polled: after a
 * resize to phone width the side bar collapses with a transition, during which the content is
 * still shifted.
 */
export async function expectNoSidewaysScroll(page: Page, what = 'the page'): Promise<void> {
  try {
    await expect.poll(() => page.evaluate(SIDEWAYS), { timeout: 5_000 }).toBeLessThanOrEqual(0);
  } catch {
    throw new Error(`${what} scrolls sideways; sticking out: ${await page.evaluate(STICKING_OUT)}`);
  }
}
