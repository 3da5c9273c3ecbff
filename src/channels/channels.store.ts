import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { ChannelsTable } from '../db/schema.ts';

type Executor = Db['q'];

export type ChannelRow = Selectable<ChannelsTable>;

/** A live (not deleted) channel of the account; `lock` holds its row until the transaction ends. */
export async function findChannel(
  q: Executor,
  accountId: number,
  channelId: number,
  options: { lock?: boolean } = {},
): Promise<ChannelRow | undefined> {
  const query = q
    .selectFrom('channels')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('channel_id', '=', channelId)
    .where('status', '<>', 'deleted');
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

/** Live channels of the account with these ids, in no particular order. */
export async function getChannels(
  q: Executor,
  accountId: number,
  channelIds: readonly number[],
): Promise<Pick<ChannelRow, 'channel_id' | 'channel_name' | 'status' | 'team_id' | 'creator_id'>[]> {
  if (channelIds.length === 0) return [];
  return q
    .selectFrom('channels')
    .select(['channel_id', 'channel_name', 'status', 'team_id', 'creator_id'])
    .where('account_id', '=', accountId)
    .where('channel_id', 'in', [...channelIds])
    .where('status', '<>', 'deleted')
    .execute();
}

export async function insertChannel(q: Executor, values: Insertable<ChannelsTable>): Promise<number> {
  const row = await q.insertInto('channels').values(values).returning('channel_id').executeTakeFirstOrThrow();
  return row.channel_id;
}

/** Changes a live channel; false when there is none with this id in the account. */
export async function updateChannel(
  q: Executor,
  accountId: number,
  channelId: number,
  fields: Updateable<ChannelsTable>,
): Promise<boolean> {
  const row = await q
    .updateTable('channels')
    .set(fields)
    .where('account_id', '=', accountId)
    .where('channel_id', '=', channelId)
    .where('status', '<>', 'deleted')
    .returning('channel_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Which of these teams are live in the account. The rows stay share-locked until the transaction
 * ends, so a team cannot be deleted while a channel naming it is being written.
 */
export async function lockLiveTeams(
  q: Executor,
  accountId: number,
  teamIds: readonly number[],
): Promise<Set<number>> {
  if (teamIds.length === 0) return new Set();
  const rows = await q
    .selectFrom('teams')
    .select('team_id')
    .where('account_id', '=', accountId)
    .where('team_id', 'in', [...teamIds])
    .where('status', '<>', 'deleted')
    .forShare()
    .execute();
  return new Set(rows.map((r) => r.team_id));
}

/** A live integration that feeds only this channel (a private integration), if any. */
export async function findBoundIntegration(
  q: Executor,
  accountId: number,
  channelId: number,
): Promise<{ integration_id: number; name: string } | undefined> {
  return q
    .selectFrom('integrations')
    .select(['integration_id', 'name'])
    .where('account_id', '=', accountId)
    .where('channel_id', '=', channelId)
    .where('status', '<>', 'deleted')
    .orderBy('integration_id')
    .limit(1)
    .executeTakeFirst();
}

type ChannelListQuery = {
  accountId: number;
  memberId: number;
  /** Only channels owned by a team of the member. */
  myTeam: boolean;
  /** Only channels owned or managed by a team of the member. */
  myManaged: boolean;
  teamIds?: readonly number[] | undefined;
  channelIds?: readonly number[] | undefined;
  channelName?: string | undefined;
  query?: string | undefined;
  orderBy: 'created_at' | 'updated_at' | 'channel_name';
  asc: boolean;
  offset: number;
  limit: number;
};

export async function listChannels(
  q: Executor,
  list: ChannelListQuery,
): Promise<{ rows: ChannelRow[]; total: number }> {
  const myTeams = q
    .selectFrom('team_members')
    .select('team_id')
    .where('account_id', '=', list.accountId)
    .where('person_id', '=', list.memberId);
  let base = q
    .selectFrom('channels')
    .where('account_id', '=', list.accountId)
    .where('status', '<>', 'deleted');
  if (list.myTeam) base = base.where('team_id', 'in', myTeams);
  if (list.myManaged) {
    base = base.where((eb) =>
      eb.or([eb('team_id', 'in', myTeams), eb(sql`managing_team_ids`, '&&', sql`array(${myTeams})`)]),
    );
  }
  if (list.teamIds && list.teamIds.length > 0) base = base.where('team_id', 'in', [...list.teamIds]);
  if (list.channelIds && list.channelIds.length > 0) {
    base = base.where('channel_id', 'in', [...list.channelIds]);
  }
  if (list.channelName !== undefined) base = base.where('channel_name', '=', list.channelName);
  if (list.query) {
    const pattern = `%${list.query.replace(/[\\%_]/g, '\\$&')}%`;
    base = base.where((eb) =>
      eb.or([eb('channel_name', 'ilike', pattern), eb('description', 'ilike', pattern)]),
    );
  }
  const direction = list.asc ? 'asc' : 'desc';
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy(list.orderBy, direction)
      .orderBy('channel_id', direction)
      .offset(list.offset)
      .limit(list.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
