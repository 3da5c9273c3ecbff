-- Alerts and incidents: raw events, alerts deduplicated from them, incidents grouping alerts, and
-- the feed (timeline) of both. Ids are 24-hex ObjectID-style strings made by the application.

create table incidents (
  incident_id       text     primary key,
  account_id        bigint   not null references accounts (account_id),
  channel_id        bigint   not null default 0,
  integration_id    bigint   not null default 0,
  integration_ids   bigint[] not null default '{}',
  dedup_key         text     not null default '',
  equals_md5        text     not null default '',
  -- The grouping key while the incident still takes alerts; null once it is closed, merging was
  -- disabled, or its grouping window has passed. Unique per channel: one open incident per key.
  group_key         text,
  group_method      text     not null default 'n',
  title             text     not null,
  description       text     not null default '',
  impact            text     not null default '',
  root_cause        text     not null default '',
  resolution        text     not null default '',
  incident_severity text     not null,
  incident_status   text     not null,
  progress          text     not null default 'Triggered' check (progress in ('Triggered', 'Processing', 'Closed')),
  start_time        bigint   not null,
  last_time         bigint   not null,
  end_time          bigint   not null default 0,
  ack_time          bigint   not null default 0,
  close_time        bigint   not null default 0,
  creator_id        bigint   not null default 0,
  closer_id         bigint   not null default 0,
  owner_id          bigint   not null default 0,
  snoozed_before    bigint   not null default 0,
  ever_muted        boolean  not null default false,
  merge_disabled    boolean  not null default false,
  -- When the last alert joined: the start of a sliding grouping window.
  last_merge_time   bigint   not null default 0,
  labels            jsonb    not null default '{}',
  fields            jsonb    not null default '{}',
  images            jsonb    not null default '[]',
  manual_overrides  text[]   not null default '{}',
  alert_cnt         integer  not null default 0,
  active_alert_cnt  integer  not null default 0,
  alert_event_cnt   integer  not null default 0,
  responders        jsonb    not null default '[]',
  assigned_to       jsonb,
  created_at        bigint   not null,
  updated_at        bigint   not null,
  deleted_at        bigint   not null default 0
);
create unique index incidents_group_key on incidents (account_id, channel_id, group_key) where group_key is not null;
create index incidents_account_start_idx on incidents (account_id, start_time desc, incident_id desc);
create index incidents_channel_open_idx on incidents (channel_id, start_time desc) where progress <> 'Closed';

create table alerts (
  alert_id          text    primary key,
  account_id        bigint  not null references accounts (account_id),
  integration_id    bigint  not null,
  channel_id        bigint  not null default 0,
  incident_id       text,
  alert_key         text    not null,
  title             text    not null,
  title_rule        text    not null,
  description       text    not null default '',
  alert_severity    text    not null,
  alert_status      text    not null,
  start_time        bigint  not null,
  last_time         bigint  not null,
  -- 0 while the alert is open; set when it recovers (Ok) or is closed with its incident.
  end_time          bigint  not null default 0,
  labels            jsonb   not null default '{}',
  images            jsonb   not null default '[]',
  ever_muted        boolean not null default false,
  event_cnt         integer not null default 0,
  created_at        bigint  not null,
  updated_at        bigint  not null,
  deleted_at        bigint  not null default 0
);
-- One open alert per key within an integration and channel: concurrent events cannot make two.
create unique index alerts_open_key on alerts (integration_id, channel_id, alert_key) where end_time = 0;
create index alerts_incident_idx on alerts (incident_id);
create index alerts_account_start_idx on alerts (account_id, start_time desc, alert_id desc);

create table alert_events (
  event_id          text   primary key,
  alert_id          text   not null,
  account_id        bigint not null,
  channel_id        bigint not null default 0,
  integration_id    bigint not null,
  integration_type  text   not null,
  alert_key         text   not null,
  title             text   not null,
  title_rule        text   not null,
  description       text   not null default '',
  event_severity    text   not null,
  event_status      text   not null,
  event_time        bigint not null,
  labels            jsonb  not null default '{}',
  images            jsonb  not null default '[]',
  created_at        bigint not null
);
create index alert_events_alert_idx on alert_events (alert_id, event_time);
create index alert_events_account_time_idx on alert_events (account_id, event_time desc, event_id desc);

-- The timeline of incidents and alerts. created_at is in milliseconds, as Flashduty's feeds are.
create table feed_entries (
  ref_id      text   primary key,
  account_id  bigint not null,
  incident_id text,
  alert_id    text,
  type        text   not null,
  detail      jsonb  not null default '{}',
  creator_id  bigint not null default 0,
  created_at  bigint not null
);
create index feed_entries_incident_idx on feed_entries (incident_id, created_at) where incident_id is not null;
create index feed_entries_alert_idx on feed_entries (alert_id, created_at) where alert_id is not null;

-- Events no route accepted are dropped and counted, not refused.
alter table integrations add column dropped_event_cnt bigint not null default 0;
alter table integrations add column last_event_at bigint not null default 0;
