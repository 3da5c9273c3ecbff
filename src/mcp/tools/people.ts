import Type from 'typebox';
import { call, csvIds, defineTool, Paging, pageOf, slicePage } from '../tool.ts';

/* The users, channels and fields toolsets: Flashduty's query_members … query_fields. */

type Listed = { items: unknown[]; total: number };

const listed = (data: Listed, page: { page: number; limit: number }) => ({
  items: data.items,
  total: data.total,
  page: page.page,
  limit: page.limit,
  has_next_page: page.page * page.limit < data.total,
});

const queryMembers = defineTool({
  name: 'query_members',
  toolset: 'users',
  title: 'Query members',
  description: 'Members of the account, by id or by a name or e-mail search. Paged (limit, page).',
  write: false,
  input: Type.Object({
    person_ids: Type.Optional(Type.String({ description: 'Comma-separated person ids for direct lookup.' })),
    name: Type.Optional(Type.String({ maxLength: 256, description: 'Part of the member name.' })),
    email: Type.Optional(Type.String({ maxLength: 256, description: 'Part of the e-mail address.' })),
    ...Paging,
  }),
  async run(context, input) {
    const page = pageOf(input);
    const ids = csvIds('person_ids', input.person_ids);
    if (ids?.length) {
      const data = await call<{ items: unknown[] }>(context, '/person/infos', { person_ids: ids });
      return slicePage(data.items, page);
    }
    const data = await call<Listed>(context, '/member/list', {
      query: input.name ?? input.email,
      p: page.page,
      limit: page.limit,
    });
    return listed(data, page);
  },
});

const queryTeams = defineTool({
  name: 'query_teams',
  toolset: 'users',
  title: 'Query teams',
  description: 'Teams of the account (with their members), by id or by a name search. Paged (limit, page).',
  write: false,
  input: Type.Object({
    team_ids: Type.Optional(Type.String({ description: 'Comma-separated team ids for direct lookup.' })),
    name: Type.Optional(Type.String({ maxLength: 256, description: 'Part of the team name.' })),
    ...Paging,
  }),
  async run(context, input) {
    const page = pageOf(input);
    const ids = csvIds('team_ids', input.team_ids);
    if (ids?.length) {
      const data = await call<{ items: unknown[] }>(context, '/team/infos', { team_ids: ids });
      return slicePage(data.items, page);
    }
    return listed(
      await call<Listed>(context, '/team/list', { query: input.name, p: page.page, limit: page.limit }),
      page,
    );
  },
});

const queryChannels = defineTool({
  name: 'query_channels',
  toolset: 'channels',
  title: 'Query channels',
  description: 'Channels (collaboration spaces), by id or by a name search. Paged (limit, page).',
  write: false,
  input: Type.Object({
    channel_ids: Type.Optional(
      Type.String({ description: 'Comma-separated channel ids for direct lookup.' }),
    ),
    name: Type.Optional(Type.String({ maxLength: 59, description: 'Part of the channel name.' })),
    ...Paging,
  }),
  async run(context, input) {
    const page = pageOf(input);
    const data = await call<Listed & { has_next_page: boolean }>(context, '/channel/list', {
      channel_ids: csvIds('channel_ids', input.channel_ids),
      query: input.name,
      p: page.page,
      limit: page.limit,
    });
    return { ...listed(data, page), has_next_page: data.has_next_page };
  },
});

const queryEscalationRules = defineTool({
  name: 'query_escalation_rules',
  toolset: 'channels',
  title: 'Query escalation rules',
  description: "A channel's escalation rules: their layers, who each layer notifies, and when.",
  write: false,
  input: Type.Object({ channel_id: Type.Integer({ minimum: 1 }), ...Paging }),
  async run(context, input) {
    const data = await call<{ items: unknown[] }>(context, '/channel/escalate/rule/list', {
      channel_id: input.channel_id,
    });
    return slicePage(data.items, pageOf(input));
  },
});

const queryFields = defineTool({
  name: 'query_fields',
  toolset: 'fields',
  title: 'Query custom fields',
  description:
    'Custom field definitions of the account (/field/list), by comma-separated ids or by a part of the ' +
    'field or display name. Incidents carry their values under `fields`.',
  write: false,
  input: Type.Object({
    field_ids: Type.Optional(Type.String({ description: 'Comma-separated field ids for direct lookup.' })),
    field_name: Type.Optional(
      Type.String({ maxLength: 256, description: 'Part of the field or display name.' }),
    ),
  }),
  async run(context, input) {
    const { items } = await call<{ items: { field_id: string; field_name: string; display_name: string }[] }>(
      context,
      '/field/list',
      {},
    );
    const ids = input.field_ids
      ?.split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    const name = input.field_name?.toLowerCase();
    return {
      items: items.filter(
        (field) =>
          (!ids?.length || ids.includes(field.field_id)) &&
          (!name || `${field.field_name} ${field.display_name}`.toLowerCase().includes(name)),
      ),
    };
  },
});

export const PEOPLE_TOOLS = [queryMembers, queryTeams, queryChannels, queryEscalationRules, queryFields];
