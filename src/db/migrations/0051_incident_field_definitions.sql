-- Custom incident field definitions (the legacy document's /field/*; Flashduty's Go SDK and its
-- Terraform provider use them). An incident's values stay in incidents.fields, set by
-- /incident/field/reset (docs/incidents.md, "Custom fields").
create table incident_field_definitions (
  field_id       text    primary key,
  account_id     bigint  not null,
  field_name     text    not null,
  display_name   text    not null,
  description    text    not null default '',
  field_type     text    not null,
  value_type     text    not null,
  options        jsonb   not null default '[]',
  -- JSON null when the field has no default.
  default_value  jsonb   not null default 'null',
  status         text    not null default 'enabled',
  creator_id     bigint  not null,
  updated_by     bigint  not null,
  created_at     bigint  not null,
  updated_at     bigint  not null,
  deleted_at     bigint  not null default 0
);
create unique index incident_field_definitions_name_key
  on incident_field_definitions (account_id, field_name) where status <> 'deleted';
create index incident_field_definitions_account_idx on incident_field_definitions (account_id, created_at);
