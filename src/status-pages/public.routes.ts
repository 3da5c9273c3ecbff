import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findKeyOwner, hashAppKey } from '../accounts/app-keys.store.ts';
import type { AppDeps } from '../http/app.ts';
import type { Api } from '../http/route.ts';
import { AppError } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { findConsoleSession } from '../web/console.service.ts';
import { readCookie, SESSION_COOKIE } from '../web/cookies.ts';
import { badgeSvg, widgetCsp, widgetHtml, widgetScript } from './embeds.ts';
import { feedXml, summaryJson } from './feeds.ts';
import { pageTitle } from './messages.ts';
import { newRenderCache } from './page-cache.ts';
import { isMonth, monthOf, monthRange } from './page-time.ts';
import { loadFeedEvents, loadHistory, loadPageView } from './page-view.ts';
import { componentsOf, findPageByUrlName, type PageRow } from './pages.store.ts';
import {
  AUTH_AND,
  AUTH_QUERY,
  cspOf,
  PAGE_CSP,
  renderHistoryPage,
  renderMainPage,
  renderMessagePage,
  renderUnsubscribePage,
  zoneOf,
} from './render.ts';
import { confirmSubscription, subscribeByEmail, unsubscribe } from './subscribers.service.ts';

/*
 * The public side of status pages: /status/<url_name> (HTML), its history, summary.json, RSS and
 * Atom feeds, and the e-mail subscription links. Rendered output is cached per page and refreshed
 * in the background (page-cache.ts), so a read costs no database query and no render. An internal page is
 * served only with the app_key of a member of its account. docs/status-pages.md.
 */

const FEED_ITEMS = 50;

type Rendered = {
  status: number;
  contentType: string;
  /** With the AUTH markers that the route fills per viewer of an internal page. */
  body: string;
  /** What public pages send, markers taken out (kept as bytes: a hit costs no encoding)... */
  plain: Buffer;
  /** ...and gzipped, when it is worth it (public pages only). */
  gzipped: Buffer | undefined;
  etag: string;
  /** The page's account when it is internal; undefined for public pages and for "not found". */
  internalAccountId: number | undefined;
  pageId: number | undefined;
  /** The headers of a public answer, plain and gzipped, made on its first read (Last-Modified needs the key). */
  headers?: { plain: Record<string, string>; gzipped: Record<string, string>; modifiedMs: number };
  /** The page's own Content-Security-Policy (its colours' stylesheet; the widget's framing), when not the default. */
  csp?: string | undefined;
  /** Other sites may frame it (the widget): no X-Frame-Options. */
  frameable?: boolean | undefined;
};

const HTML = 'text/html; charset=utf-8';

/**
 * Sent with every public answer, as Statuspage does: the page's CSP (render.ts: its own stylesheet,
 * no script), no MIME sniffing, no framing by other sites, and referrers reduced to the origin
 * elsewhere (an internal page's links carry an app_key that must not reach the sites it links to).
 */
const SECURITY_HEADERS = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};
/** Below this size gzip saves less than its header and the client's work. */
const GZIP_FROM_BYTES = 512;
const cache = newRenderCache<Rendered>();
const gzip = promisify(gzipCallback);

async function rendered(
  page: PageRow | undefined,
  status: number,
  contentType: string,
  body: string,
  security: { csp?: string; frameable?: boolean } = {},
): Promise<Rendered> {
  const internal = page?.type === 'internal';
  const plain = Buffer.from(
    contentType === HTML ? body.replaceAll(AUTH_QUERY, '').replaceAll(AUTH_AND, '') : body,
  );
  return {
    status,
    contentType,
    body,
    plain,
    gzipped: !internal && plain.length >= GZIP_FROM_BYTES ? await gzip(plain) : undefined,
    etag: createHash('sha1').update(body).digest('base64url').slice(0, 22),
    internalAccountId: internal ? page.account_id : undefined,
    pageId: page?.page_id,
    csp: security.csp,
    frameable: security.frameable,
  };
}

/** Whether an Accept-Encoding header takes gzip (RFC 9110 §12.5.3: named, or "*", with q > 0). */
function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star: boolean | undefined;
  for (const part of header.toLowerCase().split(',')) {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return accepted;
    if (coding === '*') star = accepted;
  }
  return star ?? false;
}

/**
 * How long a browser, CDN or proxy may keep a public answer (docs/status-pages.md, "Behind a CDN"):
 * a second, as this process's own cache, so an update shows everywhere within about two; a stale
 * copy may be served for 2 s more while the next is fetched, and for 5 minutes while Vigil fails.
 */
