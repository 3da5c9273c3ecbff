import { escapeHtml as esc, label, pageTitle } from './messages.ts';
import type { PageView } from './page-view.ts';
import type { PageRow } from './pages.store.ts';
import { AUTH_QUERY, BANNER, pageCsp } from './render.ts';
import { publicUrlOf } from './status-pages.mapper.ts';
import { themeCss } from './theme.ts';
import type { ComponentStatus } from './timeline.ts';

/*
 * What other sites embed (docs/status-pages.md, "Badge and widget"): a shields-style SVG badge of
 * the page's overall status, a small HTML widget that may be framed anywhere, and a one-line
 * script that puts that widget in an iframe where it is included. All text is escaped.
 */

const BADGE_TEXT: Record<ComponentStatus, string> = {
  operational: 'operational',
  under_maintenance: 'maintenance',
  degraded: 'degraded',
  partial_outage: 'partial outage',
  full_outage: 'major outage',
};

/** The public page's status colours: white text on each meets WCAG AA. */
const BADGE_COLOR: Record<ComponentStatus, string> = {
  operational: '#116329',
  under_maintenance: '#0550ae',
  degraded: '#7d4e00',
  partial_outage: '#953800',
  full_outage: '#a40e26',
};

const LABEL_MAX = 40;

/** Roughly Verdana 11px, the badge's font: close enough to size the boxes around the text. */
function textWidth(text: string): number {
  let width = 0;
  for (const c of text) {
    if (/[iljtfI.,:;'|!() ]/.test(c)) width += 4;
    else if (/[mwMW@%]/.test(c)) width += 10;
    else if (/[A-Z]/.test(c)) width += 7.5;
    else width += 6.6;
  }
  return Math.ceil(width);
}

export function badgeSvg(view: PageView): string {
  const name =
    [...view.page.name].length > LABEL_MAX
      ? `${[...view.page.name].slice(0, LABEL_MAX - 1).join('')}…`
      : view.page.name;
  const message = BADGE_TEXT[view.overall];
  const left = textWidth(name) + 12;
  const right = textWidth(message) + 12;
  const width = left + right;
  const all = `${esc(name)}: ${message}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${all}"><title>${all}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${BADGE_COLOR[view.overall]}"/><rect width="${width}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="${left / 2}" y="14">${esc(name)}</text><text x="${left + right / 2}" y="14">${message}</text></g></svg>`;
}

const WIDGET_CSS = `
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff}
main{padding:.5rem .75rem;border:1px solid #d0d7de;border-radius:6px}a{color:var(--link,#0550ae)}
.now{display:flex;align-items:center;gap:.5rem;font-weight:600}.dot{width:.75rem;height:.75rem;border-radius:50%;flex:none}
.s-operational{background:#116329}.s-under_maintenance{background:#0550ae}.s-degraded{background:#7d4e00}.s-partial_outage{background:#953800}.s-full_outage{background:#a40e26}
ul{margin:.25rem 0 0;padding-left:1.25rem}
`.replace(/\n/g, '');

/** The widget's CSP: its stylesheets by hash, and framing by any site (that is its purpose). */
export function widgetCsp(page: PageRow): string {
  const theme = themeCss(page);
  return pageCsp(theme ? [WIDGET_CSS, theme] : [WIDGET_CSS], true);
}

const ACTIVE_SHOWN = 3;

/** The current status and the active events' titles, linking to the page (in a new tab: it is framed). */
export function widgetHtml(view: PageView, publicUrl: string): string {
  const { page } = view;
  const url = publicUrlOf(publicUrl, page);
  const theme = themeCss(page);
  const events = view.active
    .slice(0, ACTIVE_SHOWN)
    .map(
      (e) =>
        `<li><a href="${esc(url)}${AUTH_QUERY}#event-${e.change_id}" target="_blank" rel="noopener">${esc(e.title)}</a> — ${esc(label(e.status))}</li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(pageTitle(page))}</title><style>${WIDGET_CSS}</style>${theme ? `<style>${theme}</style>` : ''}</head><body><main>
<p class="now"><span class="dot s-${view.overall}" aria-hidden="true"></span><a href="${esc(url)}${AUTH_QUERY}" target="_blank" rel="noopener">${esc(page.name)}</a>: ${BANNER[view.overall]}</p>${events ? `<ul aria-label="Active incidents and maintenance">${events}</ul>` : ''}</main></body></html>`;
}

/** A value as a JavaScript string literal that cannot close the <script> it may be inlined in. */
const jsString = (value: string) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The embed script: an iframe of the widget, placed right after the <script> tag. */
export function widgetScript(page: PageRow, publicUrl: string): string {
  const src = `${publicUrlOf(publicUrl, page)}/widget`;
  return `(function(){var s=document.currentScript;if(!s||!s.parentNode)return;var f=document.createElement("iframe");f.src=${jsString(src)};f.title=${jsString(`${page.name} status`)};f.width="100%";f.height="120";f.style.border="0";f.loading="lazy";s.parentNode.insertBefore(f,s.nextSibling);})();\n`;
}
