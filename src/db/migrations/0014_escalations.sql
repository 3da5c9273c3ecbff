-- Running escalations (docs/escalation.md, "Runtime"): one row per escalation of an incident, a
-- timer row the engine's `escalation` module advances. Times are milliseconds (as the engine's clock).

create table escalations (
  escalation_id  bigint  generated always as identity primary key,
  account_id     bigint  not null,
  incident_id    text    not null,
  -- The rule as it was when the escalation started (snapshotRule); null when no rule matched.
  rule_snapshot  jsonb,
  layer_idx      integer not null default 0,
  -- Notifications sent in the current layer (the first, then repeats).
  times_notified integer not null default 0,
  layer_started_at bigint not null,
  next_at        bigint  not null,
  status         text    not null default 'active' check (status in ('active', 'stopped', 'done')),
  -- Why it ended: closed | acknowledged | completed | no_rule | deleted; '' while active.
  reason         text    not null default '',
  started_at     bigint  not null,
  ended_at       bigint  not null default 0,
  updated_at     bigint  not null
);
-- At most one running escalation per incident.
create unique index escalations_incident_active_idx on escalations (incident_id) where status = 'active';
-- "Is there an escalation of this incident?" (start) and the due timers (advance).
create index escalations_incident_idx on escalations (incident_id, reason);
create index escalations_due_idx on escalations (next_at) where status = 'active';
-- Candidates to start: open incidents in Triggered.
create index incidents_triggered_idx on incidents (start_time) where progress = 'Triggered' and deleted_at = 0;
