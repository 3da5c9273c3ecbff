import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { pageFields } from '../http/pagination.ts';
import { searchPageFields } from '../http/search-paging.ts';

/*
 * Request and response schemas of the alert read endpoints (on-call.openapi.en.json, "Alerts"):
 * /alert/list, /alert/info, /alert/list-by-ids, /alert/event/list, /alert-event/list and
 * /alert/feed, and the pieces incidents share with them. Decisions: docs/incidents.md.
 */

/** A 24-hex ObjectID-style id (incidents, alerts, events, feed entries). */
export const ObjectId = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });

export const Status = Type.Enum(['Critical', 'Warning', 'Info', 'Ok']);
export const Labels = Type.Record(Type.String(), Type.String());
export const ImageItem = Type.Object({
  src: Type.String(),
  href: Type.Optional(Type.String()),
  alt: Type.Optional(Type.String()),
});

/** The values the comma-separated severity filters of alert and event lists accept. */
export const STATUS_VALUES = ['Critical', 'Warning', 'Info', 'Ok'] as const;

/** Every timeline entry type of an alert (Flashduty's alert feed types). */
const ALERT_FEED_TYPES = [
  'a_new',
  'a_update',
  'a_comm',
  'a_close',
  'a_merge',
  'a_m_silence',
  'a_m_inhibit',
] as const;

export const AlertEventItem = Type.Object({
  event_id: Type.String(),
  alert_id: Type.String(),
  account_id: Id,
  channel_id: Id,
  integration_id: Id,
  integration_type: Type.String(),
  data_source_id: Id,
  title: Type.String(),
  title_rule: Type.String(),
  description: Type.String(),
  alert_key: Type.String(),
  event_severity: Status,
  event_status: Status,
  event_time: Type.Integer(),
  labels: Labels,
  images: Type.Array(ImageItem),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  deleted_at: Type.Integer(),
});

export type AlertEventItem = Static<typeof AlertEventItem>;

/** The incident an alert belongs to, in brief. */
const IncidentShort = Type.Object({
  incident_id: Type.String(),
  title: Type.String(),
  progress: Type.String(),
});

/** An alert: every field of the spec's AlertInfo (required there) and AlertItem. */
export const AlertItem = Type.Object({
  alert_id: Type.String(),
  account_id: Id,
  integration_id: Id,
  integration_name: Type.String(),
  integration_type: Type.String(),
  integration_ref_id: Type.String(),
  channel_id: Id,
  channel_name: Type.String(),
  channel_status: Type.String(),
  title: Type.String(),
  title_rule: Type.String(),
  description: Type.String(),
  alert_key: Type.String(),
  alert_severity: Status,
  alert_status: Status,
  start_time: Type.Integer(),
  last_time: Type.Integer(),
  end_time: Type.Integer(),
  labels: Labels,
  ever_muted: Type.Boolean(),
  event_cnt: Type.Integer(),
  images: Type.Array(ImageItem),
  responder_name: Type.String(),
  responder_email: Type.String(),
  incident: Type.Optional(IncidentShort),
  events: Type.Optional(Type.Array(AlertEventItem)),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  deleted_at: Type.Integer(),
  data_source_id: Id,
  data_source_name: Type.String(),
  data_source_type: Type.String(),
  data_source_ref_id: Type.String(),
});

export type AlertItem = Static<typeof AlertItem>;

const IdList = Type.Array(Id, { maxItems: 100 });
const AlertIds = Type.Array(ObjectId, { maxItems: 100 });

export const AlertListRequest = Type.Object({
  start_time: Type.Integer({ minimum: 0 }),
  end_time: Type.Integer({ minimum: 0 }),
  ...searchPageFields(20),
  is_active: Type.Optional(Type.Boolean()),
  ever_muted: Type.Optional(Type.Boolean()),
  alert_severity: Type.Optional(Type.String({ maxLength: 64 })),
  channel_ids: Type.Optional(IdList),
  integration_ids: Type.Optional(IdList),
  alert_ids: Type.Optional(AlertIds),
  alert_keys: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 })),
  orderby: Type.Optional(Type.Enum(['created_at', 'updated_at'])),
  asc: Type.Optional(Type.Boolean()),
  by_updated_at: Type.Optional(Type.Boolean()),
  // Not in the documents: Flashduty's Go SDK sends both (docs/conformance.md, "Flashduty's Go SDK").
  title: Type.Optional(Type.String({ maxLength: 512 })),
  labels: Type.Optional(
    Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 2048 }), { maxProperties: 50 }),
  ),
});

export const AlertListResponse = Type.Object({
  items: Type.Array(AlertItem),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  search_after_ctx: Type.Optional(Type.String()),
});

/** `include_events` is Vigil's addition: the spec's /alert/info has no way to ask for the events. */
export const AlertInfoRequest = Type.Object({
  alert_id: ObjectId,
  include_events: Type.Optional(Type.Boolean()),
});

export const AlertListByIdsRequest = Type.Object({ alert_ids: AlertIds });

export const AlertEventListRequest = Type.Object({ alert_id: ObjectId });

export const AlertEventListResponse = Type.Object({ items: Type.Array(AlertEventItem) });

export const AlertEventGlobalListRequest = Type.Object({
  start_time: Type.Optional(Type.Integer({ minimum: 0 })),
  end_time: Type.Optional(Type.Integer({ minimum: 0 })),
  ...searchPageFields(20),
  integration_ids: Type.Optional(IdList),
  integration_types: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })),
  channel_ids: Type.Optional(IdList),
  severities: Type.Optional(Type.String({ maxLength: 64 })),
  orderby: Type.Optional(Type.Enum(['event_time'])),
  asc: Type.Optional(Type.Boolean()),
});

export const AlertEventGlobalListResponse = Type.Object({
  items: Type.Array(AlertEventItem),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  search_after_ctx: Type.Optional(Type.String()),
});

export const AlertFeedRequest = Type.Object({
  alert_id: ObjectId,
  ...pageFields(20),
  asc: Type.Optional(Type.Boolean()),
  types: Type.Optional(Type.Array(Type.Enum(ALERT_FEED_TYPES), { maxItems: ALERT_FEED_TYPES.length })),
});

/** One timeline entry of an incident or an alert; times in milliseconds. */
export const FeedItem = Type.Object({
  ref_id: Type.String(),
  type: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  account_id: Id,
  creator_id: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  /** Vigil's own: present when the member acted through an AI assistant (docs/mcp.md). */
  via: Type.Optional(Type.Literal('assistant')),
});

export type FeedItem = Static<typeof FeedItem>;

export const FeedPage = Type.Object({
  items: Type.Array(FeedItem),
  has_next_page: Type.Boolean(),
});
