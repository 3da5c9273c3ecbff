import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { AppDeps } from '../http/app.ts';
import { type Api, envelope, openApi } from '../http/route.ts';
import { cappedTotal, checkTimeWindow, pageOfRows, toSearchPage } from '../http/search-paging.ts';
import { findIncident } from '../incidents/incidents.query.ts';
import { pushAuth } from '../ingest/push-auth.ts';
import { notFound } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { ChangePushBody, normalizeChangeEvent } from './change-event.ts';
import { checkFilters, filtersSql, querySql, type RegexUse } from './change-filters.ts';
import { loadChangeContext, toChangeItem } from './changes.mapper.ts';
import { checkRegexes, findChange, searchChanges } from './changes.query.ts';
import * as S from './changes.schemas.ts';
import { recordChangeEvent } from './changes.service.ts';
import { correlationSettings, relatedChanges, saveCorrelationSettings } from './related-changes.ts';

const LIST_DEFAULT_LIMIT = 10;
/** The window /change/list searches when the request gives no start_time: the hour before end_time. */
const DEFAULT_WINDOW_SECONDS = 3600;
/** include_events on a list: each change's most recent events, this many at most. */
const LIST_EVENTS_PER_CHANGE = 100;
/** /change/info: a change's most recent events, this many at most. */
const INFO_EVENTS_MAX = 1000;
const RELATED_DEFAULT_LIMIT = 20;

const ChangePushData = Type.Object({ change_id: Type.String(), change_key: Type.String() });

/**
 * Changes: the push endpoint (change.standard integrations, seed 002), /change/list
 * (openapi.legacy.zh.json), and Vigil's /change/info, /incident/change/list (correlation with an
 * incident) and /change/correlation/{info,upsert}. Decisions: docs/changes.md.
 */
