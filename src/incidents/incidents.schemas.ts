import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { AlertItem, ImageItem, Labels, ObjectId, Status } from '../alerts/alerts.schemas.ts';
import { pageFields } from '../http/pagination.ts';
import { searchPageFields } from '../http/search-paging.ts';

/*
 * Request and response schemas of the incident read endpoints (on-call.openapi.en.json,
 * "Incidents"): /incident/info, /incident/list, /incident/list-by-ids, /incident/feed and
 * /incident/alert/list. Decisions where the spec is silent are in docs/incidents.md.
 */

const Progress = Type.Enum(['Triggered', 'Processing', 'Closed']);

/** The values the comma-separated filters of /incident/list accept. */
export const PROGRESS_VALUES = ['Triggered', 'Processing', 'Closed'] as const;
export const INCIDENT_SEVERITY_VALUES = ['Critical', 'Warning', 'Info'] as const;

/** Every timeline entry type of an incident (IncidentFeedType). */
const INCIDENT_FEED_TYPES = [
  'i_new',
  'i_assign',
  'i_a_rspd',
  'i_notify',
  'i_storm',
  'i_snooze',
  'i_wake',
  'i_ack',
  'i_unack',
  'i_comm',
  'i_rslv',
  'i_reopen',
  'i_merge',
  'i_r_title',
  'i_r_desc',
  'i_r_impact',
  'i_r_rc',
  'i_r_rsltn',
  'i_r_severity',
  'i_r_field',
  'i_m_flapping',
  'i_m_reply',
  'i_custom',
  'i_wr_create',
  'i_wr_delete',
  // Vigil's: a heads-up that part of an escalation target could not be notified (docs/escalation.md).
  'i_warn',
  // Vigil's: the incident was published to a status page (docs/status-pages.md).
  'i_publish',
  'i_auto_refresh',
  'a_merge',
] as const;

/** A member reference: creator, closer, owner. */
const PersonShort = Type.Object({
  person_id: Id,
  person_name: Type.String(),
  email: Type.Optional(Type.String()),
  as: Type.Optional(Type.String()),
});

const Responder = Type.Object({
  person_id: Id,
  assigned_at: Type.Integer(),
  acknowledged_at: Type.Integer(),
  person_name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  as: Type.Optional(Type.String()),
});

/** Who an incident is assigned to; `{}` while it is assigned to no one. */
const AssignedTo = Type.Object({
  person_ids: Type.Optional(Type.Array(Id)),
  escalate_rule_id: Type.Optional(Type.String()),
  escalate_rule_name: Type.Optional(Type.String()),
  layer_idx: Type.Optional(Type.Integer()),
  type: Type.Optional(Type.String()),
  emails: Type.Optional(Type.Array(Type.String())),
  assigned_at: Type.Optional(Type.Integer()),
  id: Type.Optional(Type.String()),
});

const LinkItem = Type.Object({
  name: Type.String(),
  endpoint: Type.String(),
  open_type: Type.Enum(['popup', 'tab']),
});

export const IncidentInfo = Type.Object({
  incident_id: Type.String(),
  account_id: Id,
  channel_id: Id,
  integration_id: Id,
  integration_ids: Type.Array(Id),
  integration_types: Type.Array(Type.String()),
  integration_type: Type.String(),
  dedup_key: Type.String(),
  equals_md5: Type.String(),
  start_time: Type.Integer(),
  end_time: Type.Integer(),
  last_time: Type.Integer(),
  ack_time: Type.Integer(),
  close_time: Type.Integer(),
  creator_id: Id,
  closer_id: Id,
  owner_id: Id,
  creator: Type.Optional(PersonShort),
  closer: Type.Optional(PersonShort),
  owner: Type.Optional(PersonShort),
  incident_status: Status,
  incident_severity: Status,
  progress: Progress,
  title: Type.String(),
  description: Type.String(),
  ai_summary: Type.String(),
  impact: Type.String(),
  root_cause: Type.String(),
  resolution: Type.String(),
  num: Type.String(),
  frequency: Type.Optional(Type.Enum(['frequent', 'rare'])),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  deleted_at: Type.Integer(),
  snoozed_before: Type.Integer(),
  group_method: Type.Enum(['i', 'p', 'n']),
  ever_muted: Type.Boolean(),
  labels: Labels,
  fields: Type.Record(Type.String(), Type.Unknown()),
  assigned_to: AssignedTo,
  alert_cnt: Type.Integer(),
  active_alert_cnt: Type.Integer(),
  alert_event_cnt: Type.Integer(),
  responders: Type.Array(Responder),
  account_name: Type.String(),
  account_locale: Type.String(),
  account_time_zone: Type.String(),
  channel_name: Type.String(),
  channel_status: Type.String(),
  detail_url: Type.String(),
  silence_url: Type.String(),
  links: Type.Array(LinkItem),
  post_mortem_id: Type.String(),
  images: Type.Array(ImageItem),
  manual_overrides: Type.Array(Type.String()),
  data_source_id: Id,
  data_source_ids: Type.Array(Id),
  data_source_type: Type.String(),
  data_source_types: Type.Array(Type.String()),
});

