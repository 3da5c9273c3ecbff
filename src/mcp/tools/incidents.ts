import Type from 'typebox';
import { SINCE_DESCRIPTION, timeWindow, UNTIL_DESCRIPTION } from '../time-args.ts';
import {
  call,
  csv,
  csvIds,
  csvObjectIds,
  defineTool,
  Paging,
  pageOf,
  slicePage,
  type ToolContext,
  ToolFailure,
} from '../tool.ts';

/* The incidents toolset: Flashduty's eight tools, over /incident/* of Vigil's Open API. */

const Severity = Type.Enum(['Info', 'Warning', 'Critical']);
const IncidentIds = Type.String({ description: 'Comma-separated incident ids (24 hexadecimal characters).' });
const DEFAULT_WINDOW = 30 * 86_400;

const queryIncidents = defineTool({
  name: 'query_incidents',
  toolset: 'incidents',
  title: 'Query incidents',
  description:
    'Search incidents by status, severity, channel, time window and text, or look them up by id. ' +
    'Without since/until: the last 30 days. Results are paged (limit, page).',
  write: false,
  input: Type.Object({
    incident_ids: Type.Optional(
      Type.String({
        description: 'Comma-separated incident ids for direct lookup; other filters are ignored.',
      }),
    ),
    progress: Type.Optional(
      Type.String({ description: 'Triggered, Processing, Closed; comma-separated for several.' }),
    ),
    severity: Type.Optional(Severity),
    channel_ids: Type.Optional(Type.String({ description: 'Comma-separated channel ids.' })),
    since: Type.Optional(Type.String({ description: SINCE_DESCRIPTION })),
    until: Type.Optional(Type.String({ description: UNTIL_DESCRIPTION })),
    query: Type.Optional(
      Type.String({ maxLength: 200, description: 'Free text over title, description and labels.' }),
    ),
    nums: Type.Optional(
      Type.String({ description: 'Comma-separated short numbers (the 6 characters shown).' }),
    ),
    ...Paging,
  }),
  async run(context, input) {
    const page = pageOf(input);
    if (input.incident_ids !== undefined) {
      const ids = csvObjectIds('incident_ids', input.incident_ids);
      const found = await call<{ items: unknown[] }>(context, '/incident/list-by-ids', { incident_ids: ids });
      return slicePage(found.items, page);
    }
    const { start, end } = timeWindow(input, context.now(), DEFAULT_WINDOW);
    const data = await call<{ items: unknown[]; total: number; has_next_page: boolean }>(
      context,
      '/incident/list',
      {
        start_time: start,
        end_time: end,
        progress: input.progress,
        incident_severity: input.severity,
        channel_ids: csvIds('channel_ids', input.channel_ids),
        query: input.query,
        nums: csv(input.nums),
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

const queryIncidentTimeline = defineTool({
  name: 'query_incident_timeline',
  toolset: 'incidents',
  title: 'Query incident timeline',
  description:
    'The timeline of incidents, oldest first: i_new (created), i_assign, i_ack, i_rslv (closed), i_notify, ' +
    'i_comm (comment), i_r_* (field changes), a_merge (an alert joined, with why). An entry with ' +
    'via = "assistant" was done by its member (creator_id) through an AI assistant.',
  write: false,
  input: Type.Object({ incident_ids: IncidentIds, ...Paging }),
  async run(context, input) {
    const page = pageOf(input);
    const incidents = [];
    for (const id of csvObjectIds('incident_ids', input.incident_ids)) {
      const data = await call<{ items: unknown[]; has_next_page: boolean }>(context, '/incident/feed', {
        incident_id: id,
        asc: true,
        p: page.page,
        limit: page.limit,
      });
      incidents.push({ incident_id: id, items: data.items, has_next_page: data.has_next_page });
    }
    return { page: page.page, limit: page.limit, incidents };
  },
});

const queryIncidentAlerts = defineTool({
  name: 'query_incident_alerts',
  toolset: 'incidents',
  title: 'Query incident alerts',
  description: 'The alerts grouped into incidents, paged per incident (limit, page).',
  write: false,
  input: Type.Object({ incident_ids: IncidentIds, ...Paging }),
  async run(context, input) {
    const page = pageOf(input);
    const incidents = [];
    for (const id of csvObjectIds('incident_ids', input.incident_ids)) {
      const data = await call<{ items: unknown[]; total: number }>(context, '/incident/alert/list', {
        incident_id: id,
        p: page.page,
        limit: page.limit,
      });
      incidents.push({
        incident_id: id,
        items: data.items,
        total: data.total,
        has_next_page: page.page * page.limit < data.total,
      });
    }
    return { page: page.page, limit: page.limit, incidents };
  },
});

/** The account's closed incidents most like this one, best first (/incident/past/list: title, labels, channel). */
export async function similarIncidents(context: ToolContext, incidentId: string, limit: number) {
  const data = await call<{ items: unknown[] }>(context, '/incident/past/list', {
    incident_id: incidentId,
    limit,
  });
  return data.items;
}

const listSimilarIncidents = defineTool({
  name: 'list_similar_incidents',
  toolset: 'incidents',
  title: 'List similar incidents',
  description:
    'Closed incidents like this one, to learn how they were resolved (/incident/past/list): each with its ' +
    'score (0–1) and its parts (title words, labels, same channel) and its latest comments.',
  write: false,
  input: Type.Object({
    incident_id: Type.String({ description: 'The incident to compare with.' }),
    limit: Paging.limit,
  }),
  async run(context, input) {
    const [id] = csvObjectIds('incident_id', input.incident_id);
    return { items: await similarIncidents(context, id!, input.limit ?? 20) };
  },
});

const createIncident = defineTool({
  name: 'create_incident',
  toolset: 'incidents',
  title: 'Create incident',
  description:
    'Open an incident by hand, as the member (recorded on its timeline as done via the assistant).',
  write: true,
  input: Type.Object({
    title: Type.String({ minLength: 3, maxLength: 200 }),
    severity: Severity,
    channel_id: Type.Optional(Type.Integer({ minimum: 1, description: 'The channel to open it in.' })),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    assigned_to: Type.Optional(
      Type.String({ description: 'Comma-separated person ids to assign (see query_members).' }),
    ),
  }),
  async run(context, input) {
    const people = csvIds('assigned_to', input.assigned_to);
    return call(context, '/incident/create', {
      title: input.title,
      incident_severity: input.severity,
      channel_id: input.channel_id,
      description: input.description,
      assigned_to: people ? { person_ids: people } : undefined,
    });
  },
});

const LongText = Type.Optional(Type.String({ minLength: 3, maxLength: 6144 }));

const updateIncident = defineTool({
  name: 'update_incident',
  toolset: 'incidents',
  title: 'Update incident',
  description:
    "Change an incident's title, description, severity, impact, root cause, resolution or custom fields.",
  write: true,
  input: Type.Object({
    incident_id: Type.String(),
    title: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
    description: LongText,
    severity: Type.Optional(Severity),
    impact: LongText,
    root_cause: LongText,
    resolution: LongText,
    custom_fields: Type.Optional(
      Type.String({ description: 'A JSON object {"field_name": value}; names match ^[a-z][a-z0-9_]*$.' }),
    ),
  }),
  async run(context, input) {
    const [id] = csvObjectIds('incident_id', input.incident_id);
    let fields: Record<string, unknown> = {};
    if (input.custom_fields !== undefined) {
      try {
        fields = JSON.parse(input.custom_fields) as Record<string, unknown>;
      } catch {
        throw new ToolFailure('InvalidParameter', 'custom_fields: not valid JSON');
      }
      if (
        typeof fields !== 'object' ||
        fields === null ||
        Array.isArray(fields) ||
        !Object.keys(fields).length
      )
        throw new ToolFailure(
          'InvalidParameter',
          'custom_fields: must be a JSON object with at least one field',
        );
      // Checked before any change, so a bad name cannot leave the incident half updated.
      for (const name of Object.keys(fields)) {
        if (!/^[a-z][a-z0-9_]{0,39}$/.test(name))
          throw new ToolFailure(
            'InvalidParameter',
            `custom_fields: "${name}" is not a field name (^[a-z][a-z0-9_]{0,39}$)`,
          );
      }
    }
    const builtIn = {
      title: input.title,
      description: input.description,
      incident_severity: input.severity,
      impact: input.impact,
      root_cause: input.root_cause,
      resolution: input.resolution,
    };
    const changed = Object.entries(builtIn)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);
    if (changed.length === 0 && Object.keys(fields).length === 0)
      throw new ToolFailure('InvalidParameter', 'give at least one field to change');
    if (changed.length > 0) await call(context, '/incident/reset', { incident_id: id, ...builtIn });
    for (const [field_name, field_value] of Object.entries(fields)) {
      await call(context, '/incident/field/reset', { incident_id: id, field_name, field_value });
    }
    return { incident_id: id, updated: [...changed, ...Object.keys(fields)] };
  },
});

const ackIncident = defineTool({
  name: 'ack_incident',
  toolset: 'incidents',
  title: 'Acknowledge incidents',
  description: 'Acknowledge incidents as the member (Triggered → Processing), recorded on each timeline.',
  write: true,
  input: Type.Object({ incident_ids: IncidentIds }),
  async run(context, input) {
    const ids = csvObjectIds('incident_ids', input.incident_ids);
    await call(context, '/incident/ack', { incident_ids: ids });
    return { acknowledged: ids };
  },
});

const closeIncident = defineTool({
  name: 'close_incident',
  toolset: 'incidents',
  title: 'Close incidents',
  description: 'Close (resolve) incidents as the member, recorded on each timeline.',
  write: true,
  input: Type.Object({ incident_ids: IncidentIds }),
  async run(context, input) {
    const ids = csvObjectIds('incident_ids', input.incident_ids);
    await call(context, '/incident/resolve', { incident_ids: ids });
    return { closed: ids };
  },
});

const deliveryLog = defineTool({
  name: 'delivery_log',
  toolset: 'incidents',
  title: 'Delivery log',
  description:
    "Vigil's own: who was notified of an incident, by which channel (email, sms, voice, IM, webhook), " +
    'every attempt and what failed (error kind and message). Failed deliveries first.',
  write: false,
  input: Type.Object({ incident_id: Type.String(), ...Paging }),
  async run(context, input) {
    const [id] = csvObjectIds('incident_id', input.incident_id);
    const data = await call<{ items: { status: string; recipient: string; channel: string }[] }>(
      context,
      '/incident/notification/list',
      { incident_id: id },
    );
    const rank = { failed: 0, pending: 1, success: 2 } as Record<string, number>;
    const items = [...data.items].sort((a, b) => (rank[a.status] ?? 3) - (rank[b.status] ?? 3));
    const summary = { success: 0, failed: 0, pending: 0 } as Record<string, number>;
    for (const item of items) summary[item.status] = (summary[item.status] ?? 0) + 1;
    return { summary, ...slicePage(items, pageOf(input)) };
  },
});

export const INCIDENT_TOOLS = [
  queryIncidents,
  queryIncidentTimeline,
  queryIncidentAlerts,
  listSimilarIncidents,
  createIncident,
  updateIncident,
  ackIncident,
  closeIncident,
  deliveryLog,
];
