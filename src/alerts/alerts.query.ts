import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { EventStatus, Severity } from '../db/schema.ts';
import { type SearchPage, searchRows } from '../http/search-paging.ts';
import type { AlertEventRow, AlertRow } from './alerts.store.ts';

type Executor = Db['q'];

const some = <T>(list: readonly T[] | undefined): list is readonly T[] =>
  list !== undefined && list.length > 0;
const lower = (ids: readonly string[]) => ids.map((id) => id.toLowerCase());

/** A live (not deleted) alert of the account. */
export async function findAlert(
  q: Executor,
  accountId: number,
  alertId: string,
): Promise<AlertRow | undefined> {
  return q
    .selectFrom('alerts')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('alert_id', '=', alertId.toLowerCase())
    .where('deleted_at', '=', 0)
    .executeTakeFirst();
}

/** Live alerts of the account with these ids, in no particular order. */
export async function getAlerts(
  q: Executor,
  accountId: number,
  alertIds: readonly string[],
): Promise<AlertRow[]> {
  if (alertIds.length === 0) return [];
  return q
    .selectFrom('alerts')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('alert_id', 'in', lower(alertIds))
    .where('deleted_at', '=', 0)
    .execute();
}

/**
 * The alerts of an incident, newest first (start_time, then alert_id), and how many there are.
 * `active`: only open alerts (true), only ended ones (false), or all (undefined).
 */
