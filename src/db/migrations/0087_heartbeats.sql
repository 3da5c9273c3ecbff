-- Heartbeat integrations (alert.heartbeat, a dead-man's switch; docs/sources-2.md): the timer of
-- each, checked by the engine's heartbeat module. A row is made by the first ping; due_at is when
-- the next ping is late (Unix ms), missed whether the alert for a late ping is open. The period
-- itself lives in the integration's settings.
create table heartbeats (
  integration_id bigint primary key references integrations (integration_id),
  account_id     bigint  not null,
  last_ping_at   bigint  not null,
  due_at         bigint  not null,
  missed         boolean not null default false
);
-- The engine reads only the armed timers, earliest first.
create index heartbeats_due_idx on heartbeats (due_at) where not missed;
