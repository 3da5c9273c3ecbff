import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { DeliveryAttempt } from '../notifications/notifications.schemas.ts';

/*
 * The delivery log API, as on-call.openapi.en.json describes it (ListWebhookHistoryRequest,
 * ListWebhookHistoryResponse, WebhookHistoryItem, GetWebhookHistoryDetailRequest,
 * WebhookHistoryDetail). Vigil's additions and decisions are in docs/webhooks.md.
 */

/** 13-digit Unix milliseconds, the bounds the document gives the window. */
const Millis = Type.Integer({ minimum: 1_000_000_000_000, maximum: 9_999_999_999_999 });

export const HistoryListRequest = Type.Object({
  search_after_ctx: Type.Optional(Type.Union([Type.String({ maxLength: 512 }), Type.Null()])),
  limit: Type.Integer({ minimum: 1, maximum: 100 }),
  asc: Type.Optional(Type.Boolean()),
  orderby: Type.Optional(Type.Enum(['event_time'])),
  ref_id: Type.Optional(Type.String({ maxLength: 128 })),
  integration_id: Type.Optional(Id),
  event_types: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 30 })),
  status: Type.Optional(Type.Enum(['success', 'failed'])),
  start_time: Millis,
  end_time: Millis,
});

const itemFields = {
  integration_id: Type.Integer(),
  event_id: Type.String(),
  webhook_type: Type.String(),
  event_type: Type.String(),
  channel_id: Type.Integer(),
  ref_id: Type.String(),
  endpoint: Type.String(),
  attempt: Type.Integer(),
  duration: Type.Integer(),
  status: Type.Enum(['success', 'failed']),
  status_code: Type.Integer(),
  error_message: Type.Optional(Type.String()),
  event_time: Type.String(),
  // Vigil extension: when the next attempt is due (ms), 0 when none will be made.
  next_attempt_at: Type.Integer(),
};

export const HistoryItem = Type.Object(itemFields);

export const HistoryListResponse = Type.Object({
  items: Type.Array(HistoryItem),
  total: Type.Integer(),
  search_after_ctx: Type.String(),
});

export const HistoryDetailRequest = Type.Object({
  event_id: Type.String({ minLength: 1, maxLength: 64 }),
  integration_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

export const HistoryDetail = Type.Object({
  ...itemFields,
  request_headers: Type.String(),
  request_body: Type.String(),
  response_headers: Type.String(),
  response_body: Type.String(),
  ref_title: Type.String(),
  channel_name: Type.String(),
  // Vigil extension: every attempt, oldest first (the fields above are the last one's).
  attempts: Type.Array(DeliveryAttempt),
});

export type HistoryItem = Static<typeof HistoryItem>;
export type HistoryDetail = Static<typeof HistoryDetail>;