export function registerChangeRoutes(app: Api, deps: AppDeps): void {
  const { db, clock } = deps;
  const integrationFor = pushAuth(deps);
  const Changes = { tag: 'Changes', permission: 'incidents.read' } as const;

  // Untyped registration, as in http/route.ts: the response schema checks the shape at run time.
  (app as unknown as FastifyInstance).route({
    method: 'POST',
    url: '/event/push/change/standard',
    schema: {
      tags: ['Event push'],
      summary: 'Push one change event (standard change integration)',
      security: [],
      querystring: Type.Object({ integration_key: Type.String() }),
      body: ChangePushBody,
      response: { 200: envelope(ChangePushData) },
    },
    handler: async (request, reply) => {
      const integration = await integrationFor(request, reply, 'change.standard');
      const event = normalizeChangeEvent(request.body as Static<typeof ChangePushBody>, nowSeconds(clock));
      const recorded = await recordChangeEvent(deps, integration, event);
      return { request_id: request.id, data: { change_id: recorded.changeId, change_key: event.changeKey } };
    },
  });

  openApi(
    app,
    '/change/list',
    { ...Changes, summary: 'Search changes', input: S.ChangeListRequest, data: S.ChangeListResponse },
    async ({ actor, input }) => {
      // 0 is Go's zero value, an absent time.
      const endTime = input.end_time || nowSeconds(clock);
      const startTime = input.start_time || Math.max(0, endTime - DEFAULT_WINDOW_SECONDS);
      checkTimeWindow(startTime, endTime);
      const orderBy = input.order_by ?? input.orderby ?? 'start_time';
      const asc = input.asc ?? false;
      const order = `${orderBy}.${asc ? 'asc' : 'desc'}`;
      const page = toSearchPage(input, LIST_DEFAULT_LIMIT, order);

      const where = [];
      const regexes: RegexUse[] = [];
      const query = input.query?.trim();
      if (query) {
        const searched = querySql(query);
        where.push(searched.where);
        if (searched.regex) regexes.push(searched.regex);
      }
      const filters = input.filters ?? [];
      regexes.push(...checkFilters(filters));
      const filtered = filtersSql(filters);
      if (filtered) where.push(filtered);
      await checkRegexes(db.q, regexes);

      const { fetched, count } = await searchChanges(
        db.q,
        {
          accountId: actor.accountId,
          startTime,
          endTime,
          orderBy,
          asc,
          channelIds: input.channel_ids,
          integrationIds: input.integration_ids,
          where,
        },
        page,
      );
      const { rows, ...paging } = pageOfRows(fetched, page.limit, order, (row) => ({
        value: row[orderBy],
        id: row.change_id,
      }));
      const context = await loadChangeContext(db.q, actor.accountId, rows, {
        eventsPerChange: input.include_events ? LIST_EVENTS_PER_CHANGE : undefined,
      });
      return { items: rows.map((row) => toChangeItem(row, context)), total: cappedTotal(count), ...paging };
    },
  );

  openApi(
    app,
    '/change/info',
    { ...Changes, summary: 'Get a change with its events', input: S.ChangeInfoRequest, data: S.ChangeItem },
    async ({ actor, input }) => {
      const row = await findChange(db.q, actor.accountId, input.change_id);
      if (!row) throw notFound(`change ${input.change_id}`);
      const context = await loadChangeContext(db.q, actor.accountId, [row], {
        eventsPerChange: INFO_EVENTS_MAX,
      });
      return toChangeItem(row, context);
    },
  );

  openApi(
    app,
    '/incident/change/list',
    {
      ...Changes,
      summary: 'The changes that may have caused an incident, best first',
      input: S.IncidentChangeListRequest,
      data: S.IncidentChangeListResponse,
    },
    async ({ actor, input }) => {
      const incident = await findIncident(db.q, actor.accountId, input.incident_id);
      if (!incident) throw notFound(`incident ${input.incident_id}`);
      const stored = await correlationSettings(db.q, actor.accountId);
      const settings = {
        labelKeys: input.label_keys ? [...new Set(input.label_keys)] : stored.labelKeys,
        windowSeconds: input.window_seconds ?? stored.windowSeconds,
      };
      const { ranked, window } = await relatedChanges(db.q, incident, settings);
      const top = ranked.slice(0, input.limit || RELATED_DEFAULT_LIMIT);
      const context = await loadChangeContext(
        db.q,
        actor.accountId,
        top.map((related) => related.change),
        { eventsPerChange: input.include_events ? LIST_EVENTS_PER_CHANGE : undefined },
      );
      return {
        items: top.map(({ change, correlation }) => ({ ...toChangeItem(change, context), correlation })),
        total: cappedTotal(ranked.length),
        label_keys: [...settings.labelKeys],
        window_seconds: settings.windowSeconds,
        start_time: window.from,
        end_time: window.to,
      };
    },
  );

  const settingsData = (settings: Awaited<ReturnType<typeof correlationSettings>>) => ({
    label_keys: [...settings.labelKeys],
    window_seconds: settings.windowSeconds,
    is_default: settings.isDefault,
  });

  openApi(
    app,
    '/change/correlation/info',
    {
      ...Changes,
      summary: "The account's change-correlation settings",
      input: S.CorrelationInfoRequest,
      data: S.CorrelationSettings,
    },
    async ({ actor }) => settingsData(await correlationSettings(db.q, actor.accountId)),
  );

  openApi(
    app,
    '/change/correlation/upsert',
    {
      tag: 'Changes',
      permission: 'integrations.manage',
      summary: "Set the account's change-correlation keys and look-back window",
      input: S.CorrelationUpsertRequest,
      data: S.CorrelationSettings,
    },
    async ({ actor, input }) => {
      const stored = await correlationSettings(db.q, actor.accountId);
      const settings = {
        labelKeys: input.label_keys ? [...new Set(input.label_keys)] : stored.labelKeys,
        windowSeconds: input.window_seconds ?? stored.windowSeconds,
      };
      await saveCorrelationSettings(db.q, actor.accountId, settings, {
        memberId: actor.memberId,
        now: nowSeconds(clock),
      });
      return settingsData({ ...settings, isDefault: false });
    },
  );
}
