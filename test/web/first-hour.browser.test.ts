import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycle, TEMPLATE_ID } from '../escalation/helpers.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import { closeBrowser, pickOption } from '../harness/browser.ts';
import { newSource, push, type Source } from '../incidents/read-helpers.ts';
import { expectNoSidewaysScroll, signInOnPage, startConsoleRig } from './console-rig.ts';
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
let pageId: number;
let urlName: string;
let apiComponent: string;

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
  const created = await ok(
    await t.post(
      '/status-page/create',
      {
        name: 'Acme status',
        url_name: `acme-${Math.random().toString(36).slice(2, 8)}`,
        type: 'public',
        date_view: 'list',
        display_uptime_mode: 'chart_and_percentage',
      },
      owner.appKey,
    ),
  );
  pageId = created.page_id;
  urlName = created.page_url_name;
  [apiComponent] = (
    await ok(
      await t.post(
        '/status-page/component/upsert',
        { page_id: pageId, components: [{ name: 'Checkout API' }, { name: 'Storefront' }] },
        owner.appKey,
      ),
    )
  ).component_ids;
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

  const INTERNAL = 'db-1 ran out of disk after Bob disabled log rotation';

  it('publishes with a customer-facing message from the page template, previewed, linked and on the timeline', {
    timeout: 120_000,
  }, async () => {
    await ok(
      await t.post(
        '/status-page/template/upsert',
        {
          page_id: pageId,
          type: 'pre_defined',
          template: {
            event_type: 'incident',
            status: 'investigating',
            title: 'Checkout errors',
            description: 'Some customers cannot check out. We are on it.',
          },
        },
        owner.appKey,
      ),
    );
    const { incidentId } = await push(t, source, { title_rule: 'db-1 disk full' });
    await ok(
      await t.post('/incident/reset', { incident_id: incidentId, description: INTERNAL }, owner.appKey),
    );
    const incident = await ok(await t.post('/incident/info', { incident_id: incidentId }, owner.appKey));
    await page.goto(incident.detail_url);
    await page.getByRole('heading', { name: incident.title, level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Publish to status page', exact: true }).click();
    const publish = page.getByRole('dialog', { name: 'Publish to a status page' });
    await publish.getByRole('checkbox', { name: 'Checkout API', exact: true }).check();
    const message = publish.getByLabel('Message to customers');
    await expect.poll(() => message.inputValue()).toBe('Some customers cannot check out. We are on it.');
    await expect(publish.getByLabel('Title on the page').inputValue()).resolves.toBe('Checkout errors');
    const preview = publish.getByRole('region', { name: 'Preview' });
    await expect(preview.textContent()).resolves.toContain('Some customers cannot check out.');
    await expect(preview.textContent()).resolves.toContain('Partial outage of Checkout API');
    await message.fill('Checkout is failing for some customers.');
    await expect(preview.textContent()).resolves.toContain('Checkout is failing for some customers.');
    expect(await publish.textContent()).not.toContain(INTERNAL);
    await publish.getByRole('button', { name: 'Publish', exact: true }).click();
    await publish.waitFor({ state: 'hidden', timeout: 20_000 });

    await page
      .locator('[data-feed-type="i_publish"]')
      .getByText('published it to the status page Acme status as “Checkout errors”')
      .waitFor({ timeout: 20_000 });
    const link = page.getByRole('link', { name: 'Checkout errors', exact: true });
    await link.waitFor();
    const event = (
      await ok(
        await t.get('/status-page/change/active/list', { page_id: pageId, type: 'incident' }, owner.appKey),
      )
    ).items.find((e: any) => e.linked_change_ids.includes(incidentId));
    expect(await link.getAttribute('href')).toBe(`${base}/status/${urlName}#event-${event.change_id}`);
    expect(event.description).toBe('Checkout is failing for some customers.');
    for (const path of ['', '/summary.json', '/feed.rss', '/history']) {
      const body = await (await fetch(`${base}/status/${urlName}${path}`)).text();
      expect(body, path).not.toContain(INTERNAL);
    }
  });

  it('resolves the public event with the incident, or in one click once the incident is resolved', {
    timeout: 120_000,
  }, async () => {
    const active = async () =>
      (
        await ok(
          await t.get('/status-page/change/active/list', { page_id: pageId, type: 'incident' }, owner.appKey),
        )
      ).items;
    const [event] = await active();
    const incidentId = event.linked_change_ids[0];
    const incident = await ok(await t.post('/incident/info', { incident_id: incidentId }, owner.appKey));
    await page.goto(incident.detail_url);
    await page.getByRole('heading', { name: incident.title, level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Resolve the incident' });
    const also = dialog.getByRole('checkbox', { name: /Also resolve the public event on Acme status/ });
    await expect(also.isChecked()).resolves.toBe(true);
    await dialog.getByLabel('Message to customers').fill('Fixed: checkout works again.');
    await dialog.getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Incident and its public event resolved.' }).waitFor({
      timeout: 20_000,
    });
    await expect.poll(async () => (await active()).length).toBe(0);
    const info = await ok(
      await t.get('/status-page/change/info', { page_id: pageId, change_id: event.change_id }, owner.appKey),
    );
    expect(info.status).toBe('resolved');
    expect(info.updates.at(-1).description).toBe('Fixed: checkout works again.');

    // Published, then resolved elsewhere (the API): the page says the public event is still open.
    const second = await push(t, source, { title_rule: 'Storefront slow' });
    await ok(
      await t.post(
        '/status-page/change/create-from-incident',
        {
          page_id: pageId,
          incident_id: second.incidentId,
          title: 'Slow storefront',
          component_changes: [{ component_id: apiComponent, status: 'degraded' }],
        },
        owner.appKey,
      ),
    );
    await ok(await t.post('/incident/resolve', { incident_ids: [second.incidentId] }, owner.appKey));
    const secondInfo = await ok(
      await t.post('/incident/info', { incident_id: second.incidentId }, owner.appKey),
    );
    await page.goto(secondInfo.detail_url);
    const open = page.getByTestId('public-still-open');
    await open.waitFor({ timeout: 20_000 });
    await expect(open.textContent()).resolves.toContain(
      'Customers still read “Investigating” on Acme status',
    );
    await open.getByRole('button', { name: 'Resolve the public event' }).click();
    await open.waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(async () => (await active()).length).toBe(0);
  });
});

