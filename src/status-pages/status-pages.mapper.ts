import type { Static } from 'typebox';
import type { ChangeWithUpdates } from './changes.store.ts';
import type { ComponentRow, PageRow, SectionRow } from './pages.store.ts';
import type { ChangeItem, ComponentItem, PageItem, SectionItem } from './status-pages.schemas.ts';
import { type ChangeType, type ComponentStatus, replay } from './timeline.ts';

/* Rows → API shapes. */

export function publicUrlOf(publicUrl: string, page: Pick<PageRow, 'url_name'>): string {
  return `${publicUrl}/status/${encodeURIComponent(page.url_name)}`;
}

function toSectionItem(row: SectionRow): Static<typeof SectionItem> {
  return {
    section_id: row.section_id,
    name: row.name,
    description: row.description,
    order_id: row.order_id,
    hide_uptime: row.hide_uptime,
    hide_all: row.hide_all,
  };
}

export function toComponentItem(row: ComponentRow): Static<typeof ComponentItem> {
  return {
    component_id: row.component_id,
    ...(row.section_id ? { section_id: row.section_id } : {}),
    name: row.name,
    description: row.description,
    available_since_seconds: row.available_since_seconds,
    order_id: row.order_id,
    hide_uptime: row.hide_uptime,
    hide_all: row.hide_all,
  };
}

export function toPageItem(
  row: PageRow,
  sections: readonly SectionRow[],
  components: readonly ComponentRow[],
  statuses: ReadonlyMap<string, ComponentStatus>,
  publicUrl: string,
): Static<typeof PageItem> {
  return {
    page_id: row.page_id,
    name: row.name,
    url_name: row.url_name,
    type: row.type,
    date_view: row.date_view,
    display_uptime_mode: row.display_uptime_mode,
    custom_domain: row.custom_domain,
    page_title: row.page_title,
    page_header: row.page_header,
    page_footer: row.page_footer,
    contact_info: row.contact_info,
    logo: row.logo,
    dark_logo: row.dark_logo,
    favicon: row.favicon,
    logo_url: row.logo_url,
    template_preference: row.template_preference,
    custom_links: row.custom_links,
    subscription: row.subscription,
    time_zone: row.time_zone,
    brand_color: row.brand_color,
    header_color: row.header_color,
    components: components
      .filter((c) => c.page_id === row.page_id)
      .map((c) => ({ ...toComponentItem(c), status: statuses.get(c.component_id) ?? 'operational' })),
    sections: sections.filter((s) => s.page_id === row.page_id).map(toSectionItem),
    public_url: publicUrlOf(publicUrl, row),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The statuses an event's timeline leaves on the components it touched. */
export function componentsOfChange(change: ChangeWithUpdates): Map<string, ComponentStatus> {
  return replay(
    change.type as ChangeType,
    change.start_at_seconds,
    change.updates.map((u) => ({
      atSeconds: u.at_seconds,
      status: u.status,
      componentChanges: u.component_changes,
    })),
  ).components;
}

/**
 * An event as /status-page/change/info shows it. Components deleted since the event mentioned them
 * leave its affected components; its timeline still shows their changes, without a name.
 */
export function toChangeItem(
  change: ChangeWithUpdates,
  components: ReadonlyMap<string, ComponentRow>,
): ChangeItem {
  const affected = [...componentsOfChange(change)].flatMap(([componentId, status]) => {
    const component = components.get(componentId);
    return component ? [{ ...toComponentItem(component), status }] : [];
  });
  return {
    change_id: change.change_id,
    page_id: change.page_id,
    type: change.type,
    title: change.title,
    description: change.description,
    status: change.status as ChangeItem['status'],
    affected_components: affected,
    responder_ids: change.responder_ids,
    linked_change_ids: change.linked_change_ids,
    start_at_seconds: change.start_at_seconds,
    close_at_seconds: change.close_at_seconds,
    is_retrospective: change.is_retrospective,
    updates: change.updates.map((update) => ({
      update_id: update.update_id,
      at_seconds: update.at_seconds,
      ...(update.status ? { status: update.status as ChangeItem['status'] } : {}),
      description: update.description,
      component_changes: update.component_changes.map((c) => ({
        component_id: c.component_id,
        component_name: components.get(c.component_id)?.name ?? '',
        status: c.status as ComponentStatus,
      })),
    })),
    notify_subscribers: change.notify_subscribers,
    auto_update_by_schedule: change.auto_update_by_schedule,
    created_at: change.created_at,
    updated_at: change.updated_at,
    timelines: change.updates.map((update) => ({
      timeline_id: update.timeline_id ?? 0,
      at: update.at_seconds,
      ...(update.status ? { status: update.status as ChangeItem['status'] } : {}),
      description: update.description,
    })),
  };
}
