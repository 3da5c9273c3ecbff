import type { Db } from '../db/db.ts';
import type { FeedEntryRow } from '../incidents/feed.query.ts';
import { getIncidents } from '../incidents/incidents.query.ts';
import { loadRelated, type Related } from '../incidents/related.store.ts';
import { eventsOfAlerts } from './alerts.query.ts';
import type { AlertEventItem, AlertItem, FeedItem } from './alerts.schemas.ts';
import type { AlertEventRow, AlertRow } from './alerts.store.ts';

type Executor = Db['q'];

/** At most this many raw events (the most recent) are embedded in each alert that asks for them. */
const EMBEDDED_EVENTS_PER_ALERT = 100;

type IncidentBrief = { incident_id: string; title: string; progress: string; responderId: number };

/** What turning alert rows into AlertItems needs besides the rows: one load per page. */
export type AlertContext = Related & {
  incidents: ReadonlyMap<string, IncidentBrief>;
  /** Present when the caller asked for events: each alert's most recent events, oldest first. */
  events: ReadonlyMap<string, AlertEventRow[]> | undefined;
};

/** The first responder of an incident, whose name and e-mail the alerts of the incident show. */
function firstResponder(responders: unknown): number {
  const first = Array.isArray(responders)
    ? (responders[0] as { person_id?: unknown } | undefined)
    : undefined;
  return typeof first?.person_id === 'number' ? first.person_id : 0;
}

/**
 * Loads, for a page of alerts of one account, their incidents (live ones), the channels,
 * integrations and responders they name, and — when asked — their recent events.
 */
export async function loadAlertContext(
  q: Executor,
  accountId: number,
  rows: readonly AlertRow[],
  options: { events: boolean },
): Promise<AlertContext> {
  const incidentIds = [...new Set(rows.flatMap((r) => (r.incident_id ? [r.incident_id] : [])))];
  const [incidents, events] = await Promise.all([
    getIncidents(q, accountId, incidentIds),
    options.events
      ? eventsOfAlerts(
          q,
          accountId,
          rows.map((r) => r.alert_id),
          EMBEDDED_EVENTS_PER_ALERT,
        )
      : undefined,
  ]);
  const briefs = new Map(
    incidents.map((i) => [
      i.incident_id,
      {
        incident_id: i.incident_id,
        title: i.title,
        progress: i.progress,
        responderId: firstResponder(i.responders),
      },
    ]),
  );
  const related = await loadRelated(q, accountId, {
    channelIds: rows.map((r) => r.channel_id),
    integrationIds: rows.map((r) => r.integration_id),
    memberIds: [...briefs.values()].map((b) => b.responderId),
  });
  return { ...related, incidents: briefs, events };
}

function images(stored: readonly { src: string; href?: string; alt?: string }[]) {
  return stored.map((image) => ({
    src: image.src,
    ...(image.href ? { href: image.href } : {}),
    ...(image.alt ? { alt: image.alt } : {}),
  }));
}

/** A raw event in the API shape. Events are never edited or deleted: updated_at is created_at. */
export function toAlertEventItem(row: AlertEventRow): AlertEventItem {
  return {
    event_id: row.event_id,
    alert_id: row.alert_id,
    account_id: row.account_id,
    channel_id: row.channel_id,
    integration_id: row.integration_id,
    integration_type: row.integration_type,
    data_source_id: row.integration_id,
    title: row.title,
    title_rule: row.title_rule,
    description: row.description,
    alert_key: row.alert_key,
    event_severity: row.event_severity,
    event_status: row.event_status,
    event_time: row.event_time,
    labels: row.labels,
    images: images(row.images),
    created_at: row.created_at,
    updated_at: row.created_at,
    deleted_at: 0,
  };
}

/** An alert row in the API shape, with names from the context. */
export function toAlertItem(row: AlertRow, context: AlertContext): AlertItem {
  const integration = context.integrations.get(row.integration_id);
  const channel = row.channel_id > 0 ? context.channels.get(row.channel_id) : undefined;
  const incident = row.incident_id ? context.incidents.get(row.incident_id) : undefined;
  const responder = incident ? context.members.get(incident.responderId) : undefined;
  const events = context.events?.get(row.alert_id);
  return {
    alert_id: row.alert_id,
    account_id: row.account_id,
    integration_id: row.integration_id,
    integration_name: integration?.name ?? '',
    integration_type: integration?.plugin_type ?? '',
    integration_ref_id: '',
    channel_id: row.channel_id,
    channel_name: channel?.channel_name ?? '',
    channel_status: channel?.status ?? '',
    title: row.title,
    title_rule: row.title_rule,
    description: row.description,
    alert_key: row.alert_key,
    alert_severity: row.alert_severity,
    alert_status: row.alert_status,
    start_time: row.start_time,
    last_time: row.last_time,
    end_time: row.end_time,
    labels: row.labels,
    ever_muted: row.ever_muted,
    event_cnt: row.event_cnt,
    images: images(row.images),
    responder_name: responder?.member_name ?? '',
    responder_email: responder?.email ?? '',
    ...(incident
      ? {
          incident: { incident_id: incident.incident_id, title: incident.title, progress: incident.progress },
        }
      : {}),
    ...(context.events ? { events: (events ?? []).map(toAlertEventItem) } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at,
    data_source_id: row.integration_id,
    data_source_name: integration?.name ?? '',
    data_source_type: integration?.plugin_type ?? '',
    data_source_ref_id: '',
  };
}

/**
 * Entry types whose documented `detail` has no fields (`additionalProperties: false`): they answer
 * `{}`, whatever the writer stored.
 */
const EMPTY_DETAIL_TYPES = new Set([
  'a_close',
  'i_r_desc',
  'i_r_impact',
  'i_r_rc',
  'i_r_rsltn',
  'i_m_reply',
  'i_auto_refresh',
]);

/** A timeline entry (of an incident or an alert) in the API shape; times in milliseconds. */
export function toFeedItem(row: FeedEntryRow): FeedItem {
  // `via` is stored in the detail (actions.store.ts byActor) but shown beside it: details keep their documented shape.
  const { via, ...detail } = row.detail as Record<string, unknown>;
  return {
    ref_id: row.ref_id,
    type: row.type,
    detail: EMPTY_DETAIL_TYPES.has(row.type) ? {} : detail,
    account_id: row.account_id,
    creator_id: row.creator_id,
    created_at: row.created_at,
    updated_at: row.created_at,
    ...(via === 'assistant' ? { via } : {}),
  };
}
