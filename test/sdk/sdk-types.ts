import { arrayOf, type GoType, mapOf, struct } from './go-json.ts';

/*
 * The response structs of Flashduty's Go SDK (flashcatcloud/flashduty-sdk, types.go and each
 * method's file), restated field by field as the SDK's json tags name them.
 */

const labels = mapOf('string');

const RawResponder = struct({
  person_id: 'int',
  assigned_at: 'timestamp',
  acknowledged_at: 'timestamp',
  person_name: 'string',
  email: 'string',
  as: 'string',
});

export const RawIncident = struct({
  incident_id: 'string',
  title: 'string',
  description: 'string',
  incident_severity: 'string',
  progress: 'string',
  start_time: 'timestamp',
  ack_time: 'timestamp',
  close_time: 'timestamp',
  channel_id: 'int',
  creator_id: 'int',
  closer_id: 'int',
  responders: arrayOf(RawResponder),
  labels,
  fields: mapOf('any'),
});

export const IncidentDetail = struct({
  ...(RawIncident as { struct: Record<string, GoType> }).struct,
  channel_name: 'string',
  ai_summary: 'string',
  root_cause: 'string',
  resolution: 'string',
  impact: 'string',
  frequency: 'string',
  alert_cnt: 'int',
  alert_event_cnt: 'int',
  post_mortem_id: 'string',
});

export const RawTimelineItem = struct({
  ref_id: 'string',
  type: 'string',
  created_at: 'timestamp',
  updated_at: 'timestamp',
  account_id: 'int',
  creator_id: 'int',
  person_id: 'int',
  detail: mapOf('any'),
});

/** fetchIncidentAlerts (enrichment.go): the SDK's own names beside the documented ones. */
export const IncidentAlertItem = struct({
  alert_id: 'string',
  title: 'string',
  severity: 'string',
  status: 'string',
  trigger_time: 'int',
  labels,
});

export const Alert = struct({
  alert_id: 'string',
  channel_id: 'int',
  channel_name: 'string',
  integration_id: 'int',
  integration_name: 'string',
  integration_type: 'string',
  title: 'string',
  description: 'string',
  alert_key: 'string',
  alert_severity: 'string',
  alert_status: 'string',
  start_time: 'timestamp',
  last_time: 'timestamp',
  end_time: 'timestamp',
  event_cnt: 'int',
  ever_muted: 'bool',
  labels,
  incident: struct({ incident_id: 'string', title: 'string', progress: 'string' }),
});

export const AlertEvent = struct({
  event_id: 'string',
  alert_id: 'string',
  account_id: 'int',
  channel_id: 'int',
  integration_id: 'int',
  integration_type: 'string',
  title: 'string',
  description: 'string',
  event_severity: 'string',
  event_status: 'string',
  event_time: 'timestamp',
  labels,
  created_at: 'timestamp',
  updated_at: 'timestamp',
});

export const ChangeItem = struct({
  change_id: 'string',
  title: 'string',
  description: 'string',
  type: 'string',
  status: 'string',
  channel_id: 'int',
  creator_id: 'int',
  start_time: 'int',
  end_time: 'int',
  labels,
});

export const ChannelItem = struct({
  channel_id: 'int',
  channel_name: 'string',
  team_id: 'int',
  creator_id: 'int',
});

export const PersonItem = struct({
  person_id: 'int',
  person_name: 'string',
  email: 'string',
  avatar: 'string',
  as: 'string',
});

export const TeamInfo = struct({ team_id: 'int', team_name: 'string', person_ids: arrayOf('int') });

export const TeamItem = struct({
  account_id: 'int',
  team_id: 'int',
  team_name: 'string',
  description: 'string',
  status: 'string',
  creator_id: 'int',
  creator_name: 'string',
  updated_by: 'int',
  updated_by_name: 'string',
  created_at: 'timestamp',
  updated_at: 'timestamp',
  person_ids: arrayOf('int'),
  ref_id: 'string',
});

export const MemberItem = struct({
  member_id: 'int',
  member_name: 'string',
  phone: 'string',
  phone_verified: 'bool',
  email: 'string',
  email_verified: 'bool',
  account_role_ids: arrayOf('int'),
  time_zone: 'string',
  locale: 'string',
  status: 'string',
  created_at: 'timestamp',
  updated_at: 'timestamp',
  ref_id: 'string',
});

export const AccountInfo = struct({
  account_id: 'int',
  account_name: 'string',
  domain: 'string',
  email: 'string',
  phone: 'string',
  country_code: 'string',
  avatar: 'string',
  locale: 'string',
  time_zone: 'string',
  created_at: 'timestamp',
});

