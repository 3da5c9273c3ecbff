import { statSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { closeBrowser, launchBrowser, outputPath } from '../harness/browser.ts';
import { freePort } from '../harness/ports.ts';
import { newComponents, newIncident, newPage, nowOf, ok } from './helpers.ts';
import { linkIn, SmtpSink } from './smtp.ts';

/*
 * The public page in a real browser: Vigil listening on 127.0.0.1, headless Chromium loading the
 * page, reading the statuses it shows, submitting the subscribe form, and following the
 * confirmation link that a real SMTP listener received.
 */

let t: TestApp | undefined;
let smtp: SmtpSink | undefined;
let browser: Browser | undefined;
let owner: TestAccount;
let base: string;

/** A port free now, so PUBLIC_URL (the base of the links in mails) can name it before Vigil listens. */

beforeAll(async () => {
  smtp = await SmtpSink.start();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await startTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: base } });
  await t.app.listen({ port, host: '127.0.0.1' });
  owner = await t.newAccount();
  browser = await launchBrowser();
});

afterAll(async () => {
  await closeBrowser(browser);
  await t?.close();
  await smtp?.close();
});

describe('the public page in headless Chromium', () => {
  it('shows the statuses, takes a subscription by its form, and confirms it by the mailed link', async () => {
    const app = t!;
    const { pageId, urlName } = await newPage(app, owner, { name: 'Acme Cloud' });
    const [core, edge] = ok(
      await app.post(
        '/status-page/section/upsert',
        { page_id: pageId, sections: [{ name: 'Core services' }, { name: 'Edge' }] },
        owner.appKey,
      ),
    ).section_ids;
    const [api, web] = await newComponents(app, owner, pageId, ['Public API', 'Web console'], {
      section_id: core,
    });
    const [cdn] = await newComponents(app, owner, pageId, ['CDN'], { section_id: edge });
    // Up for three hours before the incident: today's uptime bar has data.
    app.clock.advance(3 * 3600_000);
    const incidentId = await newIncident(
      app,
      owner,
      pageId,
      [
        { component_id: api!, status: 'partial_outage' },
        { component_id: web!, status: 'degraded' },
      ],
      { title: 'Elevated API errors' },
    );
    ok(
      await app.post(
        '/status-page/change/timeline/create',
        { page_id: pageId, change_id: incidentId, status: 'identified', description: 'A bad deploy.' },
        owner.appKey,
      ),
    );
    ok(
      await app.post(
        '/status-page/change/create',
        {
          page_id: pageId,
          type: 'maintenance',
          title: 'CDN upgrade',
          description: 'Rolling upgrade of the edge nodes.',
          status: 'ongoing',
          close_at_seconds: nowOf(app) + 3600,
          updates: [{ component_changes: [{ component_id: cdn!, status: 'under_maintenance' }] }],
        },
        owner.appKey,
      ),
    );

    app.clock.advance(10 * 60_000);

    const context = await browser!.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The page's Content-Security-Policy blocks nothing the page uses (Chromium reports each block).
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) errors.push(message.text());
    });
    const response = await page.goto(`${base}/status/${urlName}`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    await expect(page.title()).resolves.toBe('Acme Cloud status');

    // The banner is the worst visible status, in words and colour (#953800: partial outage).
    const banner = page.getByRole('status');
    await expect(banner.textContent()).resolves.toBe('Partial system outage');
    // (Expressions as strings: the tests compile without the DOM's types.)
    await expect(
      page.evaluate(`getComputedStyle(document.querySelector('[role=status]')).backgroundColor`),
    ).resolves.toBe('rgb(149, 56, 0)');
    const statusOf = (id: string) => page.locator(`[data-component-id="${id}"] strong`).textContent();
    await expect(statusOf(api!)).resolves.toBe('Partial outage');
    await expect(statusOf(web!)).resolves.toBe('Degraded performance');
    await expect(statusOf(cdn!)).resolves.toBe('Under maintenance');
    const apiBars = page.locator(`[data-component-id="${api}"] .bars li`);
    await expect(apiBars.count()).resolves.toBe(90);
    await expect(apiBars.last().getAttribute('class')).resolves.toBe('d-partial_outage');
    await expect(apiBars.nth(88).getAttribute('class')).resolves.toBe('d-none');
    await expect(page.getByRole('region', { name: 'Core services' }).locator('.comp').count()).resolves.toBe(
      2,
    );

    const incident = page.locator(`#event-${incidentId}`);
    await expect(incident.locator('h3').textContent()).resolves.toBe('Elevated API errors');
    // Latest update first.
    await expect(incident.locator('ol li strong').allTextContents()).resolves.toEqual([
      'Identified',
      'Investigating',
    ]);
    await expect(page.getByRole('heading', { name: 'CDN upgrade' }).isVisible()).resolves.toBe(true);
    await expect(page.evaluate('document.scripts.length')).resolves.toBe(0);
    await page.screenshot({ path: outputPath(`status-page-${engine()}.png`), fullPage: true });

    // On a phone the layout reflows: nothing scrolls sideways.
    await page.setViewportSize({ width: 360, height: 740 });
    await expect(
      page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'),
    ).resolves.toBe(true);
    await page.screenshot({ path: outputPath(`status-page-${engine()}-phone.png`), fullPage: true });
    expect(statSync(outputPath(`status-page-${engine()}.png`)).size).toBeGreaterThan(10_000);

    // The subscribe form, by keyboard: type the address, tick one component, press Enter.
    const address = 'reader@example.com';
    await page.getByLabel('E-mail address').fill(address);
    await page.getByRole('checkbox', { name: 'Public API' }).check();
    await Promise.all([page.waitForURL(`${base}/status/${urlName}/subscribe`), page.keyboard.press('Enter')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Check your inbox');

    const subscribers = () => app.get('/status-page/subscriber/list', { page_id: pageId }, owner.appKey);
    expect(ok(await subscribers()).items).toEqual([
      expect.objectContaining({
        recipient: address,
        status: 'pending',
        all: false,
        components: [expect.objectContaining({ component_id: api })],
      }),
    ]);

    expect(await app.statusPages.runOnce()).toMatchObject({ delivered: 1 });
    const [mail] = smtp!.to(address);
    expect(mail?.headers.subject).toBe('Confirm your subscription to Acme Cloud status');
    const confirm = linkIn(mail!, '/subscribe/confirm?token=');
    expect(confirm.startsWith(`${base}/status/${urlName}/`)).toBe(true);
    await page.goto(confirm);
    await expect(page.locator('h1').textContent()).resolves.toBe('Subscribed');
    expect(ok(await subscribers()).items[0].status).toBe('active');

    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('uptime in headless Chromium', () => {
  it('shows a component created today with a 5-minute partial outage near 100 %, everywhere alike', async () => {
    const app = t!;
    const { pageId, urlName } = await newPage(app, owner, { name: 'Uptime Co' });
    const [core] = ok(
      await app.post(
        '/status-page/section/upsert',
        { page_id: pageId, sections: [{ name: 'Core' }] },
        owner.appKey,
      ),
    ).section_ids;
    const [api] = await newComponents(app, owner, pageId, ['API'], { section_id: core });
    app.clock.advance(60_000);
    const incidentId = await newIncident(app, owner, pageId, [
      { component_id: api!, status: 'partial_outage' },
    ]);
    app.clock.advance(5 * 60_000);
    ok(
      await app.post(
        '/status-page/change/timeline/create',
        {
          page_id: pageId,
          change_id: incidentId,
          status: 'resolved',
          description: 'Fixed.',
          component_changes: [{ component_id: api!, status: 'operational' }],
        },
        owner.appKey,
      ),
    );
    app.clock.advance(60_000);

    const context = await browser!.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/status/${urlName}`);
    await expect(page.getByRole('status').textContent()).resolves.toBe('All systems operational');
    // 5 minutes at 30 % (partial outage) of one whole day: 99.895… %, shown cut to 99.89 %.
    const component = page.locator(`[data-component-id="${api}"]`);
    await expect(component.textContent()).resolves.toContain('99.89% uptime over the last 90 days');
    await expect(page.getByRole('region', { name: 'Core' }).locator('h3').textContent()).resolves.toContain(
      '99.89% uptime',
    );
    const bars = component.locator('.bars li');
    await expect(bars.count()).resolves.toBe(90);
    // The 89 days before the component existed are drawn as "no data".
    const before = await bars.evaluateAll((items) =>
      items
        .slice(0, 89)
        .map((li) => `${li.getAttribute('class')} ${li.getAttribute('title')?.split(': ')[1]}`),
    );
    expect(new Set(before)).toEqual(new Set(['d-none no data']));
    await expect(bars.last().getAttribute('class')).resolves.toBe('d-partial_outage');
    await expect(bars.last().getAttribute('title')).resolves.toMatch(/: 99\.89% up, partial outage$/);

    const summary = JSON.parse(await (await page.goto(`${base}/status/${urlName}/summary.json`))!.text());
    expect(summary.components[0].uptime_90d).toBe(99.89);
    expect(summary.sections[0].uptime_90d).toBe(99.89);
    await context.close();
  });
});

function engine(): string {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
}
