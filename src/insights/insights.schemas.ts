import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { Labels, ObjectId, Status } from '../alerts/alerts.schemas.ts';
import { searchPageFields } from '../http/search-paging.ts';
import { AGGREGATE_UNITS, HOUR_CLASSES } from './buckets.ts';

/*
 * Request and response schemas of /insight/* (on-call.openapi.en.json, InsightFilter and
 * InsightQueryRequest; flashduty-api.md §2.8). Limits that span fields (end > start, one year,
 * aggregation ranges) are checked by insight-filter.ts, which names the field.
 */

const IdList = Type.Array(Id, { maxItems: 100 });

/** The filter every insight operation takes. */
const filterFields = {
  start_time: Type.Integer({ minimum: 1 }),
  end_time: Type.Integer({ minimum: 1 }),
  team_ids: Type.Optional(IdList),
  channel_ids: Type.Optional(IdList),
  responder_ids: Type.Optional(IdList),
  severities: Type.Optional(Type.Array(Status, { maxItems: 3 })),
  incident_ids: Type.Optional(Type.Array(ObjectId, { maxItems: 100 })),
  query: Type.Optional(Type.String({ maxLength: 1024 })),
  labels: Type.Optional(Labels),
  fields: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  orderby: Type.Optional(Type.Enum(['created_at'])),
  asc: Type.Optional(Type.Boolean()),
  is_my_team: Type.Optional(Type.Boolean()),
  time_zone: Type.Optional(Type.String({ maxLength: 64 })),
  seconds_to_close_from: Type.Optional(Type.Integer({ minimum: 0 })),
  seconds_to_close_to: Type.Optional(Type.Integer({ minimum: 0 })),
  seconds_to_ack_from: Type.Optional(Type.Integer({ minimum: 0 })),
  seconds_to_ack_to: Type.Optional(Type.Integer({ minimum: 0 })),
  export_fields: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
  description_html_to_text: Type.Optional(Type.Boolean()),
  /** Newer spec: count incidents that were ever muted (silenced, inhibited, flapping) too. */
  include_ever_muted: Type.Optional(Type.Boolean()),
};

const aggregateFields = {
  split_hours: Type.Optional(Type.Boolean()),
  aggregate_unit: Type.Optional(Type.Enum([...AGGREGATE_UNITS])),
};

export const InsightQueryRequest = Type.Object({ ...filterFields, ...aggregateFields });
export type InsightQueryRequest = Static<typeof InsightQueryRequest>;

export const InsightIncidentListRequest = Type.Object({ ...filterFields, ...searchPageFields(20) });
export type InsightIncidentListRequest = Static<typeof InsightIncidentListRequest>;

export const TopkRequest = Type.Object({
  ...filterFields,
  ...aggregateFields,
  label: Type.Enum(['check', 'resource']),
  k: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  orderby: Type.Optional(Type.Enum(['total_alert_cnt', 'total_alert_event_cnt'])),
});
export type TopkRequest = Static<typeof TopkRequest>;

const HourClass = Type.Enum([...HOUR_CLASSES]);

/** Where an item sits: its bucket and hour class (when asked for) and its group. */
const placement = {
  ts: Type.Optional(Type.Integer()),
  hours: Type.Optional(HourClass),
};

const incidentMetricFields = {
  total_incident_cnt: Type.Integer(),
  total_incidents_acknowledged: Type.Integer(),
  total_incidents_closed: Type.Integer(),
  total_incidents_auto_closed: Type.Integer(),
  total_incidents_manually_closed: Type.Integer(),
  total_incidents_timeout_closed: Type.Integer(),
  total_incidents_escalated: Type.Integer(),
  total_incidents_manually_escalated: Type.Integer(),
  total_incidents_timeout_escalated: Type.Integer(),
  total_incidents_reassigned: Type.Integer(),
  total_interruptions: Type.Integer(),
  total_notifications: Type.Integer(),
  total_engaged_seconds: Type.Integer(),
  total_seconds_to_ack: Type.Integer(),
  total_seconds_to_close: Type.Integer(),
  mean_seconds_to_ack: Type.Number(),
  mean_seconds_to_close: Type.Number(),
  noise_reduction_pct: Type.Number(),
  acknowledgement_pct: Type.Number(),
  total_alert_cnt: Type.Integer(),
  total_alert_event_cnt: Type.Integer(),
};

