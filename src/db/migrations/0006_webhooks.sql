-- Outbound webhooks (docs/webhooks.md): the settings of webhook integrations, and one table that is
-- at once the outbox, the delivery queue and the delivery log.

-- A webhook integration's settings ({url, headers, channel_ids, integration_ids, event_types});
-- '{}' for the other types.
alter table integrations add column settings jsonb not null default '{}';

-- One row per (webhook integration, event), inserted in the transaction that wrote the event's feed
-- entry. Times are milliseconds, as Flashduty's webhook times are.
create table webhook_deliveries (
  delivery_id      bigint  generated always as identity primary key,
  account_id       bigint  not null references accounts (account_id),
  integration_id   bigint  not null references integrations (integration_id),
  -- The feed entry's ref_id: the same for every webhook the event goes to.
  event_id         text    not null,
  event_type       text    not null,
  webhook_type     text    not null check (webhook_type in ('alert', 'incident')),
  event_time       bigint  not null,
  channel_id       bigint  not null default 0,
  -- The alert or incident the event is about, its title then, and who acted (0 = the system).
  ref_id           text    not null,
  ref_title        text    not null default '',
  person_id        bigint  not null default 0,
  endpoint         text    not null,
  request_headers  text    not null,
  -- Built at the first attempt from the alert or incident as it is then; every retry sends it again.
  request_body     text,
  status           text    not null default 'pending' check (status in ('pending', 'success', 'failed')),
  -- Attempts started: a claim adds one, so it also fences a worker whose lease ran out.
  attempt          integer not null default 0,
  -- When a pending row is next due; a claim moves it to the end of the claim's lease.
  next_attempt_at  bigint  not null,
  -- The last finished attempt (0: none yet).
  attempted_at     bigint  not null default 0,
  status_code      integer not null default 0,
  duration         integer not null default 0,
  error_message    text    not null default '',
  response_headers text    not null default '',
  response_body    text    not null default '',
  created_at       bigint  not null,
  -- An event is enqueued at most once per endpoint.
  unique (integration_id, event_id)
);
-- The workers' claim: due pending rows, earliest first.
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
-- /webhook/history/list: an account's deliveries in event_time order.
create index webhook_deliveries_history_idx on webhook_deliveries (account_id, event_time, delivery_id);
