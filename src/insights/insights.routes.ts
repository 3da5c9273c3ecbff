import type { FastifyInstance, FastifyReply } from 'fastify';
import Type, { type Static, type TSchema } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import type { AppDeps } from '../http/app.ts';
import { enforceRateLimit, RateLimit } from '../http/rate-limit.ts';
import { type Api, openApi } from '../http/route.ts';
import { chooseColumns, htmlToText, toCsv } from './csv.ts';
import * as S from './insights.schemas.ts';
import {
  accountInsight,
  channelInsight,
  incidentList,
  MAX_LIST_ROWS,
  responderInsight,
  saveInsightCalendarId,
  teamInsight,
  topkByLabel,
} from './insights.service.ts';
import { insightCalendarId } from './insights.store.ts';

/**
 * The insight API (on-call.openapi.en.json /insight/*, seed 004; docs/insights.md): account, team,
 * channel and responder metrics, the per-incident list, alert top-k by label, CSV exports, and
 * Vigil's /insight/settings/{info,upsert} (the calendar hour classes read days off from).
 */
export function registerInsightRoutes(app: Api, deps: AppDeps): void {
  const Insights = { tag: 'Insights', permission: 'analytics.read' } as const;
  // Exports: 10 a minute and 1 a second per account, on top of the account's own limit; off
  // where the operator turned account limits off (RATE_LIMIT_ACCOUNT_PER_* = 0).
  const limitsOn = deps.config.rateLimitAccountPerSecond > 0 || deps.config.rateLimitAccountPerMinute > 0;
  const exportLimit = new RateLimit(
    'insight-export',
    limitsOn
      ? [
          { points: 1, seconds: 1 },
          { points: 10, seconds: 60 },
        ]
      : [],
    deps.redis,
  );
  // The first query of an account derives the facts of all its incidents, and an export reads up to
  // MAX_LIST_ROWS of them: more than an ordinary statement may take (docs/engine.md, "Database faults").
  const long = <T>(work: () => Promise<T>) => deps.db.withStatementTimeout('long', work);

  openApi(
    app,
    '/insight/account',
    {
      ...Insights,
      summary: 'Account-wide incident metrics',
      input: S.InsightQueryRequest,
      data: S.AccountInsightResponse,
    },
    async ({ actor, input }) => ({ items: await long(() => accountInsight(deps, actor, input)) }),
  );
  openApi(
    app,
    '/insight/team',
    {
      ...Insights,
      summary: 'Incident metrics per team',
      input: S.InsightQueryRequest,
      data: S.TeamInsightResponse,
    },
    async ({ actor, input }) => ({ items: await long(() => teamInsight(deps, actor, input)) }),
  );
  openApi(
    app,
    '/insight/channel',
    {
      ...Insights,
      summary: 'Incident metrics per channel',
      input: S.InsightQueryRequest,
      data: S.ChannelInsightResponse,
    },
    async ({ actor, input }) => ({ items: await long(() => channelInsight(deps, actor, input)) }),
  );
  openApi(
    app,
    '/insight/responder',
    {
      ...Insights,
      summary: 'Response metrics per responder',
      input: S.InsightQueryRequest,
      data: S.ResponderInsightResponse,
    },
    async ({ actor, input }) => ({ items: await long(() => responderInsight(deps, actor, input)) }),
  );
  openApi(
    app,
    '/insight/incident/list',
    {
      ...Insights,
      summary: 'Per-incident response facts, paged',
      input: S.InsightIncidentListRequest,
      data: S.InsightIncidentListResponse,
    },
    async ({ actor, input }) => long(() => incidentList(deps, actor, input)),
  );
  openApi(
    app,
    '/insight/alert/topk-by-label',
    {
      ...Insights,
      summary: 'The label values (check or resource) with the most alerts',
      input: S.TopkRequest,
      data: S.TopkResponse,
    },
    async ({ actor, input }) => ({ items: await long(() => topkByLabel(deps, actor, input)) }),
  );

  openApi(
    app,
    '/insight/settings/info',
    {
      ...Insights,
      summary: 'Insight settings: the calendar of non-workdays for hour classes (Vigil)',
      input: S.InsightSettingsInfoRequest,
      data: S.InsightSettings,
    },
    async ({ actor }) => ({ cal_id: await insightCalendarId(deps.db.q, actor.accountId) }),
  );
  openApi(
    app,
    '/insight/settings/upsert',
    {
      tag: 'Insights',
      permission: 'calendars.manage',
      summary:
        "Set the calendar whose days off are non-workdays in insight hour classes ('' = Sat/Sun) (Vigil)",
      input: S.InsightSettingsUpsertRequest,
      data: S.InsightSettings,
    },
    async ({ actor, input }) => {
      await saveInsightCalendarId(deps, actor, input.cal_id);
      return { cal_id: input.cal_id };
    },
  );

  const csvExport = <B extends TSchema>(
    url: string,
    summary: string,
    input: B,
    build: (actor: Actor, body: Static<B>) => Promise<{ columns: string[]; rows: Record<string, unknown>[] }>,
  ) => {
    // Registered like openApi() does, but the answer is a CSV file rather than the JSON envelope.
    (app as unknown as FastifyInstance).route({
      method: 'POST',
      url,
      config: { appKey: { permission: Insights.permission } },
      schema: {
        tags: [Insights.tag],
        summary,
        description:
          'Permission: analytics.read. Answers text/csv; at most 10 calls a minute and 1 a second.',
        body: input,
        response: { 200: { content: { 'text/csv': { schema: Type.String() } } } },
      },
      handler: async (request, reply: FastifyReply) => {
        await enforceRateLimit(exportLimit, String(request.actor!.accountId), reply);
        const body = request.body as Static<B> & { export_fields?: string[] };
        const { columns, rows } = await long(() => build(request.actor!, body));
        const chosen = chooseColumns(columns, body.export_fields);
        const name = url.split('/')[2];
        return reply
          .header('Content-Type', 'text/csv; charset=utf-8')
          .header('Content-Disposition', `attachment; filename="insight-${name}.csv"`)
          .send(toCsv(chosen, rows));
      },
    });
  };

  csvExport(
    '/insight/incident/export',
    'Export per-incident rows as CSV',
    S.InsightIncidentListRequest,
    async (actor, body) => {
      const { items } = await incidentList(deps, actor, body, { maxRows: MAX_LIST_ROWS });
      const rows = items.map((item) => ({
        ...item,
        description: body.description_html_to_text ? htmlToText(item.description) : item.description,
        responders: item.responders.map((r) => r.person_name || r.person_id).join('; '),
        assigned_to: ((item.assigned_to?.person_ids as number[] | undefined) ?? []).join('; '),
      }));
      return { columns: Object.keys(S.InsightIncidentItem.properties), rows };
    },
  );
  const dimensionColumns = (first: string[]) => [
    'ts',
    'hours',
    ...first,
    ...Object.keys(S.AccountInsightResponse.properties.items.items.properties).filter(
      (key) => !['ts', 'hours', 'account_id'].includes(key),
    ),
  ];
  csvExport(
    '/insight/team/export',
    'Export team metrics as CSV',
    S.InsightQueryRequest,
    async (actor, body) => ({
      columns: dimensionColumns(['team_id', 'team_name']),
      rows: await teamInsight(deps, actor, body),
    }),
  );
  csvExport(
    '/insight/channel/export',
    'Export channel metrics as CSV',
    S.InsightQueryRequest,
    async (actor, body) => ({
      columns: dimensionColumns(['channel_id', 'channel_name', 'team_id', 'team_name']),
      rows: await channelInsight(deps, actor, body),
    }),
  );
  csvExport(
    '/insight/responder/export',
    'Export responder metrics as CSV',
    S.InsightQueryRequest,
    async (actor, body) => ({
      columns: Object.keys(S.ResponderInsightResponse.properties.items.items.properties),
      rows: await responderInsight(deps, actor, body),
    }),
  );
}
