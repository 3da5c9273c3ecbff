import { randomUUID } from 'node:crypto';
import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import type {
  CalEventListRequest,
  CalEventListResponse,
  CalEventUpsertRequest,
  CalendarCreateRequest,
  CalendarItem,
  CalendarUpdateRequest,
} from './calendars.schemas.ts';
import {
  type CalendarRow,
  deleteEvent,
  eventsBetween,
  findCalendar,
  findEvent,
  findInheritor,
  insertCalendar,
  insertEvent,
  liveCalendarIds,
  updateCalendar as updateCalendarRow,
  updateEvent,
} from './calendars.store.ts';
import { checkTimeZone } from './schedule-config.ts';
import { liveTeam } from './schedules.store.ts';
import { formatDate, parseDate, toNaive } from './zoned.ts';

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];

/** Flashduty's default zone for calendars. */
const DEFAULT_TIMEZONE = 'Asia/Shanghai';
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
/** Vigil's limit on one event's length. */
const MAX_EVENT_DAYS = 366;

export function toCalendarItem(row: CalendarRow): Static<typeof CalendarItem> {
  return {
    account_id: row.account_id,
    team_id: row.team_id,
    cal_id: row.cal_id,
    cal_name: row.cal_name,
    description: row.description,
    timezone: row.timezone,
    kind: row.kind,
    workdays: row.workdays,
    extra_cal_ids: row.extra_cal_ids,
    created_at: row.created_at,
    updated_at: row.updated_at,
    creator_id: row.creator_id,
    updated_by: row.updated_by,
    status: row.status,
  };
}

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw invalidParameter('cal_name', 'must not be blank');
  return trimmed;
}

async function checkRefs(
  q: Executor,
  accountId: number,
  request: { team_id?: number | undefined; extra_cal_ids?: string[] | undefined },
  self?: string,
): Promise<string[] | undefined> {
  if (request.team_id && !(await liveTeam(q, accountId, request.team_id))) {
    throw invalidParameter('team_id', `team ${request.team_id} does not exist`);
  }
  if (request.extra_cal_ids === undefined) return undefined;
  const ids = [...new Set(request.extra_cal_ids)];
  if (self !== undefined && ids.includes(self))
    throw invalidParameter('extra_cal_ids', 'a calendar cannot inherit itself');
  const live = await liveCalendarIds(q, accountId, ids);
  const missing = ids.find((id) => !live.has(id));
  // Vigil ships no public-holiday calendars: only the account's own calendars can be inherited.
  if (missing !== undefined) throw invalidParameter('extra_cal_ids', `calendar ${missing} does not exist`);
  return ids;
}

function nameConflict(error: unknown): never {
  if (isUniqueViolation(error, 'calendars_name_key'))
    throw invalidParameter('cal_name', 'a calendar with this name exists');
  throw error;
}

const uniqueDays = (days: number[] | undefined) =>
  days === undefined ? undefined : [...new Set(days)].sort();

export async function createCalendar(
  deps: Deps,
  actor: Actor,
  request: Static<typeof CalendarCreateRequest>,
): Promise<{ cal_id: string; cal_name: string }> {
  const name = cleanName(request.cal_name);
  const zone = checkTimeZone(request.timezone || DEFAULT_TIMEZONE, 'timezone');
  const calId = `cal.${randomUUID()}`;
  const now = nowSeconds(deps.clock);
  try {
    await deps.db.q.transaction().execute(async (trx) => {
      const extra = (await checkRefs(trx, actor.accountId, request)) ?? [];
      await insertCalendar(trx, {
        cal_id: calId,
        account_id: actor.accountId,
        team_id: request.team_id ?? 0,
        cal_name: name,
        description: request.description ?? '',
        timezone: zone,
        kind: 'personal',
        // A new calendar has every day as a workday until told otherwise.
        workdays: JSON.stringify(uniqueDays(request.workdays) ?? ALL_DAYS),
        extra_cal_ids: JSON.stringify(extra),
        creator_id: actor.memberId,
        updated_by: actor.memberId,
        created_at: now,
        updated_at: now,
      });
    });
  } catch (error) {
    nameConflict(error);
  }
  return { cal_id: calId, cal_name: name };
}

export async function updateCalendar(
  deps: Deps,
  actor: Actor,
  request: Static<typeof CalendarUpdateRequest>,
): Promise<void> {
  const name = request.cal_name === undefined ? undefined : cleanName(request.cal_name);
  const zone = request.timezone ? checkTimeZone(request.timezone, 'timezone') : undefined;
  try {
    await deps.db.q.transaction().execute(async (trx) => {
      const row = await findCalendar(trx, actor.accountId, request.cal_id, { lock: true });
      if (!row) throw notFound(`calendar ${request.cal_id}`);
      const extra = await checkRefs(trx, actor.accountId, request, row.cal_id);
      const workdays = uniqueDays(request.workdays);
      const changes = {
        cal_name: name,
        description: request.description,
        timezone: zone,
        team_id: request.team_id,
        workdays: workdays && JSON.stringify(workdays),
        extra_cal_ids: extra && JSON.stringify(extra),
      };
      const sent = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      await updateCalendarRow(trx, actor.accountId, row.cal_id, {
        ...sent,
        updated_by: actor.memberId,
        updated_at: nowSeconds(deps.clock),
      });
    });
  } catch (error) {
    nameConflict(error);
  }
}

