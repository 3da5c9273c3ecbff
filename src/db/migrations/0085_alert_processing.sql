-- Per-integration alert processing, applied to each event before routing (docs/processing.md):
-- label enrichment rules first, then the alert pipeline. One row per integration; `rules` is the
-- ordered, validated rule list as the API returns it.

create table enrichment_rule_sets (
  integration_id bigint primary key,
  account_id     bigint not null,
  rules          jsonb  not null default '[]',
  status         text   not null default 'enabled',
  creator_id     bigint not null,
  updated_by     bigint not null,
  created_at     bigint not null,
  updated_at     bigint not null
);
create index enrichment_rule_sets_account on enrichment_rule_sets (account_id);

create table alert_pipelines (
  integration_id bigint primary key,
  account_id     bigint not null,
  rules          jsonb  not null default '[]',
  status         text   not null default 'enabled',
  creator_id     bigint not null,
  updated_by     bigint not null,
  created_at     bigint not null,
  updated_at     bigint not null
);
create index alert_pipelines_account on alert_pipelines (account_id);
