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

export type Tables = {
  accounts: AccountsTable;
  members: MembersTable;
  member_roles: MemberRolesTable;
  app_keys: AppKeysTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  channels: ChannelsTable;
  integrations: IntegrationsTable;
  routes: RoutesTable;
  incidents: IncidentsTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  feed_entries: FeedEntriesTable;
  channel_rules: ChannelRulesTable;
  incident_mutes: IncidentMutesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  changes: ChangesTable;
  change_events: ChangeEventsTable;
  change_correlation_settings: ChangeCorrelationSettingsTable;
};