describe('subscriptions on a server without SMTP', () => {
  it('hides the public form, refuses a posted one, and warns on the Subscribers page', {
    timeout: 120_000,
  }, async () => {
    const visitor = await browser!.newContext({ viewport: { width: 1024, height: 800 } });
    const publicPage = await visitor.newPage();
    await publicPage.goto(`${base}/status/${urlName}`);
    await publicPage.getByRole('heading', { name: 'Get updates' }).waitFor();
    await expect(publicPage.getByLabel('E-mail address').count()).resolves.toBe(0);
    await expect(publicPage.locator('#subscribe + p').textContent()).resolves.toContain(
      'E-mail updates are not available for this page',
    );
    // A form posted anyway (an old tab, a script) is told the truth, and nothing is stored.
    const posted = await fetch(`${base}/status/${urlName}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=reader%40example.com',
    });
    expect(posted.status).toBe(503);
    const text = await posted.text();
    expect(text).toContain('Subscriptions unavailable');
    expect(text).not.toContain('we sent it a link');
    const subscribers = await ok(
      await t.get('/status-page/subscriber/list', { page_id: pageId }, owner.appKey),
    );
    expect(subscribers.items).toEqual([]);
    await visitor.close();

    await page.goto(`${base}/status-pages/${pageId}`);
    await page.getByRole('tab', { name: 'Subscribers' }).click();
    const warning = page.getByTestId('no-smtp');
    await warning.waitFor({ timeout: 20_000 });
    await expect(warning.textContent()).resolves.toContain('SMTP_URL is not set');
  });
});

describe('the escalation rule heads-up', () => {
  it('flags the people a layer reaches through a schedule, not only those named', {
    timeout: 120_000,
  }, async () => {
    const now = Math.floor(Date.now() / 1000);
    const schedule = await ok(
      await t.post(
        '/schedule/create',
        {
          schedule_name: 'Primary rota',
          time_zone: 'UTC',
          layers: [
            {
              layer_name: 'Days',
              rotation_unit: 'day',
              rotation_value: 1,
              layer_start: now - (now % 86_400),
              groups: [{ group_name: '', members: [{ role_id: 0, person_ids: [bob.memberId] }] }],
            },
          ],
        },
        owner.appKey,
      ),
    );
    const other = await newSource(t, owner);
    const { rule_id } = await ok(
      await t.post(
        '/channel/escalate/rule/create',
        {
          channel_id: other.channelId,
          rule_name: 'Through the rota',
          template_id: TEMPLATE_ID,
          layers: [
            {
              target: {
                schedule_to_role_ids: { [schedule.schedule_id]: [] },
                by: { follow_preference: true },
              },
            },
          ],
        },
        owner.appKey,
      ),
    );
    await page.goto(`${base}/escalation-rules/${rule_id}`);
    const alert = page
      .getByRole('status')
      .filter({ hasText: 'Heads-up: parts of this rule would reach nobody' });
    await alert.waitFor({ timeout: 20_000 });
    await expect(alert.textContent()).resolves.toContain(
      'Layer 1: Bob Builder cannot be reached: e-mail is not configured (SMTP_URL)',
    );
  });
});

describe('the iCal feed', () => {
  it('gives the shift running when the window opens its real start, as DTSTART and in its UID', {
    timeout: 60_000,
  }, async () => {
    // A fortnightly rotation that began 20 days ago: the feed's window (the past week on) opens
    // in the middle of a shift.
    const now = Math.floor(t.clock.nowMs() / 1000);
    const midnight = now - (now % 86_400);
    const began = midnight - 20 * 86_400;
    const schedule = await ok(
      await t.post(
        '/schedule/create',
        {
          schedule_name: 'Fortnights',
          time_zone: 'UTC',
          layers: [
            {
              layer_name: 'Weeks',
              rotation_unit: 'day',
              rotation_value: 14,
              layer_start: began,
              groups: [
                { group_name: 'A', members: [{ role_id: 0, person_ids: [owner.memberId] }] },
                { group_name: 'B', members: [{ role_id: 0, person_ids: [bob.memberId] }] },
              ],
            },
          ],
        },
        owner.appKey,
      ),
    );
    const fetchFeed = async () => {
      const res = await fetch(
        `${base}/schedule/ical?schedule_id=${schedule.schedule_id}&app_key=${owner.appKey}`,
      );
      expect(res.status).toBe(200);
      const text = (await res.text()).replace(/\r\n /g, '');
      return [...text.matchAll(/BEGIN:VEVENT[\s\S]*?END:VEVENT/g)].map((m) => ({
        uid: /UID:(.*)/.exec(m[0])![1]!.trim(),
        start: /DTSTART[^:]*:(.*)/.exec(m[0])![1]!.trim(),
      }));
    };
    const first = await fetchFeed();
    t.clock.advance(3 * 3600_000);
    const second = await fetchFeed();
    // The shift running a week ago (where the window opens) starts at a hand-off (midnight, in
    // this rota), before the window, and its UID says that start.
    const windowStart = now - 7 * 86_400;
    const stamp = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/[-:]|\.\d+/g, '');
    const [running] = first;
    const startSeconds = Number(running!.uid.split('-')[1]);
    expect(startSeconds).toBeLessThan(windowStart);
    expect(startSeconds % 86_400).toBe(0);
    expect(startSeconds).toBeGreaterThanOrEqual(began);
    expect(running!.start).toBe(stamp(startSeconds));
    expect(second.map((e) => e.uid)).toEqual(first.map((e) => e.uid));
  });
});

describe('the schedule editor', () => {
  it('shows times in the schedule’s zone and hands a weekly rotation off at its start time', {
    timeout: 120_000,
  }, async () => {
    const now = Math.floor(Date.now() / 1000);
    const schedule = await ok(
      await t.post(
        '/schedule/create',
        {
          schedule_name: 'Berlin rota',
          time_zone: 'Europe/Berlin',
          layers: [
            {
              layer_name: 'Main',
              rotation_unit: 'day',
              rotation_value: 1,
              layer_start: now - (now % 86_400),
              groups: [{ group_name: '', members: [{ role_id: 0, person_ids: [owner.memberId] }] }],
            },
          ],
        },
        owner.appKey,
      ),
    );
    await page.goto(`${base}/schedules/${schedule.schedule_id}`);
    await page.getByRole('heading', { name: 'Berlin rota', level: 2 }).waitFor({ timeout: 20_000 });
    // The viewer is in Asia/Tokyo (the rig): the preview still speaks Berlin time, and says so.
    const zone = page.getByTestId('preview-zone');
    await expect(zone.textContent()).resolves.toContain('times in Europe/Berlin (yours: Asia/Tokyo)');

    const layer = page.getByRole('group', { name: 'Main', exact: true });
    await pickOption(page, layer.getByRole('combobox', { name: 'Unit', exact: true }), 'weeks');
    await layer.getByLabel('Starts (Europe/Berlin)').fill('2026-12-07T09:00');
    await expect.poll(() => layer.getByLabel('Hand-off time', { exact: true }).inputValue()).toBe('09:00');
    await expect(layer.getByRole('combobox', { name: 'Hand-off day' }).inputValue()).resolves.toBe('Monday');
  });
});

describe('polish', () => {
  it('titles, headers, favicon and a skip link', { timeout: 120_000 }, async () => {
    const created = await ok(
      await t.post(
        '/status-page/create',
        {
          name: 'Acme Status',
          url_name: `plain-${Math.random().toString(36).slice(2, 8)}`,
          type: 'public',
          date_view: 'list',
          display_uptime_mode: 'chart_and_percentage',
        },
        owner.appKey,
      ),
    );
    await ok(
      await t.post(
        '/status-page/component/upsert',
        { page_id: created.page_id, components: [{ name: 'API' }] },
        owner.appKey,
      ),
    );
    const visitor = await browser!.newContext({ viewport: { width: 1024, height: 800 } });
    const publicPage = await visitor.newPage();
    const missing: string[] = [];
    publicPage.on('response', (r) => {
      if (r.status() === 404) missing.push(r.url());
    });
    await publicPage.goto(`${base}/status/${created.page_url_name}`);
    await expect(publicPage.title()).resolves.toBe('Acme Status');
    await expect(publicPage.locator('h1').textContent()).resolves.toBe('Acme Status');
    // Components but no sections: a plain list, no "Other components" header with its own percentage.
    await expect(publicPage.locator('body').textContent()).resolves.not.toContain('Other components');
    await expect(publicPage.locator('.group h3').count()).resolves.toBe(0);
    const icon = await fetch(`${base}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    await visitor.close();

    // The console: no empty "Not in a section" group once every component is in a section.
    const [section] = (
      await ok(
        await t.post(
          '/status-page/section/upsert',
          { page_id: created.page_id, sections: [{ name: 'Core' }] },
          owner.appKey,
        ),
      )
    ).section_ids;
    const [component] = (
      await ok(await t.get('/status-page/info', { page_id: created.page_id }, owner.appKey))
    ).components;
    await ok(
      await t.post(
        '/status-page/component/upsert',
        {
          page_id: created.page_id,
          components: [{ component_id: component.component_id, name: 'API', section_id: section }],
        },
        owner.appKey,
      ),
    );
    await page.goto(`${base}/status-pages/${created.page_id}`);
    await page.getByRole('tab', { name: 'Components' }).click();
    await page.getByText('Section: Core').waitFor({ timeout: 20_000 });
    await expect(page.getByText('Not in a section').count()).resolves.toBe(0);
    await expect(page.getByText('Every component is in a section.').count()).resolves.toBe(0);

    // The first Tab reaches "Skip to content", which moves the focus to the page's content.
    await page.goto(`${base}/incidents`);
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('main');
    expect(missing.filter((url) => url.includes('favicon'))).toEqual([]);
  });
});

describe('on a phone', () => {
  it('acknowledges an incident from the list at 390 px, without sideways scrolling', {
    timeout: 120_000,
  }, async () => {
    const { incidentId } = await push(t, source, {
      title_rule: 'Phone check failing',
      event_status: 'Critical',
    });
    const phone = await browser!.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const mobile = await phone.newPage();
    await mobile.goto(`${base}/incidents`);
    await signInOnPage(mobile, await emailOf(t, owner));
    await mobile.getByRole('heading', { name: 'Incidents' }).waitFor({ timeout: 20_000 });
    await expectNoSidewaysScroll(mobile, 'the incident list on a phone');
    // As from the notification's link (the incident's detail_url).
    const incident = await ok(await t.post('/incident/info', { incident_id: incidentId }, owner.appKey));
    await mobile.goto(incident.detail_url);
    await mobile.getByRole('heading', { name: 'Phone check failing', level: 2 }).waitFor({ timeout: 20_000 });
    await expectNoSidewaysScroll(mobile, 'the incident page on a phone');
    await mobile.getByRole('button', { name: 'Acknowledge', exact: true }).tap();
    await mobile.getByRole('status').filter({ hasText: 'Acknowledged.' }).waitFor({ timeout: 20_000 });
    const info = await ok(await t.post('/incident/info', { incident_id: incidentId }, owner.appKey));
    expect(info.progress).toBe('Processing');
    await phone.close();
  });
});

const AXE = axe.source;

/** Serious and critical WCAG 2 A/AA violations axe-core finds on the page, as "rule: targets". */
async function axeViolations(target: Page): Promise<string[]> {
  await target.addScriptTag({ content: AXE });
  return target.evaluate(`axe
    .run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
    .then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + n.html + ' ' + n.failureSummary).join(' | ')))`);
}

describe('accessibility (axe-core)', () => {
  it('finds no serious or critical violation on the main pages', { timeout: 180_000 }, async () => {
    // bypassCSP: axe is injected as an inline script, which the pages' policy rightly refuses.
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const a11y = await context.newPage();
    await a11y.goto(`${base}/incidents`);
    await signInOnPage(a11y, await emailOf(t, owner));
    await a11y.getByRole('heading', { name: 'Incidents' }).waitFor({ timeout: 20_000 });
    const { incidentId } = await push(t, source, { title_rule: 'Accessibility check' });
    const incident = await ok(await t.post('/incident/info', { incident_id: incidentId }, owner.appKey));
    const pages: [string, string][] = [
      ['/incidents', 'Incidents'],
      [`/incident/detail/${incident.incident_id}`, incident.title],
      ['/schedules', 'Schedules'],
      ['/escalation-rules', 'Escalation rules'],
      ['/status-pages', 'Status pages'],
      ['/integrations', 'Integrations'],
      ['/get-started', 'Get started'],
    ];
    const found: Record<string, string[]> = {};
    for (const [path, heading] of pages) {
      await a11y.goto(`${base}${path}`);
      await a11y.getByRole('heading', { name: heading }).first().waitFor({ timeout: 20_000 });
      const violations = await axeViolations(a11y);
      if (violations.length > 0) found[path] = violations;
    }
    await a11y.goto(`${base}/status/${urlName}`);
    const violations = await axeViolations(a11y);
    if (violations.length > 0) found['public page'] = violations;
    expect(found).toEqual({});
    await context.close();
  });
});
