import { loadAlertContext, toAlertItem, toFeedItem } from '../alerts/alerts.mapper.ts';
import { listIncidentAlerts } from '../alerts/alerts.query.ts';
import { FeedPage } from '../alerts/alerts.schemas.ts';
import type { AppDeps } from '../http/app.ts';
import { toPage } from '../http/pagination.ts';
import { type Api, openApi } from '../http/route.ts';
import { cappedTotal, checkTimeWindow, pageOfRows, parseCsv, toSearchPage } from '../http/search-paging.ts';
import { notFound } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { listFeedEntries } from './feed.query.ts';
import { loadIncidentContext, toIncidentInfo } from './incidents.mapper.ts';
import { findIncident, getIncidents, searchIncidents } from './incidents.query.ts';
import * as S from './incidents.schemas.ts';

const LIST_DEFAULT_LIMIT = 20;
const FEED_DEFAULT_LIMIT = 20;
/** /incident/alert/list: up to 1000 alerts a page, 1000 by default (the spec's numbers). */
const INCIDENT_ALERTS_LIMIT = 1000;

/** The read side of incidents: on-call.openapi.en.json, tag "Incidents". */
export function registerIncidentRoutes(app: Api, deps: AppDeps): void {
  const { db, config, clock } = deps;
  const Incidents = { tag: 'Incidents', permission: 'incidents.read' } as const;

  const live = async (accountId: number, incidentId: string) => {
    const row = await findIncident(db.q, accountId, incidentId);
    if (!row) throw notFound(`incident ${incidentId}`);
    return row;
  };

  openApi(
    app,
    '/incident/info',
    { ...Incidents, summary: 'Get an incident', input: S.IncidentInfoRequest, data: S.IncidentInfo },
    async ({ actor, input }) => {
      const row = await live(actor.accountId, input.incident_id);
      const context = await loadIncidentContext(db.q, actor.accountId, [row], config.publicUrl, {
        postMortems: true,
      });
      return toIncidentInfo(row, context);
    },
  );

  openApi(
    app,
    '/incident/list',
    { ...Incidents, summary: 'Search incidents', input: S.IncidentListRequest, data: S.IncidentListResponse },
    async ({ actor, input }) => {
      checkTimeWindow(input.start_time, input.end_time);
      const asc = input.asc ?? false;
      const order = `start_time.${asc ? 'asc' : 'desc'}`;
      const search = {
        accountId: actor.accountId,
        memberId: actor.memberId,
        now: nowSeconds(clock),
        startTime: input.start_time,
        endTime: input.end_time,
        asc,
        progress: parseCsv('progress', input.progress, S.PROGRESS_VALUES),
        severities: parseCsv('incident_severity', input.incident_severity, S.INCIDENT_SEVERITY_VALUES),
        channelIds: input.channel_ids,
        teamIds: input.team_ids,
        responderIds: input.responder_ids,
        ackerIds: input.acker_ids,
        creatorIds: input.creator_ids,
        closerIds: input.closer_ids,
        incidentIds: input.incident_ids,
        nums: input.nums,
        query: input.query?.trim(),
        title: input.title?.trim(),
        isSnoozed: input.is_snoozed ?? false,
        everMuted: input.ever_muted ?? false,
        myTeam: input.is_my_team ?? false,
        myChannel: input.is_my_channel ?? false,
        rare: input.is_rare ?? false,
      };
      const page = toSearchPage(input, LIST_DEFAULT_LIMIT, order);
      const { fetched, count } = await searchIncidents(db.q, search, page);
      const { rows, ...paging } = pageOfRows(fetched, page.limit, order, (row) => ({
        value: row.start_time,
        id: row.incident_id,
      }));
      const context = await loadIncidentContext(db.q, actor.accountId, rows, config.publicUrl);
      return { items: rows.map((row) => toIncidentInfo(row, context)), total: cappedTotal(count), ...paging };
    },
  );

  openApi(
    app,
    '/incident/list-by-ids',
    {
      ...Incidents,
      summary: 'Get incidents by id',
      input: S.IncidentListByIdsRequest,
      data: S.IncidentListResponse,
    },
    async ({ actor, input }) => {
      const wanted = [...new Set(input.incident_ids.map((id) => id.toLowerCase()))];
      const found = new Map(
        (await getIncidents(db.q, actor.accountId, wanted)).map((row) => [row.incident_id, row]),
      );
      // In the order asked for, each once; unknown, deleted and other accounts' ids are left out.
      const rows = wanted.flatMap((id) => {
        const row = found.get(id);
        return row ? [row] : [];
      });
      const context = await loadIncidentContext(db.q, actor.accountId, rows, config.publicUrl);
      return {
        items: rows.map((row) => toIncidentInfo(row, context)),
        total: rows.length,
        has_next_page: false,
      };
    },
  );

  openApi(
    app,
    '/incident/feed',
    { ...Incidents, summary: "An incident's timeline", input: S.IncidentFeedRequest, data: FeedPage },
    async ({ actor, input }) => {
      const incident = await live(actor.accountId, input.incident_id);
      const page = toPage(input, FEED_DEFAULT_LIMIT);
      const fetched = await listFeedEntries(
        db.q,
        { accountId: actor.accountId, incidentId: incident.incident_id },
        { types: input.types, asc: input.asc ?? false, offset: page.offset, limit: page.limit },
      );
      return {
        items: fetched.slice(0, page.limit).map(toFeedItem),
        has_next_page: fetched.length > page.limit,
      };
    },
  );

  openApi(
    app,
    '/incident/alert/list',
    {
      ...Incidents,
      summary: 'The alerts of an incident',
      input: S.IncidentAlertListRequest,
      data: S.IncidentAlertListResponse,
    },
    async ({ actor, input }) => {
      const incident = await live(actor.accountId, input.incident_id);
      const page = toPage(
        { p: input.p || 1, limit: input.limit || INCIDENT_ALERTS_LIMIT },
        INCIDENT_ALERTS_LIMIT,
      );
      const { rows, total } = await listIncidentAlerts(
        db.q,
        { accountId: actor.accountId, incidentId: incident.incident_id, active: input.is_active },
        page,
      );
      const context = await loadAlertContext(db.q, actor.accountId, rows, {
        events: input.include_events ?? false,
      });
      const items = rows.map((row) => {
        const item = toAlertItem(row, context);
        return {
          ...item,
          severity: item.alert_severity,
          status: item.alert_status,
          trigger_time: item.start_time,
        };
      });
      return { items, total };
    },
  );
}
