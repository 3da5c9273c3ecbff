-- The ingest log (docs/ingest.md, ARCHITECTURE.md §4): every accepted push event, appended in the
-- request through group commit, applied and deleted in the background. Append-only and indexed by
-- its sequence only, so an append costs little more than the commit.
create table ingest_log (
  seq            bigint generated always as identity primary key,
  -- hash(integration_id, alert_key) mod the partition count: one applier at a time per partition
  -- (an advisory lock), so events of one key are applied one after another, in seq order.
  partition      smallint not null,
  account_id     bigint   not null,
  integration_id bigint   not null,
  -- Milliseconds; the time the event is applied as (so a late apply changes nothing).
  accepted_at    bigint   not null,
  -- The normalised event (src/ingest/event.ts); json keeps it as sent, and costs nothing to parse.
  event          json     not null
);

-- Entries whose application failed alone, for reasons other than the database being unavailable
-- (a bug): kept for an operator instead of blocking their partition forever.
create table ingest_failed (
  seq            bigint   primary key,
  partition      smallint not null,
  account_id     bigint   not null,
  integration_id bigint   not null,
  accepted_at    bigint   not null,
  event          json     not null,
  failed_at      bigint   not null,
  error          text     not null
);
