import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageChanged } from '../../src/status-pages/page-cache.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newComponents, newIncident, newPage } from './helpers.ts';

/*
 * The public page's HTTP caching (docs/status-pages.md, "Behind a CDN"): what a browser, CDN or
 * reverse proxy needs to keep a copy for a second and revalidate it cheaply.
 */

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

const view = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });

describe('public status page caching headers', () => {
  it('sends Cache-Control, ETag and Last-Modified, and answers conditional requests with 304', async () => {
    const { pageId, urlName } = await newPage(t, owner);
    const [api] = await newComponents(t, owner, pageId, ['API']);
    for (const url of [`/status/${urlName}`, `/status/${urlName}/summary.json`]) {
      const first = await view(url);
      expect(first.statusCode, url).toBe(200);
      expect(first.headers['cache-control']).toBe(
        'public, max-age=1, stale-while-revalidate=2, stale-if-error=300',
      );
      const etag = first.headers.etag as string;
      const modified = first.headers['last-modified'] as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(new Date(modified).toUTCString()).toBe(modified);

      // A list, a weak tag (as proxies that compress turn them) and `*` all match.
      for (const match of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
        const again = await view(url, { 'if-none-match': match });
        expect(again.statusCode, match).toBe(304);
        expect(again.body).toBe('');
        expect(again.headers.etag).toBe(etag);
      }
      expect((await view(url, { 'if-none-match': '"other"' })).statusCode).toBe(200);
      // If-Modified-Since counts only without If-None-Match.
      expect((await view(url, { 'if-modified-since': modified })).statusCode).toBe(304);
      const earlier = new Date(Date.parse(modified) - 1000).toUTCString();
      expect((await view(url, { 'if-modified-since': earlier })).statusCode).toBe(200);
      expect(
        (await view(url, { 'if-modified-since': modified, 'if-none-match': '"other"' })).statusCode,
      ).toBe(200);
      expect((await view(url, { 'if-modified-since': 'not a date' })).statusCode).toBe(200);
    }

    // Rendered again without a change, the page keeps its validators; after a change it has new ones.
    const url = `/status/${urlName}`;
    const before = await view(url);
    await pageChanged(pageId); // rendered afresh, as after the cache's second, with nothing changed
    const unchanged = await view(url);
    expect(unchanged.headers.etag).toBe(before.headers.etag);
    expect(unchanged.headers['last-modified']).toBe(before.headers['last-modified']);
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }]);
    const changed = await view(url, { 'if-none-match': before.headers.etag as string });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(before.headers.etag);
  });

  it('shows a change through the API on the next read: the writer waits for the new rendering', async () => {
    const { pageId, urlName } = await newPage(t, owner);
    const [api] = await newComponents(t, owner, pageId, ['API']);
    for (const suffix of ['', '/summary.json'])
      expect((await view(`/status/${urlName}${suffix}`)).statusCode).toBe(200);
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'full_outage' }], {
      title: 'Written just now',
    });
    expect((await view(`/status/${urlName}`)).body).toContain('Written just now');
    expect((await view(`/status/${urlName}/summary.json`)).body).toContain('Written just now');
  });

  it('shows a change made by another instance within about a second, reading the database at most once a second', async () => {
    const { pageId, urlName } = await newPage(t, owner);
    const [api] = await newComponents(t, owner, pageId, ['Checkout']);
    const urls = [`/status/${urlName}`, `/status/${urlName}/summary.json`];
    for (const url of urls) expect((await view(url)).body).toContain('Checkout');
    // Another instance's write: this process's cache is not told.
    const started = Date.now();
    await t.db.q
      .updateTable('status_page_components')
      .set({ name: 'Payments' })
      .where('page_id', '=', pageId)
      .where('component_id', '=', api!)
      .execute();
    for (const url of urls) expect((await view(url)).body, url).toContain('Checkout');
    const seenAfter: number[] = [];
    for (const url of urls) {
      while (!(await view(url)).body.includes('Payments')) {
        expect(Date.now() - started, url).toBeLessThan(3_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      seenAfter.push(Date.now() - started);
    }
    // Served from the cache for its second, then refreshed: never later than 2 s plus a render.
    expect(Math.max(...seenAfter)).toBeLessThan(3_000);
  });

  it('never lets a shared cache keep an internal page, nor a refusal', async () => {
    const { urlName } = await newPage(t, owner, { type: 'internal' });
    const refused = await view(`/status/${urlName}`);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
    const shown = await view(`/status/${urlName}?app_key=${owner.appKey}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['cache-control']).toBe('private, no-store');
    expect(shown.headers.etag).toBeUndefined();
    expect(shown.headers['last-modified']).toBeUndefined();
  });
});