const PUBLIC_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=2, stale-if-error=300';

/** When each cached rendering (by key) first had its content: its Last-Modified, kept across renders. */
const firstSeen = new Map<string, { etag: string; at: number }>();

function lastModified(key: string, etag: string): number {
  const known = firstSeen.get(key);
  if (known?.etag === etag) return known.at;
  if (firstSeen.size >= 5_000) firstSeen.clear();
  // HTTP dates have whole seconds.
  const at = Math.floor(Date.now() / 1000) * 1000;
  firstSeen.set(key, { etag, at });
  return at;
}

/**
 * Whether a conditional GET may be answered 304 (RFC 9110 §13.1.2, §13.2.2): If-None-Match when
 * sent (any listed tag, weakly compared, or `*`), else If-Modified-Since.
 */
function notModified(request: FastifyRequest, etag: string, modifiedMs: number): boolean {
  const match = request.headers['if-none-match'];
  if (match !== undefined) {
    return match.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t.replace(/^W\//, '') === etag;
    });
  }
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && modifiedMs <= since;
}

/** The headers of a public rendering, for each coding (each its own ETag), made once per rendering. */
function publicHeaders(key: string, result: Rendered): NonNullable<Rendered['headers']> {
  if (result.headers) return result.headers;
  const modifiedMs = lastModified(key, result.etag);
  const common = {
    'cache-control': PUBLIC_CACHE_CONTROL,
    'last-modified': new Date(modifiedMs).toUTCString(),
    'content-type': result.contentType,
    ...(result.gzipped ? { vary: 'Accept-Encoding' } : {}),
  };
  result.headers = {
    plain: { ...common, etag: `"${result.etag}"` },
    gzipped: { ...common, etag: `"${result.etag}-gz"`, 'content-encoding': 'gzip' },
    modifiedMs,
  };
  return result.headers;
}

/** A public rendering: sent as stored, gzipped when the client takes it; 304 when the client has it. */
function sendPublic(request: FastifyRequest, reply: FastifyReply, key: string, result: Rendered) {
  const headers = publicHeaders(key, result);
  const gzipped =
    result.gzipped && acceptsGzip(request.headers['accept-encoding']) ? result.gzipped : undefined;
  const chosen = gzipped ? headers.gzipped : headers.plain;
  if (result.status === 200 && notModified(request, chosen.etag!, headers.modifiedMs)) {
    const { 'content-encoding': _coding, 'content-type': _type, ...validators } = chosen;
    return reply.code(304).headers(validators).send();
  }
  return reply
    .code(result.status)
    .headers(chosen)
    .send(gzipped ?? result.plain);
}

