import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import type { Db } from '../db/db.ts';
import type { AppDeps } from '../http/app.ts';
import { type Api, openApi } from '../http/route.ts';
import { AppError, notFound } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { newSecret } from '../shared/ids.ts';
import { type FeedSchedule, renderFeed } from './ical.ts';
import { fromRow } from './schedules.service.ts';
import { findSchedule, type ScheduleRow, schedulesOfPerson } from './schedules.store.ts';

/*
 * Beyond Flashduty: calendar (iCal) feeds of a schedule and of a person's own shifts
 * (docs/schedules.md, "Calendar feeds"). Calendar clients cannot send headers or bodies, so a
 * feed is read with GET and authenticated by the app_key in the query or by a per-feed token.
 */

type Executor = Db['q'];

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

async function namesOf(
  q: Executor,
  accountId: number,
  rows: readonly ScheduleRow[],
): Promise<Map<number, string>> {
  const ids = [...new Set(rows.flatMap((r) => r.person_ids))];
  if (ids.length === 0) return new Map();
  const members = await q
    .selectFrom('members')
    .select(['member_id', 'member_name'])
    .where('account_id', '=', accountId)
    .where('member_id', 'in', ids)
    .execute();
  return new Map(members.map((m) => [m.member_id, m.member_name]));
}

const toFeedSchedule = (row: ScheduleRow): FeedSchedule => ({
  schedule_id: row.schedule_id,
  schedule_name: row.schedule_name,
  time_zone: row.time_zone,
  layers: fromRow(row).layers,
});

/** The feed of one schedule (scheduleId > 0) or of the person's shifts on every schedule. */
async function feed(
  deps: AppDeps,
  accountId: number,
  target: { scheduleId: number; personId: number },
): Promise<string> {
  const q = deps.db.q;
  const now = nowSeconds(deps.clock);
  if (target.scheduleId > 0) {
    const row = await findSchedule(q, accountId, target.scheduleId);
    if (!row) throw notFound(`schedule ${target.scheduleId}`);
    return renderFeed({
      name: row.schedule_name,
      schedules: [toFeedSchedule(row)],
      names: await namesOf(q, accountId, [row]),
      now,
    });
  }
  const rows = await schedulesOfPerson(q, accountId, target.personId);
  const names = await namesOf(q, accountId, rows);
  return renderFeed({
    name: `On call: ${names.get(target.personId) ?? `#${target.personId}`}`,
    schedules: rows.map(toFeedSchedule),
    names,
    now,
    personId: target.personId,
  });
}

function sendCalendar(reply: FastifyReply, body: string): FastifyReply {
  return reply
    .type('text/calendar; charset=utf-8')
    .header('content-disposition', 'inline; filename="oncall.ics"')
    .send(body);
}

export function registerFeedRoutes(app: Api, deps: AppDeps): void {
  const { db, clock } = deps;
  const untyped = app as unknown as FastifyInstance;

  untyped.route({
    method: 'GET',
    url: '/schedule/ical',
    config: { appKey: { permission: 'schedules.read' } },
    schema: {
      tags: ['Schedules'],
      summary:
        "Calendar feed (RFC 5545) of a schedule, or of the caller's own shifts without schedule_id (Vigil)",
      querystring: Type.Object({ schedule_id: Type.Optional(Id) }),
    },
    handler: async (request, reply) => {
      const actor = request.actor!;
      const { schedule_id } = request.query as { schedule_id?: number };
      const body = await feed(deps, actor.accountId, {
        scheduleId: schedule_id ?? 0,
        personId: actor.memberId,
      });
      return sendCalendar(reply, body);
    },
  });

  openApi(
    app,
    '/schedule/feed/create',
    {
      tag: 'Schedules',
      summary: "Create a secret calendar-feed URL of a schedule, or of the caller's own shifts (Vigil)",
      permission: 'schedules.read',
      input: Type.Object({ schedule_id: Type.Optional(Id) }),
      data: Type.Object({ token: Type.String(), url: Type.String() }),
    },
    async ({ actor, input }) => {
      const scheduleId = input.schedule_id ?? 0;
      if (scheduleId > 0 && !(await findSchedule(db.q, actor.accountId, scheduleId))) {
        throw notFound(`schedule ${scheduleId}`);
      }
      const token = newSecret(20);
      await db.q
        .insertInto('schedule_feeds')
        .values({
          token_hash: hashToken(token),
          account_id: actor.accountId,
          schedule_id: scheduleId,
          person_id: scheduleId > 0 ? 0 : actor.memberId,
          created_by: actor.memberId,
          created_at: nowSeconds(clock),
        })
        .execute();
      return { token, url: `${deps.config.publicUrl}/schedule/ical/feed?token=${token}` };
    },
  );

  openApi(
    app,
    '/schedule/feed/delete',
    {
      tag: 'Schedules',
      summary: 'Revoke a calendar-feed token (its creator, or Schedules Manage) (Vigil)',
      permission: 'schedules.read',
      input: Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }),
      data: Type.Object({}),
    },
    async ({ actor, input }) => {
      let query = db.q
        .deleteFrom('schedule_feeds')
        .where('token_hash', '=', hashToken(input.token))
        .where('account_id', '=', actor.accountId);
      if (!actor.permissions.has('schedules.manage')) query = query.where('created_by', '=', actor.memberId);
      const rows = await query.returning('token_hash').execute();
      if (rows.length === 0) throw notFound('calendar feed');
      return {};
    },
  );

  untyped.route({
    method: 'GET',
    url: '/schedule/ical/feed',
    schema: {
      tags: ['Schedules'],
      summary: 'Calendar feed (RFC 5545) by its secret token (Vigil)',
      security: [],
      querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }),
    },
    handler: async (request, reply) => {
      const { token } = request.query as { token: string };
      const row = await db.q
        .selectFrom('schedule_feeds')
        .innerJoin('members', 'members.member_id', 'schedule_feeds.created_by')
        .select(['schedule_feeds.account_id', 'schedule_id', 'person_id'])
        .where('token_hash', '=', hashToken(token))
        // A feed dies with the member who made it.
        .where('members.status', '<>', 'deleted')
        .executeTakeFirst();
      if (!row)
        throw new AppError('Unauthorized', 'You are unauthorized: the feed token is invalid or revoked.');
      const body = await feed(deps, row.account_id, { scheduleId: row.schedule_id, personId: row.person_id });
      return sendCalendar(reply, body);
    },
  });
}
