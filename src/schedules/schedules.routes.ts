import Type from 'typebox';
import type { AppDeps } from '../http/app.ts';
import { toPage } from '../http/pagination.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { ONCALL_ROLES } from './schedule-config.ts';
import { toScheduleItem } from './schedules.mapper.ts';
import * as S from './schedules.schemas.ts';
import {
  checkWindow,
  createSchedule,
  fromRow,
  MAX_SELF_WINDOW_DAYS,
  MAX_WINDOW_DAYS,
  previewSchedule,
  updateSchedule,
} from './schedules.service.ts';
import {
  deleteSchedules,
  findSchedule,
  getSchedules,
  listSchedules,
  schedulesOfPerson,
} from './schedules.store.ts';

const LIST_DEFAULT_LIMIT = 10;
const DAY = 86_400;

/** Schedules: on-call.openapi.en.json, tag "Schedules". */
export function registerScheduleRoutes(app: Api, deps: AppDeps): void {
  const { db, clock } = deps;
  const Schedules = { tag: 'Schedules' };

  openApi(
    app,
    '/schedule/create',
    {
      ...Schedules,
      summary: 'Create a schedule',
      permission: 'schedules.manage',
      input: S.ScheduleUpsertRequest,
      data: S.ScheduleIdResponse,
    },
    async ({ actor, input }) => createSchedule(deps, actor, input),
  );

  openApi(
    app,
    '/schedule/update',
    {
      ...Schedules,
      summary: 'Update a schedule (only the fields sent change)',
      permission: 'schedules.manage',
      input: S.ScheduleUpsertRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await updateSchedule(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/schedule/delete',
    {
      ...Schedules,
      summary: 'Delete schedules',
      permission: 'schedules.manage',
      input: S.ScheduleIdsRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      const ids = [...new Set(input.schedule_ids)];
      const found = await getSchedules(db.q, actor.accountId, ids);
      const missing = ids.find((id) => !found.some((row) => row.schedule_id === id));
      if (missing !== undefined) throw notFound(`schedule ${missing}`);
      await deleteSchedules(db.q, actor.accountId, ids, nowSeconds(clock));
      return {};
    },
  );

  openApi(
    app,
    '/schedule/info',
    {
      ...Schedules,
      summary: 'Get a schedule with its shifts in a window',
      permission: 'schedules.read',
      input: S.ScheduleInfoRequest,
      data: S.ScheduleItem,
    },
    async ({ actor, input }) => {
      const window = checkWindow(input.start, input.end, MAX_WINDOW_DAYS);
      const row = await findSchedule(db.q, actor.accountId, input.schedule_id);
      if (!row) throw notFound(`schedule ${input.schedule_id}`);
      return toScheduleItem(fromRow(row), window, nowSeconds(clock));
    },
  );

  openApi(
    app,
    '/schedule/infos',
    {
      ...Schedules,
      summary: 'Get schedules by id',
      permission: 'schedules.read',
      input: S.ScheduleIdsRequest,
      data: S.ScheduleItemsResponse,
    },
    async ({ actor, input }) => {
      const rows = await getSchedules(db.q, actor.accountId, input.schedule_ids);
      const byId = new Map(rows.map((r) => [r.schedule_id, r]));
      const now = nowSeconds(clock);
      // In the order asked for, each once; unknown and deleted ids are left out.
      const items = [...new Set(input.schedule_ids)].flatMap((id) => {
        const row = byId.get(id);
        return row ? [toScheduleItem(fromRow(row), undefined, now)] : [];
      });
      return { items };
    },
  );

  openApi(
    app,
    '/schedule/list',
    {
      ...Schedules,
      summary: 'List schedules',
      permission: null,
      input: S.ScheduleListRequest,
      data: S.ScheduleListResponse,
    },
    async ({ actor, input }) => {
      const page = toPage(input, LIST_DEFAULT_LIMIT);
      if (input.is_my_team && input.is_my_manage) {
        throw invalidParameter('is_my_manage', 'cannot be combined with is_my_team');
      }
      if ((input.start === undefined) !== (input.end === undefined)) {
        throw invalidParameter(input.start === undefined ? 'start' : 'end', 'start and end go together');
      }
      const window =
        input.start !== undefined && input.end !== undefined
          ? checkWindow(input.start, input.end, MAX_WINDOW_DAYS)
          : undefined;
      const { rows, total } = await listSchedules(db.q, {
        accountId: actor.accountId,
        memberId: actor.memberId,
        myTeam: input.is_my_team ?? false,
        myManage: input.is_my_manage ?? false,
        teamIds: input.team_ids,
        query: input.query,
        offset: page.offset,
        limit: page.limit,
      });
      const now = nowSeconds(clock);
      return {
        items: rows.map((row) => toScheduleItem(fromRow(row), window, now)),
        total,
        has_next_page: page.offset + rows.length < total,
      };
    },
  );

  openApi(
    app,
    '/schedule/preview',
    {
      ...Schedules,
      summary: 'Compute a schedule without saving it',
      permission: 'schedules.read',
      input: S.ScheduleUpsertRequest,
      data: S.ScheduleItem,
    },
    async ({ actor, input }) => previewSchedule(deps, actor, input),
  );

  openApi(
    app,
    '/oncall/roles',
    {
      tag: 'Schedules',
      summary: 'On-call roles a schedule group member can hold (built in: 0 Primary, 1 Backup)',
      permission: null,
      method: 'GET',
      input: Type.Object({}),
      data: Type.Array(
        Type.Object({
          id: Type.Integer(),
          name: Type.String(),
          account_id: Type.Integer(),
          create_at: Type.Integer(),
          create_by: Type.Integer(),
          update_at: Type.Integer(),
          update_by: Type.Integer(),
        }),
      ),
    },
    async ({ actor }) =>
      ONCALL_ROLES.map((role) => ({
        ...role,
        account_id: actor.accountId,
        create_at: 0,
        create_by: 0,
        update_at: 0,
        update_by: 0,
      })),
  );

  openApi(
    app,
    '/schedule/self',
    {
      ...Schedules,
      summary: "The caller's schedules with their shifts",
      permission: 'schedules.read',
      input: S.ScheduleSelfRequest,
      data: S.ScheduleItemsResponse,
    },
    async ({ actor, input }) => {
      const now = nowSeconds(clock);
      // Omitted (or 0) start means now; omitted end, two weeks after start.
      const start = input.start || now;
      const window = checkWindow(start, input.end || start + 14 * DAY, MAX_SELF_WINDOW_DAYS);
      const rows = await schedulesOfPerson(db.q, actor.accountId, actor.memberId);
      return { items: rows.map((row) => toScheduleItem(fromRow(row), window, now)) };
    },
  );
}
