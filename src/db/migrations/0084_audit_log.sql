-- The audit log (audit/): one row per state-changing Open API or console call, written in the
-- transaction of the change where the service opens one (docs/audit.md). Removed after
-- AUDIT_RETENTION_DAYS by the engine's audit-retention module.
create table audit_logs (
  audit_id       bigint  primary key default vigil_next_id(),
  account_id     bigint  not null references accounts (account_id),
  -- Unix milliseconds, as Flashduty's AuditLog.created_at.
  created_at     bigint  not null,
  member_id      bigint  not null,
  member_name    text    not null,
  -- How the member called: 'app_key' (key_id set), 'session' (the console), 'assistant' (MCP).
  credential     text    not null,
  key_id         bigint,
  request_id     text    not null,
  ip             text    not null default '',
  user_agent     text    not null default '',
  operation      text    not null,
  operation_name text    not null,
  -- The ids the request named (incident_ids, channel_id, ...), as JSON.
  target         text    not null default '',
  -- The request body, secrets masked, at most 10 KB.
  body           text    not null default '',
  is_dangerous   boolean not null default false,
  is_write       boolean not null default true
);
create index audit_logs_account_time_idx on audit_logs (account_id, created_at desc, audit_id desc);
create index audit_logs_time_idx on audit_logs (created_at);
