-- Noise control (docs/noise-control.md): the silence, inhibit and drop ("unsubscribe") rules of a
-- channel, and what the alert pipeline needs to apply them and channel flapping.

-- One table for the three kinds: they share name, priority, status, filters and bookkeeping. What
-- only one kind has lives in `settings`:
--   silence: {time_filter: {start_time, end_time} | null, time_filters: [{start, end, repeat}],
--             is_directly_discard, from_incident_id}
--   inhibit: {source_filters, equals, is_directly_discard}   (filters = target_filters)
--   drop:    {}
-- `filters` always selects the alerts the rule acts on (OR of AND groups of conditions).
create table channel_rules (
  rule_id     text    primary key,
  account_id  bigint  not null references accounts (account_id),
  channel_id  bigint  not null references channels (channel_id),
  kind        text    not null check (kind in ('silence', 'inhibit', 'drop')),
  rule_name   text    not null,
  description text    not null default '',
  priority    integer not null default 0,
  status      text    not null default 'enabled' check (status in ('enabled', 'disabled', 'deleted')),
  filters     jsonb   not null default '[]',
  settings    jsonb   not null default '{}',
  creator_id  bigint  not null,
  updated_by  bigint  not null,
  created_at  bigint  not null,
  updated_at  bigint  not null,
  deleted_at  bigint  not null default 0
);
-- The rules of a channel in evaluation order (lower priority first, then the older rule).
create index channel_rules_channel_idx on channel_rules (channel_id, kind, priority, rule_id) where status <> 'deleted';

-- Inhibition looks for the open alerts a channel received in the last minutes.
create index alerts_channel_open_idx on alerts (channel_id, created_at) where end_time = 0;

-- Flapping counts the status changes of one alert key (across the alerts it opened and closed)
-- within a window of event times.
create index alert_events_key_time_idx on alert_events (channel_id, integration_id, alert_key, event_time);

-- Flapping in "alert then silence" mode mutes an incident's notifications until muted_until (Unix
-- seconds); the notification engine reads it. A row per incident, extended while flapping goes on.
create table incident_mutes (
  incident_id text   primary key,
  account_id  bigint not null references accounts (account_id),
  reason      text   not null check (reason in ('flapping')),
  muted_until bigint not null,
  updated_at  bigint not null
);

-- Events discarded by noise control, per reason ({"drop": n, "silence": n, "inhibit": n}); they
-- are also counted in dropped_event_cnt, with events no route accepted.
alter table integrations add column dropped_event_reasons jsonb not null default '{}';
