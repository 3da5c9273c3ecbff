import { createHash } from 'node:crypto';
import type { ChangeWithUpdates } from './changes.store.ts';
import { isHttpUrl } from './links.ts';
import { escapeHtml as esc, label, pageTitle } from './messages.ts';
import { addMonth, formatPageTime, monthName } from './page-time.ts';
import type { PageView } from './page-view.ts';
import type { ComponentRow, PageRow } from './pages.store.ts';
import { componentsOfChange, publicUrlOf } from './status-pages.mapper.ts';
import { themeCss } from './theme.ts';
import type { ComponentStatus } from './timeline.ts';
import { shownPercent, type Uptime } from './uptime.ts';

/*
 * The public status page as server-rendered HTML: no JavaScript, semantic elements, every status
 * said in words as well as colour (colours meet WCAG AA contrast on white), one small inline
 * stylesheet (no style attributes: the Content-Security-Policy allows that stylesheet by its hash
 * and nothing else), and a layout that reflows on a phone. Internal pages carry the viewer's app_key in
 * their links: the HTML is rendered once with AUTH markers that the route fills per request.
 */

/** Where the route puts `?app_key=…` (QUERY) or `&app_key=…` (AND) on internal pages, '' on public ones. */
export const AUTH_QUERY = '__VIGIL_AUTH_Q__';
export const AUTH_AND = '__VIGIL_AUTH_A__';

const STATUS_TEXT: Record<ComponentStatus, string> = {
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  full_outage: 'Major outage',
};

/** The overall status in words (the page's banner, the widget). */
export const BANNER: Record<ComponentStatus, string> = {
  operational: 'All systems operational',
  under_maintenance: 'Maintenance in progress',
  degraded: 'Some systems are degraded',
  partial_outage: 'Partial system outage',
  full_outage: 'Major system outage',
};

const CSS = `
:root{color-scheme:light;--ok:#116329;--mnt:#0550ae;--deg:#7d4e00;--part:#953800;--down:#a40e26;--muted:#57606a;--line:#d0d7de}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff}
main,header,footer{max-width:52rem;margin:0 auto;padding:0 1rem}header{padding-top:1.5rem}
a{color:var(--link,#0550ae)}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #0969da;outline-offset:2px}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2rem 0 .75rem}h3{font-size:1.05rem;margin:0}
.banner{padding:1rem 1.25rem;border-radius:6px;color:#fff;font-size:1.2rem;font-weight:600;margin:1.25rem 0}
.b-operational{background:var(--ok)}.b-under_maintenance{background:var(--mnt)}.b-degraded{background:var(--deg)}.b-partial_outage{background:var(--part)}.b-full_outage{background:var(--down)}
.group{border:1px solid var(--line);border-radius:6px;margin:0 0 1rem;padding:0}.group>h3{padding:.75rem 1rem;border-bottom:1px solid var(--line);display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.comp{list-style:none;padding:.75rem 1rem;border-top:1px solid var(--line)}.comp:first-child{border-top:0}
.row{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}.desc,.muted{color:var(--muted);font-size:.9rem}
.s-operational{color:var(--ok)}.s-under_maintenance{color:var(--mnt)}.s-degraded{color:var(--deg)}.s-partial_outage{color:var(--part)}.s-full_outage{color:var(--down)}
.bars{display:grid;grid-template-columns:repeat(90,1fr);gap:1px;height:2rem;margin:.5rem 0 .25rem;padding:0;list-style:none}
.bars li{background:var(--ok);border-radius:1px}.bars .d-none{background:#d0d7de}.bars .d-under_maintenance{background:var(--mnt)}.bars .d-degraded{background:#bf8700}.bars .d-partial_outage{background:var(--part)}.bars .d-full_outage{background:var(--down)}
.event{border-left:4px solid var(--line);padding:.25rem 0 .25rem 1rem;margin:0 0 1.5rem}.event.incident{border-color:var(--part)}.event.maintenance{border-color:var(--mnt)}
.event ol{list-style:none;padding:0;margin:.5rem 0 0}.event li{margin:.5rem 0}.event p{margin:.25rem 0}
form{border:1px solid var(--line);border-radius:6px;padding:1rem}fieldset{border:0;padding:0;margin:.75rem 0}label{display:block;margin:.25rem 0}
input[type=email]{font:inherit;padding:.5rem;width:100%;max-width:24rem;border:1px solid #6e7781;border-radius:4px}
button{font:inherit;padding:.5rem 1rem;border:0;border-radius:4px;background:var(--brand,#0550ae);color:var(--on-brand,#fff);cursor:pointer}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{margin:3rem auto 2rem;color:var(--muted);font-size:.9rem}nav ul{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
.group>.desc{padding:0 1rem}.comps{padding:0;margin:0}
.top{background:var(--head,transparent);color:var(--on-head,inherit);padding-bottom:.75rem}.top a{color:var(--on-head,var(--link,#0550ae))}
`.replace(/\n/g, '');

