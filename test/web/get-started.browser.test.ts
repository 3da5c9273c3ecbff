import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycle, TEMPLATE_ID } from '../escalation/helpers.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { newSource } from '../incidents/read-helpers.ts';
import { MailServer, notificationWorker } from '../notifications/helpers.ts';
import { signInOnPage, startConsoleRig } from './console-rig.ts';
import { emailOf, setPassword } from './helpers.ts';

/*
 * A new account's Get started checklist (issue 23, "Onboarding") in headless Chromium: each step
 * turns done as the account gains what it names, and the test alert travels push → incident →
 * escalation → an e-mail to the member, which the page follows to the end.
 */

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let page: Page;
let base: string;
let mail: MailServer;

async function ok(res: { status: number; body: any }) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

const stepDone = (id: string) => page.locator(`[data-step="${id}"]`).getAttribute('data-done');

beforeAll(async () => {
  mail = await MailServer.start();
  ({ t, owner, browser, base } = await startConsoleRig({ env: { SMTP_URL: mail.url }, realTime: true }));
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${base}/incidents`);
  await signInOnPage(page, await emailOf(t, owner));
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
  await mail?.close();
});

describe('Get started', () => {
  it('lists what a new account lacks, and checks each step off as it is set up', {
    timeout: 120_000,
  }, async () => {
    const reminder = page.getByTestId('get-started-reminder');
    await reminder.waitFor();
    expect(await reminder.textContent()).toContain('0 of 5 steps');
    await reminder.getByRole('link', { name: 'Get started' }).click();
    await page.getByRole('heading', { name: 'Get started', level: 2 }).waitFor();
    await page.getByTestId('get-started-progress').filter({ hasText: '0 of 5 done' }).waitFor();
    await page.getByRole('link', { name: 'Add an integration' }).waitFor();
    expect(await page.getByText('A test alert is pushed through a Standard alert integration').count()).toBe(
      1,
    );

    // Set up the way the API, the CLI or an import would: the page reads the account, not its own clicks.
    await t.newMember(owner, [3], 'Bob Builder');
    const source = await newSource(t, owner);
    await ok(
      await t.post(
        '/channel/escalate/rule/create',
        {
          channel_id: source.channelId,
          rule_name: 'Primary',
          template_id: TEMPLATE_ID,
          layers: [{ target: { person_ids: [owner.memberId], by: { follow_preference: true } } }],
        },
        owner.appKey,
      ),
    );
    await ok(
      await t.post(
        '/schedule/create',
        { schedule_name: 'Primary on-call', time_zone: 'UTC', layers: [] },
        owner.appKey,
      ),
    );
    await page.reload();
    await page.getByTestId('get-started-progress').filter({ hasText: '4 of 5 done' }).waitFor();
    for (const id of ['source', 'people', 'schedule', 'escalation']) expect(await stepDone(id)).toBe('true');
    expect(await stepDone('test')).toBe('false');

    // The test alert: pushed through the integration, it opens an incident that e-mails the owner.
    await page.getByRole('button', { name: 'Send a test alert' }).click();
    await page.getByText('An incident is open.').waitFor({ timeout: 30_000 });
    await cycle(t);
    const worker = notificationWorker(t, { SMTP_URL: mail.url });
    try {
      await worker.runOnce();
    } finally {
      worker.closeProviders();
    }
    await expect.poll(() => mail.mails.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(mail.mails[0])).toContain('Test alert from');
    await page.getByText('It reached you: Vigil pages you end to end.').waitFor({ timeout: 20_000 });
    await page
      .getByRole('table', { name: 'Delivery log' })
      .getByRole('row', { name: /You.*E-mail.*Delivered/ })
      .waitFor();
    await page.getByTestId('get-started-progress').filter({ hasText: '5 of 5 done' }).waitFor();
    await page.screenshot({ path: outputPath('console-get-started.png'), fullPage: true });

    expect(await page.getByRole('link', { name: 'Open the test incident' }).getAttribute('href')).toMatch(
      /^\/incident\/detail\/[0-9a-f]+$/,
    );
    await page.getByRole('button', { name: 'Resolve the test incident' }).click();
    await page.getByRole('status').filter({ hasText: 'The test incident is resolved.' }).waitFor();
    const incidents = await ok(
      await t.post(
        '/incident/list',
        { start_time: Math.floor(Date.now() / 1000) - 3_600, end_time: Math.floor(Date.now() / 1000) + 600 },
        owner.appKey,
      ),
    );
    expect(incidents.items.map((i: any) => i.progress)).toEqual(['Closed']);

    // Set up, the incident list no longer nags.
    await page.goto(`${base}/incidents`);
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.waitForTimeout(1_000);
    expect(await page.getByTestId('get-started-reminder').count()).toBe(0);
    // ...and stops looking the account up on every visit: the reminder is now off until asked for.
    await page.goto(`${base}/get-started`);
    await page.getByRole('button', { name: 'Show the set-up reminder on the incident list' }).waitFor();
  });

  it('says why a test alert opened no incident when its integration reaches no channel', {
    timeout: 90_000,
  }, async () => {
    await ok(
      await t.post('/datasource/upsert', { name: 'Unrouted', plugin_type: 'alert.standard' }, owner.appKey),
    );
    await page.goto(`${base}/get-started`);
    await page.getByRole('combobox', { name: 'Integration' }).click();
    await page.getByRole('option', { name: 'Unrouted' }).click();
    await page.getByRole('button', { name: 'Send a test alert' }).click();
    await page.getByText('The alert arrived but opened no incident').waitFor({ timeout: 40_000 });
  });

  it('hides the reminder when asked, and shows it again from the Get started page', {
    timeout: 60_000,
  }, async () => {
    const other = await t.newAccount('Second Co');
    const email = await emailOf(t, other);
    await setPassword(t, email);
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const fresh = await context.newPage();
    await fresh.goto(`${base}/incidents`);
    await signInOnPage(fresh, email);
    const reminder = fresh.getByTestId('get-started-reminder');
    await reminder.waitFor();
    await reminder.getByRole('button', { name: 'Hide the set-up reminder' }).click();
    await reminder.waitFor({ state: 'detached' });
    await fresh.reload();
    await fresh.getByRole('heading', { name: 'Incidents' }).waitFor();
    await fresh.waitForTimeout(1_000);
    expect(await fresh.getByTestId('get-started-reminder').count()).toBe(0);
    await fresh.goto(`${base}/get-started`);
    await fresh.getByRole('button', { name: 'Show the set-up reminder on the incident list' }).click();
    await fresh.goto(`${base}/incidents`);
    await fresh.getByTestId('get-started-reminder').waitFor();
    await context.close();
  });
});
