import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { AlertEventsTable, AlertsTable, Image } from '../db/schema.ts';

type Executor = Db['q'];

export type AlertRow = Selectable<AlertsTable>;
export type AlertEventRow = Selectable<AlertEventsTable>;

/** The open alert for a key in an integration's channel, locked for the rest of the transaction. */
export async function findOpenAlert(
  q: Executor,
  key: { integrationId: number; channelId: number; alertKey: string },
): Promise<AlertRow | undefined> {
  return q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', key.integrationId)
    .where('channel_id', '=', key.channelId)
    .where('alert_key', '=', key.alertKey)
    .where('end_time', '=', 0)
    .forUpdate()
    .executeTakeFirst();
}

export type NewAlert = Omit<AlertRow, 'labels' | 'images' | 'deleted_at'> & {
  labels: Record<string, string>;
  images: Image[];
};

export async function insertAlert(q: Executor, alert: NewAlert): Promise<void> {
  await q
    .insertInto('alerts')
    .values({ ...alert, labels: JSON.stringify(alert.labels), images: JSON.stringify(alert.images) })
    .execute();
}

export type AlertChange = Partial<
  Pick<
    AlertRow,
    | 'title'
    | 'title_rule'
    | 'description'
    | 'alert_severity'
    | 'alert_status'
    | 'last_time'
    | 'end_time'
    | 'event_cnt'
    | 'incident_id'
    | 'ever_muted'
  >
> & { labels?: Record<string, string>; images?: Image[]; updated_at: number };

export async function updateAlert(q: Executor, alertId: string, change: AlertChange): Promise<void> {
  const { labels, images, ...rest } = change;
  await q
    .updateTable('alerts')
    .set({
      ...rest,
      ...(labels ? { labels: JSON.stringify(labels) } : {}),
      ...(images ? { images: JSON.stringify(images) } : {}),
    })
    .where('alert_id', '=', alertId)
    .execute();
}

export type NewAlertEvent = Omit<AlertEventRow, 'labels' | 'images'> & {
  labels: Record<string, string>;
  images: Image[];
};

export async function insertAlertEvent(q: Executor, event: NewAlertEvent): Promise<void> {
  await q
    .insertInto('alert_events')
    .values({ ...event, labels: JSON.stringify(event.labels), images: JSON.stringify(event.images) })
    .execute();
}

export type AlertKey = { integrationId: number; channelId: number; alertKey: string };

/**
 * The open alerts of many keys, locked in alert-id order (one order for every writer, so two
 * batches wait rather than deadlock).
 */
export async function findOpenAlerts(q: Executor, keys: readonly AlertKey[]): Promise<AlertRow[]> {
  if (keys.length === 0) return [];
  // Each key looked up by itself (a lateral join on alerts_open_key): a prepared statement's plan
  // must not turn into a scan of every open alert, whatever the number of keys.
  const { rows } = await sql<AlertRow>`/* prepared */
    select a.*
      from unnest(${keys.map((k) => k.integrationId)}::bigint[], ${keys.map((k) => k.channelId)}::bigint[],
                  ${keys.map((k) => k.alertKey)}::text[]) as k(integration_id, channel_id, alert_key)
      cross join lateral (
            select * from alerts
             where integration_id = k.integration_id and channel_id = k.channel_id and alert_key = k.alert_key
               and end_time = 0) a
     order by a.alert_id
     for update of a`.execute(q);
  return rows;
}

/**
 * What a repeat changes on an alert it leaves otherwise as it was: the time it was last seen, and
 * its labels when the event's differ (null: unchanged, not sent).
 */
export type RefreshedAlert = Pick<AlertRow, 'alert_id' | 'last_time' | 'updated_at'> & {
  labels: Record<string, string> | null;
};

/**
 * A batch's alert writes — alerts opened, alerts changed, alerts only refreshed by repeats, events
 * stored — in one statement (data-modifying CTEs; each part passes its rows as one array per column,
 * so the statement's text, and its parameter count, do not depend on the batch's size). Repeats,
 * most of the events, send three columns instead of every column of the alert. The exception: a key
 * whose alert closed and opened again within the batch. Its new alert may only be inserted once the
 * old one is closed (the open-key unique index checks each row as it is written, and the parts of
 * one statement run in no set order), so then the parts run one after another, updates first.
 */