const styleHash = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;

/**
 * What a public page may load (sent as Content-Security-Policy by public.routes.ts): its own
 * stylesheets (by hash: the shared one and the page's colours), images from the web (logos,
 * favicons), forms posted to itself; no script at all, no <base>; framing only for the widget.
 */
export function pageCsp(styles: readonly string[], frameable = false): string {
  return [
    "default-src 'none'",
    `style-src ${styles.map(styleHash).join(' ')}`,
    'img-src http: https:',
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${frameable ? '*' : "'none'"}`,
  ].join('; ');
}

export const PAGE_CSP = pageCsp([CSS]);

/** The CSP of a page's HTML: the shared stylesheet and, when the page sets colours, its own. */
export function cspOf(page: PageRow): string {
  const theme = themeCss(page);
  return theme ? pageCsp([CSS, theme]) : PAGE_CSP;
}

function formatTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** A time in the page's zone, with the zone's short name; the machine-readable value in UTC. */
function time(seconds: number, zone: string): string {
  return `<time datetime="${isoTime(seconds)}">${formatPageTime(seconds, zone)}</time>`;
}

/** Markdown descriptions are shown as text, paragraph by paragraph. */
function text(value: string): string {
  return value
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** The page's zone ('UTC' when a stored one is empty). */
export function zoneOf(page: PageRow): string {
  return page.time_zone || 'UTC';
}

function pageBase(page: PageRow): string {
  return `/status/${encodeURIComponent(page.url_name)}`;
}

function layout(page: PageRow, title: string, body: string, publicUrl: string): string {
  const base = pageBase(page);
  const name = esc(page.name);
  const theme = themeCss(page);
  // Links and images are http(s) only, also those stored before that was checked when saved.
  const logo = isHttpUrl(page.logo) ? `<img src="${esc(page.logo)}" alt="${name}" height="40">` : '';
  const brand = isHttpUrl(page.logo_url) && logo ? `<a href="${esc(page.logo_url)}">${logo}</a>` : logo;
  const link = (l: { name: string; url: string }) =>
    isHttpUrl(l.url) ? `<a href="${esc(l.url)}">${esc(l.name)}</a>` : esc(l.name);
  const links =
    page.custom_links.length > 0
      ? `<nav aria-label="Links"><ul>${page.custom_links.map((l) => `<li>${link(l)}</li>`).join('')}</ul></nav>`
      : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><link rel="icon" href="${isHttpUrl(page.favicon) ? esc(page.favicon) : '/favicon.svg'}">
<link rel="alternate" type="application/rss+xml" title="${esc(pageTitle(page))} (RSS)" href="${esc(publicUrlOf(publicUrl, page))}/feed.rss">
<link rel="alternate" type="application/atom+xml" title="${esc(pageTitle(page))} (Atom)" href="${esc(publicUrlOf(publicUrl, page))}/feed.atom">
<style>${CSS}</style>${theme ? `<style>${theme}</style>` : ''}</head><body>
<div class="top"><header>${brand}<p><a href="${base}${AUTH_QUERY}">${name}</a></p>${page.page_header ? text(page.page_header) : ''}${links}</header></div>
<main id="main">${body}</main>
<footer>${page.page_footer ? text(page.page_footer) : ''}<p>Times are shown in ${esc(zoneOf(page))}.</p>${page.contact_info ? `<p>Contact: ${esc(page.contact_info)}</p>` : ''}
<p><a href="${base}/history${AUTH_QUERY}">Incident history</a> · <a href="${base}/feed.rss${AUTH_QUERY}">RSS</a> · <a href="${base}/feed.atom${AUTH_QUERY}">Atom</a> · <a href="${base}/summary.json${AUTH_QUERY}">JSON</a> · Powered by Vigil</p></footer>
</body></html>`;
}

function percentText(percent: number | undefined): string {
  if (percent === undefined) return 'no data';
  const shown = shownPercent(percent);
  return `${shown.toFixed(shown === 100 ? 0 : 2)}%`;
}

function bars(uptime: Uptime): string {
  const days = uptime.days
    .map((day) => {
      if (day.observed === 0)
        return `<li class="d-none" title="${formatTime(day.start).slice(0, 10)}: no data"></li>`;
      const percent = ((day.observed - day.down) / day.observed) * 100;
      return `<li class="d-${day.worst}" title="${formatTime(day.start).slice(0, 10)}: ${percentText(percent)} up, ${STATUS_TEXT[day.worst].toLowerCase()}"></li>`;
    })
    .join('');
  return `<ol class="bars" aria-hidden="true">${days}</ol>`;
}

function componentItem(view: PageView, component: ComponentRow): string {
  const status = view.statuses.get(component.component_id) ?? 'operational';
  const mode = view.page.display_uptime_mode;
  const uptime = view.uptime.get(component.component_id)!;
  const showUptime = mode !== 'none' && !component.hide_uptime;
  const summary =
    uptime.percent === undefined
      ? 'No uptime data yet'
      : `${percentText(uptime.percent)} uptime over the last 90 days`;
  return `<li class="comp" data-component-id="${esc(component.component_id)}"><div class="row"><span>${esc(component.name)}</span><strong class="s-${status}">${STATUS_TEXT[status]}</strong></div>
${component.description ? `<div class="desc">${esc(component.description)}</div>` : ''}${
  showUptime
    ? `${bars(uptime)}<div class="muted row"><span>90 days ago</span>${mode === 'chart_and_percentage' ? `<span>${summary}</span>` : `<span class="vh">${summary}</span>`}<span>Today</span></div>`
    : ''
}</li>`;
}

function groups(view: PageView): string {
  // Only components, no sections: one plain list, without an "Other components" header.
  const [only] = view.groups;
  if (view.groups.length === 1 && only && !only.section)
    return `<section class="group" aria-label="Components"><ul class="comps">${only.components.map((c) => componentItem(view, c)).join('')}</ul></section>`;
  return view.groups
    .map((group) => {
      const name = group.section ? esc(group.section.name) : 'Other components';
      const percent =
        view.page.display_uptime_mode === 'chart_and_percentage' && !group.section?.hide_uptime
          ? `<span class="muted">${group.percent === undefined ? 'No uptime data yet' : `${percentText(group.percent)} uptime`}</span>`
          : '';
      const description = group.section?.description
        ? `<p class="desc">${esc(group.section.description)}</p>`
        : '';
      return `<section class="group" aria-label="${name}"><h3><span>${name}</span>${percent}</h3>${description}<ul class="comps">${group.components.map((c) => componentItem(view, c)).join('')}</ul></section>`;
    })
    .join('');
}

/** One event with its timeline, latest update first. */
export function eventHtml(
  event: ChangeWithUpdates,
  componentsById: ReadonlyMap<string, ComponentRow>,
  zone: string,
  headingLevel = 3,
): string {
  const affected = [...componentsOfChange(event).keys()].flatMap((id) => {
    const component = componentsById.get(id);
    return component && !component.hide_all ? [component.name] : [];
  });
  let status = '';
  const statuses = event.updates.map((u) => {
    status = u.status ?? status;
    return status;
  });
  const updates = event.updates
    .map((u, i) => ({ u, status: statuses[i]! }))
    .reverse()
    .map(
      ({ u, status: s }) =>
        `<li><strong>${esc(label(s))}</strong> — ${time(u.at_seconds, zone)}${u.description ? text(u.description) : ''}</li>`,
    )
    .join('');
  const window =
    event.type === 'maintenance'
      ? `<p class="muted">Scheduled ${time(event.start_at_seconds, zone)}${event.close_at_seconds ? ` – ${time(event.close_at_seconds, zone)}` : ''}</p>`
      : '';
  return `<article class="event ${event.type}" id="event-${event.change_id}"><h${headingLevel}>${esc(event.title)}</h${headingLevel}>
<p><strong>${esc(label(event.status))}</strong>${affected.length > 0 ? ` · Affects ${affected.map(esc).join(', ')}` : ''}</p>${window}${text(event.description)}<ol aria-label="Updates">${updates}</ol></article>`;
}

function subscribeForm(view: PageView, canMail: boolean): string {
  const { page } = view;
  if (page.type !== 'public' || page.subscription.email === false) return '';
  // Without a mail transport nothing could be sent: no form that would promise a link.
  if (!canMail)
    return `<h2 id="subscribe">Get updates</h2><p>E-mail updates are not available for this page. Follow the <a href="${pageBase(page)}/feed.rss">RSS</a> or <a href="${pageBase(page)}/feed.atom">Atom</a> feed instead.</p>`;
  const components = view.groups.flatMap((g) => g.components);
  const choices =
    components.length > 1
      ? `<fieldset><legend>Only these components (none chosen: all of them)</legend>${components
          .map(
            (c) =>
              `<label><input type="checkbox" name="component_ids" value="${esc(c.component_id)}"> ${esc(c.name)}</label>`,
          )
          .join('')}</fieldset>`
      : '';
  return `<h2 id="subscribe">Get updates by e-mail</h2><form method="post" action="${pageBase(page)}/subscribe">
<label for="email">E-mail address</label><input id="email" name="email" type="email" required autocomplete="email">${choices}
<p class="muted">We send a link to confirm; every mail has a one-click unsubscribe link.</p><button type="submit">Subscribe</button></form>`;
}

/** `canMail`: the server has a mail transport (SMTP_URL), so e-mail subscriptions can work. */
export function renderMainPage(view: PageView, publicUrl: string, canMail: boolean): string {
  const { page } = view;
  const events = (title: string, list: ChangeWithUpdates[]) =>
    list.length > 0
      ? `<h2>${title}</h2>${list.map((e) => eventHtml(e, view.componentsById, zoneOf(page))).join('')}`
      : '';
  const body = `<h1>${esc(pageTitle(page))}</h1>
<p class="banner b-${view.overall}" role="status">${BANNER[view.overall]}</p>
${events('Active incidents and maintenance', view.active)}
<h2>Components</h2>${groups(view) || '<p>No components yet.</p>'}
${events('Scheduled maintenance', view.upcoming)}
${events('Past 7 days', view.recent)}
<p><a href="${pageBase(page)}/history${AUTH_QUERY}">Incident history</a></p>
${subscribeForm(view, canMail)}`;
  return layout(page, pageTitle(page), body, publicUrl);
}

/**
 * One month of ended events (by their start, in the page's zone), latest first, with links to the
 * months before and after: `month` is "YYYY-MM", `current` the month it is now.
 */
export function renderHistoryPage(
  page: PageRow,
  history: {
    events: ChangeWithUpdates[];
    hasOlder: boolean;
    componentsById: ReadonlyMap<string, ComponentRow>;
  },
  month: string,
  current: string,
  publicUrl: string,
): string {
  const base = `${pageBase(page)}/history`;
  const zone = zoneOf(page);
  const list = history.events.map((event) => eventHtml(event, history.componentsById, zone)).join('');
  const link = (rel: 'prev' | 'next', to: string, words: string) =>
    `<a rel="${rel}" href="${base}?month=${to}${AUTH_AND}">${words} ${monthName(to)}</a>`;
  const older = addMonth(month, -1);
  const newer = addMonth(month, 1);
  const nav = [
    history.hasOlder ? link('prev', older, 'Older:') : '',
    month < current ? link('next', newer, 'Newer:') : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const body = `<h1>Incident history</h1><h2>${monthName(month)}</h2>${list || `<p>No incidents or maintenance ended in ${monthName(month)}.</p>`}${nav ? `<nav aria-label="Months"><p>${nav}</p></nav>` : ''}`;
  return layout(page, `${pageTitle(page)} — history, ${monthName(month)}`, body, publicUrl);
}

/** A short page that says what happened (subscribed, confirmed, not found...). */
export function renderMessagePage(page: PageRow, title: string, message: string, publicUrl: string): string {
  return layout(
    page,
    `${pageTitle(page)} — ${title}`,
    `<h1>${esc(title)}</h1><p>${esc(message)}</p>`,
    publicUrl,
  );
}

/** The unsubscribe link's page: one button, so a mail scanner that follows links unsubscribes no one. */
export function renderUnsubscribePage(page: PageRow, token: string, publicUrl: string): string {
  const body = `<h1>Unsubscribe</h1><form method="post" action="${pageBase(page)}/unsubscribe?token=${esc(encodeURIComponent(token))}">
<p>Stop receiving updates from ${esc(pageTitle(page))}.</p><button type="submit">Unsubscribe</button></form>`;
  return layout(page, `${pageTitle(page)} — unsubscribe`, body, publicUrl);
}
