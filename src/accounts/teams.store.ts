import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { TeamsTable } from '../db/schema.ts';

type Executor = Db['q'];

export type TeamRow = Selectable<TeamsTable> & {
  person_ids: number[];
  creator_name: string;
  updated_by_name: string;
};

function selectTeams(q: Executor) {
  return q
    .selectFrom('teams')
    .selectAll('teams')
    .select([
      sql<
        number[]
      >`array(select person_id from team_members tm where tm.team_id = teams.team_id order by person_id)`.as(
        'person_ids',
      ),
      sql<string>`coalesce((select member_name from members m where m.member_id = teams.creator_id), '')`.as(
        'creator_name',
      ),
      sql<string>`coalesce((select member_name from members m where m.member_id = teams.updated_by), '')`.as(
        'updated_by_name',
      ),
    ]);
}

export type TeamSelector = {
  team_id?: number | undefined;
  team_name?: string | undefined;
  ref_id?: string | undefined;
};

/** The live team a selector names; `forUpdate` locks its row until the transaction ends. */
export async function findTeam(
  q: Executor,
  accountId: number,
  by: TeamSelector,
  options: { forUpdate?: boolean } = {},
): Promise<TeamRow | undefined> {
  let query = selectTeams(q).where('account_id', '=', accountId).where('status', '<>', 'deleted');
  if (options.forUpdate) query = query.forUpdate('teams');
  if (by.team_id !== undefined) query = query.where('team_id', '=', by.team_id);
  if (by.team_name !== undefined) query = query.where('team_name', '=', by.team_name);
  if (by.ref_id !== undefined) query = query.where('ref_id', '=', by.ref_id);
  return query.executeTakeFirst();
}

export async function getTeams(
  q: Executor,
  accountId: number,
  teamIds: readonly number[],
): Promise<TeamRow[]> {
  if (teamIds.length === 0) return [];
  return selectTeams(q)
    .where('account_id', '=', accountId)
    .where('team_id', 'in', [...teamIds])
    .where('status', '<>', 'deleted')
    .execute();
}

export type TeamListQuery = {
  accountId: number;
  personId?: number | undefined;
  query?: string | undefined;
  orderBy: 'created_at' | 'updated_at' | 'team_name';
  asc: boolean;
  offset: number;
  limit: number;
};

export async function listTeams(
  q: Executor,
  list: TeamListQuery,
): Promise<{ rows: TeamRow[]; total: number }> {
  let base = q.selectFrom('teams').where('account_id', '=', list.accountId).where('status', '<>', 'deleted');
  if (list.personId !== undefined) {
    const personId = list.personId;
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom('team_members as tm')
          .whereRef('tm.team_id', '=', 'teams.team_id')
          .where('tm.person_id', '=', personId)
          .select('tm.team_id'),
      ),
    );
  }
  if (list.query) base = base.where('team_name', 'ilike', `%${list.query.replace(/[\\%_]/g, '\\$&')}%`);
  const direction = list.asc ? 'asc' : 'desc';
  const [ids, count] = await Promise.all([
    base
      .select('team_id')
      .orderBy(list.orderBy, direction)
      .orderBy('team_id', direction)
      .offset(list.offset)
      .limit(list.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const rows = await getTeams(
    q,
    list.accountId,
    ids.map((r) => r.team_id),
  );
  const order = new Map(ids.map((r, i) => [r.team_id, i]));
  return { rows: rows.sort((a, b) => order.get(a.team_id)! - order.get(b.team_id)!), total: Number(count.n) };
}

export async function replaceTeamMembers(
  q: Executor,
  accountId: number,
  teamId: number,
  personIds: readonly number[],
): Promise<void> {
  await q.deleteFrom('team_members').where('team_id', '=', teamId).execute();
  if (personIds.length === 0) return;
  await q
    .insertInto('team_members')
    .values(
      [...new Set(personIds)].map((person_id) => ({ team_id: teamId, person_id, account_id: accountId })),
    )
    .execute();
}

/** Whether a live channel names the team as owner or manager (a team in use cannot be deleted). */
export async function isTeamReferenced(q: Executor, accountId: number, teamId: number): Promise<boolean> {
  const row = await q
    .selectFrom('channels')
    .select('channel_id')
    .where('account_id', '=', accountId)
    .where('status', '<>', 'deleted')
    .where((eb) =>
      eb.or([eb('team_id', '=', teamId), eb(sql`${teamId}::bigint`, '=', sql`any(managing_team_ids)`)]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
