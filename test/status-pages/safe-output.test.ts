import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Element, xml2js } from 'xml-js';
import { pageChanged } from '../../src/status-pages/page-cache.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { invalid, newComponents, newIncident, newPage, ok } from './helpers.ts';

/*
 * What a status page shows its visitors (issue 17, items 5 and 6): links and images are http(s)
 * only — refused when saved, and never rendered from rows stored before that — every public answer
 * carries a strict Content-Security-Policy, and the feeds carry titles and updates as text.
 */

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  // A mail transport (never reached: no delivery pass runs), so pages offer the subscribe form.
  t = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
  owner = await t.newAccount('Links');
});
afterAll(() => t.close());

const view = (url: string) => t.app.inject({ method: 'GET', url });

const NOT_HTTP = [
  'javascript:alert(document.domain)',
  ' javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  '//evil.example/x',
  '/relative/path',
  'http://',
  'https://exa mple.com/',
];

/** The schema's pattern, or the service's check for what the pattern lets through. */
const HTTP_ONLY =
  /must match pattern "(\^\$\|)?\^\[Hh\]\[Tt\]\[Tt\]\[Pp\]\[Ss\]\?:\/\/"|must be an http:\/\/ or https:\/\/ URL/;

const BASE = { type: 'public', date_view: 'list', display_uptime_mode: 'none' };
let created = 0;
const createBody = (fields: Record<string, unknown>) => {
  created += 1;
  return { ...BASE, name: `Links ${created}`, url_name: `links-${created}-${Date.now()}`, ...fields };
};

describe('saving a page: links and images are http(s) URLs', () => {
  const FIELDS: [string, (url: string) => Record<string, unknown>][] = [
    ['logo_url', (url) => ({ logo_url: url })],
    ['logo', (url) => ({ logo: url })],
    ['dark_logo', (url) => ({ dark_logo: url })],
    ['favicon', (url) => ({ favicon: url })],
    [
      'custom_links[1].url',
      (url) => ({
        custom_links: [
          { name: 'Home', url: 'https://acme.example' },
          { name: 'Evil', url },
        ],
      }),
    ],
  ];

  it.each(FIELDS)(
    'refuses every non-http(s) %s on create and update, storing nothing',
    async (field, body) => {
      const { pageId } = await newPage(t, owner);
      const before = ok(await t.get('/status-page/info', { page_id: pageId }, owner.appKey));
      for (const url of NOT_HTTP) {
        invalid(await t.post('/status-page/create', createBody(body(url)), owner.appKey), field, HTTP_ONLY);
        invalid(
          await t.post('/status-page/update', { page_id: pageId, ...body(url) }, owner.appKey),
          field,
          HTTP_ONLY,
        );
      }
      expect(ok(await t.get('/status-page/info', { page_id: pageId }, owner.appKey))).toEqual(before);
      const names = await t.db.q
        .selectFrom('status_pages')
        .select('name')
        .where('account_id', '=', owner.accountId)
        .execute();
      expect(names.map((n) => n.name)).not.toContain(`Links ${created}`);
    },
  );

  it('refuses with a plain reason what starts like a URL but is none', async () => {
    for (const url of ['http://', 'https://exa mple.com/']) {
      invalid(
        await t.post('/status-page/create', createBody({ logo_url: url }), owner.appKey),
        'logo_url',
        /must be an http:\/\/ or https:\/\/ URL/,
      );
    }
  });

  it('accepts http(s) links, in any case, and empty optional ones', async () => {
    const page = ok(
      await t.post(
        '/status-page/create',
        createBody({
          logo: 'https://cdn.acme.example/logo.png',
          favicon: '',
          logo_url: 'HTTPS://acme.example/',
          custom_links: [{ name: 'Docs', url: 'http://docs.acme.example/x?a=1&b=2' }],
        }),
        owner.appKey,
      ),
    );
    const html = (await view(`/status/${page.page_url_name}`)).body;
    expect(html).toContain('<a href="HTTPS://acme.example/"><img src="https://cdn.acme.example/logo.png"');
    expect(html).toContain('<a href="http://docs.acme.example/x?a=1&amp;b=2">Docs</a>');
  });
});

describe('rendering links stored before they were checked', () => {
  it('never emits a non-http(s) href or src, on the page or its history', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: 'Legacy' });
    await t.db.q
      .updateTable('status_pages')
      .set({
        logo: 'https://cdn.example/logo.png',
        logo_url: 'javascript:alert(document.domain)',
        favicon: 'javascript:alert(3)',
        custom_links: JSON.stringify([
          { name: 'Evil <b>', url: ' javascript:alert(2)' },
          { name: 'Docs', url: 'https://docs.example/' },
        ]),
      })
      .where('page_id', '=', pageId)
      .execute();
    await pageChanged(pageId);
    for (const path of [`/status/${urlName}`, `/status/${urlName}/history`]) {
      const html = (await view(path)).body;
      expect(html, path).not.toMatch(/javascript:/i);
      expect(html).toContain('<img src="https://cdn.example/logo.png" alt="Legacy" height="40">');
      expect(html).not.toContain('<a href="https://cdn.example');
      expect(html).toContain('<li>Evil &lt;b&gt;</li>');
      expect(html).toContain('<li><a href="https://docs.example/">Docs</a></li>');
      // The stored favicon is not http(s): Vigil's own stands in.
      expect(html).toContain('<link rel="icon" href="/favicon.svg">');
    }
  });

  it('shows no logo whose source is not http(s)', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: 'Data logo' });
    await t.db.q
      .updateTable('status_pages')
      .set({ logo: 'data:image/svg+xml,<svg onload=alert(1)>', logo_url: 'https://acme.example' })
      .where('page_id', '=', pageId)
      .execute();
    await pageChanged(pageId);
    const html = (await view(`/status/${urlName}`)).body;
    expect(html).not.toContain('<img');
    expect(html).not.toContain('data:');
  });
});

