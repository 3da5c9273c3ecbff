import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { newSource, type Source } from '../incidents/read-helpers.ts';
import { signInOnPage, startConsoleRig } from './console-rig.ts';
import { emailOf } from './helpers.ts';

/*
 * The post-mortem page in headless Chromium (docs/post-mortems.md): from a resolved incident's page,
 * write the post-mortem (prefilled), edit and save it, publish it (the body turns read-only),
 * export it as Markdown, and find it again from the incident. Each step is checked through the API.
 * Screenshot: test-output/console-post-mortem.png.
 */

const WAIT = { timeout: 20_000 };
let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let source: Source;
let base: string;
let page: Page;

async function ok(res: { status: number; body: any }) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

beforeAll(async () => {
  ({ t, base, owner, browser } = await startConsoleRig({ realTime: true }));
  source = await newSource(t, owner);
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

describe('post-mortems in the console', () => {
  it('writes, saves, publishes and exports a post-mortem from the incident page', {
    timeout: 120_000,
  }, async () => {
    const response = await fetch(`${base}/event/push/alert/standard?integration_key=${source.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_status: 'Critical', title_rule: 'Payments down', alert_key: 'pay' }),
    });
    expect(response.status).toBe(200);
    await t.waitForApplied();
    const row = await t.db.q
      .selectFrom('alerts')
      .select('incident_id')
      .where('title', '=', 'Payments down')
      .executeTakeFirstOrThrow();
    const incidentId = row.incident_id!;
    await ok(await t.post('/incident/resolve', { incident_ids: [incidentId] }, owner.appKey));

    await page.goto(`${base}/incident/detail/${incidentId}`);
    await page.getByRole('heading', { name: 'Payments down', level: 2 }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Write post-mortem', exact: true }).click();
    await page.waitForURL(/\/post-mortems\/[0-9a-f]{32}$/, WAIT);
    const postMortemId = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: 'Post-mortem: Payments down', level: 2 }).waitFor(WAIT);

    const body = page.getByLabel('Report (Markdown)');
    expect(await body.inputValue()).toContain('- Highest severity: Critical');
    await body.fill('## Root cause\n\nThe card processor timed out.');
    await page.getByLabel('Follow-ups').fill('- [ ] retry with backoff');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('Saved.').waitFor(WAIT);
    let pm = await ok(
      await t.get('/incident/post-mortem/info', { post_mortem_id: postMortemId }, owner.appKey),
    );
    expect(pm.content.content).toBe('## Root cause\n\nThe card processor timed out.');
    expect(pm.follow_ups).toBe('- [ ] retry with backoff');

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByRole('button', { name: 'Return to drafting', exact: true }).waitFor(WAIT);
    expect(await page.getByLabel('Report (Markdown)').isDisabled()).toBe(true);
    pm = await ok(await t.get('/incident/post-mortem/info', { post_mortem_id: postMortemId }, owner.appKey));
    expect(pm.meta.status).toBe('published');
    await page.screenshot({ path: outputPath('console-post-mortem.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export Markdown', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`post-mortem-${postMortemId}.md`);
    const markdown = readFileSync((await download.path())!, 'utf8');
    expect(markdown).toContain('# Post-mortem: Payments down');
    expect(markdown).toContain('The card processor timed out.');

    // The incident page now opens the same report.
    await page.getByRole('link', { name: `← Incident ${incidentId.slice(-6)}` }).click();
    await page.getByRole('button', { name: 'Post-mortem', exact: true }).click();
    await page.waitForURL(`${base}/post-mortems/${postMortemId}`, WAIT);
  });
});