export async function writeAlerts(
  q: Executor,
  writes: {
    opened: readonly AlertRow[];
    changed: readonly AlertRow[];
    refreshed: readonly RefreshedAlert[];
    events: readonly NewAlertEvent[];
  },
): Promise<void> {
  const { opened, changed, refreshed, events } = writes;
  if (opened.length + changed.length + refreshed.length + events.length === 0) return;
  const closing = new Set(changed.filter((a) => a.end_time > 0).map(openKeyOf));
  if (opened.some((a) => closing.has(openKeyOf(a)))) {
    await sql`/* prepared */ ${updateAlertsSql(changed)}, ${refreshAlertsSql(refreshed)} select 1`.execute(q);
    await sql`/* prepared */ ${insertAlertsSql(opened)} select 1`.execute(q);
    await sql`/* prepared */ ${insertEventsSql(events)} select 1`.execute(q);
    return;
  }
  await sql`/* prepared */ ${insertAlertsSql(opened)}, ${updateAlertsSql(changed, false)},
    ${refreshAlertsSql(refreshed)}, ${insertEventsSql(events, false)}
    select 1`.execute(q);
}

const openKeyOf = (a: AlertRow) => `${a.integration_id}:${a.channel_id}:${a.alert_key}`;

const columnOf = <R, T>(rows: readonly R[], pick: (row: R) => T) => rows.map(pick);

/** `with opened as (insert into alerts ...)`: the alerts a batch opens. */
function insertAlertsSql(alerts: readonly AlertRow[]) {
  const c = <T>(pick: (a: AlertRow) => T) => columnOf(alerts, pick);
  return sql`with opened as (
    insert into alerts (alert_id, account_id, integration_id, channel_id, incident_id, alert_key, title, title_rule,
                        description, alert_severity, alert_status, start_time, last_time, end_time, labels, images,
                        ever_muted, event_cnt, created_at, updated_at, deleted_at)
    select u.alert_id, u.account_id, u.integration_id, u.channel_id, u.incident_id, u.alert_key, u.title, u.title_rule,
           u.description, u.alert_severity, u.alert_status, u.start_time, u.last_time, u.end_time, u.labels::jsonb,
           u.images::jsonb, u.ever_muted, u.event_cnt, u.created_at, u.updated_at, u.deleted_at
      from unnest(${c((a) => a.alert_id)}::text[], ${c((a) => a.account_id)}::bigint[], ${c((a) => a.integration_id)}::bigint[],
                  ${c((a) => a.channel_id)}::bigint[], ${c((a) => a.incident_id)}::text[], ${c((a) => a.alert_key)}::text[],
                  ${c((a) => a.title)}::text[], ${c((a) => a.title_rule)}::text[], ${c((a) => a.description)}::text[],
                  ${c((a) => a.alert_severity)}::text[], ${c((a) => a.alert_status)}::text[], ${c((a) => a.start_time)}::bigint[],
                  ${c((a) => a.last_time)}::bigint[], ${c((a) => a.end_time)}::bigint[], ${c((a) => JSON.stringify(a.labels))}::text[],
                  ${c((a) => JSON.stringify(a.images))}::text[], ${c((a) => a.ever_muted)}::boolean[], ${c((a) => a.event_cnt)}::int[],
                  ${c((a) => a.created_at)}::bigint[], ${c((a) => a.updated_at)}::bigint[], ${c((a) => a.deleted_at)}::bigint[])
           as u(alert_id, account_id, integration_id, channel_id, incident_id, alert_key, title, title_rule, description,
                alert_severity, alert_status, start_time, last_time, end_time, labels, images, ever_muted, event_cnt,
                created_at, updated_at, deleted_at))`;
}

