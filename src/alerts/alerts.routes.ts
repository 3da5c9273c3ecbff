import type { AppDeps } from '../http/app.ts';
import { toPage } from '../http/pagination.ts';
import { type Api, openApi } from '../http/route.ts';
import {
  cappedTotal,
  checkTimeWindow,
  MAX_WINDOW_SECONDS,
  pageOfRows,
  parseCsv,
  toSearchPage,
} from '../http/search-paging.ts';
import { listFeedEntries } from '../incidents/feed.query.ts';
import { notFound } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { loadAlertContext, toAlertEventItem, toAlertItem, toFeedItem } from './alerts.mapper.ts';
import { eventsOfAlert, findAlert, getAlerts, searchAlerts, searchEvents } from './alerts.query.ts';
import * as S from './alerts.schemas.ts';

const LIST_DEFAULT_LIMIT = 20;
const FEED_DEFAULT_LIMIT = 20;
/** /alert/event/list answers at most this many events of an alert: its most recent ones. */
const ALERT_EVENTS_MAX = 1000;

/** The read side of alerts and raw events: on-call.openapi.en.json, tag "Alerts". */
export function registerAlertRoutes(app: Api, deps: AppDeps): void {
  const { db, clock } = deps;
  const Alerts = { tag: 'Alerts', permission: 'channels.read' } as const;

  const live = async (accountId: number, alertId: string) => {
    const row = await findAlert(db.q, accountId, alertId);
    if (!row) throw notFound(`alert ${alertId}`);
    return row;
  };

  openApi(
    app,
    '/alert/list',
    { ...Alerts, summary: 'Search alerts', input: S.AlertListRequest, data: S.AlertListResponse },
    async ({ actor, input }) => {
      checkTimeWindow(input.start_time, input.end_time);
      const orderBy = input.orderby ?? 'created_at';
      const asc = input.asc ?? false;
      const order = `${orderBy}.${asc ? 'asc' : 'desc'}`;
      const page = toSearchPage(input, LIST_DEFAULT_LIMIT, order);
      const { fetched, count } = await searchAlerts(
        db.q,
        {
          accountId: actor.accountId,
          startTime: input.start_time,
          endTime: input.end_time,
          timeColumn: input.by_updated_at ? 'updated_at' : 'created_at',
          orderBy,
          asc,
          active: input.is_active,
          everMuted: input.ever_muted,
          severities: parseCsv('alert_severity', input.alert_severity, S.STATUS_VALUES),
          channelIds: input.channel_ids,
          integrationIds: input.integration_ids,
          alertIds: input.alert_ids,
          alertKeys: input.alert_keys,
          title: input.title?.trim(),
          labels: input.labels,
        },
        page,
      );
      const { rows, ...paging } = pageOfRows(fetched, page.limit, order, (row) => ({
        value: row[orderBy],
        id: row.alert_id,
      }));
      const context = await loadAlertContext(db.q, actor.accountId, rows, { events: false });
      return { items: rows.map((row) => toAlertItem(row, context)), total: cappedTotal(count), ...paging };
    },
  );

  openApi(
    app,
    '/alert/info',
    { ...Alerts, summary: 'Get an alert', input: S.AlertInfoRequest, data: S.AlertItem },
    async ({ actor, input }) => {
      const row = await live(actor.accountId, input.alert_id);
      const context = await loadAlertContext(db.q, actor.accountId, [row], {
        events: input.include_events ?? false,
      });
      return toAlertItem(row, context);
    },
  );

  openApi(
    app,
    '/alert/list-by-ids',
    { ...Alerts, summary: 'Get alerts by id', input: S.AlertListByIdsRequest, data: S.AlertListResponse },
    async ({ actor, input }) => {
      const wanted = [...new Set(input.alert_ids.map((id) => id.toLowerCase()))];
      const found = new Map(
        (await getAlerts(db.q, actor.accountId, wanted)).map((row) => [row.alert_id, row]),
      );
      // In the order asked for, each once; unknown, deleted and other accounts' ids are left out.
      const rows = wanted.flatMap((id) => {
        const row = found.get(id);
        return row ? [row] : [];
      });
      const context = await loadAlertContext(db.q, actor.accountId, rows, { events: false });
      return {
        items: rows.map((row) => toAlertItem(row, context)),
        total: rows.length,
        has_next_page: false,
      };
    },
  );

  openApi(
    app,
    '/alert/event/list',
    {
      ...Alerts,
      summary: 'The raw events of an alert',
      input: S.AlertEventListRequest,
      data: S.AlertEventListResponse,
    },
    async ({ actor, input }) => {
      const alert = await live(actor.accountId, input.alert_id);
      const events = await eventsOfAlert(db.q, actor.accountId, alert.alert_id, ALERT_EVENTS_MAX);
      return { items: events.map(toAlertEventItem) };
    },
  );

  openApi(
    app,
    '/alert-event/list',
    {
      ...Alerts,
      summary: 'Search raw alert events',
      input: S.AlertEventGlobalListRequest,
      data: S.AlertEventGlobalListResponse,
    },
    async ({ actor, input }) => {
      // The spec makes the window optional: it defaults to the 31 days up to now (or up to end_time).
      const endTime = input.end_time ?? nowSeconds(clock);
      const startTime = input.start_time ?? Math.max(0, endTime - MAX_WINDOW_SECONDS);
      checkTimeWindow(startTime, endTime);
      const asc = input.asc ?? false;
      const order = `event_time.${asc ? 'asc' : 'desc'}`;
      const page = toSearchPage(input, LIST_DEFAULT_LIMIT, order);
      const { fetched, count } = await searchEvents(
        db.q,
        {
          accountId: actor.accountId,
          startTime,
          endTime,
          asc,
          integrationIds: input.integration_ids,
          integrationTypes: input.integration_types,
          channelIds: input.channel_ids,
          statuses: parseCsv('severities', input.severities, S.STATUS_VALUES),
        },
        page,
      );
      const { rows, ...paging } = pageOfRows(fetched, page.limit, order, (row) => ({
        value: row.event_time,
        id: row.event_id,
      }));
      return { items: rows.map(toAlertEventItem), total: cappedTotal(count), ...paging };
    },
  );

  openApi(
    app,
    '/alert/feed',
    { ...Alerts, summary: "An alert's timeline", input: S.AlertFeedRequest, data: S.FeedPage },
    async ({ actor, input }) => {
      const alert = await live(actor.accountId, input.alert_id);
      const page = toPage(input, FEED_DEFAULT_LIMIT);
      const fetched = await listFeedEntries(
        db.q,
        { accountId: actor.accountId, alertId: alert.alert_id },
        { types: input.types, asc: input.asc ?? false, offset: page.offset, limit: page.limit },
      );
      return {
        items: fetched.slice(0, page.limit).map(toFeedItem),
        has_next_page: fetched.length > page.limit,
      };
    },
  );
}
