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
  const { rows } = await sql<AlertRow>`
    select a.* from alerts a
    join unnest(${keys.map((k) => k.integrationId)}::bigint[], ${keys.map((k) => k.channelId)}::bigint[],
                ${keys.map((k) => k.alertKey)}::text[]) as k(integration_id, channel_id, alert_key)
      on a.integration_id = k.integration_id and a.channel_id = k.channel_id and a.alert_key = k.alert_key
    where a.end_time = 0
    order by a.alert_id
    for update of a`.execute(q);
  return rows;
}

/** Rows per multi-row insert: PostgreSQL takes at most 65,535 parameters per statement. */
const INSERT_CHUNK = 1000;

export async function insertAlerts(q: Executor, alerts: readonly AlertRow[]): Promise<void> {
  for (let i = 0; i < alerts.length; i += INSERT_CHUNK) {
    await q
      .insertInto('alerts')
      .values(
        alerts
          .slice(i, i + INSERT_CHUNK)
          .map((a) => ({ ...a, labels: JSON.stringify(a.labels), images: JSON.stringify(a.images) })),
      )
      .execute();
  }
}

export async function insertAlertEvents(q: Executor, events: readonly NewAlertEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += INSERT_CHUNK) {
    await q
      .insertInto('alert_events')
      .values(
        events
          .slice(i, i + INSERT_CHUNK)
          .map((e) => ({ ...e, labels: JSON.stringify(e.labels), images: JSON.stringify(e.images) })),
      )
      .execute();
  }
}

/** Writes what events change on many alerts (see alertChange in apply-event.ts) in one statement. */
export async function updateChangedAlerts(q: Executor, alerts: readonly AlertRow[]): Promise<void> {
  if (alerts.length === 0) return;
  const col = <T>(pick: (a: AlertRow) => T) => alerts.map(pick);
  await sql`
    update alerts a
       set title = v.title, title_rule = v.title_rule, description = v.description,
           alert_severity = v.alert_severity, alert_status = v.alert_status, labels = v.labels::jsonb,
           last_time = v.last_time, end_time = v.end_time, event_cnt = v.event_cnt, updated_at = v.updated_at
      from unnest(${col((a) => a.alert_id)}::text[], ${col((a) => a.title)}::text[], ${col((a) => a.title_rule)}::text[],
                  ${col((a) => a.description)}::text[], ${col((a) => a.alert_severity)}::text[],
                  ${col((a) => a.alert_status)}::text[], ${col((a) => JSON.stringify(a.labels))}::text[],
                  ${col((a) => a.last_time)}::bigint[], ${col((a) => a.end_time)}::bigint[],
                  ${col((a) => a.event_cnt)}::bigint[], ${col((a) => a.updated_at)}::bigint[])
           as v(alert_id, title, title_rule, description, alert_severity, alert_status, labels,
                last_time, end_time, event_cnt, updated_at)
     where a.alert_id = v.alert_id`.execute(q);
}
