import Type from 'typebox';
import { SINCE_DESCRIPTION, timeWindow, UNTIL_DESCRIPTION } from '../time-args.ts';
import { call, csv, csvIds, csvObjectIds, defineTool, Paging, pageOf, slicePage } from '../tool.ts';

/* The changes toolset: Flashduty's query_changes, and Vigil's related_changes. */

const queryChanges = defineTool({
  name: 'query_changes',
  toolset: 'changes',
  title: 'Query changes',
  description:
    'Search change records (deployments, config changes) by channel, time window and type, or by id. ' +
    'Without since/until: the last 7 days. Paged (limit, page).',
  write: false,
  input: Type.Object({
    change_ids: Type.Optional(Type.String({ description: 'Comma-separated change ids for direct lookup.' })),
    channel_ids: Type.Optional(Type.String({ description: 'Comma-separated channel ids.' })),
    since: Type.Optional(Type.String({ description: SINCE_DESCRIPTION })),
    until: Type.Optional(Type.String({ description: UNTIL_DESCRIPTION })),
    type: Type.Optional(
      Type.String({ maxLength: 100, description: 'The change type: the value of its `type` label.' }),
    ),
    ...Paging,
  }),
  async run(context, input) {
    const page = pageOf(input);
    if (input.change_ids !== undefined) {
      const items = [];
      for (const id of csvObjectIds('change_ids', input.change_ids))
        items.push(await call(context, '/change/info', { change_id: id }));
      return slicePage(items, page);
    }
    const { start, end } = timeWindow(input, context.now(), 7 * 86_400);
    const data = await call<{ items: unknown[]; total: number; has_next_page: boolean }>(
      context,
      '/change/list',
      {
        start_time: start,
        end_time: end,
        channel_ids: csvIds('channel_ids', input.channel_ids),
        filters: input.type ? [[{ key: 'labels.type', oper: 'IN', vals: csv(input.type) }]] : undefined,
        p: page.page,
        limit: page.limit,
      },
    );
    return {
      items: data.items,
      total: data.total,
      page: page.page,
      limit: page.limit,
      has_next_page: data.has_next_page,
    };
  },
});

const relatedChanges = defineTool({
  name: 'related_changes',
  toolset: 'changes',
  title: 'Related changes',
  description:
    "Vigil's own: the changes most likely related to an incident, ranked — those shortly before it that share " +
    "labels with it (matched_labels, seconds_before, score), within the account's correlation window.",
  write: false,
  input: Type.Object({ incident_id: Type.String(), limit: Paging.limit }),
  async run(context, input) {
    const [id] = csvObjectIds('incident_id', input.incident_id);
    return call(context, '/incident/change/list', { incident_id: id, limit: input.limit ?? 20 });
  },
});

export const CHANGE_TOOLS = [queryChanges, relatedChanges];
