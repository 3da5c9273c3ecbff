import type { Db } from '../db/db.ts';

type Executor = Db['q'];

/*
 * The rows incidents and alerts name by id (channels, integrations, members, the account), loaded
 * once per page of incidents or alerts: one query per kind, never one per row. Deleted channels,
 * integrations and members are included, so an old incident still shows the names it was
 * raised under.
 */

export type ChannelRef = { channel_name: string; status: string };
export type IntegrationRef = { name: string; plugin_type: string };
export type MemberRef = { member_name: string; email: string };
export type AccountRef = { account_name: string; locale: string; time_zone: string };

export type Related = {
  channels: ReadonlyMap<number, ChannelRef>;
  integrations: ReadonlyMap<number, IntegrationRef>;
  members: ReadonlyMap<number, MemberRef>;
};

export type RelatedIds = {
  channelIds: Iterable<number>;
  integrationIds: Iterable<number>;
  memberIds: Iterable<number>;
};

/** Positive ids, each once. */
function idsOf(values: Iterable<number>): number[] {
  return [...new Set(values)].filter((id) => id > 0);
}

export async function loadRelated(q: Executor, accountId: number, ids: RelatedIds): Promise<Related> {
  const channelIds = idsOf(ids.channelIds);
  const integrationIds = idsOf(ids.integrationIds);
  const memberIds = idsOf(ids.memberIds);
  const [channels, integrations, members] = await Promise.all([
    channelIds.length === 0
      ? []
      : q
          .selectFrom('channels')
          .select(['channel_id', 'channel_name', 'status'])
          .where('account_id', '=', accountId)
          .where('channel_id', 'in', channelIds)
          .execute(),
    integrationIds.length === 0
      ? []
      : q
          .selectFrom('integrations')
          .select(['integration_id', 'name', 'plugin_type'])
          .where('account_id', '=', accountId)
          .where('integration_id', 'in', integrationIds)
          .execute(),
    memberIds.length === 0
      ? []
      : q
          .selectFrom('members')
          .select(['member_id', 'member_name', 'email'])
          .where('account_id', '=', accountId)
          .where('member_id', 'in', memberIds)
          .execute(),
  ]);
  return {
    channels: new Map(
      channels.map((c) => [c.channel_id, { channel_name: c.channel_name, status: c.status }]),
    ),
    integrations: new Map(
      integrations.map((i) => [i.integration_id, { name: i.name, plugin_type: i.plugin_type }]),
    ),
    members: new Map(members.map((m) => [m.member_id, { member_name: m.member_name, email: m.email }])),
  };
}

export async function loadAccountRef(q: Executor, accountId: number): Promise<AccountRef> {
  const row = await q
    .selectFrom('accounts')
    .select(['account_name', 'locale', 'time_zone'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row ?? { account_name: '', locale: '', time_zone: '' };
}
