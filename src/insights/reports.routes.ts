import { sql } from 'kysely';
import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import type { AppDeps } from '../http/app.ts';
import { type Api, openApi } from '../http/route.ts';
import { invalidParameter } from '../shared/app-error.ts';
import { AGGREGATE_UNITS } from './buckets.ts';
import { fillBuckets, QUARTER } from './reports.ts';

/** The longest window a report covers: a year of months, weeks or days (Vigil's limit). */
const MAX_WINDOW = 366 * 86_400;

const Window = {
  step: Type.Enum([...AGGREGATE_UNITS]),
  start_time: Type.Integer({ minimum: 0 }),
  end_time: Type.Integer({ minimum: 0 }),
};

const NotificationsRequest = Type.Object({
  ...Window,
  channel_ids: Type.Optional(Type.Array(Id, { maxItems: 100 })),
});
const NotificationsResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      ts: Type.Integer(),
      sms_cnt: Type.Integer(),
      voice_cnt: Type.Integer(),
      email_cnt: Type.Integer(),
    }),
  ),
});
const ChangesRequest = Type.Object(Window);
const ChangesResponse = Type.Object({
  items: Type.Array(
    Type.Object({ ts: Type.Integer(), change_cnt: Type.Integer(), change_event_cnt: Type.Integer() }),
  ),
});

function checkWindow(start: number, end: number): void {
  if (end <= start) throw invalidParameter('end_time', 'must be greater than start_time');
  if (end - start > MAX_WINDOW) throw invalidParameter('end_time', 'the window must not exceed 366 days');
}

/**
 * The legacy document's usage reports (/report/oncall/notifications and /changes), which
 * Flashduty's Go SDK calls: counts per day, week or month in the account's time zone
 * (docs/insights.md, "Usage reports"). Analytics Read.
 */
export function registerReportRoutes(app: Api, deps: AppDeps): void {
  const { db } = deps;
  const Reports = { tag: 'Reports', permission: 'analytics.read' } as const;
  const zoneOf = async (accountId: number) =>
    (
      await db.q
        .selectFrom('accounts')
        .select('time_zone')
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow()
    ).time_zone;

  openApi(
    app,
    '/report/oncall/notifications',
    {
      ...Reports,
      summary: 'Notifications sent by SMS, voice and e-mail',
      input: NotificationsRequest,
      data: NotificationsResponse,
    },
    async ({ actor, input }) => {
      checkWindow(input.start_time, input.end_time);
      const channels = input.channel_ids ?? [];
      // Delivered notifications, by when they were enqueued.
      let query = db.q
        .selectFrom('notification_deliveries as d')
        .select([
          sql<number>`d.created_at / ${sql.lit(QUARTER)}`.as('quarter'),
          sql<number>`count(*) filter (where d.channel = 'sms')`.as('sms_cnt'),
          sql<number>`count(*) filter (where d.channel = 'voice')`.as('voice_cnt'),
          sql<number>`count(*) filter (where d.channel = 'email')`.as('email_cnt'),
        ])
        .where('d.account_id', '=', actor.accountId)
        .where('d.status', '=', 'success')
        .where('d.channel', 'in', ['sms', 'voice', 'email'])
        .where('d.created_at', '>=', input.start_time)
        .where('d.created_at', '<=', input.end_time);
      if (channels.length > 0) {
        query = query.where('d.incident_id', 'in', (eb) =>
          eb
            .selectFrom('incidents')
            .select('incident_id')
            .where('account_id', '=', actor.accountId)
            .where('channel_id', 'in', channels),
        );
      }
      const counts = await query.groupBy(sql`d.created_at / ${sql.lit(QUARTER)}`).execute();
      const zone = await zoneOf(actor.accountId);
      const window = { start: input.start_time, end: input.end_time, step: input.step };
      return { items: fillBuckets(zone, window, ['sms_cnt', 'voice_cnt', 'email_cnt'] as const, counts) };
    },
  );

  openApi(
    app,
    '/report/oncall/changes',
    { ...Reports, summary: 'Changes and change events', input: ChangesRequest, data: ChangesResponse },
    async ({ actor, input }) => {
      checkWindow(input.start_time, input.end_time);
      const window = { start: input.start_time, end: input.end_time, step: input.step };
      // A change counts where it started; each event where it happened.
      const [changes, events] = await Promise.all([
        db.q
          .selectFrom('changes')
          .select([
            sql<number>`start_time / ${sql.lit(QUARTER)}`.as('quarter'),
            sql<number>`count(*)`.as('change_cnt'),
          ])
          .where('account_id', '=', actor.accountId)
          .where('start_time', '>=', input.start_time)
          .where('start_time', '<=', input.end_time)
          .groupBy(sql`start_time / ${sql.lit(QUARTER)}`)
          .execute(),
        db.q
          .selectFrom('change_events')
          .select([
            sql<number>`event_time / ${sql.lit(QUARTER)}`.as('quarter'),
            sql<number>`count(*)`.as('change_event_cnt'),
          ])
          .where('account_id', '=', actor.accountId)
          .where('event_time', '>=', input.start_time)
          .where('event_time', '<=', input.end_time)
          .groupBy(sql`event_time / ${sql.lit(QUARTER)}`)
          .execute(),
      ]);
      const zone = await zoneOf(actor.accountId);
      const rows = [
        ...changes.map((r) => ({
          quarter: Number(r.quarter),
          change_cnt: Number(r.change_cnt),
          change_event_cnt: 0,
        })),
        ...events.map((r) => ({
          quarter: Number(r.quarter),
          change_cnt: 0,
          change_event_cnt: Number(r.change_event_cnt),
        })),
      ];
      return { items: fillBuckets(zone, window, ['change_cnt', 'change_event_cnt'] as const, rows) };
    },
  );
}
