import type { AppDeps } from '../http/app.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import { notFound } from '../shared/app-error.ts';
import * as S from './calendars.schemas.ts';
import {
  createCalendar,
  deleteCalendar,
  listEvents,
  removeEvent,
  toCalendarItem,
  updateCalendar,
  upsertEvent,
} from './calendars.service.ts';
import { findCalendar, listCalendars } from './calendars.store.ts';

/** Service calendars: on-call.openapi.en.json, tag "Calendars". */
export function registerCalendarRoutes(app: Api, deps: AppDeps): void {
  const { db } = deps;
  const Calendars = { tag: 'Calendars' };

  openApi(
    app,
    '/calendar/create',
    {
      ...Calendars,
      summary: 'Create a calendar',
      permission: 'calendars.manage',
      input: S.CalendarCreateRequest,
      data: S.CalendarCreateResponse,
    },
    async ({ actor, input }) => createCalendar(deps, actor, input),
  );

  openApi(
    app,
    '/calendar/update',
    {
      ...Calendars,
      summary: 'Update a calendar (only the fields sent change)',
      permission: 'calendars.manage',
      input: S.CalendarUpdateRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await updateCalendar(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/calendar/delete',
    {
      ...Calendars,
      summary: 'Delete a calendar',
      permission: 'calendars.manage',
      input: S.CalendarIdRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await deleteCalendar(deps, actor, input.cal_id);
      return {};
    },
  );

  openApi(
    app,
    '/calendar/info',
    {
      ...Calendars,
      summary: 'Get a calendar',
      permission: null,
      input: S.CalendarIdRequest,
      data: S.CalendarItem,
    },
    async ({ actor, input }) => {
      const row = await findCalendar(db.q, actor.accountId, input.cal_id);
      if (!row) throw notFound(`calendar ${input.cal_id}`);
      return toCalendarItem(row);
    },
  );

  openApi(
    app,
    '/calendar/list',
    {
      ...Calendars,
      summary: 'List calendars',
      permission: null,
      input: S.CalendarListRequest,
      data: S.CalendarListResponse,
    },
    async ({ actor, input }) => {
      // Vigil ships no public-holiday calendars, so that kind lists nothing.
      const rows = await listCalendars(db.q, actor.accountId, input.kind ?? 'personal');
      return { items: rows.map(toCalendarItem), total: rows.length };
    },
  );

  openApi(
    app,
    '/calendar/event/upsert',
    {
      ...Calendars,
      summary: 'Create or update a calendar event',
      permission: 'calendars.manage',
      input: S.CalEventUpsertRequest,
      data: S.CalEventUpsertResponse,
    },
    async ({ actor, input }) => upsertEvent(deps, actor, input),
  );

  openApi(
    app,
    '/calendar/event/delete',
    {
      ...Calendars,
      summary: 'Delete a calendar event',
      permission: 'calendars.manage',
      input: S.CalEventIdRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await removeEvent(deps, actor, input.cal_id, input.event_id);
      return {};
    },
  );

  openApi(
    app,
    '/calendar/event/list',
    {
      ...Calendars,
      summary: 'List calendar events of a year, month or day',
      permission: null,
      input: S.CalEventListRequest,
      data: S.CalEventListResponse,
    },
    async ({ actor, input }) => listEvents(deps, actor, input),
  );
}
