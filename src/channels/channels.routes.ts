import type { AppDeps } from '../http/app.ts';
import { toPage } from '../http/pagination.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import { notFound } from '../shared/app-error.ts';
import * as S from './channels.schemas.ts';
import {
  createChannel,
  deleteChannel,
  setChannelStatus,
  toBriefChannelItem,
  toChannelItem,
  updateChannel,
} from './channels.service.ts';
import { findChannel, getChannels, listChannels } from './channels.store.ts';

const LIST_DEFAULT_LIMIT = 100;

/** Channels (collaboration spaces): on-call.openapi.en.json, tag "Channels". */
export function registerChannelRoutes(app: Api, deps: AppDeps): void {
  const { db } = deps;
  const Channels = { tag: 'Channels' };

  openApi(
    app,
    '/channel/create',
    {
      ...Channels,
      summary: 'Create a channel',
      permission: 'channels.manage',
      input: S.ChannelCreateRequest,
      data: S.ChannelCreateResponse,
    },
    async ({ actor, input }) => createChannel(deps, actor, input),
  );

  openApi(
    app,
    '/channel/list',
    {
      ...Channels,
      summary: 'List channels',
      permission: null,
      input: S.ChannelListRequest,
      data: S.ChannelListResponse,
    },
    async ({ actor, input }) => {
      const page = toPage(input, LIST_DEFAULT_LIMIT);
      // Vigil has no starring yet, so no channel is starred.
      if (input.is_my_starred) return { items: [], total: 0, has_next_page: false };
      const orderBy = input.orderby ?? 'ranking';
      const { rows, total } = await listChannels(db.q, {
        accountId: actor.accountId,
        memberId: actor.memberId,
        myTeam: input.is_my_team ?? false,
        myManaged: input.is_my_managed ?? false,
        teamIds: input.team_ids,
        channelIds: input.channel_ids,
        channelName: input.channel_name,
        query: input.query,
        // No manual ranking and no incidents yet: both orders fall back to creation time.
        orderBy: orderBy === 'ranking' || orderBy === 'last_incident_at' ? 'created_at' : orderBy,
        asc: input.asc ?? false,
        offset: page.offset,
        limit: page.limit,
      });
      return {
        items: rows.map(input.is_brief ? toBriefChannelItem : toChannelItem),
        total,
        has_next_page: page.offset + rows.length < total,
      };
    },
  );

  openApi(
    app,
    '/channel/info',
    {
      ...Channels,
      summary: 'Get a channel',
      permission: null,
      input: S.ChannelIdRequest,
      data: S.ChannelItem,
    },
    async ({ actor, input }) => {
      const channel = await findChannel(db.q, actor.accountId, input.channel_id);
      if (!channel) throw notFound(`channel ${input.channel_id}`);
      return toChannelItem(channel);
    },
  );

  openApi(
    app,
    '/channel/infos',
    {
      ...Channels,
      summary: 'Batch get channel names',
      permission: null,
      input: S.ChannelInfosRequest,
      data: S.ChannelInfosResponse,
    },
    async ({ actor, input }) => {
      const rows = await getChannels(db.q, actor.accountId, input.channel_ids);
      const byId = new Map(rows.map((r) => [r.channel_id, r]));
      // In the order asked for, each once; unknown and deleted ids are left out.
      const items = [...new Set(input.channel_ids)].flatMap((id) => {
        const row = byId.get(id);
        return row && row.status !== 'deleted'
          ? [
              {
                channel_id: row.channel_id,
                channel_name: row.channel_name,
                status: row.status,
                team_id: row.team_id,
                creator_id: row.creator_id,
              },
            ]
          : [];
      });
      return { items };
    },
  );

  openApi(
    app,
    '/channel/update',
    {
      ...Channels,
      summary: 'Update a channel (only the fields sent change)',
      permission: 'channels.manage',
      input: S.ChannelUpdateRequest,
      data: S.ChannelUpdateResponse,
    },
    async ({ actor, input }) => updateChannel(deps, actor, input),
  );

  openApi(
    app,
    '/channel/delete',
    {
      ...Channels,
      summary: 'Delete a channel',
      permission: 'channels.manage',
      input: S.ChannelIdRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await deleteChannel(deps, actor, input.channel_id);
      return {};
    },
  );

  for (const [verb, status] of [
    ['enable', 'enabled'],
    ['disable', 'disabled'],
  ] as const) {
    openApi(
      app,
      `/channel/${verb}`,
      {
        ...Channels,
        summary: `${verb === 'enable' ? 'Enable' : 'Disable'} a channel`,
        permission: 'channels.manage',
        input: S.ChannelIdRequest,
        data: Empty,
      },
      async ({ actor, input }) => {
        await setChannelStatus(deps, actor, input.channel_id, status);
        return {};
      },
    );
  }
}
