import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMemberPassword } from '../../src/web/console.service.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newComponents, newIncident, newPage, nowOf, ok } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  // A mail transport (never reached: no delivery pass runs), so pages offer the subscribe form.
  t = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
  owner = await t.newAccount();
});
afterAll(() => t.close());

const DAY = 86_400;
const view = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });

/** The <li> of a component on the rendered page. */
function componentHtml(html: string, componentId: string): string {
  const start = html.indexOf(`data-component-id="${componentId}"`);
  expect(start, `component ${componentId} on the page`).toBeGreaterThan(-1);
  return html.slice(
    start,
    html.indexOf('</li></ul>', start) === -1
      ? undefined
      : html.indexOf('</li>', html.indexOf('</ol>', start)),
  );
}

describe('the public page', () => {
  it('shows the overall status, components by section with their status, and active events with timelines', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: 'Acme', page_footer: 'Acme Inc.' });
    const [core] = ok(
      await t.post(
        '/status-page/section/upsert',
        { page_id: pageId, sections: [{ name: 'Core services' }] },
        owner.appKey,
      ),
    ).section_ids;
    const [api, web] = await newComponents(t, owner, pageId, ['Public API', 'Web <console>'], {
      section_id: core,
    });
    const [hidden] = await newComponents(t, owner, pageId, ['Secret backend'], { hide_all: true });
    const changeId = await newIncident(
      t,
      owner,
      pageId,
      [
        { component_id: api!, status: 'partial_outage' },
        { component_id: hidden!, status: 'full_outage' },
      ],
      { title: 'API errors' },
    );
    t.clock.advance(60_000);
    ok(
      await t.post(
        '/status-page/change/timeline/create',
        {
          page_id: pageId,
          change_id: changeId,
          status: 'identified',
          description: 'A bad deploy.\n\nRolling back.',
        },
        owner.appKey,
      ),
    );

    const res = await view(`/status/${urlName}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe(
      'public, max-age=1, stale-while-revalidate=2, stale-if-error=300',
    );
    const html = res.body;
    expect(html).not.toContain('<script');
    expect(html).toContain('<html lang="en">');
    // The hidden component's full outage does not set the banner: only visible components count.
    expect(html).toContain('<p class="banner b-partial_outage" role="status">Partial system outage</p>');
    expect(html).toContain('<span>Core services</span>');
    expect(componentHtml(html, api!)).toContain('<strong class="s-partial_outage">Partial outage</strong>');
    expect(componentHtml(html, web!)).toContain('<strong class="s-operational">Operational</strong>');
    expect(html).toContain('Web &lt;console&gt;');
    expect(html).not.toContain('Secret backend');
    expect(html).toContain('<h3>API errors</h3>');
    expect(html).toContain('<p>A bad deploy.</p><p>Rolling back.</p>');
    // Latest update first.
    expect(html.indexOf('<strong>Identified</strong>')).toBeLessThan(
      html.indexOf('<strong>Investigating</strong>'),
    );
    expect(html).toContain(`<form method="post" action="/status/${urlName}/subscribe">`);
    expect(html).toContain('Acme Inc.');
    expect(html.length).toBeLessThan(60_000);
  });

  it('draws 90 daily bars from the events, counting outages as downtime (a fixture)', async () => {
    const { pageId, urlName } = await newPage(t, owner);
    const [a, b, c] = await newComponents(t, owner, pageId, ['A', 'B', 'C']);
    ok(
      await t.post(
        '/status-page/component/upsert',
        { page_id: pageId, components: [{ component_id: c, name: 'C', hide_uptime: true }] },
        owner.appKey,
      ),
    );
    // The components were created 2026-01-05 09:00 UTC.
    t.clock.advance(2 * DAY * 1000);
    const now = nowOf(t); // 2026-01-07 09:00 UTC
    const yesterdayStart = Math.floor(now / DAY) * DAY - DAY;
    // Yesterday A was fully down 02:00–03:00 and degraded 05:00–06:00 (degraded is not downtime).
    ok(
      await t.post(
        '/status-page/change/create',
        {
          page_id: pageId,
          type: 'incident',
          title: 'Outage',
          description: 'What happened',
          status: 'resolved',
          is_retrospective: true,
          start_at_seconds: yesterdayStart + 2 * 3600,
          updates: [
            {
              at_seconds: yesterdayStart + 2 * 3600,
              status: 'investigating',
              component_changes: [{ component_id: a, status: 'full_outage' }],
            },
            {
              at_seconds: yesterdayStart + 3 * 3600,
              status: 'monitoring',
              component_changes: [{ component_id: a, status: 'degraded' }],
            },
            {
              at_seconds: yesterdayStart + 4 * 3600,
              status: 'monitoring',
              component_changes: [{ component_id: a, status: 'operational' }],
            },
            { at_seconds: yesterdayStart + 5 * 3600, status: 'resolved' },
          ],
        },
        owner.appKey,
      ),
    );
    const html = (await view(`/status/${urlName}`)).body;
    const bars = (id: string) => [
      ...componentHtml(html, id).matchAll(/<li class="d-([a-z_]+)" title="([^"]+)"/g),
    ];
    const aBars = bars(a!);
    expect(aBars).toHaveLength(90);
    // Before the day the component was created: no data; yesterday: the full outage is the day's worst.
    expect(aBars.slice(0, 87).every((m) => m[1] === 'none' && m[2]!.endsWith(': no data'))).toBe(true);
    const yesterday = aBars[88]!;
    expect(yesterday[1]).toBe('full_outage');
    expect(yesterday[2]).toBe(
      `${new Date(yesterdayStart * 1000).toISOString().slice(0, 10)}: 95.83% up, major outage`,
    );
    expect(aBars[89]![1]).toBe('operational');
    // Three whole days (creation day to today), one hour of them down.
    const expected = Math.floor((1 - 3600 / (3 * DAY)) * 100 * 100) / 100;
    expect(componentHtml(html, a!)).toContain(`${expected.toFixed(2)}% uptime over the last 90 days`);
    expect(componentHtml(html, b!)).toContain('100% uptime over the last 90 days');
    expect(componentHtml(html, c!)).not.toContain('class="bars"');

    const summary = JSON.parse((await view(`/status/${urlName}/summary.json`)).body);
    const byName = Object.fromEntries(summary.components.map((x: any) => [x.name, x]));
    expect(byName.A.uptime_90d).toBe(expected);
    expect(byName.B.uptime_90d).toBe(100);
    expect(byName.C).not.toHaveProperty('uptime_90d');

    ok(await t.post('/status-page/update', { page_id: pageId, display_uptime_mode: 'none' }, owner.appKey));
    expect((await view(`/status/${urlName}`)).body).not.toContain('class="bars"');
  });

  it('answers summary.json with the indicator, components and open events', async () => {
    const { pageId, urlName } = await newPage(t, owner);
    const [api] = await newComponents(t, owner, pageId, ['API']);
    const changeId = await newIncident(t, owner, pageId, [{ component_id: api!, status: 'full_outage' }]);
    t.clock.advance(60_000);
    const res = await view(`/status/${urlName}/summary.json`);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const summary = JSON.parse(res.body);
    expect(summary.status).toEqual({ indicator: 'critical', overall: 'full_outage' });
    expect(summary.components).toEqual([
      // A minute of full outage on its only day.
      { id: api, name: 'API', description: '', status: 'full_outage', uptime_90d: 99.93 },
    ]);
    expect(summary.incidents).toEqual([
      expect.objectContaining({
        id: changeId,
        status: 'investigating',
        components: [{ id: api, name: 'API', status: 'full_outage' }],
      }),
    ]);
    expect(summary.maintenances).toEqual([]);
  });

  it('shows a change at once (the cache forgets the page), and answers 304 to a matching ETag', async () => {
    const { pageId, urlName } = await newPage(t, owner);
    const [api] = await newComponents(t, owner, pageId, ['API']);
    const first = await view(`/status/${urlName}`);
    expect(first.body).toContain('All systems operational');
    const again = await view(`/status/${urlName}`, { 'if-none-match': first.headers.etag as string });
    expect(again.statusCode).toBe(304);
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }]);
    const after = await view(`/status/${urlName}`, { 'if-none-match': first.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Some systems are degraded');
  });

  it('sends a rendering gzipped to a client that takes gzip, each coding with its own ETag', async () => {
    const { pageId, urlName } = await newPage(t, owner);
    await newComponents(t, owner, pageId, [
      'API',
      'Web',
      'Mobile',
      'Billing',
      'Search',
      'Mail',
      'CDN',
      'DNS',
    ]);
    for (const url of [`/status/${urlName}`, `/status/${urlName}/summary.json`]) {
      const plain = await view(url);
      expect(plain.headers['content-encoding'], url).toBeUndefined();
      expect(plain.headers.vary).toBe('Accept-Encoding');
      const zipped = await view(url, { 'accept-encoding': 'gzip, deflate, br' });
      expect(zipped.headers['content-encoding'], url).toBe('gzip');
      expect(zipped.headers.vary).toBe('Accept-Encoding');
      expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(plain.body);
      expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
      expect(zipped.headers.etag).not.toBe(plain.headers.etag);
      const unchanged = await view(url, {
        'accept-encoding': 'gzip',
        'if-none-match': zipped.headers.etag as string,
      });
      expect(unchanged.statusCode).toBe(304);
      // The identity ETag does not match the gzipped representation.
      const other = await view(url, {
        'accept-encoding': 'gzip',
        'if-none-match': plain.headers.etag as string,
      });
      expect(other.statusCode).toBe(200);
    }
    const url = `/status/${urlName}`;
    expect((await view(url, { 'accept-encoding': '*' })).headers['content-encoding']).toBe('gzip');
    for (const refused of ['gzip;q=0', 'gzip;q=0, *', 'identity', 'br']) {
      expect(
        (await view(url, { 'accept-encoding': refused })).headers['content-encoding'],
        refused,
      ).toBeUndefined();
    }
  });

  it('serves a page created after its address was visited at once (no cached "not found")', async () => {
    const urlName = `late-${Math.random().toString(36).slice(2, 8)}`;
    expect((await view(`/status/${urlName}`)).statusCode).toBe(404);
    await newPage(t, owner, { url_name: urlName, name: 'Late' });
    const res = await view(`/status/${urlName}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Late status');
  });

  it('lists ended events on the history page, a month at a time', async () => {
    const { pageId, urlName } = await newPage(t, owner, { date_view: 'calendar' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    const december = Date.UTC(2025, 11, 10) / 1000;
    for (let i = 1; i <= 3; i++) {
      await newIncident(t, owner, pageId, [{ component_id: api!, status: 'operational' }], {
        status: 'resolved',
        title: `Past ${i}`,
        // Past 1 and 2 in December, Past 3 now (January).
        ...(i < 3 ? { start_at_seconds: december + i * 3600 } : {}),
      });
    }
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }], {
      title: 'Still open',
    });
    const first = (await view(`/status/${urlName}/history`)).body;
    expect(first).toContain('<h2>January 2026</h2>');
    expect(first).toContain('Past 3<');
    expect(first).not.toContain('Past 2<');
    expect(first).not.toContain('Still open');
    expect(first).toContain(`<a rel="prev" href="/status/${urlName}/history?month=2025-12">`);
    expect(first).not.toContain('rel="next"');
    const second = (await view(`/status/${urlName}/history?month=2025-12`)).body;
    expect(second).toContain('<h2>December 2025</h2>');
    expect(second.indexOf('Past 2<')).toBeLessThan(second.indexOf('Past 1<'));
    expect(second).not.toContain('Past 3<');
    expect(second).toContain(`<a rel="next" href="/status/${urlName}/history?month=2026-01">`);
    // Nothing ended before December: no link further back.
    expect(second).not.toContain('rel="prev"');
    const empty = (await view(`/status/${urlName}/history?month=2025-06`)).body;
    expect(empty).toContain('No incidents or maintenance ended in June 2025.');
    expect(empty).not.toContain('rel="prev"');
    expect(empty).toContain(`<a rel="next" href="/status/${urlName}/history?month=2025-07">`);
  });

  it('serves RSS and Atom feeds of the events', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: 'Feedy' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    const changeId = await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }], {
      title: 'Slow & sad',
    });
    const rss = await view(`/status/${urlName}/feed.rss`);
    expect(rss.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(rss.body).toMatch(/^<\?xml/);
    expect(rss.body).toContain('<title>Feedy status</title>');
    expect(rss.body).toContain('<title><![CDATA[Slow &amp; sad (investigating, ongoing)]]></title>');
    expect(rss.body).toContain(`<link>${t.config.publicUrl}/status/${urlName}#event-${changeId}</link>`);
    const atom = await view(`/status/${urlName}/feed.atom`);
    expect(atom.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(atom.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(atom.body).toContain(`/status/${urlName}/events/${changeId}`);
  });

  it('answers 404 for an unknown page', async () => {
    const res = await view('/status/no-such-page');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('No status page here');
  });
});

