import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

/*
 * Row types of every table, mirroring db/migrations. Kysely checks every query against them.
 * Keep this file in step with each new migration.
 */

/** A jsonb column: read as T, written as a JSON string (pg would turn a JS array into a SQL array). */
type Json<T> = ColumnType<T, string, string>;

/** A column with a database default: optional on insert. */
type Defaulted<T> = Generated<T>;

export type AccountsTable = {
  account_id: Generated<number>;
  account_name: string;
  email: string;
  locale: Defaulted<string>;
  time_zone: Defaulted<string>;
  created_at: number;
  updated_at: number;
};

export type MemberStatus = 'enabled' | 'pending' | 'deleted';

export type MembersTable = {
  member_id: Generated<number>;
  account_id: number;
  member_name: string;
  email: Defaulted<string>;
  phone: Defaulted<string>;
  country_code: Defaulted<string>;
  avatar: Defaulted<string>;
  locale: Defaulted<string>;
  time_zone: Defaulted<string>;
  ref_id: Defaulted<string>;
  is_external: Defaulted<boolean>;
  status: Defaulted<MemberStatus>;
  created_at: number;
  updated_at: number;
};

export type MemberRolesTable = {
  account_id: number;
  member_id: number;
  role_id: number;
};

export type RolesTable = {
  role_id: Generated<number>;
  account_id: number;
  role_name: string;
  description: Defaulted<string>;
  status: Defaulted<'enabled' | 'disabled'>;
  permission_ids: Defaulted<number[]>;
  created_at: number;
  updated_at: number;
};

export type AuditLogsTable = {
  audit_id: Generated<number>;
  account_id: number;
  /** Unix milliseconds. */
  created_at: number;
  member_id: number;
  member_name: string;
  credential: 'app_key' | 'session' | 'assistant';
  key_id: number | null;
  request_id: string;
  ip: Defaulted<string>;
  user_agent: Defaulted<string>;
  operation: string;
  operation_name: string;
  target: Defaulted<string>;
  body: Defaulted<string>;
  is_dangerous: Defaulted<boolean>;
  is_write: Defaulted<boolean>;
};

export type AppKeysTable = {
  key_id: Generated<number>;
  account_id: number;
  member_id: number;
  key_name: string;
  key_hash: string;
  status: Defaulted<'enabled' | 'disabled'>;
  last_used_at: Defaulted<number>;
  created_at: number;
  updated_at: number;
};