export type IncidentInfo = Static<typeof IncidentInfo>;

export const IncidentInfoRequest = Type.Object({ incident_id: ObjectId });

/** Ids in the lists that filter or name incidents. */
const IdList = Type.Array(Id, { maxItems: 100 });

export const IncidentListRequest = Type.Object({
  start_time: Type.Integer({ minimum: 0 }),
  end_time: Type.Integer({ minimum: 0 }),
  asc: Type.Optional(Type.Boolean()),
  is_snoozed: Type.Optional(Type.Boolean()),
  is_my_team: Type.Optional(Type.Boolean()),
  is_my_channel: Type.Optional(Type.Boolean()),
  ever_muted: Type.Optional(Type.Boolean()),
  is_rare: Type.Optional(Type.Boolean()),
  progress: Type.Optional(Type.String({ maxLength: 64 })),
  query: Type.Optional(Type.String({ maxLength: 512 })),
  /** Not in the documents: Flashduty's Go SDK filters by title (docs/conformance.md). */
  title: Type.Optional(Type.String({ maxLength: 512 })),
  incident_severity: Type.Optional(Type.String({ maxLength: 64 })),
  channel_ids: Type.Optional(IdList),
  team_ids: Type.Optional(IdList),
  responder_ids: Type.Optional(IdList),
  acker_ids: Type.Optional(IdList),
  creator_ids: Type.Optional(IdList),
  closer_ids: Type.Optional(IdList),
  incident_ids: Type.Optional(Type.Array(ObjectId, { maxItems: 100 })),
  nums: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-fA-F]{6}$' }), { maxItems: 100 })),
  ...searchPageFields(20),
});

export const IncidentListResponse = Type.Object({
  items: Type.Array(IncidentInfo),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  search_after_ctx: Type.Optional(Type.String()),
});

export const IncidentListByIdsRequest = Type.Object({
  incident_ids: Type.Array(ObjectId, { maxItems: 100 }),
});

export const IncidentFeedRequest = Type.Object({
  incident_id: ObjectId,
  ...pageFields(20),
  asc: Type.Optional(Type.Boolean()),
  types: Type.Optional(Type.Array(Type.Enum(INCIDENT_FEED_TYPES), { maxItems: INCIDENT_FEED_TYPES.length })),
});

/** /incident/alert/list pages by `p` and `limit` (up to 1000, the default); 0 means the default. */
export const IncidentAlertListRequest = Type.Object({
  incident_id: ObjectId,
  is_active: Type.Optional(Type.Boolean()),
  include_events: Type.Optional(Type.Boolean()),
  p: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
});

/**
 * An alert as /incident/alert/list answers it: the documented item, plus the names Flashduty's Go SDK
 * reads (severity, status, trigger_time: the same values as alert_severity, alert_status, start_time).
 */
const IncidentAlertItem = Type.Object({
  ...AlertItem.properties,
  severity: AlertItem.properties.alert_severity,
  status: AlertItem.properties.alert_status,
  trigger_time: Type.Integer(),
});

export const IncidentAlertListResponse = Type.Object({
  items: Type.Array(IncidentAlertItem),
  total: Type.Integer(),
});