const notFoundBody = (urlName: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><main><h1>No status page here</h1><p>There is no status page named ${urlName.replace(/[^A-Za-z0-9_-]/g, '')}.</p></main></body></html>`;

/** Parses an HTML form body into its fields (a field sent several times keeps every value). */
function parseForm(body: string): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    fields[key] = [...(fields[key] ?? []), value];
  }
  return fields;
}

export function registerPublicStatusRoutes(app: Api, deps: AppDeps): void {
  const { db, clock } = deps;
  const publicUrl = deps.config.publicUrl;
  const canMail = deps.config.smtpUrl !== undefined;

  /**
   * Whether the viewer of an internal page is a member of its account: by the app_key they gave
   * (returned, to be carried in the page's links), or by a console session ('': the cookie goes
   * with every link). A page view changes nothing, so the session needs no CSRF token here.
   */
  async function allowed(
    request: FastifyRequest,
    accountId: number | undefined,
  ): Promise<string | undefined | false> {
    if (accountId === undefined) return undefined;
    const key = (request.query as { app_key?: unknown }).app_key;
    if (typeof key === 'string' && key !== '') {
      const owner = await findKeyOwner(db, hashAppKey(key));
      return owner?.accountId === accountId ? key : false;
    }
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = token === undefined ? undefined : await findConsoleSession(deps, token);
    return session?.accountId === accountId ? '' : false;
  }

  /**
   * Serves a cached rendering: the viewer check for internal pages, the app_key put into their
   * links, conditional requests, and short public caching (internal pages are never stored).
   */
  async function serve(
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    urlName: string,
    render: (page: PageRow) => Promise<Rendered>,
  ) {
    const cached = cache.get(key, async () => {
      const page = await findPageByUrlName(db.q, urlName);
      return page ? render(page) : rendered(undefined, 404, HTML, notFoundBody(urlName));
    });
    // A cache hit is a plain value: no await, so a public page costs no extra turn of the event loop.
    const result = cached instanceof Promise ? await cached : cached;
    if (result.csp) reply.header('content-security-policy', result.csp);
    if (result.frameable) reply.removeHeader('x-frame-options');
    if (result.internalAccountId === undefined) return sendPublic(request, reply, key, result);
    const viewerKey = await allowed(request, result.internalAccountId);
    if (viewerKey === false) {
      return reply
        .code(401)
        .type(HTML)
        .header('Cache-Control', 'no-store')
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Internal status page</title></head><body><main><h1>Internal status page</h1><p>This page is for members of its account: sign in to the console, or open it with your app_key (<code>?app_key=…</code>).</p></main></body></html>',
        );
    }
    const q = `app_key=${encodeURIComponent(viewerKey ?? '')}`;
    return reply
      .code(result.status)
      .type(result.contentType)
      .header('Cache-Control', 'private, no-store')
      .send(
        result.body
          .replaceAll(AUTH_QUERY, viewerKey ? `?${q}` : '')
          .replaceAll(AUTH_AND, viewerKey ? `&amp;${q}` : ''),
      );
  }

  const page = (request: FastifyRequest) => (request.params as { urlName: string }).urlName;
  const lower = (request: FastifyRequest) => page(request).toLowerCase();

  (app as unknown as FastifyInstance).register(async (scope) => {
    // Every answer here, pages, feeds, JSON and errors alike, carries the same protections.
    scope.addHook('onRequest', (_request, reply, done) => {
      reply.headers(SECURITY_HEADERS);
      done();
    });
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_request, body, done) => done(null, parseForm(body as string)),
    );
    const hide = { schema: { hide: true } };

    scope.get('/status/:urlName', hide, (request, reply) =>
      serve(request, reply, `html:${lower(request)}`, page(request), async (row) =>
        rendered(
          row,
          200,
          HTML,
          renderMainPage(await loadPageView(db.q, row, nowSeconds(clock)), publicUrl, canMail),
          { csp: cspOf(row) },
        ),
      ),
    );

    // One month of history, `?month=YYYY-MM` (default: this month in the page's zone).
    scope.get('/status/:urlName/history', hide, (request, reply) => {
      const asked = (request.query as { month?: unknown }).month;
      const month = typeof asked === 'string' ? asked : '';
      if (month !== '' && !isMonth(month)) {
        return reply
          .code(400)
          .type(HTML)
          .header('Cache-Control', 'no-store')
          .send(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad month</title></head><body><main><h1>Bad month</h1><p>month must be a month as YYYY-MM, e.g. 2026-01.</p></main></body></html>',
          );
      }
      return serve(request, reply, `history:${month}:${lower(request)}`, page(request), async (row) => {
        const zone = zoneOf(row);
        const current = monthOf(nowSeconds(clock), zone);
        const shown = month || current;
        if (shown > current) {
          const body = renderMessagePage(
            row,
            'Not yet',
            `${shown} has not begun: there is no history for it.`,
            publicUrl,
          );
          return rendered(row, 404, HTML, body, { csp: cspOf(row) });
        }
        const history = await loadHistory(db.q, row, monthRange(shown, zone));
        return rendered(row, 200, HTML, renderHistoryPage(row, history, shown, current, publicUrl), {
          csp: cspOf(row),
        });
      });
    });

    // What other sites embed: the status badge, the widget (framable HTML) and its script.
    scope.get('/status/:urlName/badge.svg', hide, (request, reply) =>
      serve(request, reply, `badge:${lower(request)}`, page(request), async (row) =>
        rendered(
          row,
          200,
          'image/svg+xml; charset=utf-8',
          badgeSvg(await loadPageView(db.q, row, nowSeconds(clock))),
        ),
      ),
    );

    scope.get('/status/:urlName/widget', hide, (request, reply) =>
      serve(request, reply, `widget:${lower(request)}`, page(request), async (row) =>
        rendered(row, 200, HTML, widgetHtml(await loadPageView(db.q, row, nowSeconds(clock)), publicUrl), {
          csp: widgetCsp(row),
          frameable: true,
        }),
      ),
    );

    scope.get('/status/:urlName/widget.js', hide, (request, reply) =>
      serve(request, reply, `widgetjs:${lower(request)}`, page(request), async (row) =>
        rendered(row, 200, 'text/javascript; charset=utf-8', widgetScript(row, publicUrl)),
      ),
    );

    scope.get('/status/:urlName/summary.json', hide, (request, reply) =>
      serve(request, reply, `json:${lower(request)}`, page(request), async (row) =>
        rendered(
          row,
          200,
          'application/json; charset=utf-8',
          summaryJson(await loadPageView(db.q, row, nowSeconds(clock)), publicUrl),
        ),
      ),
    );

    for (const format of ['rss', 'atom'] as const) {
      scope.get(`/status/:urlName/feed.${format}`, hide, (request, reply) =>
        serve(request, reply, `${format}:${lower(request)}`, page(request), async (row) => {
          const [events, components] = await Promise.all([
            loadFeedEvents(db.q, row, FEED_ITEMS),
            componentsOf(db.q, [row.page_id]),
          ]);
          const byId = new Map(components.map((c) => [c.component_id, c]));
          const type = format === 'rss' ? 'application/rss+xml' : 'application/atom+xml';
          return rendered(row, 200, `${type}; charset=utf-8`, feedXml(row, events, byId, publicUrl, format));
        }),
      );
    }

    /** The page for a subscription link: public pages only (internal pages have no e-mail subscribers). */
    async function publicPage(request: FastifyRequest, reply: FastifyReply): Promise<PageRow | undefined> {
      const row = await findPageByUrlName(db.q, page(request));
      if (row?.type !== 'public') {
        reply
          .code(404)
          .type(HTML)
          .send(notFoundBody(page(request)));
        return undefined;
      }
      reply.header('Cache-Control', 'no-store');
      return row;
    }

    const message = (reply: FastifyReply, row: PageRow, status: number, title: string, text: string) =>
      reply
        .code(status)
        .header('content-security-policy', cspOf(row))
        .type(HTML)
        .send(renderMessagePage(row, title, text, publicUrl));

    scope.post('/status/:urlName/subscribe', hide, async (request, reply) => {
      const row = await publicPage(request, reply);
      if (!row) return reply;
      if (!canMail) {
        return message(
          reply,
          row,
          503,
          'Subscriptions unavailable',
          'E-mail updates are not available for this page: nothing could be sent to you. Follow its RSS or Atom feed instead.',
        );
      }
      const form = (request.body ?? {}) as Record<string, string[]>;
      try {
        await subscribeByEmail({ db, clock, publicUrl }, row, {
          email: form.email?.[0] ?? '',
          componentIds: form.component_ids ?? [],
        });
      } catch (error) {
        if (error instanceof AppError && error.code !== 'InternalError') {
          return message(
            reply,
            row,
            400,
            'Not subscribed',
            error.code === 'InvalidParameter'
              ? 'That is not an e-mail address we can write to.'
              : error.message,
          );
        }
        throw error;
      }
      // The same answer whether or not the address was subscribed already: the form reveals no subscriber.
      return message(
        reply,
        row,
        200,
        'Check your inbox',
        'If this address is not subscribed yet, we sent it a link to confirm the subscription.',
      );
    });

    scope.get('/status/:urlName/subscribe/confirm', hide, async (request, reply) => {
      const row = await publicPage(request, reply);
      if (!row) return reply;
      const token = String((request.query as { token?: unknown }).token ?? '');
      return (await confirmSubscription({ db, clock }, row, token))
        ? message(reply, row, 200, 'Subscribed', `You will receive updates from ${pageTitle(row)}.`)
        : message(reply, row, 404, 'Link not valid', 'This confirmation link is not valid any more.');
    });

    scope.get('/status/:urlName/unsubscribe', hide, async (request, reply) => {
      const row = await publicPage(request, reply);
      if (!row) return reply;
      const token = String((request.query as { token?: unknown }).token ?? '');
      return reply
        .type(HTML)
        .header('content-security-policy', cspOf(row))
        .send(renderUnsubscribePage(row, token, publicUrl));
    });

    // The button of the page above, and RFC 8058 one-click unsubscription from mail clients.
    scope.post('/status/:urlName/unsubscribe', hide, async (request, reply) => {
      const row = await publicPage(request, reply);
      if (!row) return reply;
      const token = String((request.query as { token?: unknown }).token ?? '');
      await unsubscribe({ db, clock }, row, token);
      return message(
        reply,
        row,
        200,
        'Unsubscribed',
        `You will not receive updates from ${pageTitle(row)} any more.`,
      );
    });
  });
}
