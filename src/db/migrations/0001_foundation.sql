-- Foundation: accounts and people, app keys, channels, integrations and their routes.
-- Times are Unix seconds (bigint), as the API speaks them. Every row carries account_id, and every
-- query is scoped by it. Soft-deleted rows keep their ids (Flashduty reports status "deleted").

-- int64 ids: milliseconds since 2024-01-01 × 1024 + a sequence modulo 1024. Time-ordered, unique
-- across every instance sharing the database (unless one database hands out more than 1,024 ids in a
-- single millisecond), and below 2^53 until the 23rd century, so JavaScript clients read them exactly.
create sequence vigil_id_seq;
create function vigil_next_id() returns bigint language sql volatile as $$
  select (floor(extract(epoch from clock_timestamp()) * 1000)::bigint - 1704067200000) * 1024
         + (nextval('vigil_id_seq') % 1024)
$$;

create table accounts (
  account_id   bigint primary key default vigil_next_id(),
  account_name text   not null,
  email        text   not null,
  locale       text   not null default 'en-US',
  time_zone    text   not null default 'UTC',
  created_at   bigint not null,
  updated_at   bigint not null
);

create table members (
  member_id     bigint  primary key default vigil_next_id(),
  account_id    bigint  not null references accounts (account_id),
  member_name   text    not null,
  email         text    not null default '',
  phone         text    not null default '',
  country_code  text    not null default '',
  avatar        text    not null default '',
  locale        text    not null default 'en-US',
  time_zone     text    not null default '',
  ref_id        text    not null default '',
  is_external   boolean not null default false,
  status        text    not null default 'enabled' check (status in ('enabled', 'pending', 'deleted')),
  created_at    bigint  not null,
  updated_at    bigint  not null
);
-- One live member per e-mail (and per ref_id) within an account; deleted members free theirs.
create unique index members_email_key on members (account_id, lower(email)) where status <> 'deleted' and email <> '';
create unique index members_ref_id_key on members (account_id, ref_id) where status <> 'deleted' and ref_id <> '';

-- Built-in roles are defined in code (accounts/permissions.ts); this table only records grants.
create table member_roles (
  account_id bigint not null references accounts (account_id),
  member_id  bigint not null references members (member_id),
  role_id    bigint not null,
  primary key (member_id, role_id)
);

create table app_keys (
  key_id       bigint primary key default vigil_next_id(),
  account_id   bigint not null references accounts (account_id),
  member_id    bigint not null references members (member_id),
  key_name     text   not null,
  -- SHA-256 of the secret: keys are 128-bit random, so a fast hash is enough and lookups stay indexed.
  key_hash     text   not null unique,
  status       text   not null default 'enabled' check (status in ('enabled', 'disabled')),
  last_used_at bigint not null default 0,
  created_at   bigint not null,
  updated_at   bigint not null
);
create index app_keys_member_idx on app_keys (member_id);

create table teams (
  team_id     bigint primary key default vigil_next_id(),
  account_id  bigint not null references accounts (account_id),
  team_name   text   not null,
  description text   not null default '',
  ref_id      text   not null default '',
  status      text   not null default 'enabled' check (status in ('enabled', 'disabled', 'deleted')),
  creator_id  bigint not null,
  updated_by  bigint not null,
  created_at  bigint not null,
  updated_at  bigint not null
);
create unique index teams_name_key on teams (account_id, team_name) where status <> 'deleted';
create unique index teams_ref_id_key on teams (account_id, ref_id) where status <> 'deleted' and ref_id <> '';

create table team_members (
  team_id    bigint not null references teams (team_id),
  person_id  bigint not null references members (member_id),
  account_id bigint not null references accounts (account_id),
  primary key (team_id, person_id)
);
create index team_members_person_idx on team_members (person_id);

create table channels (
  channel_id                 bigint   primary key default vigil_next_id(),
  account_id                 bigint   not null references accounts (account_id),
  team_id                    bigint   not null,
  managing_team_ids          bigint[] not null default '{}',
  creator_id                 bigint   not null,
  channel_name               text     not null,
  description                text     not null default '',
  status                     text     not null default 'enabled' check (status in ('enabled', 'disabled', 'deleted')),
  auto_resolve_timeout       bigint   not null default 0,
  auto_resolve_mode          text     not null default 'trigger' check (auto_resolve_mode in ('trigger', 'update')),
  is_private                 boolean  not null default false,
  disable_outlier_detection  boolean  not null default false,
  disable_auto_close         boolean  not null default false,
  is_external_report_enabled boolean  not null default false,
  external_report_token      text     not null default '',
  plugin_ids                 bigint[] not null default '{}',
  "group"                    jsonb    not null,
  flapping                   jsonb    not null,
  created_at                 bigint   not null,
  updated_at                 bigint   not null,
  deleted_at                 bigint   not null default 0
);
create unique index channels_name_key on channels (account_id, channel_name) where status <> 'deleted';

create table integrations (
  integration_id  bigint primary key default vigil_next_id(),
  account_id      bigint not null references accounts (account_id),
  team_id         bigint not null default 0,
  name            text   not null,
  description     text   not null default '',
  plugin_type     text   not null,
  integration_key text   not null unique,
  -- 0 = shared (routed by its route); otherwise the one channel a private integration feeds.
  channel_id      bigint not null default 0,
  status          text   not null default 'enabled' check (status in ('enabled', 'disabled', 'deleted')),
  creator_id      bigint not null,
  created_at      bigint not null,
  updated_at      bigint not null,
  deleted_at      bigint not null default 0
);
create index integrations_account_idx on integrations (account_id, integration_id);
create index integrations_channel_idx on integrations (channel_id) where channel_id <> 0;

create table routes (
  integration_id      bigint   primary key references integrations (integration_id),
  account_id          bigint   not null references accounts (account_id),
  cases               jsonb    not null default '[]',
  sections            jsonb    not null default '[]',
  default_channel_ids bigint[] not null default '{}',
  version             bigint   not null default 1,
  creator_id          bigint   not null,
  updated_by          bigint   not null,
  created_at          bigint   not null,
  updated_at          bigint   not null
);
