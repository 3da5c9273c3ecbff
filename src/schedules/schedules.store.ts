import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { SchedulesTable } from '../db/schema.ts';

type Executor = Db['q'];

export type ScheduleRow = Selectable<SchedulesTable>;

export async function findSchedule(
  q: Executor,
  accountId: number,
  scheduleId: number,
  options: { lock?: boolean } = {},
): Promise<ScheduleRow | undefined> {
  const query = q
    .selectFrom('schedules')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('schedule_id', '=', scheduleId)
    .where('status', '<>', 'deleted');
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function getSchedules(
  q: Executor,
  accountId: number,
  ids: readonly number[],
): Promise<ScheduleRow[]> {
  if (ids.length === 0) return [];
  return q
    .selectFrom('schedules')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('schedule_id', 'in', [...ids])
    .where('status', '<>', 'deleted')
    .execute();
}

/** Live schedules naming this person in any layer, newest first. */
export async function schedulesOfPerson(
  q: Executor,
  accountId: number,
  personId: number,
): Promise<ScheduleRow[]> {
  return q
    .selectFrom('schedules')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('status', '<>', 'deleted')
    .where(sql<boolean>`person_ids @> array[${personId}]::bigint[]`)
    .orderBy('schedule_id', 'desc')
    .limit(1000)
    .execute();
}

export async function insertSchedule(q: Executor, values: Insertable<SchedulesTable>): Promise<number> {
  const row = await q
    .insertInto('schedules')
    .values(values)
    .returning('schedule_id')
    .executeTakeFirstOrThrow();
  return row.schedule_id;
}

export async function updateSchedule(
  q: Executor,
  accountId: number,
  scheduleId: number,
  fields: Updateable<SchedulesTable>,
): Promise<boolean> {
  const row = await q
    .updateTable('schedules')
    .set(fields)
    .where('account_id', '=', accountId)
    .where('schedule_id', '=', scheduleId)
    .where('status', '<>', 'deleted')
    .returning('schedule_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteSchedules(
  q: Executor,
  accountId: number,
  ids: readonly number[],
  now: number,
): Promise<number> {
  const rows = await q
    .updateTable('schedules')
    .set({ status: 'deleted', deleted_at: now, updated_at: now })
    .where('account_id', '=', accountId)
    .where('schedule_id', 'in', [...ids])
    .where('status', '<>', 'deleted')
    .returning('schedule_id')
    .execute();
  return rows.length;
}

type ScheduleListQuery = {
  accountId: number;
  memberId: number;
  myTeam: boolean;
  myManage: boolean;
  teamIds?: readonly number[] | undefined;
  query?: string | undefined;
  offset: number;
  limit: number;
};

export async function listSchedules(
  q: Executor,
  list: ScheduleListQuery,
): Promise<{ rows: ScheduleRow[]; total: number }> {
  const myTeams = q
    .selectFrom('team_members')
    .select('team_id')
    .where('account_id', '=', list.accountId)
    .where('person_id', '=', list.memberId);
  let base = q
    .selectFrom('schedules')
    .where('account_id', '=', list.accountId)
    .where('status', '<>', 'deleted');
  if (list.myTeam) base = base.where('team_id', 'in', myTeams);
  if (list.myManage) base = base.where('team_id', 'in', myTeams).where('creator_id', '=', list.memberId);
  if (list.teamIds && list.teamIds.length > 0) base = base.where('team_id', 'in', [...list.teamIds]);
  if (list.query) {
    const pattern = `%${list.query.replace(/[\\%_]/g, '\\$&')}%`;
    base = base.where('schedule_name', 'ilike', pattern);
  }
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('schedule_id', 'desc').offset(list.offset).limit(list.limit).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Which of these people are live members of the account. */
export async function liveMembers(
  q: Executor,
  accountId: number,
  ids: readonly number[],
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await q
    .selectFrom('members')
    .select('member_id')
    .where('account_id', '=', accountId)
    .where('member_id', 'in', [...ids])
    .where('status', '<>', 'deleted')
    .execute();
  return new Set(rows.map((r) => r.member_id));
}

export async function liveTeam(q: Executor, accountId: number, teamId: number): Promise<boolean> {
  const row = await q
    .selectFrom('teams')
    .select('team_id')
    .where('account_id', '=', accountId)
    .where('team_id', '=', teamId)
    .where('status', '<>', 'deleted')
    .executeTakeFirst();
  return row !== undefined;
}

export async function accountTimeZone(q: Executor, accountId: number): Promise<string> {
  const row = await q
    .selectFrom('accounts')
    .select('time_zone')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row?.time_zone ?? 'UTC';
}
