-- The escalation engine's start scan (docs/escalation.md, "Runtime"). An incident is marked once
-- the engine has started its escalation, or found that it needs none, so each scan reads only the
-- unmarked Triggered incidents instead of every Triggered incident. The engine unmarks an incident
-- when its escalation ends because it was closed, so a reopened incident escalates again.
alter table incidents add column escalation_checked boolean not null default false;
create index incidents_escalation_unchecked_idx on incidents (start_time, incident_id)
  where progress = 'Triggered' and deleted_at = 0 and not escalation_checked;
