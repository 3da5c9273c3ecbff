import type { Db } from '../db/db.ts';
import { type ChangeWithUpdates, listChanges, withUpdates } from './changes.store.ts';
import { type ComponentRow, componentsOf, type PageRow, type SectionRow, sectionsOf } from './pages.store.ts';
import { componentsOfChange } from './status-pages.mapper.ts';
import {
  type ChangeType,
  type ComponentStatus,
  currentComponentStatuses,
  isTerminal,
  type TimelineUpdate,
  worst,
} from './timeline.ts';
import { groupPercent, type Segment, segmentsOf, UPTIME_DAYS, type Uptime, uptimeOf } from './uptime.ts';

/*
 * What the public page shows, read in a handful of queries: the visible structure, each
 * component's current status and 90-day uptime, and the events to list. docs/status-pages.md.
 */

type Executor = Db['q'];

const DAY = 86_400;
/** Ended events the main page still lists ("past incidents"). */
const RECENT_DAYS = 7;

export type SectionView = {
  section: SectionRow | undefined;
  components: ComponentRow[];
  percent: number | undefined;
};

export type PageView = {
  page: PageRow;
  now: number;
  /** Visible components grouped: sections in order, then the components outside any section. */
  groups: SectionView[];
  /** Every component of the page, hidden ones included (timelines name them). */
  componentsById: Map<string, ComponentRow>;
  statuses: Map<string, ComponentStatus>;
  overall: ComponentStatus;
  uptime: Map<string, Uptime>;
  /** Incidents not ended and maintenance going on, latest first. */
  active: ChangeWithUpdates[];
  /** Maintenance scheduled and not started. */
  upcoming: ChangeWithUpdates[];
  /** Events ended in the last RECENT_DAYS days. */
  recent: ChangeWithUpdates[];
};

export const timelineOf = (event: ChangeWithUpdates): TimelineUpdate[] =>
  event.updates.map((u) => ({
    atSeconds: u.at_seconds,
    status: u.status,
    componentChanges: u.component_changes,
  }));

export async function loadPageView(q: Executor, page: PageRow, now: number): Promise<PageView> {
  const [sections, components, rows] = await Promise.all([
    sectionsOf(q, [page.page_id]),
    componentsOf(q, [page.page_id]),
    listChanges(q, page.page_id, { activeSince: now - UPTIME_DAYS * DAY }),
  ]);
  const events = await withUpdates(q, rows);
  const statuses = currentComponentStatuses(
    events.map((e) => ({ status: e.status, startAt: e.start_at_seconds, components: componentsOfChange(e) })),
    now,
  );

  const segments = new Map<string, Segment[]>();
  for (const event of events) {
    for (const segment of segmentsOf({ type: event.type as ChangeType, updates: timelineOf(event) }, now)) {
      const list = segments.get(segment.componentId) ?? [];
      list.push(segment);
      segments.set(segment.componentId, list);
    }
  }

  const hiddenSections = new Set(sections.filter((s) => s.hide_all).map((s) => s.section_id));
  const visible = components.filter((c) => !c.hide_all && !hiddenSections.has(c.section_id));
  const uptime = new Map(
    visible.map((c) => [
      c.component_id,
      uptimeOf(segments.get(c.component_id) ?? [], c.available_since_seconds, now),
    ]),
  );
  const known = new Set(sections.map((s) => s.section_id));
  const groups: SectionView[] = [
    ...sections
      .filter((s) => !s.hide_all)
      .map((section) => ({
        section,
        components: visible.filter((c) => c.section_id === section.section_id),
      })),
    { section: undefined, components: visible.filter((c) => !known.has(c.section_id)) },
  ]
    .filter((group) => group.components.length > 0)
    .map((group) => ({
      ...group,
      percent: groupPercent(group.components.map((c) => uptime.get(c.component_id)!)),
    }));

  const ended = (e: ChangeWithUpdates) => isTerminal(e.status);
  return {
    page,
    now,
    groups,
    // A component in a hidden section is hidden too, wherever it is named.
    componentsById: new Map(
      components.map((c) => [
        c.component_id,
        hiddenSections.has(c.section_id) ? { ...c, hide_all: true } : c,
      ]),
    ),
    statuses,
    overall: worst(visible.map((c) => statuses.get(c.component_id) ?? 'operational')),
    uptime,
    active: events.filter((e) => !ended(e) && e.status !== 'scheduled'),
    upcoming: events.filter((e) => e.status === 'scheduled').reverse(),
    recent: events.filter((e) => ended(e) && e.close_at_seconds >= now - RECENT_DAYS * DAY),
  };
}

/** How many events one month of history shows at most (Statuspage shows a month on one page too). */
const HISTORY_MONTH_MAX = 500;

/** The ended events that started in [start, end), latest first, and whether any started before. */
export async function loadHistory(
  q: Executor,
  page: PageRow,
  range: { start: number; end: number },
): Promise<{ events: ChangeWithUpdates[]; hasOlder: boolean; componentsById: Map<string, ComponentRow> }> {
  const statuses = ['resolved', 'completed'];
  const [rows, older, components] = await Promise.all([
    listChanges(q, page.page_id, {
      statuses,
      startFrom: range.start,
      startTo: range.end - 1,
      limit: HISTORY_MONTH_MAX,
    }),
    listChanges(q, page.page_id, { statuses, startTo: range.start - 1, limit: 1 }),
    componentsOf(q, [page.page_id]),
  ]);
  return {
    events: await withUpdates(q, rows),
    hasOlder: older.length > 0,
    componentsById: new Map(components.map((c) => [c.component_id, c])),
  };
}

/** The latest events of any status, for the feeds. */
export async function loadFeedEvents(
  q: Executor,
  page: PageRow,
  limit: number,
): Promise<ChangeWithUpdates[]> {
  return withUpdates(q, await listChanges(q, page.page_id, { limit }));
}
