import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_LOOPBACK, type TestAccount, type TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { PD_TOKEN, startFakePagerduty } from '../import/fake-pagerduty.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';

/*
 * The console's Import page in headless Chromium: plan an import from a local PagerDuty-shaped API
 * (nothing written), then import stage by stage with progress, and see the push URLs and the on-call
 * comparison. Screenshots: test-output/console-import-*.png.
 */

const WAIT = { timeout: 30_000 };

let t: TestApp;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let owner: TestAccount;
let base: string;
let pd: Awaited<ReturnType<typeof startFakePagerduty>>;

beforeAll(async () => {
  let email: string;
  ({ t, base, owner, email, browser } = await startConsoleRig({ env: ALLOW_LOOPBACK, realTime: true }));
  pd = await startFakePagerduty();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${base}/import`);
  await signInOnPage(page, email);
  await page.getByRole('heading', { name: 'Import', level: 2 }).waitFor(WAIT);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await closeBrowser(browser);
  await pd?.close();
  await t?.close();
});

describe('console: Import', () => {
  it('plans, then imports stage by stage with progress, showing push URLs and the on-call check', {
    timeout: 180_000,
  }, async () => {
    await page.getByLabel('API address').fill(pd.url);
    await page.getByLabel('API token').fill(PD_TOKEN);
    await page.getByRole('button', { name: 'Plan' }).click();
    await page.getByRole('heading', { name: 'Plan', level: 3 }).waitFor(WAIT);
    await expect
      .poll(() =>
        page
          .getByText(/to create/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    const odd = page.getByRole('row').filter({ hasText: 'Odd turns' });
    await expect.poll(() => odd.textContent()).toMatch(/Not imported.*not mapped/);
    await expect
      .poll(() =>
        page
          .getByText(/Primary: \d+ hand-offs over 56 days compared \(as planned\) — no difference/)
          .isVisible(),
      )
      .toBe(true);
    expect((await t.post('/schedule/list', {}, owner.appKey)).body.data.total).toBe(0);
    await page.screenshot({ path: outputPath('console-import-plan.png'), fullPage: true });

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: 'Imported', level: 3 }).waitFor(WAIT);
    await page.getByText('Import finished.').waitFor(WAIT);
    expect(await page.getByLabel('Import progress').getAttribute('value')).toBe('5');
    const pushUrl = await page.getByRole('textbox', { name: 'Push URL of Prometheus' }).inputValue();
    expect(pushUrl).toMatch(new RegExp(`^${base}/event/push/alert/prometheus\\?integration_key=\\w+$`));
    await expect
      .poll(() => page.getByText(/Night: \d+ hand-offs over 56 days compared — no difference/).isVisible())
      .toBe(true);
    expect((await t.post('/schedule/list', {}, owner.appKey)).body.data.total).toBe(2);
    await page.screenshot({ path: outputPath('console-import-done.png'), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoSidewaysScroll(page, 'the import page');
  });

  it('says a wrong token in the API’s words', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/import`);
    await page.getByLabel('API address').fill(pd.url);
    await page.getByLabel('API token').fill('wrong');
    await page.getByRole('button', { name: 'Plan' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toMatch(/token.*refused the token/);
  });
});