/** `changed as (update alerts ...)`: what events change on alerts (see alertChange in src/ingest/apply/apply-screened.ts). */
function updateAlertsSql(alerts: readonly AlertRow[], first = true) {
  const c = <T>(pick: (a: AlertRow) => T) => columnOf(alerts, pick);
  return sql`${sql.raw(first ? 'with ' : '')}changed as (
    update alerts a
       set title = v.title, title_rule = v.title_rule, description = v.description,
           alert_severity = v.alert_severity, alert_status = v.alert_status, labels = v.labels::jsonb,
           last_time = v.last_time, end_time = v.end_time, event_cnt = v.event_cnt, updated_at = v.updated_at
      from unnest(${c((a) => a.alert_id)}::text[], ${c((a) => a.title)}::text[], ${c((a) => a.title_rule)}::text[],
                  ${c((a) => a.description)}::text[], ${c((a) => a.alert_severity)}::text[],
                  ${c((a) => a.alert_status)}::text[], ${c((a) => JSON.stringify(a.labels))}::text[],
                  ${c((a) => a.last_time)}::bigint[], ${c((a) => a.end_time)}::bigint[],
                  ${c((a) => a.event_cnt)}::bigint[], ${c((a) => a.updated_at)}::bigint[])
           as v(alert_id, title, title_rule, description, alert_severity, alert_status, labels,
                last_time, end_time, event_cnt, updated_at)
     where a.alert_id = v.alert_id)`;
}

/** `refreshed as (update alerts ...)`: what repeats change (RefreshedAlert). */
function refreshAlertsSql(alerts: readonly RefreshedAlert[]) {
  const c = <T>(pick: (a: RefreshedAlert) => T) => columnOf(alerts, pick);
  return sql`refreshed as (
    update alerts a
       set labels = coalesce(v.labels::jsonb, a.labels), last_time = v.last_time, updated_at = v.updated_at
      from unnest(${c((a) => a.alert_id)}::text[], ${c((a) => (a.labels ? JSON.stringify(a.labels) : null))}::text[],
                  ${c((a) => a.last_time)}::bigint[], ${c((a) => a.updated_at)}::bigint[])
           as v(alert_id, labels, last_time, updated_at)
     where a.alert_id = v.alert_id)`;
}

/** `stored as (insert into alert_events ...)`: the events a batch stores (repeats are not stored). */
function insertEventsSql(events: readonly NewAlertEvent[], first = true) {
  const c = <T>(pick: (e: NewAlertEvent) => T) => columnOf(events, pick);
  return sql`${sql.raw(first ? 'with ' : '')}stored as (
    insert into alert_events (event_id, alert_id, account_id, channel_id, integration_id, integration_type, alert_key,
                              title, title_rule, description, event_severity, event_status, event_time, labels, images,
                              created_at)
    select u.event_id, u.alert_id, u.account_id, u.channel_id, u.integration_id, u.integration_type, u.alert_key,
           u.title, u.title_rule, u.description, u.event_severity, u.event_status, u.event_time, u.labels::jsonb,
           u.images::jsonb, u.created_at
      from unnest(${c((e) => e.event_id)}::text[], ${c((e) => e.alert_id)}::text[], ${c((e) => e.account_id)}::bigint[],
                  ${c((e) => e.channel_id)}::bigint[], ${c((e) => e.integration_id)}::bigint[],
                  ${c((e) => e.integration_type)}::text[], ${c((e) => e.alert_key)}::text[], ${c((e) => e.title)}::text[],
                  ${c((e) => e.title_rule)}::text[], ${c((e) => e.description)}::text[], ${c((e) => e.event_severity)}::text[],
                  ${c((e) => e.event_status)}::text[], ${c((e) => e.event_time)}::bigint[],
                  ${c((e) => JSON.stringify(e.labels))}::text[], ${c((e) => JSON.stringify(e.images))}::text[],
                  ${c((e) => e.created_at)}::bigint[])
           as u(event_id, alert_id, account_id, channel_id, integration_id, integration_type, alert_key, title,
                title_rule, description, event_severity, event_status, event_time, labels, images, created_at))`;
}
