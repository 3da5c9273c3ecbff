import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { Labels, ObjectId } from '../alerts/alerts.schemas.ts';
import { MAX_LABEL_KEY_LENGTH } from '../alerts/conditions.ts';
import { searchPageFields } from '../http/search-paging.ts';
import { CHANGE_STATUSES } from './change-event.ts';
import { FILTER_LIMITS } from './change-filters.ts';

/*
 * Request and response schemas of the change read endpoints: /change/list (openapi.legacy.zh.json,
 * the only document that has it) and Vigil's own /change/info, /incident/change/list and
 * /change/correlation/{info,upsert}. Decisions: docs/changes.md.
 */

const ChangeStatus = Type.Enum([...CHANGE_STATUSES]);
const IdList = Type.Array(Id, { maxItems: 100 });

/** One pushed event of a change (the legacy `ChangeEvent`, plus `change_id` and `created_at`). */
const ChangeEventItem = Type.Object({
  event_id: Type.String(),
  change_id: Type.String(),
  integration_id: Id,
  change_key: Type.String(),
  change_status: ChangeStatus,
  title: Type.String(),
  description: Type.String(),
  link: Type.String(),
  labels: Labels,
  event_time: Type.Integer(),
  created_at: Type.Integer(),
});

/** A change: the legacy `Change` fields, the current names of the integration, and Vigil's extras. */
export const ChangeItem = Type.Object({
  change_id: Type.String(),
  account_id: Id,
  change_key: Type.String(),
  change_status: ChangeStatus,
  /** change_status again, under the name Flashduty's Go SDK reads (docs/conformance.md). */
  status: ChangeStatus,
  title: Type.String(),
  description: Type.String(),
  link: Type.String(),
  labels: Labels,
  start_time: Type.Integer(),
  last_time: Type.Integer(),
  end_time: Type.Integer(),
  integration_id: Id,
  integration_name: Type.String(),
  data_source_id: Id,
  data_source_name: Type.String(),
  channel_id: Id,
  channel_name: Type.String(),
  event_cnt: Type.Integer(),
  events: Type.Optional(Type.Array(ChangeEventItem)),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export type ChangeItem = Static<typeof ChangeItem>;

const Condition = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 135 }),
  oper: Type.Enum(['IN', 'NOTIN']),
  vals: Type.Array(Type.String({ maxLength: FILTER_LIMITS.valLength }), { maxItems: FILTER_LIMITS.vals }),
});

export const ChangeListRequest = Type.Object({
  start_time: Type.Optional(Type.Integer({ minimum: 0 })),
  end_time: Type.Optional(Type.Integer({ minimum: 0 })),
  ...searchPageFields(10),
  channel_ids: Type.Optional(IdList),
  integration_ids: Type.Optional(IdList),
  query: Type.Optional(Type.String({ maxLength: 1024 })),
  filters: Type.Optional(
    Type.Array(Type.Array(Condition, { maxItems: FILTER_LIMITS.conditions }), {
      maxItems: FILTER_LIMITS.groups,
    }),
  ),
  include_events: Type.Optional(Type.Boolean()),
  order_by: Type.Optional(Type.Enum(['start_time', 'last_time'])),
  /** The spelling of the other search lists; `order_by` wins when both are sent. */
  orderby: Type.Optional(Type.Enum(['start_time', 'last_time'])),
  asc: Type.Optional(Type.Boolean()),
});

export const ChangeListResponse = Type.Object({
  items: Type.Array(ChangeItem),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  search_after_ctx: Type.Optional(Type.String()),
});

export const ChangeInfoRequest = Type.Object({ change_id: ObjectId });

const LabelKeys = Type.Array(Type.String({ minLength: 1, maxLength: MAX_LABEL_KEY_LENGTH }), {
  minItems: 1,
  maxItems: 20,
});
/** From a minute to 7 days. */
const WindowSeconds = Type.Integer({ minimum: 60, maximum: 7 * 86_400 });

export const CorrelationSettings = Type.Object({
  label_keys: Type.Array(Type.String()),
  window_seconds: Type.Integer(),
  /** True while the account uses the defaults (it never saved settings). */
  is_default: Type.Boolean(),
});

export const CorrelationInfoRequest = Type.Object({});

export const CorrelationUpsertRequest = Type.Object({
  label_keys: Type.Optional(LabelKeys),
  window_seconds: Type.Optional(WindowSeconds),
});

export const IncidentChangeListRequest = Type.Object({
  incident_id: ObjectId,
  /** Override the account's correlation keys for this call. */
  label_keys: Type.Optional(LabelKeys),
  /** Override the account's look-back window for this call. */
  window_seconds: Type.Optional(WindowSeconds),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 20 })),
  include_events: Type.Optional(Type.Boolean()),
});

const Correlation = Type.Object({
  matched_labels: Labels,
  overlap: Type.Integer(),
  seconds_before: Type.Integer(),
  score: Type.Number(),
});

const RelatedChangeItem = Type.Object({ ...ChangeItem.properties, correlation: Correlation });

export const IncidentChangeListResponse = Type.Object({
  items: Type.Array(RelatedChangeItem),
  /** How many changes are related (capped at 1000, as the search lists' totals are). */
  total: Type.Integer(),
  label_keys: Type.Array(Type.String()),
  window_seconds: Type.Integer(),
  /** The look-back window: [incident start − window_seconds, incident start]. */
  start_time: Type.Integer(),
  end_time: Type.Integer(),
});
