import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_LOOPBACK, type TestAccount, type TestApp } from '../harness/app.ts';
import { closeBrowser, outputPath } from '../harness/browser.ts';
import { newSource, type Source } from '../incidents/read-helpers.ts';
import { signInOnPage, startConsoleRig } from './console-rig.ts';
import { emailOf } from './helpers.ts';

/*
 * Collaboration on the incident page in headless Chromium. The post-mortem (docs/post-mortems.md):
 * from a resolved incident's page, write it (prefilled), edit and save it, publish it (the body
 * turns read-only), export it as Markdown, and find it again from the incident. Custom actions
 * (docs/custom-actions.md): the channel's actions are buttons; running one calls its endpoint and
 * shows on the timeline. Each step is checked through the API. Screenshot:
 * test-output/console-post-mortem.png.
 */

const WAIT = { timeout: 20_000 };
let t: TestApp;
let browser: Browser | undefined;
let owner: TestAccount;
let source: Source;
let base: string;
let page: Page;
let receiver: Server;
const calls: string[] = [];

async function ok(res: { status: number; body: any }) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      calls.push(body);
      response.writeHead(calls.length === 1 ? 200 : 503).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  ({ t, base, owner, browser } = await startConsoleRig({ env: ALLOW_LOOPBACK, realTime: true }));
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
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('collaboration on the incident page', () => {
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

    // A title past its limit stays whole, is flagged beside the field, and cannot be saved or published.
    const title = page.getByRole('textbox', { name: 'Title' });
    await title.fill(`Payments down ${'x'.repeat(260)}`);
    expect((await title.inputValue()).length).toBe(274);
    await page.getByText(/at most 256 characters/).waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Publish', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await title.fill('Post-mortem: Payments down');

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

  it("shows the channel's custom actions as buttons and runs them", { timeout: 120_000 }, async () => {
    const port = (receiver.address() as AddressInfo).port;
    await ok(
      await t.post(
        '/datasource/upsert',
        {
          name: 'Restart checkout',
          plugin_type: 'custom.action',
          settings: { url: `http://127.0.0.1:${port}/run`, channel_ids: [source.channelId] },
        },
        owner.appKey,
      ),
    );
    const response = await fetch(`${base}/event/push/alert/standard?integration_key=${source.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_status: 'Warning', title_rule: 'Checkout slow', alert_key: 'slow' }),
    });
    expect(response.status).toBe(200);
    await t.waitForApplied();
    const row = await t.db.q
      .selectFrom('alerts')
      .select('incident_id')
      .where('title', '=', 'Checkout slow')
      .executeTakeFirstOrThrow();
    await page.goto(`${base}/incident/detail/${row.incident_id}`);
    const actions = page.getByRole('toolbar', { name: 'Custom actions' });
    await actions.getByRole('button', { name: 'Restart checkout', exact: true }).click();
    await page.getByRole('status').getByText('Restart checkout ran.').waitFor(WAIT);
    expect(JSON.parse(calls[0]!).incident.incident_id).toBe(row.incident_id);
    await page
      .getByText(/ran Restart checkout$/)
      .first()
      .waitFor(WAIT);

    // The endpoint's refusal is shown, and recorded.
    await actions.getByRole('button', { name: 'Restart checkout', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/Restart checkout failed: .*HTTP 503/)
      .waitFor(WAIT);
    await page
      .getByText(/ran Restart checkout: it failed/)
      .first()
      .waitFor(WAIT);
  });
});
