import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycle, TEMPLATE_ID } from '../escalation/helpers.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser } from '../harness/browser.ts';
import { newSource, push, type Source } from '../incidents/read-helpers.ts';
import { signInOnPage, startConsoleRig } from './console-rig.ts';
import { emailOf } from './helpers.ts';

/*
 * A team lead's first hour in headless Chromium, on a server without SMTP (issue 23): each test
 * is one defect found then, checked the way a person sees it.
 */

let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let bob: TestAccount;
let source: Source;
let page: Page;
let base: string;

async function ok(res: { status: number; body: any }) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

beforeAll(async () => {
  ({ t, owner, browser, base } = await startConsoleRig({ realTime: true }));
  bob = await t.newMember(owner, [3], 'Bob Builder');
  source = await newSource(t, owner);
  await ok(
    await t.post(
      '/channel/escalate/rule/create',
      {
        channel_id: source.channelId,
        rule_name: 'Primary',
        template_id: TEMPLATE_ID,
        layers: [{ target: { person_ids: [bob.memberId], by: { follow_preference: true } } }],
      },
      owner.appKey,
    ),
  );
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${base}/incidents`);
  await signInOnPage(page, await emailOf(t, owner));
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
}, 120_000);

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
});

describe('the incident page', () => {
  it('says in words why nobody was notified, with where to fix it', { timeout: 120_000 }, async () => {
    const { incidentId } = await push(t, source, { title_rule: 'Disk full on db-1' });
    await cycle(t);
    const incident = await ok(await t.post('/incident/info', { incident_id: incidentId }, owner.appKey));
    await page.goto(incident.detail_url);
    await page.getByRole('heading', { name: incident.title, level: 2 }).waitFor();
    const timeline = page.locator('[aria-label="Timeline entries"]');
    const warn = page.locator('[data-feed-type="i_warn"]');
    await warn.waitFor({ timeout: 20_000 });
    const said = await warn.textContent();
    expect(said).not.toContain('[object Object]');
    expect(said).toContain('Bob Builder cannot be reached: e-mail is not configured (SMTP_URL)');
    expect(await timeline.textContent()).not.toContain('[object Object]');

    const why = page.getByTestId('why-not-notified');
    await expect(why.getByText('Why nobody was notified').count()).resolves.toBe(1);
    await expect(why.textContent()).resolves.toContain('e-mail is not configured (SMTP_URL)');
    await expect(why.textContent()).resolves.toContain('SMTP_URL and PHONE_PROVIDER_URL settings');
    await why.getByRole('link', { name: 'Check their contact details on Members' }).click();
    await page.waitForURL(/\/members$/);
  });
});