describe('internal pages', () => {
  it('are served only with the app_key of a member of their account', async () => {
    const { pageId, urlName } = await newPage(t, owner, { type: 'internal' });
    await newComponents(t, owner, pageId, ['Internal API']);
    const other = await t.newAccount();
    const member = await t.newMember(owner, [4]);
    for (const url of [
      `/status/${urlName}`,
      `/status/${urlName}/summary.json`,
      `/status/${urlName}/feed.rss`,
      `/status/${urlName}/history`,
    ]) {
      const anonymous = await view(url);
      expect(anonymous.statusCode, url).toBe(401);
      expect(anonymous.body).not.toContain('Internal API');
      expect((await view(`${url}?app_key=${other.appKey}`)).statusCode, url).toBe(401);
      expect((await view(`${url}?app_key=nonsense`)).statusCode, url).toBe(401);
    }
    const res = await view(`/status/${urlName}?app_key=${member.appKey}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body).toContain('Internal API');
    expect(res.body).toContain(`href="/status/${urlName}/history?app_key=${member.appKey}"`);
    expect(res.body).not.toContain('__VIGIL_AUTH');
    // No e-mail subscription form on an internal page.
    expect(res.body).not.toContain('/subscribe"');

    // A member signed in to the console sees it with the session cookie; another account's cannot.
    const cookieOf = async (account: { accountId: number }, memberId: number, email: string) => {
      await setMemberPassword(
        { db: t.db, clock: t.clock },
        { email, accountId: account.accountId, password: 'correct horse battery' },
      );
      const signIn = await t.app.inject({
        method: 'POST',
        url: '/console/sign-in',
        payload: { email, password: 'correct horse battery' },
      });
      expect(signIn.statusCode, signIn.body).toBe(200);
      expect(memberId).toBeGreaterThan(0);
      return String(signIn.headers['set-cookie']).split(';')[0]!;
    };
    const emailOf = async (id: number) =>
      (
        await t.db.q
          .selectFrom('members')
          .select('email')
          .where('member_id', '=', id)
          .executeTakeFirstOrThrow()
      ).email;
    const mine = await cookieOf(owner, member.memberId, await emailOf(member.memberId));
    const viaSession = await t.app.inject({
      method: 'GET',
      url: `/status/${urlName}`,
      headers: { cookie: mine },
    });
    expect(viaSession.statusCode).toBe(200);
    expect(viaSession.body).toContain('Internal API');
    expect(viaSession.body).toContain(`href="/status/${urlName}/history"`);
    expect(viaSession.body).not.toContain('__VIGIL_AUTH');
    const theirs = await cookieOf(other, other.memberId, await emailOf(other.memberId));
    const stranger = await t.app.inject({
      method: 'GET',
      url: `/status/${urlName}`,
      headers: { cookie: theirs },
    });
    expect(stranger.statusCode).toBe(401);
  });
});