export type TeamsTable = {
  team_id: Generated<number>;
  account_id: number;
  team_name: string;
  description: Defaulted<string>;
  ref_id: Defaulted<string>;
  status: Defaulted<'enabled' | 'disabled' | 'deleted'>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

export type TeamMembersTable = {
  team_id: number;
  person_id: number;
  account_id: number;
};

export type ChannelStatus = 'enabled' | 'disabled' | 'deleted';

export type ChannelsTable = {
  channel_id: Generated<number>;
  account_id: number;
  team_id: number;
  managing_team_ids: Defaulted<number[]>;
  creator_id: number;
  channel_name: string;
  description: Defaulted<string>;
  status: Defaulted<ChannelStatus>;
  auto_resolve_timeout: Defaulted<number>;
  auto_resolve_mode: Defaulted<'trigger' | 'update'>;
  is_private: Defaulted<boolean>;
  disable_outlier_detection: Defaulted<boolean>;
  disable_auto_close: Defaulted<boolean>;
  is_external_report_enabled: Defaulted<boolean>;
  external_report_token: Defaulted<string>;
  plugin_ids: Defaulted<number[]>;
  group: Json<Record<string, unknown>>;
  flapping: Json<Record<string, unknown>>;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
};

export type IntegrationsTable = {
  integration_id: Generated<number>;
  account_id: number;
  team_id: Defaulted<number>;
  name: string;
  description: Defaulted<string>;
  plugin_type: string;
  integration_key: string;
  channel_id: Defaulted<number>;
  status: Defaulted<'enabled' | 'disabled' | 'deleted'>;
  creator_id: number;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
  dropped_event_cnt: Defaulted<number>;
  last_event_at: Defaulted<number>;
  /** Events discarded by noise control, per reason (migration 0003). */
  dropped_event_reasons: ColumnType<Partial<Record<string, number>>, string | undefined, string>;
  /** A webhook integration's settings, `{}` for other types (migration 0006; docs/webhooks.md). */
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
};

/** A heartbeat integration's timer (migration 0087; docs/sources.md). Times in Unix ms. */
export type HeartbeatsTable = {
  integration_id: number;
  account_id: number;
  last_ping_at: number;
  due_at: number;
  missed: Defaulted<boolean>;
};

export type RoutesTable = {
  integration_id: number;
  account_id: number;
  cases: Json<unknown[]>;
  sections: Json<unknown[]>;
  default_channel_ids: Defaulted<number[]>;
  version: Defaulted<number>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

/** A per-integration rule list: enrichment_rule_sets and alert_pipelines (migration 0085). */
export type ProcessingRulesTable = {
  integration_id: number;
  account_id: number;
  rules: Json<unknown[]>;
  status: Defaulted<string>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

/** Mapping tables of label enrichment (migration 0086). */
export type MappingSchemasTable = {
  schema_id: string;
  account_id: number;
  schema_name: string;
  description: Defaulted<string>;
  team_id: Defaulted<number>;
  source_labels: Json<string[]>;
  result_labels: Json<string[]>;
  status: Defaulted<string>;
  data_version: Defaulted<number>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

export type MappingRowsTable = {
  schema_id: string;
  key: string;
  fields: Json<Record<string, string>>;
  created_at: number;
  updated_at: number;
};

export type MappingApisTable = {
  api_id: string;
  account_id: number;
  api_name: string;
  description: Defaulted<string>;
  url: string;
  headers: Json<Record<string, string>>;
  timeout: Defaulted<number>;
  retry_count: Defaulted<number>;
  insecure_skip_verify: Defaulted<boolean>;
  status: Defaulted<string>;
  team_id: Defaulted<number>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

export type Severity = 'Critical' | 'Warning' | 'Info';
export type EventStatus = Severity | 'Ok';
export type Progress = 'Triggered' | 'Processing' | 'Closed';
export type Image = { src: string; alt: string; href: string };

export type IncidentsTable = {
  incident_id: string;
  account_id: number;
  channel_id: Defaulted<number>;
  integration_id: Defaulted<number>;
  integration_ids: Defaulted<number[]>;
  dedup_key: Defaulted<string>;
  equals_md5: Defaulted<string>;
  /** The kind of incident, for `frequency` (migration 0008): computed by the database, never written. */
  recurrence_key: GeneratedAlways<string>;
  group_key: string | null;
  group_method: Defaulted<string>;
  title: string;
  description: Defaulted<string>;
  impact: Defaulted<string>;
  root_cause: Defaulted<string>;
  resolution: Defaulted<string>;
  incident_severity: Severity;
  incident_status: EventStatus;
  progress: Defaulted<Progress>;
  start_time: number;
  last_time: number;
  end_time: Defaulted<number>;
  ack_time: Defaulted<number>;
  close_time: Defaulted<number>;
  creator_id: Defaulted<number>;
  closer_id: Defaulted<number>;
  owner_id: Defaulted<number>;
  snoozed_before: Defaulted<number>;
  ever_muted: Defaulted<boolean>;
  merge_disabled: Defaulted<boolean>;
  last_merge_time: Defaulted<number>;
  labels: Json<Record<string, string>>;
  fields: Json<Record<string, unknown>>;
  images: Json<Image[]>;
  manual_overrides: Defaulted<string[]>;
  alert_cnt: Defaulted<number>;
  active_alert_cnt: Defaulted<number>;
  alert_event_cnt: Defaulted<number>;
  responders: Json<unknown[]>;
  assigned_to: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
  /** The escalation engine has matched this Triggered incident's rule (migration 0019). */
  escalation_checked: Defaulted<boolean>;
  /** The transaction of the incident's last write, set by a trigger (migration 0020, web/live-cursor.ts). */
  change_xid: ColumnType<string | null, never, never>;
  /** When the incident's timeline last said it is flapping, ms (migration 0021). */
  flapping_told_at: Defaulted<number>;
};

export type AlertsTable = {
  alert_id: string;
  account_id: number;
  integration_id: number;
  channel_id: Defaulted<number>;
  incident_id: string | null;
  alert_key: string;
  title: string;
  title_rule: string;
  description: Defaulted<string>;
  alert_severity: Severity;
  alert_status: EventStatus;
  start_time: number;
  last_time: number;
  end_time: Defaulted<number>;
  labels: Json<Record<string, string>>;
  images: Json<Image[]>;
  ever_muted: Defaulted<boolean>;
  event_cnt: Defaulted<number>;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
};

export type AlertEventsTable = {
  event_id: string;
  alert_id: string;
  account_id: number;
  channel_id: Defaulted<number>;
  integration_id: number;
  integration_type: string;
  alert_key: string;
  title: string;
  title_rule: string;
  description: Defaulted<string>;
  event_severity: Severity;
  event_status: EventStatus;
  event_time: number;
  labels: Json<Record<string, string>>;
  images: Json<Image[]>;
  created_at: number;
};

export type FeedEntriesTable = {
  ref_id: string;
  account_id: number;
  incident_id: string | null;
  alert_id: string | null;
  type: string;
  detail: Json<Record<string, unknown>>;
  creator_id: Defaulted<number>;
  /** Milliseconds, as Flashduty's feeds are. */
  created_at: number;
};

export type ChannelRuleKind = 'silence' | 'inhibit' | 'drop';

/** Silence, inhibit and drop rules of channels (migration 0003; docs/noise-control.md). */
export type ChannelRulesTable = {
  rule_id: string;
  account_id: number;
  channel_id: number;
  kind: ChannelRuleKind;
  rule_name: string;
  description: Defaulted<string>;
  priority: Defaulted<number>;
  status: Defaulted<'enabled' | 'disabled' | 'deleted'>;
  /** OR of AND groups of conditions: the alerts the rule acts on (inhibit: its target_filters). */
  filters: Json<{ key: string; oper: 'IN' | 'NOTIN'; vals: string[] }[][]>;
  /** What only this kind of rule has (see the migration). */
  settings: Json<Record<string, unknown>>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
};

/** Incidents whose notifications are muted until a time (flapping in "alert then silence" mode). */
export type IncidentMutesTable = {
  incident_id: string;
  account_id: number;
  reason: 'flapping';
  muted_until: number;
  updated_at: number;
};

export type ChangeStatus = 'Planned' | 'Ready' | 'Processing' | 'Canceled' | 'Done';

/** A change: the events of one change_key within an integration, merged (migration 0007; docs/changes.md). */
export type ChangesTable = {
  change_id: string;
  account_id: number;
  integration_id: number;
  channel_id: Defaulted<number>;
  change_key: string;
  change_status: ChangeStatus;
  title: string;
  description: Defaulted<string>;
  link: Defaulted<string>;
  labels: Json<Record<string, string>>;
  start_time: number;
  last_time: number;
  end_time: Defaulted<number>;
  event_cnt: Defaulted<number>;
  created_at: number;
  updated_at: number;
};

/** One pushed change event; `seq` is its arrival order within the change. */
export type ChangeEventsTable = {
  event_id: string;
  change_id: string;
  account_id: number;
  integration_id: number;
  seq: number;
  change_key: string;
  change_status: ChangeStatus;
  title: string;
  description: Defaulted<string>;
  link: Defaulted<string>;
  labels: Json<Record<string, string>>;
  event_time: number;
  created_at: number;
};

/** An account's change-correlation settings; absent = the defaults. */
export type ChangeCorrelationSettingsTable = {
  account_id: number;
  label_keys: string[];
  window_seconds: number;
  updated_by: number;
  updated_at: number;
};

export type DeliveryStatus = 'pending' | 'success' | 'failed';

/** One attempt of an outbox row (migration 0022); times in ms. */
export type DeliveryAttemptsTable = {
  outbox: string;
  delivery_id: number;
  attempt: number;
  account_id: number;
  status: Defaulted<'sending' | 'success' | 'failed' | 'abandoned'>;
  lease_lost: Defaulted<boolean>;
  started_at: number;
  finished_at: Defaulted<number>;
  error_kind: Defaulted<string>;
  error_message: Defaulted<string>;
  status_code: Defaulted<number>;
  duration: Defaulted<number>;
};

/** The outbox, queue and log of outbound webhooks: one row per (webhook, event); times in ms (migration 0006). */
export type WebhookDeliveriesTable = {
  delivery_id: Generated<number>;
  account_id: number;
  integration_id: number;
  event_id: string;
  event_type: string;
  webhook_type: 'alert' | 'incident';
  event_time: number;
  channel_id: Defaulted<number>;
  ref_id: string;
  ref_title: Defaulted<string>;
  person_id: Defaulted<number>;
  endpoint: string;
  request_headers: string;
  request_body: ColumnType<string | null, string | null | undefined, string | null>;
  status: Defaulted<DeliveryStatus>;
  attempt: Defaulted<number>;
  next_attempt_at: number;
  attempted_at: Defaulted<number>;
  status_code: Defaulted<number>;
  duration: Defaulted<number>;
  error_message: Defaulted<string>;
  response_headers: Defaulted<string>;
  response_body: Defaulted<string>;
  created_at: number;
};

export type StatusPageType = 'public' | 'internal';
export type CustomLink = { name: string; url: string };
export type PageSubscription = { email?: boolean; im?: boolean; webhook?: boolean };

/** A status page (migration 0010). */
export type StatusPagesTable = {
  page_id: Generated<number>;
  account_id: number;
  name: string;
  url_name: string;
  type: StatusPageType;
  date_view: 'calendar' | 'list';
  display_uptime_mode: 'chart_and_percentage' | 'chart' | 'none';
  custom_domain: Defaulted<string>;
  page_title: Defaulted<string>;
  page_header: Defaulted<string>;
  page_footer: Defaulted<string>;
  contact_info: Defaulted<string>;
  logo: Defaulted<string>;
  dark_logo: Defaulted<string>;
  favicon: Defaulted<string>;
  logo_url: Defaulted<string>;
  template_preference: Defaulted<string>;
  custom_links: Json<CustomLink[]>;
  time_zone: Defaulted<string>;
  brand_color: Defaulted<string>;
  header_color: Defaulted<string>;
  subscription: Json<PageSubscription>;
  creator_id: Defaulted<number>;
  created_at: number;
  updated_at: number;
};

export type StatusPageSectionsTable = {
  section_id: string;
  page_id: number;
  account_id: number;
  name: string;
  description: Defaulted<string>;
  order_id: Defaulted<number>;
  hide_uptime: Defaulted<boolean>;
  hide_all: Defaulted<boolean>;
  created_at: number;
  updated_at: number;
};

export type StatusPageComponentsTable = {
  component_id: string;
  page_id: number;
  account_id: number;
  section_id: Defaulted<string>;
  name: string;
  description: Defaulted<string>;
  order_id: Defaulted<number>;
  hide_uptime: Defaulted<boolean>;
  hide_all: Defaulted<boolean>;
  available_since_seconds: number;
  created_at: number;
  updated_at: number;
};

export type StatusPageChangeType = 'incident' | 'maintenance';
export type ComponentChange = { component_id: string; status: string };

/** An incident or maintenance event of a status page; status and close time follow its timeline. */
export type StatusPageChangesTable = {
  change_id: Generated<number>;
  account_id: number;
  page_id: number;
  type: StatusPageChangeType;
  title: string;
  description: string;
  status: string;
  start_at_seconds: number;
  close_at_seconds: Defaulted<number>;
  planned_close_at: Defaulted<number>;
  is_retrospective: Defaulted<boolean>;
  notify_subscribers: Defaulted<boolean>;
  auto_update_by_schedule: Defaulted<boolean>;
  auto_start_pending: Defaulted<boolean>;
  auto_end_pending: Defaulted<boolean>;
  responder_ids: Json<number[]>;
  linked_change_ids: Json<string[]>;
  creator_id: Defaulted<number>;
  created_at: number;
  updated_at: number;
};

export type StatusPageUpdatesTable = {
  update_id: string;
  change_id: number;
  account_id: number;
  at_seconds: number;
  status: string | null;
  description: Defaulted<string>;
  component_changes: Json<ComponentChange[]>;
  creator_id: Defaulted<number>;
  created_at: number;
  /** A number per update (migration 0050), for clients that read integer timeline ids. */
  timeline_id: Generated<number>;
};

export type IncidentFieldDefinitionsTable = {
  field_id: string;
  account_id: number;
  field_name: string;
  display_name: string;
  description: Defaulted<string>;
  field_type: 'text' | 'single_select' | 'multi_select' | 'checkbox';
  value_type: 'string' | 'bool';
  options: ColumnType<string[], string | undefined, string>;
  default_value: ColumnType<unknown, string | undefined, string>;
  status: ColumnType<'enabled' | 'deleted', 'enabled' | undefined, 'enabled' | 'deleted'>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
};

/** A post-mortem's figures, computed from its incidents when it is created (migration 0082). */
export type PostMortemBasics = {
  incidents_highest_severity: string;
  incidents_earliest_start_seconds: number;
  incidents_latest_close_seconds: number;
  incidents_total_duration_seconds: number;
  responders: { person_id: number; assigned_at: number; acknowledged_at: number }[];
};

/** A chat opened for an incident in an IM integration (migration 0088, docs/war-rooms.md). */
export type WarRoomsTable = {
  account_id: number;
  incident_id: string;
  integration_id: number;
  plugin_type: string;
  chat_id: string;
  chat_name: string;
  status: Defaulted<string>;
  created_by: number;
  created_at: number;
};

export type PostMortemStatus = 'drafting' | 'published';

export type PostMortemsTable = {
  post_mortem_id: string;
  account_id: number;
  title: string;
  status: ColumnType<PostMortemStatus, PostMortemStatus | undefined, PostMortemStatus>;
  template_id: string;
  incident_ids: string[];
  author_ids: Defaulted<number[]>;
  team_id: Defaulted<number>;
  channel_id: Defaulted<number>;
  basics: Json<PostMortemBasics>;
  content: Defaulted<string>;
  follow_ups: Defaulted<string>;
  created_at: number;
  updated_at: number;
};

/** Kept by triggers (migration 0052): the title words and label pairs of each closed incident. */
export type IncidentPastTokensTable = {
  incident_id: string;
  token: string;
  account_id: number;
  channel_id: number;
  close_time: number;
};

export type SubscriberMethod = 'email' | 'im' | 'webhook';

export type StatusPageSubscribersTable = {
  subscriber_id: Generated<number>;
  page_id: number;
  account_id: number;
  method: SubscriberMethod;
  recipient: string;
  subscribe_all: Defaulted<boolean>;
  component_ids: Json<string[]>;
  change_ids: Json<number[]>;
  locale: Defaulted<string>;
  status: Defaulted<'pending' | 'active'>;
  token: string;
  created_at: number;
  confirmed_at: Defaulted<number>;
};

/** Counters of a Statuspage migration job, as /status-page/migration/status shows them. */
export type MigrationProgress = {
  total_steps: number;
  completed_steps: number;
  components_imported: number;
  sections_imported: number;
  incidents_imported: number;
  maintenances_imported: number;
  subscribers_imported: number;
  templates_imported: number;
  subscribers_skipped: number;
  warnings: string[];
};

/** A Statuspage migration job (migration 0091), run by the engine under a lease. */
export type StatusPageMigrationsTable = {
  job_id: string;
  account_id: number;
  creator_id: number;
  kind: 'structure' | 'subscribers';
  source_page_id: string;
  api_key: string;
  target_page_id: Defaulted<number>;
  /** The url_name asked for the new page ('' : Statuspage's subdomain). */
  url_name: Defaulted<string>;
  phase: 'structure' | 'history' | 'subscribers';
  status: Defaulted<'pending' | 'running' | 'completed' | 'failed' | 'cancelled'>;
  progress: Json<MigrationProgress>;
  error: Defaulted<string>;
  lease_owner: Defaulted<string>;
  lease_until_ms: Defaulted<number>;
  created_at: number;
  updated_at: number;
};

/** What a Statuspage migration created for one Statuspage object (migration 0091). */
export type StatusPageMigrationLinksTable = {
  account_id: number;
  source_page_id: string;
  source_kind: 'page' | 'section' | 'component' | 'incident' | 'maintenance';
  source_id: string;
  target_id: string;
};

/** Event templates of a status page: canned text for a new event or an update (migration 0018). */
export type StatusPageTemplatesTable = {
  template_id: string;
  page_id: number;
  account_id: number;
  type: 'pre_defined' | 'message';
  event_type: 'incident' | 'maintenance';
  status: string;
  title: Defaulted<string>;
  description: string;
  creator_id: number;
  created_at: number;
  updated_at: number;
};

/** The outbox and log of subscriber notifications; times in ms (migration 0010). */
export type StatusPageNotificationsTable = {
  notification_id: Generated<number>;
  account_id: number;
  page_id: number;
  subscriber_id: number;
  kind: 'confirm' | 'update';
  change_id: Defaulted<number>;
  update_id: Defaulted<string>;
  channel: 'email' | 'webhook';
  recipient: string;
  payload: ColumnType<string | null, string | null | undefined, string | null>;
  status: Defaulted<DeliveryStatus>;
  attempt: Defaulted<number>;
  next_attempt_at: number;
  attempted_at: Defaulted<number>;
  error_message: Defaulted<string>;
  created_at: number;
};

/** Notification templates (migration 0012): per-channel Go-template bodies in `bodies`. */
export type NotificationTemplatesTable = {
  template_id: string;
  account_id: number;
  team_id: Defaulted<number>;
  template_name: string;
  description: Defaulted<string>;
  bodies: Json<Record<string, string>>;
  status: Defaulted<'enabled' | 'disabled' | 'deleted'>;
  creator_id: Defaulted<number>;
  updated_by: Defaulted<number>;
  deleted_at: Defaulted<number>;
  created_at: number;
  updated_at: number;
};

/** A person's notification preferences (migration 0012). */
export type NotificationPreferencesTable = {
  account_id: number;
  person_id: number;
  trigger_notify: Json<Record<string, string[]>>;
  schedule_shift_notify: ColumnType<{ personal_channels: string[] }, string | undefined, string>;
  status_page_notify: ColumnType<{ im_integrations: string[] }, string | undefined, string>;
  updated_at: number;
};

/** The outbox, queue and log of notifications: one row per (incident, step, recipient, channel); ms (migration 0012). */
export type NotificationDeliveriesTable = {
  notification_id: Generated<number>;
  account_id: number;
  incident_id: string;
  step: string;
  recipient: string;
  channel: string;
  person_id: Defaulted<number>;
  target: ColumnType<Record<string, unknown>, string | undefined, string>;
  template_id: string;
  facts: ColumnType<Record<string, unknown>, string | undefined, string>;
  content: ColumnType<string | null, string | null | undefined, string | null>;
  status: Defaulted<DeliveryStatus>;
  attempt: Defaulted<number>;
  next_attempt_at: number;
  attempted_at: Defaulted<number>;
  error_kind: Defaulted<string>;
  error_message: Defaulted<string>;
  status_code: Defaulted<number>;
  duration: Defaulted<number>;
  response_body: Defaulted<string>;
  created_at: number;
};

/** A schedule (migration 0011); layers and notify are documents validated by src/schedules. */
export type SchedulesTable = {
  schedule_id: Generated<number>;
  account_id: number;
  schedule_name: string;
  description: Defaulted<string>;
  team_id: Defaulted<number>;
  time_zone: string;
  layers: Json<unknown[]>;
  notify: Json<unknown>;
  person_ids: Defaulted<number[]>;
  status: Defaulted<'enabled' | 'deleted'>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
};

export type CalendarKind = 'region.official.holiday' | 'religion.holiday' | 'personal';

/** A service calendar (migration 0011). */
export type CalendarsTable = {
  cal_id: string;
  account_id: number;
  team_id: Defaulted<number>;
  cal_name: string;
  description: Defaulted<string>;
  timezone: string;
  kind: Defaulted<CalendarKind>;
  workdays: Json<number[]>;
  extra_cal_ids: Json<string[]>;
  status: Defaulted<'enabled' | 'deleted'>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

export type CalendarEventsTable = {
  cal_id: string;
  event_id: string;
  account_id: number;
  creator_id: number;
  summary: string;
  description: Defaulted<string>;
  start_at: string;
  end_at: string;
  is_off: boolean;
  created_at: number;
  updated_at: number;
};

/** A calendar feed's secret (its SHA-256 digest): of a schedule, or of a person's shifts (schedule_id 0). */
export type ScheduleFeedsTable = {
  token_hash: string;
  account_id: number;
  schedule_id: Defaulted<number>;
  person_id: Defaulted<number>;
  created_by: number;
  created_at: number;
};

/** Escalation rules of channels (migration 0013; docs/escalation.md). The jsonb shapes are src/escalation/escalation.types.ts. */
export type EscalationRulesTable = {
  rule_id: string;
  account_id: number;
  channel_id: number;
  rule_name: string;
  description: Defaulted<string>;
  priority: Defaulted<number>;
  aggr_window: Defaulted<number>;
  template_id: string;
  status: Defaulted<'enabled' | 'disabled' | 'deleted'>;
  layers: Json<unknown[]>;
  time_filters: Json<unknown[]>;
  filters: Json<{ key: string; oper: 'IN' | 'NOTIN'; vals: string[] }[][]>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
};

/** Channel notification rules (migration 0089; docs/channels.md "Notification rules"). Times are seconds. */
export type ChannelNotifyRulesTable = {
  rule_id: string;
  account_id: number;
  channel_id: number;
  rule_name: string;
  description: Defaulted<string>;
  template_id: string;
  status: Defaulted<'enabled' | 'disabled'>;
  event_types: Json<string[]>;
  filters: Json<{ key: string; oper: 'IN' | 'NOTIN'; vals: string[] }[][]>;
  target: Json<Record<string, unknown>>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

/** Running escalations (migration 0014; docs/escalation.md "Runtime"). Times are ms. */
export type EscalationsTable = {
  escalation_id: Generated<number>;
  account_id: number;
  incident_id: string;
  rule_snapshot: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  layer_idx: Defaulted<number>;
  times_notified: Defaulted<number>;
  layer_started_at: number;
  next_at: number;
  status: Defaulted<'active' | 'stopped' | 'done'>;
  reason: Defaulted<string>;
  started_at: number;
  ended_at: Defaulted<number>;
  updated_at: number;
};

export type MemberPasswordsTable = {
  member_id: number;
  account_id: number;
  password_hash: string;
  updated_at: number;
};

export type ConsoleSessionsTable = {
  session_hash: string;
  account_id: number;
  member_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
};

export type ConsoleInvitesTable = {
  token_hash: string;
  account_id: number;
  member_id: number;
  created_by: number;
  created_at: number;
  expires_at: number;
  used_at: Defaulted<number>;
};

/** Insight facts (migration 0016; docs/insights.md), derived by src/insights/facts.store.ts. */
export type InsightIncidentFactsTable = {
  incident_id: string;
  account_id: number;
  channel_id: number;
  start_time: number;
  severity: string;
  ever_muted: boolean;
  ack_time: number;
  close_time: number;
  closed_by: string;
  engaged_seconds: number;
  notifications: number;
  interruptions: number;
  assignments: number;
  reassignments: number;
  acknowledgements: number;
  escalations: number;
  timeout_escalations: number;
  manual_escalations: number;
  alert_cnt: number;
  alert_event_cnt: number;
};

export type InsightResponderFactsTable = {
  incident_id: string;
  person_id: number;
  account_id: number;
  channel_id: number;
  start_time: number;
  ever_muted: boolean;
  assigned_at: number;
  ack_time: number;
  engaged_seconds: number;
  notifications: number;
  interruptions: number;
  reassigned: boolean;
  escalated: boolean;
  timeout_escalated: boolean;
  manually_escalated: boolean;
};

export type InsightIncidentHourlyTable = {
  account_id: number;
  hour: number;
  channel_id: number;
} & Record<
  | 'incidents'
  | 'acknowledged'
  | 'closed'
  | 'auto_closed'
  | 'manually_closed'
  | 'timeout_closed'
  | 'escalated'
  | 'manually_escalated'
  | 'timeout_escalated'
  | 'reassigned'
  | 'interruptions'
  | 'notifications'
  | 'engaged'
  | 'to_ack'
  | 'to_close'
  | 'alerts'
  | 'alert_events',
  number
>;

/** Daily rollups (migration 0080), kept by src/insights/rollups.store.ts. */
export type InsightIncidentDailyTable = {
  account_id: number;
  day: number;
  band: number;
  channel_id: number;
} & Omit<InsightIncidentHourlyTable, 'account_id' | 'hour' | 'channel_id'>;

export type InsightResponderDailyTable = {
  account_id: number;
  person_id: number;
  day: number;
  band: number;
} & Record<
  | 'incidents'
  | 'acknowledged'
  | 'reassigned'
  | 'escalated'
  | 'timeout_escalated'
  | 'manually_escalated'
  | 'interruptions'
  | 'notifications'
  | 'engaged'
  | 'to_ack',
  number
>;

export type InsightRefreshStateTable = {
  account_id: number;
  feed_ms: number;
  refreshed_at: number;
  /** The zone of the daily rollups; null while there are none. */
  rollup_zone: Defaulted<string | null>;
  /** Incident id → what the previous refresh saw of it (facts.store.ts). */
  seen: ColumnType<Record<string, string>, string | undefined, string>;
};

export type InsightSettingsTable = { account_id: number; cal_id: Defaulted<string>; updated_at: number };

export type IngestLogTable = {
  seq: GeneratedAlways<number>;
  partition: number;
  account_id: number;
  integration_id: number;
  accepted_at: number;
  /** A json column: read parsed, written as a JSON string. */
  event: Json<unknown>;
};

export type IngestFailedTable = {
  seq: number;
  partition: number;
  account_id: number;
  integration_id: number;
  accepted_at: number;
  event: Json<unknown>;
  failed_at: number;
  error: string;
};

export type Tables = {
  ingest_log: IngestLogTable;
  ingest_failed: IngestFailedTable;
  accounts: AccountsTable;
  members: MembersTable;
  member_roles: MemberRolesTable;
  roles: RolesTable;
  audit_logs: AuditLogsTable;
  app_keys: AppKeysTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  channels: ChannelsTable;
  integrations: IntegrationsTable;
  routes: RoutesTable;
  enrichment_rule_sets: ProcessingRulesTable;
  alert_pipelines: ProcessingRulesTable;
  mapping_schemas: MappingSchemasTable;
  mapping_rows: MappingRowsTable;
  mapping_apis: MappingApisTable;
  heartbeats: HeartbeatsTable;
  incidents: IncidentsTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  feed_entries: FeedEntriesTable;
  channel_rules: ChannelRulesTable;
  escalation_rules: EscalationRulesTable;
  channel_notify_rules: ChannelNotifyRulesTable;
  escalations: EscalationsTable;
  insight_incident_facts: InsightIncidentFactsTable;
  insight_responder_facts: InsightResponderFactsTable;
  insight_incident_hourly: InsightIncidentHourlyTable;
  insight_incident_daily: InsightIncidentDailyTable;
  insight_responder_daily: InsightResponderDailyTable;
  insight_refresh_state: InsightRefreshStateTable;
  insight_settings: InsightSettingsTable;
  incident_mutes: IncidentMutesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  changes: ChangesTable;
  change_events: ChangeEventsTable;
  change_correlation_settings: ChangeCorrelationSettingsTable;
  status_pages: StatusPagesTable;
  status_page_sections: StatusPageSectionsTable;
  status_page_components: StatusPageComponentsTable;
  status_page_changes: StatusPageChangesTable;
  status_page_updates: StatusPageUpdatesTable;
  incident_field_definitions: IncidentFieldDefinitionsTable;
  incident_past_tokens: IncidentPastTokensTable;
  post_mortems: PostMortemsTable;
  war_rooms: WarRoomsTable;
  status_page_subscribers: StatusPageSubscribersTable;
  status_page_notifications: StatusPageNotificationsTable;
  status_page_templates: StatusPageTemplatesTable;
  status_page_migrations: StatusPageMigrationsTable;
  status_page_migration_links: StatusPageMigrationLinksTable;
  notification_templates: NotificationTemplatesTable;
  notification_preferences: NotificationPreferencesTable;
  notification_deliveries: NotificationDeliveriesTable;
  schedules: SchedulesTable;
  calendars: CalendarsTable;
  calendar_events: CalendarEventsTable;
  schedule_feeds: ScheduleFeedsTable;
  member_passwords: MemberPasswordsTable;
  console_sessions: ConsoleSessionsTable;
  console_invites: ConsoleInvitesTable;
};
