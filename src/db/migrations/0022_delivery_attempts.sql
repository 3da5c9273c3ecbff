-- Every attempt of every outbox row (docs/notifications.md, docs/webhooks.md): the outbox rows keep
-- only the last attempt's outcome, so a delivery retried, or taken over from a worker that died
-- mid-send, showed one attempt. A claim inserts the attempt ('sending') and marks the row's earlier
-- unfinished attempt 'abandoned'; recording the outcome finishes it. Times are milliseconds.
create table delivery_attempts (
  -- The outbox table: 'notification_deliveries', 'webhook_deliveries', 'status_page_notifications'.
  outbox        text    not null,
  -- The row's id in that table.
  delivery_id   bigint  not null,
  attempt       integer not null,
  account_id    bigint  not null,
  -- 'sending' until the worker records the outcome; 'abandoned' when the row was claimed again
  -- before that (the worker died or lost its lease), unless that worker still reports later.
  status        text    not null default 'sending'
                check (status in ('sending', 'success', 'failed', 'abandoned')),
  -- Another worker took the row over while this attempt was in progress.
  lease_lost    boolean not null default false,
  started_at    bigint  not null,
  finished_at   bigint  not null default 0,
  -- '' (delivered, or no outcome), 'transient' (retried) or 'permanent' (not retried).
  error_kind    text    not null default '',
  error_message text    not null default '',
  status_code   integer not null default 0,
  duration      integer not null default 0,
  primary key (outbox, delivery_id, attempt)
);
