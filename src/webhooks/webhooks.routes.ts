import type { AppDeps } from '../http/app.ts';
import { type Api, openApi } from '../http/route.ts';
import { cappedTotal } from '../http/search-paging.ts';
import { loadRelated } from '../incidents/related.store.ts';
import { attemptsOf } from '../notifications/delivery-attempts.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { ALERT_EVENT_TYPES, INCIDENT_EVENT_TYPES } from './webhook-settings.ts';
import {
  decodeCursor,
  encodeCursor,
  MAX_WINDOW_MS,
  toHistoryDetail,
  toHistoryItem,
} from './webhooks.history.ts';
import * as S from './webhooks.schemas.ts';
import { currentTitle, findDelivery, searchDeliveries } from './webhooks.store.ts';

const EVENT_TYPES: readonly string[] = [...ALERT_EVENT_TYPES, ...INCIDENT_EVENT_TYPES];

/** The outbound webhook delivery log: on-call.openapi.en.json, tag "Integrations". */
export function registerWebhookRoutes(app: Api, deps: AppDeps): void {
  const { db } = deps;
  const Webhooks = { tag: 'Integrations', permission: 'integrations.read' } as const;

  openApi(
    app,
    '/webhook/history/list',
    {
      ...Webhooks,
      summary: 'List webhook deliveries',
      input: S.HistoryListRequest,
      data: S.HistoryListResponse,
    },
    async ({ actor, input }) => {
      if (input.end_time <= input.start_time) {
        throw invalidParameter('end_time', 'must be greater than start_time');
      }
      if (input.end_time - input.start_time > MAX_WINDOW_MS) {
        throw invalidParameter('end_time', 'the window from start_time to end_time must not exceed 31 days');
      }
      input.event_types?.forEach((type, i) => {
        if (!EVENT_TYPES.includes(type)) {
          throw invalidParameter(`event_types[${i}]`, `${JSON.stringify(type)} is not a webhook event type`);
        }
      });
      const asc = input.asc ?? false;
      const order = `event_time.${asc ? 'asc' : 'desc'}`;
      const { fetched, count } = await searchDeliveries(db.q, {
        accountId: actor.accountId,
        startMs: input.start_time,
        endMs: input.end_time,
        integrationId: input.integration_id,
        refId: input.ref_id,
        eventTypes: input.event_types,
        status: input.status,
        asc,
        after: input.search_after_ctx ? decodeCursor(input.search_after_ctx, order) : undefined,
        limit: input.limit,
      });
      const rows = fetched.slice(0, input.limit);
      const last = rows.at(-1);
      return {
        items: rows.map(toHistoryItem),
        total: cappedTotal(count),
        search_after_ctx:
          fetched.length > input.limit && last
            ? encodeCursor(order, { eventTime: last.event_time, deliveryId: last.delivery_id })
            : '',
      };
    },
  );

  openApi(
    app,
    '/webhook/history/detail',
    {
      ...Webhooks,
      summary: 'Get a webhook delivery with its request and answer',
      input: S.HistoryDetailRequest,
      data: S.HistoryDetail,
    },
    async ({ actor, input }) => {
      const row = await findDelivery(db.q, actor.accountId, input.integration_id, input.event_id);
      if (!row) throw notFound(`webhook event ${input.event_id} of integration ${input.integration_id}`);
      const [title, related, attempts] = await Promise.all([
        currentTitle(db.q, row),
        loadRelated(db.q, actor.accountId, {
          channelIds: [row.channel_id],
          integrationIds: [],
          memberIds: [],
        }),
        attemptsOf(db.q, actor.accountId, 'webhook_deliveries', [row.delivery_id]),
      ]);
      return toHistoryDetail(row, {
        refTitle: title ?? row.ref_title,
        channelName: related.channels.get(row.channel_id)?.channel_name ?? '',
        attempts: attempts.get(row.delivery_id) ?? [],
      });
    },
  );
}
