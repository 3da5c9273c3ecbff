import type { Db } from '../db/db.ts';

type Executor = Db['q'];

/* The names and settings insight answers need: small reads by id, scoped by account. */

export async function accountTimeZone(q: Executor, accountId: number): Promise<string> {
  const row = await q
    .selectFrom('accounts')
    .select('time_zone')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row?.time_zone ?? 'UTC';
}

export async function teamsOf(q: Executor, accountId: number, personId: number): Promise<number[]> {
  const rows = await q
    .selectFrom('team_members as tm')
    .innerJoin('teams as t', 't.team_id', 'tm.team_id')
    .select('tm.team_id')
    .where('tm.account_id', '=', accountId)
    .where('tm.person_id', '=', personId)
    .where('t.status', '<>', 'deleted')
    .execute();
  return rows.map((r) => r.team_id);
}

export async function teamNames(q: Executor, accountId: number, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await q
    .selectFrom('teams')
    .select(['team_id', 'team_name'])
    .where('account_id', '=', accountId)
    .where('team_id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.team_id, r.team_name]));
}

export type ChannelName = { channel_name: string; team_id: number; team_name: string };

export async function channelNames(
  q: Executor,
  accountId: number,
  ids: number[],
): Promise<Map<number, ChannelName>> {
  if (ids.length === 0) return new Map();
  const rows = await q
    .selectFrom('channels as c')
    .leftJoin('teams as t', 't.team_id', 'c.team_id')
    .select(['c.channel_id', 'c.channel_name', 'c.team_id', 't.team_name'])
    .where('c.account_id', '=', accountId)
    .where('c.channel_id', 'in', ids)
    .execute();
  return new Map(
    rows.map((r) => [
      r.channel_id,
      { channel_name: r.channel_name, team_id: r.team_id, team_name: r.team_name ?? '' },
    ]),
  );
}

export async function people(
  q: Executor,
  accountId: number,
  ids: number[],
): Promise<Map<number, { member_name: string; email: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await q
    .selectFrom('members')
    .select(['member_id', 'member_name', 'email'])
    .where('account_id', '=', accountId)
    .where('member_id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.member_id, { member_name: r.member_name, email: r.email }]));
}

export async function insightCalendarId(q: Executor, accountId: number): Promise<string> {
  const row = await q
    .selectFrom('insight_settings')
    .select('cal_id')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row?.cal_id ?? '';
}

export async function storeInsightCalendarId(
  q: Executor,
  accountId: number,
  calId: string,
  now: number,
): Promise<void> {
  await q
    .insertInto('insight_settings')
    .values({ account_id: accountId, cal_id: calId, updated_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ cal_id: calId, updated_at: now }))
    .execute();
}