export async function listIncidentAlerts(
  q: Executor,
  of: { accountId: number; incidentId: string; active: boolean | undefined },
  page: { offset: number; limit: number },
): Promise<{ rows: AlertRow[]; total: number }> {
  let base = q
    .selectFrom('alerts')
    .where('account_id', '=', of.accountId)
    .where('incident_id', '=', of.incidentId)
    .where('deleted_at', '=', 0);
  if (of.active !== undefined) base = base.where('end_time', of.active ? '=' : '>', 0);
  const [rows, counted] = await Promise.all([
    base
      .selectAll()
      .orderBy('start_time', 'desc')
      .orderBy('alert_id', 'desc')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(counted.n) };
}

/** /alert/list, after validation. */
export type AlertSearch = {
  accountId: number;
  startTime: number;
  endTime: number;
  /**
   * The column the window applies to: created_at (the default order's column, so one index range
   * serves window and order), or updated_at with by_updated_at.
   */
  timeColumn: 'created_at' | 'updated_at';
  orderBy: 'created_at' | 'updated_at';
  asc: boolean;
  active?: boolean | undefined;
  everMuted?: boolean | undefined;
  severities?: readonly EventStatus[] | undefined;
  channelIds?: readonly number[] | undefined;
  integrationIds?: readonly number[] | undefined;
  alertIds?: readonly string[] | undefined;
  alertKeys?: readonly string[] | undefined;
  /** The title contains this, in any case. */
  title?: string | undefined;
  /** Every one of these labels has exactly this value. */
  labels?: Readonly<Record<string, string>> | undefined;
};

function matchingAlerts(q: Executor, s: AlertSearch) {
  let query = q
    .selectFrom('alerts')
    .where('account_id', '=', s.accountId)
    .where('deleted_at', '=', 0)
    .where(s.timeColumn, '>=', s.startTime)
    .where(s.timeColumn, '<=', s.endTime);
  if (s.active !== undefined) query = query.where('end_time', s.active ? '=' : '>', 0);
  if (s.everMuted !== undefined) query = query.where('ever_muted', '=', s.everMuted);
  if (some(s.severities)) query = query.where('alert_severity', 'in', s.severities as Severity[]);
  if (some(s.channelIds)) query = query.where('channel_id', 'in', [...s.channelIds]);
  if (some(s.integrationIds)) query = query.where('integration_id', 'in', [...s.integrationIds]);
  if (some(s.alertIds)) query = query.where('alert_id', 'in', lower(s.alertIds));
  if (some(s.alertKeys)) query = query.where('alert_key', 'in', [...s.alertKeys]);
  if (s.title) query = query.where('title', 'ilike', `%${s.title.replace(/[\\%_]/g, '\\$&')}%`);
  if (s.labels && Object.keys(s.labels).length > 0) {
    query = query.where(sql<boolean>`labels @> ${JSON.stringify(s.labels)}::jsonb`);
  }
  return query;
}

/** A page of alerts (`limit + 1` rows) in the chosen order, ties by alert_id, and the capped count. */
export async function searchAlerts(
  q: Executor,
  s: AlertSearch,
  page: SearchPage,
): Promise<{ fetched: AlertRow[]; count: number }> {
  const base = matchingAlerts(q, s);
  return searchRows(q, base, { column: s.orderBy, id: 'alert_id', asc: s.asc }, page);
}

/**
 * The raw events of one alert in chronological order (event_time, then event_id): at most `max`,
 * the most recent ones.
 */
export async function eventsOfAlert(
  q: Executor,
  accountId: number,
  alertId: string,
  max: number,
): Promise<AlertEventRow[]> {
  const newest = await q
    .selectFrom('alert_events')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('alert_id', '=', alertId)
    .orderBy('event_time', 'desc')
    .orderBy('event_id', 'desc')
    .limit(max)
    .execute();
  return newest.reverse();
}

/**
 * The raw events of several alerts, at most `perAlert` of each (the most recent), in one query;
 * each alert's events in chronological order.
 */
export async function eventsOfAlerts(
  q: Executor,
  accountId: number,
  alertIds: readonly string[],
  perAlert: number,
): Promise<Map<string, AlertEventRow[]>> {
  const byAlert = new Map<string, AlertEventRow[]>();
  if (alertIds.length === 0) return byAlert;
  const ranked = q
    .selectFrom('alert_events')
    .selectAll()
    .select(
      sql<number>`row_number() over (partition by alert_id order by event_time desc, event_id desc)`.as(
        'rank',
      ),
    )
    .where('account_id', '=', accountId)
    .where('alert_id', 'in', [...alertIds])
    .as('ranked');
  const rows = await q
    .selectFrom(ranked)
    .selectAll()
    .where('rank', '<=', perAlert)
    .orderBy('alert_id')
    .orderBy('event_time')
    .orderBy('event_id')
    .execute();
  for (const { rank: _rank, ...event } of rows) {
    const list = byAlert.get(event.alert_id) ?? [];
    list.push(event);
    byAlert.set(event.alert_id, list);
  }
  return byAlert;
}

/** /alert-event/list, after validation. */
export type EventSearch = {
  accountId: number;
  startTime: number;
  endTime: number;
  asc: boolean;
  integrationIds?: readonly number[] | undefined;
  integrationTypes?: readonly string[] | undefined;
  channelIds?: readonly number[] | undefined;
  /** Matched against event_status: Critical, Warning, Info for firing events, Ok for recoveries. */
  statuses?: readonly EventStatus[] | undefined;
};

/** A page of raw events (`limit + 1` rows) by event_time, ties by event_id, and the capped count. */
export async function searchEvents(
  q: Executor,
  s: EventSearch,
  page: SearchPage,
): Promise<{ fetched: AlertEventRow[]; count: number }> {
  let base = q
    .selectFrom('alert_events')
    .where('account_id', '=', s.accountId)
    .where('event_time', '>=', s.startTime)
    .where('event_time', '<=', s.endTime);
  if (some(s.integrationIds)) base = base.where('integration_id', 'in', [...s.integrationIds]);
  if (some(s.integrationTypes)) base = base.where('integration_type', 'in', [...s.integrationTypes]);
  if (some(s.channelIds)) base = base.where('channel_id', 'in', [...s.channelIds]);
  if (some(s.statuses)) base = base.where('event_status', 'in', [...s.statuses]);
  return searchRows(q, base, { column: 'event_time', id: 'event_id', asc: s.asc }, page);
}
