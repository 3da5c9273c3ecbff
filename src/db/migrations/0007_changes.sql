-- Change events (docs/changes.md): every event pushed to a change.standard integration, and the
-- change its events merge into — one per (integration, change_key). Ids are 24-hex ObjectID-style
-- strings made by the application.

create table changes (
  change_id      text    primary key,
  account_id     bigint  not null references accounts (account_id),
  integration_id bigint  not null,
  -- Change integrations are shared (account-level), so a change belongs to no channel: always 0.
  channel_id     bigint  not null default 0,
  change_key     text    not null,
  -- The merged state: the status of the latest event (by event_time, ties by arrival), and the
  -- attributes folded over the events in that order (src/changes/merge.ts).
  change_status  text    not null check (change_status in ('Planned', 'Ready', 'Processing', 'Canceled', 'Done')),
  title          text    not null,
  description    text    not null default '',
  link           text    not null default '',
  labels         jsonb   not null default '{}',
  start_time     bigint  not null,
  last_time      bigint  not null,
  -- The time of the latest event when that event is Canceled or Done; 0 while the change runs.
  end_time       bigint  not null default 0,
  event_cnt      integer not null default 0,
  created_at     bigint  not null,
  updated_at     bigint  not null
);
-- One change per key within an integration: concurrent first events cannot make two.
create unique index changes_integration_key on changes (integration_id, change_key);
-- /change/list in either order, and the correlation look-back (changes active since a time).
create index changes_account_start_idx on changes (account_id, start_time desc, change_id desc);
create index changes_account_last_idx on changes (account_id, last_time desc, change_id desc);

create table change_events (
  event_id       text    primary key,
  change_id      text    not null references changes (change_id),
  account_id     bigint  not null,
  integration_id bigint  not null,
  -- Arrival order within the change (1, 2, …), assigned under the change's row lock: it breaks
  -- ties between events with the same event_time.
  seq            integer not null,
  change_key     text    not null,
  change_status  text    not null,
  title          text    not null,
  description    text    not null default '',
  link           text    not null default '',
  labels         jsonb   not null default '{}',
  event_time     bigint  not null,
  created_at     bigint  not null
);
create unique index change_events_change_seq on change_events (change_id, seq);
create index change_events_change_time_idx on change_events (change_id, event_time, seq);

-- How an account correlates changes with incidents; an account without a row uses the defaults
-- (label keys service, cluster, resource, host, app; a look-back of 2 hours).
create table change_correlation_settings (
  account_id     bigint  primary key references accounts (account_id),
  label_keys     text[]  not null,
  window_seconds integer not null,
  updated_by     bigint  not null,
  updated_at     bigint  not null
);