export const MemberInfo = struct({
  account_id: 'int',
  account_name: 'string',
  member_id: 'int',
  member_name: 'string',
  email: 'string',
  phone: 'string',
  country_code: 'string',
  avatar: 'string',
  locale: 'string',
  time_zone: 'string',
  created_at: 'timestamp',
});

export const EscalationRule = struct({
  rule_id: 'string',
  rule_name: 'string',
  description: 'string',
  channel_id: 'int',
  status: 'string',
  priority: 'int',
  aggr_window: 'int',
  layers: arrayOf(
    struct({
      max_times: 'int',
      notify_step: 'float',
      escalate_window: 'int',
      force_escalate: 'bool',
      target: struct({
        person_ids: arrayOf('int'),
        team_ids: arrayOf('int'),
        // map[int64][]int64: Go decodes the object's keys as integers.
        schedule_to_role_ids: mapOf(arrayOf('int')),
        by: struct({
          follow_preference: 'bool',
          critical: arrayOf('string'),
          warning: arrayOf('string'),
          info: arrayOf('string'),
        }),
        webhooks: arrayOf(struct({ type: 'string', settings: mapOf('any') })),
      }),
    }),
  ),
  time_filters: arrayOf(
    struct({ start: 'string', end: 'string', repeat: arrayOf('int'), cal_id: 'string', is_off: 'bool' }),
  ),
  filters: arrayOf(arrayOf(struct({ key: 'string', oper: 'string', vals: arrayOf('string') }))),
});

export const FieldInfo = struct({
  field_id: 'string',
  field_name: 'string',
  display_name: 'string',
  field_type: 'string',
  value_type: 'string',
  options: arrayOf('string'),
  default_value: 'any',
});

const MetricsBase = {
  hours: 'string',
  ts: 'timestamp',
  channel_id: 'int',
  team_id: 'int',
  responder_id: 'int',
  account_id: 'int',
  team_name: 'string',
  channel_name: 'string',
  responder_name: 'string',
} as const;

export const DimensionInsightItem = struct({
  ...MetricsBase,
  total_incident_cnt: 'int',
  total_incidents_acknowledged: 'int',
  total_incidents_closed: 'int',
  total_incidents_auto_closed: 'int',
  total_incidents_manually_closed: 'int',
  total_incidents_timeout_closed: 'int',
  total_incidents_escalated: 'int',
  total_incidents_manually_escalated: 'int',
  total_incidents_timeout_escalated: 'int',
  total_incidents_reassigned: 'int',
  total_interruptions: 'int',
  total_notifications: 'int',
  total_engaged_seconds: 'int',
  total_seconds_to_ack: 'int',
  total_seconds_to_close: 'int',
  mean_seconds_to_ack: 'float',
  mean_seconds_to_close: 'float',
  noise_reduction_pct: 'float',
  acknowledgement_pct: 'float',
  total_alert_cnt: 'int',
  total_alert_event_cnt: 'int',
});

export const ResponderInsightItem = struct({
  ...MetricsBase,
  email: 'string',
  total_incident_cnt: 'int',
  total_incidents_acknowledged: 'int',
  total_incidents_reassigned: 'int',
  total_incidents_escalated: 'int',
  total_incidents_timeout_escalated: 'int',
  total_incidents_manually_escalated: 'int',
  total_interruptions: 'int',
  total_notifications: 'int',
  total_engaged_seconds: 'int',
  total_seconds_to_ack: 'int',
  mean_seconds_to_ack: 'float',
  acknowledgement_pct: 'float',
});

export const InsightAlertByLabelItem = struct({
  label: 'string',
  hours: 'string',
  total_alert_cnt: 'int',
  total_alert_event_cnt: 'int',
});

export const InsightIncidentItem = struct({
  incident_id: 'string',
  title: 'string',
  description: 'string',
  team_id: 'int',
  team_name: 'string',
  channel_id: 'int',
  channel_name: 'string',
  progress: 'string',
  severity: 'string',
  created_at: 'timestamp',
  closed_by: 'string',
  seconds_to_ack: 'int',
  seconds_to_close: 'int',
  engaged_seconds: 'int',
  hours: 'string',
  responders: arrayOf(RawResponder),
  assigned_to: struct({
    person_ids: arrayOf('int'),
    escalate_rule_id: 'string',
    layer_idx: 'int',
    type: 'string',
    emails: arrayOf('string'),
    escalate_rule_name: 'string',
    assigned_at: 'timestamp',
    id: 'string',
  }),
  labels,
  fields: mapOf('any'),
  notifications: 'int',
  interruptions: 'int',
  assignments: 'int',
  reassignments: 'int',
  acknowledgements: 'int',
  escalations: 'int',
  timeout_escalations: 'int',
  manual_escalations: 'int',
  creator_id: 'int',
  creator_name: 'string',
});

