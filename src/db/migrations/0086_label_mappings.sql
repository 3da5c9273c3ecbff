-- Mapping tables and mapping APIs of label enrichment (docs/processing.md, "Mappings").
-- A schema names the source labels (the look-up key) and result labels of a table; its rows are
-- keyed by the md5 of the JSON array of source values. data_version grows with every data write,
-- so appliers reload a table only when it changed.

create table mapping_schemas (
  schema_id     text   primary key,
  account_id    bigint not null,
  schema_name   text   not null,
  description   text   not null default '',
  team_id       bigint not null default 0,
  source_labels jsonb  not null,
  result_labels jsonb  not null,
  status        text   not null default 'enabled',
  data_version  bigint not null default 0,
  creator_id    bigint not null,
  updated_by    bigint not null,
  created_at    bigint not null,
  updated_at    bigint not null
);
create unique index mapping_schemas_name on mapping_schemas (account_id, schema_name);

create table mapping_rows (
  schema_id  text   not null references mapping_schemas (schema_id) on delete cascade,
  key        text   not null,
  fields     jsonb  not null,
  created_at bigint not null,
  updated_at bigint not null,
  primary key (schema_id, key)
);

create table mapping_apis (
  api_id               text    primary key,
  account_id           bigint  not null,
  api_name             text    not null,
  description          text    not null default '',
  url                  text    not null,
  headers              jsonb   not null default '{}',
  timeout              integer not null default 2,
  retry_count          integer not null default 0,
  insecure_skip_verify boolean not null default false,
  status               text    not null default 'enabled',
  team_id              bigint  not null default 0,
  creator_id           bigint  not null,
  updated_by           bigint  not null,
  created_at           bigint  not null,
  updated_at           bigint  not null
);
create unique index mapping_apis_name on mapping_apis (account_id, api_name);
