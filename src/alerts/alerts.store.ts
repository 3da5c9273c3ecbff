import type { Selectable } from 'kysely';
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
