-- Atlassian Statuspage migrations (/status-page/migrate-*, docs/status-pages.md "Migrating from
-- Statuspage"): one row per background job, claimed by an engine module with a lease so one
-- instance runs it at a time and another takes it over after a crash. The API key is kept only
-- while the job can still run.
create table status_page_migrations (
  job_id          text     primary key,
  account_id      bigint   not null,
  creator_id      bigint   not null,
  kind            text     not null,
  source_page_id  text     not null,
  api_key         text     not null,
  target_page_id  bigint   not null default 0,
  url_name        text     not null default '',
  phase           text     not null,
  status          text     not null default 'pending',
  progress        jsonb    not null default '{}',
  error           text     not null default '',
  lease_owner     text     not null default '',
  lease_until_ms  bigint   not null default 0,
  created_at      bigint   not null,
  updated_at      bigint   not null
);
-- One job in progress per account, kind and source page: starting again answers the same job.
create unique index status_page_migrations_active_idx on status_page_migrations (account_id, kind, source_page_id)
  where status in ('pending', 'running');
create index status_page_migrations_due_idx on status_page_migrations (lease_until_ms)
  where status in ('pending', 'running');

-- What a migration created for each Statuspage object, so running it again creates nothing twice.
create table status_page_migration_links (
  account_id      bigint   not null,
  source_page_id  text     not null,
  source_kind     text     not null,
  source_id       text     not null,
  target_id       text     not null,
  primary key (account_id, source_page_id, source_kind, source_id)
);