const responderMetricFields = {
  total_incident_cnt: Type.Integer(),
  total_incidents_acknowledged: Type.Integer(),
  total_incidents_reassigned: Type.Integer(),
  total_incidents_escalated: Type.Integer(),
  total_incidents_timeout_escalated: Type.Integer(),
  total_incidents_manually_escalated: Type.Integer(),
  total_interruptions: Type.Integer(),
  total_notifications: Type.Integer(),
  total_engaged_seconds: Type.Integer(),
  total_seconds_to_ack: Type.Integer(),
  mean_seconds_to_ack: Type.Number(),
  acknowledgement_pct: Type.Number(),
};

const AccountItem = Type.Object({ ...placement, account_id: Id, ...incidentMetricFields });
const TeamItem = Type.Object({
  ...placement,
  team_id: Id,
  team_name: Type.String(),
  ...incidentMetricFields,
});
const ChannelItem = Type.Object({
  ...placement,
  channel_id: Id,
  channel_name: Type.String(),
  team_id: Id,
  team_name: Type.String(),
  ...incidentMetricFields,
});
const ResponderItem = Type.Object({
  ...placement,
  responder_id: Id,
  responder_name: Type.String(),
  ...responderMetricFields,
});

export const AccountInsightResponse = Type.Object({ items: Type.Array(AccountItem) });
export const TeamInsightResponse = Type.Object({ items: Type.Array(TeamItem) });
export const ChannelInsightResponse = Type.Object({ items: Type.Array(ChannelItem) });
export const ResponderInsightResponse = Type.Object({ items: Type.Array(ResponderItem) });

const InsightResponder = Type.Object({
  person_id: Id,
  person_name: Type.String(),
  email: Type.String(),
  assigned_at: Type.Integer(),
  acknowledged_at: Type.Integer(),
});

export const InsightIncidentItem = Type.Object({
  incident_id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  team_id: Id,
  team_name: Type.String(),
  channel_id: Id,
  channel_name: Type.String(),
  progress: Type.String(),
  severity: Status,
  created_at: Type.Integer(),
  closed_by: Type.Optional(Type.Enum(['auto', 'timeout', 'manually'])),
  seconds_to_ack: Type.Integer(),
  seconds_to_close: Type.Integer(),
  engaged_seconds: Type.Integer(),
  hours: HourClass,
  responders: Type.Array(InsightResponder),
  assigned_to: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  labels: Labels,
  fields: Type.Record(Type.String(), Type.Unknown()),
  notifications: Type.Integer(),
  interruptions: Type.Integer(),
  assignments: Type.Integer(),
  reassignments: Type.Integer(),
  acknowledgements: Type.Integer(),
  escalations: Type.Integer(),
  timeout_escalations: Type.Integer(),
  manual_escalations: Type.Integer(),
  creator_id: Id,
  creator_name: Type.String(),
});
export type InsightIncidentItem = Static<typeof InsightIncidentItem>;

export const InsightIncidentListResponse = Type.Object({
  items: Type.Array(InsightIncidentItem),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  search_after_ctx: Type.Optional(Type.String()),
});

export const TopkResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      label: Type.String(),
      hours: Type.Optional(HourClass),
      total_alert_cnt: Type.Integer(),
      total_alert_event_cnt: Type.Integer(),
    }),
  ),
});

export const InsightSettings = Type.Object({
  /** The calendar whose days off count as non-workdays for hour classes; '' = Saturday and Sunday. */
  cal_id: Type.String(),
});
export const InsightSettingsInfoRequest = Type.Object({});
export const InsightSettingsUpsertRequest = Type.Object({ cal_id: Type.String({ maxLength: 64 }) });