describe('the headers of every public answer', () => {
  it('carry a strict CSP that allows exactly the page stylesheet, nosniff, no framing, a referrer policy', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: 'Headers' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }]);
    const internal = await newPage(t, owner, { type: 'internal' });
    const answers = [
      await view(`/status/${urlName}`),
      await view(`/status/${urlName}/history`),
      await view(`/status/${urlName}/summary.json`),
      await view(`/status/${urlName}/feed.rss`),
      await view(`/status/${urlName}/feed.atom`),
      await view(`/status/${urlName}/unsubscribe?token=x`),
      await view('/status/no-such-page'),
      await view(`/status/${internal.urlName}`),
      await view(`/status/${internal.urlName}?app_key=${owner.appKey}`),
      await t.app.inject({
        method: 'POST',
        url: `/status/${urlName}/subscribe`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=not-an-address',
      }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 404, 401, 200, 400]);
    const main = answers[0]!;
    const csp = String(main.headers['content-security-policy']);
    const css = /<style>([^<]*)<\/style>/.exec(main.body)![1]!;
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      `style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`,
      'img-src http: https:',
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]);
    for (const answer of answers) {
      expect(answer.headers['content-security-policy']).toBe(csp);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    }
    // Nothing the policy would block: no script, no style attribute, one stylesheet.
    for (const html of answers.filter((a) => String(a.headers['content-type']).startsWith('text/html'))) {
      expect(html.body).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
      expect(html.body.match(/<style>/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
  });

  it('keep them on a conditional request answered 304', async () => {
    const { urlName } = await newPage(t, owner);
    const first = await view(`/status/${urlName}`);
    const again = await t.app.inject({
      method: 'GET',
      url: `/status/${urlName}`,
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.headers['content-security-policy']).toMatch(/^default-src 'none'; /);
    expect(again.headers['content-security-policy']).toBe(first.headers['content-security-policy']);
  });
});

/** The text of an XML element: its text and CDATA children joined (the feed splits CDATA at "]]>"). */
function textOf(element: Element | undefined): string {
  return (element?.elements ?? []).map((e) => String(e.cdata ?? e.text ?? '')).join('');
}
function child(element: Element | undefined, name: string): Element | undefined {
  return element?.elements?.find((e) => e.name === name);
}
/** What an HTML reader shows for HTML content: entities decoded (and no tag may be left to interpret). */
function htmlText(html: string): string {
  expect(html).not.toMatch(/[<>]/);
  return html
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

describe('feeds carry titles and updates as text', () => {
  const TITLE = `<script>alert(1)</script> ]]> & "quoted" 'too'`;
  const UPDATE = '<img src=x onerror=alert(1)> ]]> <b>not bold</b> & done';

  it('RSS item title and description, Atom entry title and summary, round-trip as text', async () => {
    const { pageId, urlName } = await newPage(t, owner, { name: 'Feed <i>' });
    const [api] = await newComponents(t, owner, pageId, ['API']);
    await newIncident(t, owner, pageId, [{ component_id: api!, status: 'degraded' }], {
      title: TITLE,
      updates: [{ description: UPDATE, component_changes: [{ component_id: api!, status: 'degraded' }] }],
    });

    const rss = xml2js((await view(`/status/${urlName}/feed.rss`)).body) as Element;
    const item = child(child(child(rss, 'rss'), 'channel'), 'item');
    expect(htmlText(textOf(child(item, 'title')))).toBe(`${TITLE} (investigating, ongoing)`);
    expect(htmlText(textOf(child(item, 'description')))).toBe(UPDATE);
    const rssContent = textOf(child(item, 'content:encoded'));
    expect(rssContent).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(rssContent).not.toMatch(/<script|<img/);

    const atom = xml2js((await view(`/status/${urlName}/feed.atom`)).body) as Element;
    const entry = child(child(atom, 'feed'), 'entry');
    for (const [name, text] of [
      ['title', `${TITLE} (investigating, ongoing)`],
      ['summary', UPDATE],
    ] as const) {
      const element = child(entry, name);
      expect(element?.attributes?.type).toBe('html');
      expect(htmlText(textOf(element))).toBe(text);
    }
    expect(textOf(child(entry, 'content'))).not.toMatch(/<script|<img/);
    // The feed's own title is text (no type): the page name as it is.
    expect(textOf(child(child(atom, 'feed'), 'title'))).toBe('Feed <i> status');
  });
});
