import type { DeliveryAttempt } from '../notifications/notifications.schemas.ts';
import { invalidParameter } from '../shared/app-error.ts';
import type { HistoryDetail, HistoryItem } from './webhooks.schemas.ts';
import type { DeliveryRow } from './webhooks.store.ts';

/*
 * The delivery log as /webhook/history/{list,detail} show it: rows to items, and the list's cursor.
 */

/** The longest window the list accepts (as the other search lists). */
export const MAX_WINDOW_MS = 31 * 86_400_000;

export type Cursor = { eventTime: number; deliveryId: number };

/** base64url of `[order, event_time, delivery_id]` of the last row; opaque to clients. */
export function encodeCursor(order: string, cursor: Cursor): string {
  return Buffer.from(JSON.stringify([order, cursor.eventTime, cursor.deliveryId])).toString('base64url');
}

export function decodeCursor(text: string, order: string): Cursor {
  const bad = () => invalidParameter('search_after_ctx', 'must be a cursor returned by the previous page');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !Number.isSafeInteger(parsed[1]) ||
    !Number.isSafeInteger(parsed[2])
  ) {
    throw bad();
  }
  if (parsed[0] !== order) {
    throw invalidParameter(
      'search_after_ctx',
      `was made for another order (${String(parsed[0])}), not ${order}`,
    );
  }
  return { eventTime: parsed[1], deliveryId: parsed[2] };
}

/**
 * A delivery as a history item. `status` is the last attempt's outcome: a delivery that will be
 * retried shows `failed` with `next_attempt_at` set. `event_time` is RFC 3339 in UTC, milliseconds.
 */
export function toHistoryItem(row: DeliveryRow): HistoryItem {
  return {
    integration_id: row.integration_id,
    event_id: row.event_id,
    webhook_type: row.webhook_type,
    event_type: row.event_type,
    channel_id: row.channel_id,
    ref_id: row.ref_id,
    endpoint: row.endpoint,
    attempt: row.attempt,
    duration: row.duration,
    status: row.status === 'success' ? 'success' : 'failed',
    status_code: row.status_code,
    ...(row.error_message ? { error_message: row.error_message } : {}),
    event_time: new Date(row.event_time).toISOString(),
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at : 0,
  };
}

export function toHistoryDetail(
  row: DeliveryRow,
  names: { refTitle: string; channelName: string; attempts: DeliveryAttempt[] },
): HistoryDetail {
  return {
    ...toHistoryItem(row),
    request_headers: row.request_headers,
    request_body: row.request_body ?? '',
    response_headers: row.response_headers,
    response_body: row.response_body,
    ref_title: names.refTitle,
    channel_name: names.channelName,
    attempts: names.attempts,
  };
}
