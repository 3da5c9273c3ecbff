import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml2js } from 'xml-js';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { invalid, newComponents, newIncident, newPage, ok } from './helpers.ts';

/*
 * Issue 23's public page: the page's time zone, brand colours, the SVG badge, the embeddable
 * widget and its script, and history a month at a time (docs/status-pages.md, "Branding, time
 * zone, badge and widget").
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Brand');
  other = await t.newAccount('Other');
});
afterAll(() => t.close());

const view = (url: string) => t.app.inject({ method: 'GET', url });
const info = async (pageId: number) =>
  ok(await t.get('/status-page/info', { page_id: pageId }, owner.appKey));
const sha = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
const HOSTILE = `Acme "<script>alert(1)</script>" & Co's`;

describe('the settings API', () => {
  it('stores the time zone and colours, defaults them, and answers them on info', async () => {
    const plain = await newPage(t, owner);
    expect(await info(plain.pageId)).toMatchObject({ time_zone: 'UTC', brand_color: '', header_color: '' });
    const { pageId } = await newPage(t, owner, {
      time_zone: 'Europe/Berlin',
      brand_color: '#FFD700',
      header_color: '#112233',
    });
    expect(await info(pageId)).toMatchObject({
      time_zone: 'Europe/Berlin',
      brand_color: '#FFD700',
      header_color: '#112233',
    });
    ok(
      await t.post(
        '/status-page/update',
        { page_id: pageId, time_zone: 'Asia/Tokyo', header_color: '' },
        owner.appKey,
      ),
    );
    expect(await info(pageId)).toMatchObject({
      time_zone: 'Asia/Tokyo',
      brand_color: '#FFD700',
      header_color: '',
    });
  });

  it('refuses a zone Intl does not know and colours that are not #rrggbb, naming the field, changing nothing', async () => {
    const { pageId } = await newPage(t, owner, { time_zone: 'Europe/Paris' });
    for (const zone of ['Mars/Olympus', '', 'UTC+1; drop table', 'x'.repeat(65)]) {
      invalid(
        await t.post(
          '/status-page/update',
          { page_id: pageId, time_zone: zone, page_title: 'Changed' },
          owner.appKey,
        ),
        'time_zone',
      );
    }
    for (const color of ['red', '#fff', '#12345g', '#1234567', 'url(javascript:x)', '#123456;}body{x']) {
      invalid(
        await t.post('/status-page/update', { page_id: pageId, brand_color: color }, owner.appKey),
        'brand_color',
      );
      invalid(
        await t.post('/status-page/update', { page_id: pageId, header_color: color }, owner.appKey),
        'header_color',
      );
    }
    invalid(
      await t.post(
        '/status-page/create',
        {
          name: 'Z',
          url_name: `z-${Date.now()}`,
          type: 'public',
          date_view: 'list',
          display_uptime_mode: 'none',
          time_zone: 'Nowhere/Town',
        },
        owner.appKey,
      ),
      'time_zone',
    );
    expect(await info(pageId)).toMatchObject({ time_zone: 'Europe/Paris', brand_color: '', page_title: '' });
  });

  it("another account's key changes nothing", async () => {
    const { pageId } = await newPage(t, owner);
    const res = await t.post(
      '/status-page/update',
      { page_id: pageId, time_zone: 'Asia/Tokyo', brand_color: '#000000' },
      other.appKey,
    );
    expect(res.body.error?.code).toBe('ResourceNotFound');
    expect(await info(pageId)).toMatchObject({ time_zone: 'UTC', brand_color: '' });
  });
});

describe('the rendered page', () => {
  it('shows times in the page zone, named, and the zone in the footer', async () => {
    const { pageId, urlName } = await newPage(t, owner, { time_zone: 'America/New_York' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }], { title: 'Slow' });
    const html = (await view(`/status/${urlName}`)).body;
    // The clock is 2026-01-05 09:00 UTC: 04:00 in New York (EST).
    expect(html).toContain('<time datetime="2026-01-05T09:00:00.000Z">2026-01-05 04:00 EST</time>');
    expect(html).toContain('Times are shown in America/New_York.');
    expect(JSON.parse((await view(`/status/${urlName}/summary.json`)).body).page.time_zone).toBe(
      'America/New_York',
    );
  });

  it('applies the colours through custom properties its CSP allows, with readable text', async () => {
    const { urlName } = await newPage(t, owner, { brand_color: '#FFD700', header_color: '#0A1F44' });
    const res = await view(`/status/${urlName}`);
    const theme = /<style>(:root\{--[^<]*\})<\/style>/.exec(res.body)?.[1];
    // Gold is too light for links on white: darkened; the button text on gold is dark; the header's white.
    expect(theme).toBeDefined();
    expect(theme).toContain('--brand:#ffd700');
    expect(theme).toContain('--on-brand:#1f2328');
    expect(theme).toContain('--head:#0a1f44;--on-head:#ffffff');
    expect(theme).not.toContain('--link:#ffd700');
    expect(res.headers['content-security-policy']).toContain(sha(theme!));
    // Every <style> on the page is allowed by the CSP, and nothing else is.
    for (const [, css] of res.body.matchAll(/<style>([^<]*)<\/style>/g)) {
      expect(res.headers['content-security-policy']).toContain(sha(css!));
    }
    const plain = await newPage(t, owner);
    const plainHtml = (await view(`/status/${plain.urlName}`)).body;
    expect(plainHtml).not.toContain('<style>:root{--');
  });

  it('keeps the badge, widget and page free of markup from the page name', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: HOSTILE });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'partial_outage' }], {
      title: '<img src=x onerror=alert(1)>',
    });
    for (const path of ['', '/widget', '/badge.svg', '/history']) {
      const body = (await view(`/status/${urlName}${path}`)).body;
      expect(body, path).not.toContain('<script>');
      expect(body, path).not.toContain('<img src=x');
    }
  });
});

describe('the badge', () => {
  it('is a cacheable SVG naming the overall status, which follows the events', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: HOSTILE });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    let res = await view(`/status/${urlName}/badge.svg`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers['cache-control']).toMatch(/^public, max-age=1/);
    expect(res.headers.etag).toBeDefined();
    // Well-formed XML whose text reads the name and the status.
    const doc = xml2js(res.body, { compact: true }) as any;
    expect(doc.svg._attributes['aria-label']).toBe(`${HOSTILE}: operational`);
    expect(doc.svg.title._text).toBe(`${HOSTILE}: operational`);
    expect(res.body).toContain('fill="#116329"');
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'full_outage' }]);
    res = await view(`/status/${urlName}/badge.svg`);
    expect(res.body).toContain('major outage');
    expect(res.body).toContain('fill="#a40e26"');
    expect((await view('/status/no-such-page-here/badge.svg')).statusCode).toBe(404);
  });
});

describe('the widget', () => {
  it('is framable HTML with the status and active events, linking to the page', async () => {
    const { pageId, urlName } = await newPage(t, owner, { brand_color: '#0a3069' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    const changeId = await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }], {
      title: 'Slow & sad',
    });
    const res = await view(`/status/${urlName}/widget`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-frame-options']).toBeUndefined();
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain('frame-ancestors *');
    expect(csp).not.toContain('script-src');
    for (const [, css] of res.body.matchAll(/<style>([^<]*)<\/style>/g)) expect(csp).toContain(sha(css!));
    expect(res.body).toContain('Some systems are degraded');
    expect(res.body).toContain(`#event-${changeId}" target="_blank" rel="noopener">Slow &amp; sad</a>`);
    // The page itself still refuses framing.
    expect((await view(`/status/${urlName}`)).headers['x-frame-options']).toBe('DENY');
  });

  it('has a script that frames it where it is included, with its URL as a safe string', async () => {
    const { urlName } = await newPage(t, owner, { name: '</script><script>alert(1)</script>' });
    const res = await view(`/status/${urlName}/widget.js`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.body).toContain(`f.src="${t.config.publicUrl}/status/${urlName}/widget"`);
    expect(res.body).not.toContain('</script>');
    expect(res.body).toContain('\\u003c/script>');
  });
});

describe('history by month', () => {
  it('takes months in the page zone and refuses what is not a month', async () => {
    const { pageId, urlName } = await newPage(t, owner, { time_zone: 'America/New_York' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    // 2026-01-01 03:00 UTC is 2025-12-31 22:00 in New York: December's history there.
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'operational' }], {
      status: 'resolved',
      title: 'New Year',
      start_at_seconds: Date.UTC(2026, 0, 1, 3) / 1000,
    });
    const december = (await view(`/status/${urlName}/history?month=2025-12`)).body;
    expect(december).toContain('New Year');
    expect(december).toContain('2025-12-31 22:00 EST');
    expect((await view(`/status/${urlName}/history`)).body).not.toContain('New Year');
    for (const bad of ['2026-13', '2026-1', '1969-12', '<script>', '2026-01-01']) {
      const res = await view(`/status/${urlName}/history?month=${encodeURIComponent(bad)}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.body).not.toContain('<script>');
    }
    expect((await view(`/status/${urlName}/history?month=2026-02`)).statusCode).toBe(404);
  });
});
