import { Feed } from 'feed';
import type { ChangeWithUpdates } from './changes.store.ts';
import { escapeHtml, pageTitle } from './messages.ts';
import { monthOf } from './page-time.ts';
import type { PageView } from './page-view.ts';
import type { ComponentRow, PageRow } from './pages.store.ts';
import { eventHtml, zoneOf } from './render.ts';
import { componentsOfChange, publicUrlOf } from './status-pages.mapper.ts';
import { isTerminal } from './timeline.ts';
import { shownPercent } from './uptime.ts';

/* The machine-readable views of a page: summary.json, and RSS / Atom feeds of its events. */

/** Statuspage's indicator words for the overall status. */
const INDICATOR = {
  operational: 'none',
  under_maintenance: 'maintenance',
  degraded: 'minor',
  partial_outage: 'major',
  full_outage: 'critical',
} as const;

function eventSummary(event: ChangeWithUpdates, view: PageView) {
  const components = componentsOfChange(event);
  return {
    id: event.change_id,
    type: event.type,
    title: event.title,
    status: event.status,
    started_at: event.start_at_seconds,
    ...(event.close_at_seconds ? { close_at: event.close_at_seconds } : {}),
    updated_at: event.updates.at(-1)?.at_seconds ?? event.start_at_seconds,
    components: [...components].flatMap(([id, status]) => {
      const component = view.componentsById.get(id);
      return component && !component.hide_all ? [{ id, name: component.name, status }] : [];
    }),
    updates: [...event.updates].reverse().map((u) => ({
      id: u.update_id,
      at: u.at_seconds,
      ...(u.status ? { status: u.status } : {}),
      body: u.description,
    })),
  };
}

/** The page's status as JSON: overall indicator, components with status and uptime, open events. */
export function summaryJson(view: PageView, publicUrl: string): string {
  const { page } = view;
  const withUptime = page.display_uptime_mode !== 'none';
  return JSON.stringify({
    page: {
      id: page.page_id,
      name: page.name,
      url: publicUrlOf(publicUrl, page),
      time_zone: zoneOf(page),
      generated_at: view.now,
    },
    status: { indicator: INDICATOR[view.overall], overall: view.overall },
    sections: view.groups
      .filter((g) => g.section)
      .map((g) => ({
        id: g.section!.section_id,
        name: g.section!.name,
        component_ids: g.components.map((c) => c.component_id),
        ...(withUptime && !g.section!.hide_uptime && g.percent !== undefined
          ? { uptime_90d: shownPercent(g.percent) }
          : {}),
      })),
    components: view.groups.flatMap((g) =>
      g.components.map((c) => {
        const percent = view.uptime.get(c.component_id)?.percent;
        return {
          id: c.component_id,
          name: c.name,
          description: c.description,
          ...(c.section_id ? { section_id: c.section_id } : {}),
          status: view.statuses.get(c.component_id) ?? 'operational',
          ...(withUptime && !c.hide_uptime && percent !== undefined
            ? { uptime_90d: shownPercent(percent) }
            : {}),
        };
      }),
    ),
    incidents: view.active.filter((e) => e.type === 'incident').map((e) => eventSummary(e, view)),
    maintenances: [...view.active.filter((e) => e.type === 'maintenance'), ...view.upcoming].map((e) =>
      eventSummary(e, view),
    ),
  });
}

/** RSS 2.0 or Atom 1.0 of the latest events, each item the event with its whole timeline. */
export function feedXml(
  page: PageRow,
  events: readonly ChangeWithUpdates[],
  componentsById: ReadonlyMap<string, ComponentRow>,
  publicUrl: string,
  format: 'rss' | 'atom',
): string {
  const link = publicUrlOf(publicUrl, page);
  const latest = Math.max(0, ...events.map((e) => e.updates.at(-1)?.at_seconds ?? e.start_at_seconds));
  const feed = new Feed({
    id: link,
    title: pageTitle(page),
    description: `Incidents and maintenance of ${page.name}`,
    link,
    language: 'en',
    updated: new Date(latest * 1000),
    generator: 'Vigil',
    feedLinks: { rss: `${link}/feed.rss`, atom: `${link}/feed.atom` },
    copyright: page.name,
  });
  for (const event of events) {
    const last = event.updates.at(-1);
    const ended = isTerminal(event.status);
    // Ended events are on the history page; the others on the main page.
    const at = `${link}${ended ? `/history?month=${monthOf(event.start_at_seconds, zoneOf(page))}` : ''}#event-${event.change_id}`;
    feed.addItem({
      // `feed` sends an item's title and description as HTML (Atom type="html"; RSS readers take
      // them as HTML): escaped, the text reads as the text it is, never as markup.
      title: escapeHtml(`${event.title} (${ended ? event.status : `${event.status}, ongoing`})`),
      id: `${link}/events/${event.change_id}`,
      link: at,
      date: new Date((last?.at_seconds ?? event.start_at_seconds) * 1000),
      published: new Date(event.start_at_seconds * 1000),
      description: escapeHtml(last?.description || event.description),
      content: eventHtml(event, componentsById, zoneOf(page)),
    });
  }
  return format === 'rss' ? feed.rss2() : feed.atom1();
}
