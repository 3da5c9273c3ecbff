-- Schedules and service calendars (docs/schedules.md).

-- A schedule keeps its layers and notification settings as documents: they are always read and
-- written whole, and the who-is-on-call calculator (src/schedules/oncall.ts) reads them as they are.
create table schedules (
  schedule_id   bigint  primary key default vigil_next_id(),
  account_id    bigint  not null references accounts (account_id),
  schedule_name text    not null,
  description   text    not null default '',
  team_id       bigint  not null default 0,
  -- The IANA zone every wall-clock rule of the layers is read in (Vigil's own field).
  time_zone     text    not null,
  layers        jsonb   not null default '[]',
  notify        jsonb   not null default '{}',
  -- Every person named by any layer, for /schedule/self and the personal calendar feed.
  person_ids    bigint[] not null default '{}',
  status        text    not null default 'enabled' check (status in ('enabled', 'deleted')),
  creator_id    bigint  not null,
  updated_by    bigint  not null,
  created_at    bigint  not null,
  updated_at    bigint  not null,
  deleted_at    bigint  not null default 0
);
-- Names are unique among an account's live schedules, whatever their case.
create unique index schedules_name_key on schedules (account_id, lower(schedule_name)) where status <> 'deleted';
create index schedules_account_idx on schedules (account_id, schedule_id desc) where status <> 'deleted';
create index schedules_person_idx on schedules using gin (person_ids) where status <> 'deleted';

-- Service calendars: weekdays that are workdays, and dated events that turn days off or on.
create table calendars (
  cal_id        text    primary key,
  account_id    bigint  not null references accounts (account_id),
  team_id       bigint  not null default 0,
  cal_name      text    not null,
  description   text    not null default '',
  timezone      text    not null,
  kind          text    not null default 'personal',
  workdays      jsonb   not null default '[0,1,2,3,4,5,6]',
  extra_cal_ids jsonb   not null default '[]',
  status        text    not null default 'enabled' check (status in ('enabled', 'deleted')),
  creator_id    bigint  not null,
  updated_by    bigint  not null,
  created_at    bigint  not null,
  updated_at    bigint  not null
);
create unique index calendars_name_key on calendars (account_id, lower(cal_name)) where status <> 'deleted';

create table calendar_events (
  cal_id      text    not null references calendars (cal_id),
  event_id    text    not null,
  account_id  bigint  not null,
  creator_id  bigint  not null,
  summary     text    not null,
  description text    not null default '',
  -- Local dates (YYYY-MM-DD) in the calendar's zone; end_at is exclusive.
  start_at    text    not null,
  end_at      text    not null,
  is_off      boolean not null,
  created_at  bigint  not null,
  updated_at  bigint  not null,
  primary key (cal_id, event_id)
);
create index calendar_events_start_idx on calendar_events (cal_id, start_at);

-- Calendar (iCal) feeds of a schedule or of one person's shifts, reached with a secret token.
create table schedule_feeds (
  token_hash  text   primary key,
  account_id  bigint not null references accounts (account_id),
  -- 0 for a person's feed of every schedule they are on.
  schedule_id bigint not null default 0,
  person_id   bigint not null default 0,
  created_by  bigint not null,
  created_at  bigint not null
);