export async function deleteCalendar(deps: Deps, actor: Actor, calId: string): Promise<void> {
  await deps.db.q.transaction().execute(async (trx) => {
    const row = await findCalendar(trx, actor.accountId, calId, { lock: true });
    if (!row) throw notFound(`calendar ${calId}`);
    const inheritor = await findInheritor(trx, actor.accountId, calId);
    if (inheritor) {
      throw new AppError(
        'ReferenceExist',
        `Calendar ${row.cal_name} is inherited by calendar ${inheritor.cal_name} (${inheritor.cal_id}); remove it from that calendar's extra_cal_ids first.`,
      );
    }
    await updateCalendarRow(trx, actor.accountId, calId, {
      status: 'deleted',
      updated_by: actor.memberId,
      updated_at: nowSeconds(deps.clock),
    });
  });
}

export async function upsertEvent(
  deps: Deps,
  actor: Actor,
  request: Static<typeof CalEventUpsertRequest>,
): Promise<{ cal_id: string; event_id: string; summary: string }> {
  const start = parseDate(request.start_at);
  if (start === undefined) throw invalidParameter('start_at', 'must be a date, YYYY-MM-DD');
  const end = parseDate(request.end_at);
  if (end === undefined) throw invalidParameter('end_at', 'must be a date, YYYY-MM-DD');
  if (end <= start) throw invalidParameter('end_at', 'must be after start_at (end_at is exclusive)');
  if (end - start > MAX_EVENT_DAYS * 86_400)
    throw invalidParameter('end_at', `an event lasts at most ${MAX_EVENT_DAYS} days`);
  const summary = request.summary.trim();
  if (summary === '') throw invalidParameter('summary', 'must not be blank');
  const now = nowSeconds(deps.clock);
  return deps.db.q.transaction().execute(async (trx) => {
    const calendar = await findCalendar(trx, actor.accountId, request.cal_id, { lock: true });
    if (!calendar) throw notFound(`calendar ${request.cal_id}`);
    const fields = {
      summary,
      description: request.description ?? '',
      start_at: request.start_at,
      end_at: request.end_at,
      is_off: request.is_off,
      updated_at: now,
    };
    if (request.event_id) {
      const existing = await findEvent(trx, calendar.cal_id, request.event_id);
      if (!existing) throw notFound(`event ${request.event_id} of calendar ${calendar.cal_id}`);
      await updateEvent(trx, calendar.cal_id, request.event_id, fields);
      return { cal_id: calendar.cal_id, event_id: request.event_id, summary };
    }
    const eventId = `evt.${randomUUID()}`;
    await insertEvent(trx, {
      ...fields,
      cal_id: calendar.cal_id,
      event_id: eventId,
      account_id: actor.accountId,
      creator_id: actor.memberId,
      created_at: now,
    });
    return { cal_id: calendar.cal_id, event_id: eventId, summary };
  });
}

export async function removeEvent(deps: Deps, actor: Actor, calId: string, eventId: string): Promise<void> {
  const calendar = await findCalendar(deps.db.q, actor.accountId, calId);
  if (!calendar) throw notFound(`calendar ${calId}`);
  if (!(await deleteEvent(deps.db.q, calendar.cal_id, eventId)))
    throw notFound(`event ${eventId} of calendar ${calId}`);
}

/** Events of the calendar and of those it inherits that overlap the year, month or day asked for. */
export async function listEvents(
  deps: Deps,
  actor: Actor,
  request: Static<typeof CalEventListRequest>,
): Promise<Static<typeof CalEventListResponse>> {
  const calendar = await findCalendar(deps.db.q, actor.accountId, request.cal_id);
  if (!calendar) throw notFound(`calendar ${request.cal_id}`);
  const month = request.month ?? 0;
  const day = request.day ?? 0;
  if (day > 0 && month === 0) throw invalidParameter('month', 'is required when day is set');
  const year =
    request.year ?? Number(formatDate(toNaive(calendar.timezone, nowSeconds(deps.clock))).slice(0, 4));
  const pad = (n: number) => String(n).padStart(2, '0');
  let from: string;
  let to: string;
  if (day > 0) {
    const naive = parseDate(`${year}-${pad(month)}-${pad(day)}`);
    if (naive === undefined) throw invalidParameter('day', `${year}-${pad(month)} has no day ${day}`);
    from = formatDate(naive);
    to = formatDate(naive + 86_400);
  } else if (month > 0) {
    from = `${year}-${pad(month)}-01`;
    to = month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
  } else {
    from = `${year}-01-01`;
    to = `${year + 1}-01-01`;
  }
  const inherited = [...(await liveCalendarIds(deps.db.q, actor.accountId, calendar.extra_cal_ids))];
  const rows = await eventsBetween(deps.db.q, [calendar.cal_id, ...inherited], from, to);
  const items = rows.map((e) => ({
    account_id: e.account_id,
    creator_id: e.creator_id,
    cal_id: e.cal_id,
    event_id: e.event_id,
    summary: e.summary,
    description: e.description,
    start_at: e.start_at,
    end_at: e.end_at,
    is_off: e.is_off,
    created_at: e.created_at,
    updated_at: e.updated_at,
  }));
  return { items, total: items.length };
}
