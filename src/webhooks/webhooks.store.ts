import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { WebhookDeliveriesTable } from '../db/schema.ts';
import { TOTAL_CAP } from '../http/search-paging.ts';

type Executor = Db['q'];

export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/** /webhook/history/list after validation. Only deliveries attempted at least once are history. */
export type HistorySearch = {
  accountId: number;
  /** The event_time window in ms, both ends included. */
  startMs: number;
  endMs: number;
  integrationId?: number | undefined;
  refId?: string | undefined;
  eventTypes?: readonly string[] | undefined;
  /** success: delivered; failed: the last attempt failed (whether or not another is scheduled). */
  status?: 'success' | 'failed' | undefined;
  asc: boolean;
  /** The page starts after this (event_time, delivery_id). */
  after: { eventTime: number; deliveryId: number } | undefined;
  limit: number;
};

/** The page's rows plus one (to know whether more follow), and the matches counted up to the cap + 1. */
export async function searchDeliveries(
  q: Executor,
  search: HistorySearch,
): Promise<{ fetched: DeliveryRow[]; count: number }> {
  let base = q
    .selectFrom('webhook_deliveries')
    .where('account_id', '=', search.accountId)
    .where('attempted_at', '>', 0)
    .where('event_time', '>=', search.startMs)
    .where('event_time', '<=', search.endMs);
  if (search.integrationId) base = base.where('integration_id', '=', search.integrationId);
  if (search.refId) base = base.where('ref_id', '=', search.refId.toLowerCase());
  if (search.eventTypes && search.eventTypes.length > 0) {
    base = base.where('event_type', 'in', [...search.eventTypes]);
  }
  if (search.status) base = base.where('status', search.status === 'success' ? '=' : '<>', 'success');
  const direction = search.asc ? 'asc' : 'desc';
  let page = base.selectAll();
  if (search.after) {
    const { eventTime, deliveryId } = search.after;
    page = page.where(
      sql`(event_time, delivery_id)`,
      search.asc ? '>' : '<',
      sql`(${eventTime}, ${deliveryId})`,
    );
  }
  const [fetched, counted] = await Promise.all([
    page
      .orderBy('event_time', direction)
      .orderBy('delivery_id', direction)
      .limit(search.limit + 1)
      .execute(),
    q
      .selectFrom(
        base
          .select('delivery_id')
          .limit(TOTAL_CAP + 1)
          .as('matches'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { fetched, count: Number(counted.n) };
}

/** A delivery of the account that has been attempted, by webhook and event id. */
export async function findDelivery(
  q: Executor,
  accountId: number,
  integrationId: number,
  eventId: string,
): Promise<DeliveryRow | undefined> {
  return q
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('integration_id', '=', integrationId)
    .where('event_id', '=', eventId.toLowerCase())
    .where('attempted_at', '>', 0)
    .executeTakeFirst();
}

/** The current title of the alert or incident a delivery is about; undefined when it is gone. */
export async function currentTitle(q: Executor, row: DeliveryRow): Promise<string | undefined> {
  const found =
    row.webhook_type === 'alert'
      ? await q
          .selectFrom('alerts')
          .select('title')
          .where('account_id', '=', row.account_id)
          .where('alert_id', '=', row.ref_id)
          .executeTakeFirst()
      : await q
          .selectFrom('incidents')
          .select('title')
          .where('account_id', '=', row.account_id)
          .where('incident_id', '=', row.ref_id)
          .executeTakeFirst();
  return found?.title;
}