const ScheduleGroup = struct({
  group_name: 'string',
  name: 'string',
  members: arrayOf(struct({ role_id: 'int', person_ids: arrayOf('int') })),
  start: 'timestamp',
  end: 'timestamp',
});

const ScheduleCalculatedLayer = struct({
  layer_name: 'string',
  name: 'string',
  mode: 'int',
  schedules: arrayOf(struct({ start: 'timestamp', end: 'timestamp', group: ScheduleGroup, index: 'int' })),
});

export const ScheduleDetail = struct({
  id: 'int',
  name: 'string',
  account_id: 'int',
  group_id: 'int',
  disabled: 'int',
  create_at: 'timestamp',
  create_by: 'int',
  update_at: 'timestamp',
  update_by: 'int',
  layers: arrayOf(
    struct({
      account_id: 'int',
      name: 'string',
      schedule_id: 'int',
      hidden: 'int',
      mode: 'int',
      weight: 'int',
      groups: arrayOf(ScheduleGroup),
      rotation_duration: 'int',
      handoff_time: 'int',
      enable_time: 'timestamp',
      expire_time: 'timestamp',
      restrict_mode: 'int',
      restrict_start: 'int',
      restrict_end: 'int',
      restrict_periods: arrayOf(mapOf('any')),
      day_mask: mapOf('any'),
      create_at: 'timestamp',
      create_by: 'int',
      update_at: 'timestamp',
      update_by: 'int',
      layer_name: 'string',
      fair_rotation: 'bool',
      layer_start: 'timestamp',
      layer_end: 'timestamp',
      rotation_unit: 'string',
      rotation_value: 'int',
      mask_continuous_enabled: 'bool',
    }),
  ),
  field: 'string',
  schedule_layers: arrayOf(ScheduleCalculatedLayer),
  final_schedule: ScheduleCalculatedLayer,
  start: 'timestamp',
  end: 'timestamp',
  notify: struct({
    advance_in_time: 'int',
    fixed_time: mapOf('any'),
    by: mapOf('any'),
    im: mapOf('string'),
    webhooks: arrayOf(struct({ type: 'string', name: 'string', token: 'string', url: 'string' })),
  }),
  schedule_id: 'int',
  schedule_name: 'string',
  team_id: 'int',
  description: 'string',
  layer_schedules: arrayOf(ScheduleCalculatedLayer),
  status: 'int',
  cur_oncall: struct({
    start: 'timestamp',
    end: 'timestamp',
    group: ScheduleGroup,
    update_at: 'timestamp',
    weight: 'int',
    index: 'int',
  }),
  next_oncall: struct({
    start: 'timestamp',
    end: 'timestamp',
    group: ScheduleGroup,
    update_at: 'timestamp',
    weight: 'int',
    index: 'int',
  }),
});

export const StatusChange = struct({
  change_id: 'int',
  page_id: 'int',
  title: 'string',
  description: 'string',
  type: 'string',
  status: 'string',
  created_at: 'timestamp',
  updated_at: 'timestamp',
  timelines: arrayOf(
    struct({ timeline_id: 'int', at: 'timestamp', status: 'string', description: 'string' }),
  ),
});

export const StatusPageItem = struct({
  page_id: 'int',
  name: 'string',
  url_name: 'string',
  description: 'string',
  components: arrayOf(struct({ component_id: 'string', name: 'string' })),
});

/** PostMortem (types.go): the meta /incident/post-mortem/list answers. */
export const PostMortem = struct({
  account_id: 'int',
  post_mortem_id: 'string',
  template_id: 'string',
  incident_ids: arrayOf('string'),
  media_count: 'int',
  author_ids: arrayOf('int'),
  team_id: 'int',
  channel_id: 'int',
  channel_name: 'string',
  is_private: 'bool',
  title: 'string',
  status: 'string',
  created_at_seconds: 'timestamp',
  updated_at_seconds: 'timestamp',
});

/** StatusPageMigrationJob (status_page.go): what GetStatusPageMigrationStatus reads. */
export const StatusPageMigrationJob = struct({
  job_id: 'string',
  source_page_id: 'string',
  target_page_id: 'int',
  phase: 'string',
  status: 'string',
  progress: struct({
    total_steps: 'int',
    completed_steps: 'int',
    components_imported: 'int',
    sections_imported: 'int',
    incidents_imported: 'int',
    maintenances_imported: 'int',
    subscribers_imported: 'int',
    subscribers_skipped: 'int',
    templates_imported: 'int',
    warnings: arrayOf('string'),
  }),
  error: 'string',
  created_at: 'int',
  updated_at: 'int',
});
