import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { CalendarEventsTable, CalendarsTable } from '../db/schema.ts';
import type { Calendar } from './calendar.ts';

type Executor = Db['q'];

export type CalendarRow = Selectable<CalendarsTable>;
export type CalendarEventRow = Selectable<CalendarEventsTable>;

export async function findCalendar(
  q: Executor,
  accountId: number,
  calId: string,
  options: { lock?: boolean } = {},
): Promise<CalendarRow | undefined> {
  const query = q
    .selectFrom('calendars')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('cal_id', '=', calId)
    .where('status', '<>', 'deleted');
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function liveCalendarIds(
  q: Executor,
  accountId: number,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await q
    .selectFrom('calendars')
    .select('cal_id')
    .where('account_id', '=', accountId)
    .where('cal_id', 'in', [...ids])
    .where('status', '<>', 'deleted')
    .execute();
  return new Set(rows.map((r) => r.cal_id));
}

export async function listCalendars(q: Executor, accountId: number, kind: string): Promise<CalendarRow[]> {
  return q
    .selectFrom('calendars')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '=', kind as CalendarRow['kind'])
    .where('status', '<>', 'deleted')
    .orderBy('created_at')
    .orderBy('cal_id')
    .execute();
}

/** A live calendar naming this one among its extra_cal_ids, if any. */
export async function findInheritor(
  q: Executor,
  accountId: number,
  calId: string,
): Promise<CalendarRow | undefined> {
  return q
    .selectFrom('calendars')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('status', '<>', 'deleted')
    .where(sql<boolean>`extra_cal_ids @> ${JSON.stringify([calId])}::jsonb`)
    .executeTakeFirst();
}

export async function insertCalendar(q: Executor, values: Insertable<CalendarsTable>): Promise<void> {
  await q.insertInto('calendars').values(values).execute();
}

export async function updateCalendar(
  q: Executor,
  accountId: number,
  calId: string,
  fields: Updateable<CalendarsTable>,
): Promise<void> {
  await q
    .updateTable('calendars')
    .set(fields)
    .where('account_id', '=', accountId)
    .where('cal_id', '=', calId)
    .execute();
}

export async function findEvent(
  q: Executor,
  calId: string,
  eventId: string,
): Promise<CalendarEventRow | undefined> {
  return q
    .selectFrom('calendar_events')
    .selectAll()
    .where('cal_id', '=', calId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}

export async function insertEvent(q: Executor, values: Insertable<CalendarEventsTable>): Promise<void> {
  await q.insertInto('calendar_events').values(values).execute();
}

export async function updateEvent(
  q: Executor,
  calId: string,
  eventId: string,
  fields: Updateable<CalendarEventsTable>,
): Promise<void> {
  await q
    .updateTable('calendar_events')
    .set(fields)
    .where('cal_id', '=', calId)
    .where('event_id', '=', eventId)
    .execute();
}

export async function deleteEvent(q: Executor, calId: string, eventId: string): Promise<boolean> {
  const rows = await q
    .deleteFrom('calendar_events')
    .where('cal_id', '=', calId)
    .where('event_id', '=', eventId)
    .returning('event_id')
    .execute();
  return rows.length > 0;
}

/** Events of these calendars overlapping [from, to) (local dates, to exclusive), by start. */
export async function eventsBetween(
  q: Executor,
  calIds: readonly string[],
  from: string,
  to: string,
): Promise<CalendarEventRow[]> {
  if (calIds.length === 0) return [];
  return q
    .selectFrom('calendar_events')
    .selectAll()
    .where('cal_id', 'in', [...calIds])
    .where('start_at', '<', to)
    .where('end_at', '>', from)
    .orderBy('start_at')
    .orderBy('event_id')
    .execute();
}

/** The calendar with its events and those of the calendars it inherits, ready for isDayOff. */
export async function loadCalendar(
  q: Executor,
  accountId: number,
  calId: string,
): Promise<Calendar | undefined> {
  const row = await findCalendar(q, accountId, calId);
  if (!row) return undefined;
  const inheritedIds = [...(await liveCalendarIds(q, accountId, row.extra_cal_ids))];
  const events = await q
    .selectFrom('calendar_events')
    .select(['cal_id', 'start_at', 'end_at', 'is_off', 'updated_at'])
    .where('cal_id', 'in', [calId, ...inheritedIds])
    .execute();
  const eventsOf = (id: string) => events.filter((e) => e.cal_id === id);
  return {
    timezone: row.timezone,
    workdays: row.workdays,
    events: eventsOf(calId),
    inherited: row.extra_cal_ids
      .filter((id) => inheritedIds.includes(id))
      .map((id) => ({ timezone: row.timezone, workdays: row.workdays, events: eventsOf(id) })),
  };
}
