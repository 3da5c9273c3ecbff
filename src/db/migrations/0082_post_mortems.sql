-- Post-mortems (/incident/post-mortem/*, docs/post-mortems.md): one report per set of incidents,
-- its id the MD5 of the account and the sorted incident ids, as Flashduty derives it. The basics
-- are computed from the incidents when the report is created; the body is Markdown.
create table post_mortems (
  post_mortem_id  text     primary key,
  account_id      bigint   not null,
  title           text     not null,
  status          text     not null default 'drafting',
  template_id     text     not null,
  incident_ids    text[]   not null,
  author_ids      bigint[] not null default '{}',
  team_id         bigint   not null default 0,
  channel_id      bigint   not null default 0,
  basics          jsonb    not null,
  content         text     not null default '',
  follow_ups      text     not null default '',
  created_at      bigint   not null,
  updated_at      bigint   not null
);
create index post_mortems_account_idx on post_mortems (account_id, created_at);
