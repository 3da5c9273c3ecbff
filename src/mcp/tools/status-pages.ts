import Type from 'typebox';
import { parseTime } from '../time-args.ts';
import { call, csv, csvIds, defineTool, Paging, pageOf, slicePage, ToolFailure } from '../tool.ts';

/* The status_page toolset: Flashduty's four tools, over /status-page/* (reads are GET there). */

const IncidentStatus = Type.Enum(['investigating', 'identified', 'monitoring', 'resolved']);
const EventStatus = Type.Enum([
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'scheduled',
  'ongoing',
  'completed',
]);
const AFFECTED = new Set(['degraded', 'partial_outage', 'full_outage']);
const COMPONENT = new Set(['operational', 'degraded', 'partial_outage', 'full_outage', 'under_maintenance']);

const queryStatusPages = defineTool({
  name: 'query_status_pages',
  toolset: 'status_page',
  title: 'Query status pages',
  description: "Status pages with their sections and components (and each component's current status).",
  write: false,
  input: Type.Object({
    page_ids: Type.Optional(Type.String({ description: 'Comma-separated page ids; omit for all pages.' })),
    ...Paging,
  }),
  async run(context, input) {
    const wanted = csvIds('page_ids', input.page_ids);
    const pages = wanted
      ? await Promise.all(wanted.map((page_id) => call(context, '/status-page/info', { page_id }, 'GET')))
      : (await call<{ items: unknown[] }>(context, '/status-page/list', {}, 'GET')).items;
    return slicePage(pages, pageOf(input));
  },
});

const listStatusChanges = defineTool({
  name: 'list_status_changes',
  toolset: 'status_page',
  title: 'List status page events',
  description: 'The active (not resolved / not completed) incidents or maintenances of a status page.',
  write: false,
  input: Type.Object({
    page_id: Type.Integer({ minimum: 1 }),
    type: Type.Enum(['incident', 'maintenance']),
    ...Paging,
  }),
  async run(context, input) {
    const data = await call<{ items: unknown[] }>(
      context,
      '/status-page/change/active/list',
      { page_id: input.page_id, type: input.type },
      'GET',
    );
    return slicePage(data.items, pageOf(input));
  },
});

function affectedComponents(text: string | undefined) {
  return csv(text)?.map((pair) => {
    const [component_id, status] = pair.split(':').map((s) => s.trim());
    if (!component_id || !status || !AFFECTED.has(status))
      throw new ToolFailure(
        'InvalidParameter',
        `affected_components: "${pair}" is not id:status (status degraded, partial_outage or full_outage)`,
      );
    return { component_id, status };
  });
}

const createStatusIncident = defineTool({
  name: 'create_status_incident',
  toolset: 'status_page',
  title: 'Create status page incident',
  description: 'Publish an incident on a status page, with its first update and affected components.',
  write: true,
  input: Type.Object({
    page_id: Type.Integer({ minimum: 1 }),
    title: Type.String({ minLength: 1, maxLength: 255 }),
    message: Type.Optional(Type.String({ description: 'The first update; default: the title.' })),
    status: Type.Optional(IncidentStatus),
    affected_components: Type.Optional(
      Type.String({ description: 'Comma-separated id:status, e.g. 01J…:degraded,01K…:full_outage.' }),
    ),
    notify_subscribers: Type.Optional(Type.Boolean({ description: 'Default true.' })),
  }),
  async run(context, input) {
    const status = input.status ?? 'investigating';
    const description = input.message ?? input.title;
    return call(context, '/status-page/change/create', {
      page_id: input.page_id,
      type: 'incident',
      title: input.title,
      description,
      status,
      updates: [{ status, description, component_changes: affectedComponents(input.affected_components) }],
      notify_subscribers: input.notify_subscribers ?? true,
    });
  },
});

function componentChanges(text: string | undefined) {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ToolFailure('InvalidParameter', 'component_changes: not valid JSON');
  }
  if (!Array.isArray(parsed))
    throw new ToolFailure('InvalidParameter', 'component_changes: must be a JSON array');
  return parsed.map((item: { component_id?: unknown; status?: unknown }, i) => {
    if (
      typeof item?.component_id !== 'string' ||
      typeof item.status !== 'string' ||
      !COMPONENT.has(item.status)
    )
      throw new ToolFailure(
        'InvalidParameter',
        `component_changes[${i}]: needs component_id and a component status`,
      );
    return { component_id: item.component_id, status: item.status };
  });
}

const createChangeTimeline = defineTool({
  name: 'create_change_timeline',
  toolset: 'status_page',
  title: 'Add a status page update',
  description: 'Add an update to a status page incident or maintenance: message, status, component changes.',
  write: true,
  input: Type.Object({
    page_id: Type.Integer({ minimum: 1 }),
    change_id: Type.Integer({ minimum: 1 }),
    message: Type.String({ minLength: 1 }),
    at: Type.Optional(
      Type.String({ description: 'When: "5m" (ago), "now", Unix seconds, "2026-04-01 10:00:00".' }),
    ),
    status: Type.Optional(EventStatus),
    component_changes: Type.Optional(
      Type.String({ description: 'JSON array [{"component_id":"…","status":"degraded"}].' }),
    ),
  }),
  async run(context, input) {
    let status: string | undefined = input.status;
    if (status === undefined) {
      // The API needs the status; keep the event's current one.
      const event = await call<{ status: string }>(
        context,
        '/status-page/change/info',
        { page_id: input.page_id, change_id: input.change_id },
        'GET',
      );
      status = event.status;
    }
    return call(context, '/status-page/change/timeline/create', {
      page_id: input.page_id,
      change_id: input.change_id,
      status,
      description: input.message,
      at_seconds: input.at === undefined ? undefined : parseTime('at', input.at, context.now()),
      component_changes: componentChanges(input.component_changes),
    });
  },
});

export const STATUS_PAGE_TOOLS = [
  queryStatusPages,
  listStatusChanges,
  createStatusIncident,
  createChangeTimeline,
];
