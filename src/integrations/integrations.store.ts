import { type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { IntegrationsTable } from '../db/schema.ts';

type Executor = Db['q'];

export type IntegrationRow = Selectable<IntegrationsTable>;

/** A live (not deleted) integration of the account; `lock` holds its row until the transaction ends. */
export async function getIntegration(
  q: Executor,
  accountId: number,
  integrationId: number,
  lock?: 'update' | 'share',
): Promise<IntegrationRow | undefined> {
  let query = q
    .selectFrom('integrations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('integration_id', '=', integrationId)
    .where('status', '<>', 'deleted');
  if (lock === 'update') query = query.forUpdate();
  if (lock === 'share') query = query.forShare();
  return query.executeTakeFirst();
}

/** The integration a push key names, whatever its status (the caller decides what a status means). */
export async function getIntegrationByKey(q: Executor, key: string): Promise<IntegrationRow | undefined> {
  return q.selectFrom('integrations').selectAll().where('integration_key', '=', key).executeTakeFirst();
}

export type NewIntegration = {
  account_id: number;
  team_id: number;
  name: string;
  description: string;
  plugin_type: string;
  integration_key: string;
  channel_id: number;
  /** A webhook's settings; `{}` for other types. */
  settings: Record<string, unknown>;
  creator_id: number;
  now: number;
};

export async function insertIntegration(q: Executor, row: NewIntegration): Promise<number> {
  const { now, settings, ...values } = row;
  const { integration_id } = await q
    .insertInto('integrations')
    .values({ ...values, settings: JSON.stringify(settings), created_at: now, updated_at: now })
    .returning('integration_id')
    .executeTakeFirstOrThrow();
  return integration_id;
}

/** Changes a live integration; false when there is none with this id in the account. */
export async function updateIntegration(
  q: Executor,
  accountId: number,
  integrationId: number,
  change: Updateable<IntegrationsTable> & { updated_at: number },
): Promise<boolean> {
  const result = await q
    .updateTable('integrations')
    .set(change)
    .where('account_id', '=', accountId)
    .where('integration_id', '=', integrationId)
    .where('status', '<>', 'deleted')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export type IntegrationListQuery = {
  accountId: number;
  pluginTypes?: readonly string[] | undefined;
  status?: 'enabled' | 'disabled' | undefined;
  name?: string | undefined;
  teamIds?: readonly number[] | undefined;
  /** Only integrations of teams this member belongs to. */
  memberTeamsOf?: number | undefined;
  channelId?: number | undefined;
  orderBy: 'created_at' | 'updated_at' | 'name';
  asc: boolean;
  offset: number;
  limit: number;
};

export async function listIntegrations(
  q: Executor,
  list: IntegrationListQuery,
): Promise<{ rows: IntegrationRow[]; total: number }> {
  if (list.pluginTypes?.length === 0 || list.teamIds?.length === 0) return { rows: [], total: 0 };
  let base = q
    .selectFrom('integrations')
    .where('account_id', '=', list.accountId)
    .where('status', '<>', 'deleted');
  if (list.pluginTypes) base = base.where('plugin_type', 'in', [...list.pluginTypes]);
  if (list.status) base = base.where('status', '=', list.status);
  if (list.name) base = base.where('name', 'ilike', `%${list.name.replace(/[\\%_]/g, '\\$&')}%`);
  if (list.teamIds) base = base.where('team_id', 'in', [...list.teamIds]);
  if (list.channelId !== undefined) base = base.where('channel_id', '=', list.channelId);
  if (list.memberTeamsOf !== undefined) {
    const personId = list.memberTeamsOf;
    base = base.where((eb) =>
      eb(
        'team_id',
        'in',
        eb.selectFrom('team_members as tm').where('tm.person_id', '=', personId).select('tm.team_id'),
      ),
    );
  }
  const direction = list.asc ? 'asc' : 'desc';
  // Names sort case-insensitively by code point, the same on every server whatever its collation.
  const order = list.orderBy === 'name' ? sql`lower(name) collate "C"` : sql.ref<number>(list.orderBy);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy(order, direction)
      .orderBy('integration_id', direction)
      .offset(list.offset)
      .limit(list.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Which of these ids are live (not deleted) channels of the account. */
export async function liveChannelIds(
  q: Executor,
  accountId: number,
  channelIds: readonly number[],
): Promise<Set<number>> {
  if (channelIds.length === 0) return new Set();
  const rows = await q
    .selectFrom('channels')
    .select('channel_id')
    .where('account_id', '=', accountId)
    .where('channel_id', 'in', [...new Set(channelIds)])
    .where('status', '<>', 'deleted')
    // Share-locked: a channel being deleted waits for, or is seen by, the transaction binding it.
    .forShare()
    .execute();
  return new Set(rows.map((r) => r.channel_id));
}

/** The plugin types of those of these ids that are live (not deleted) integrations of the account. */
export async function liveIntegrationTypes(
  q: Executor,
  accountId: number,
  integrationIds: readonly number[],
): Promise<Map<number, string>> {
  if (integrationIds.length === 0) return new Map();
  const rows = await q
    .selectFrom('integrations')
    .select(['integration_id', 'plugin_type'])
    .where('account_id', '=', accountId)
    .where('integration_id', 'in', [...new Set(integrationIds)])
    .where('status', '<>', 'deleted')
    .execute();
  return new Map(rows.map((r) => [r.integration_id, r.plugin_type]));
}
