import type { Db } from '../db/db.ts';
import type { Tables } from '../db/schema.ts';
import type { DeliveryAttempt } from './notifications.schemas.ts';

/*
 * The attempts of outbox rows as the delivery logs show them (/incident/notification/list,
 * /webhook/history/detail): every attempt, oldest first, including one whose worker died or lost
 * its lease before it reported (`abandoned`). Rows come from delivery_attempts (migration 0022).
 */

/** The attempts of these rows of an outbox table, by row id (rows never attempted are absent). */
export async function attemptsOf(
  q: Db['q'],
  accountId: number,
  outbox: keyof Tables,
  ids: readonly number[],
): Promise<Map<number, DeliveryAttempt[]>> {
  const out = new Map<number, DeliveryAttempt[]>();
  if (ids.length === 0) return out;
  const rows = await q
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('outbox', '=', outbox)
    .where('delivery_id', 'in', [...ids])
    .orderBy('delivery_id')
    .orderBy('attempt')
    .execute();
  for (const row of rows) {
    const list = out.get(row.delivery_id) ?? [];
    list.push({
      attempt: row.attempt,
      status: row.status,
      lease_lost: row.lease_lost,
      started_at: row.started_at,
      finished_at: row.finished_at,
      duration: row.duration,
      status_code: row.status_code,
      error_kind: row.error_kind,
      error_message: row.error_message,
    });
    out.set(row.delivery_id, list);
  }
  return out;
}
