-- Re-deriving an incident reads its first alert (by start time) for the incident's labels: an index
-- in that order makes it one probe. It covers every lookup of alerts_incident_idx, which goes.
create index alerts_incident_start_idx on alerts (incident_id, start_time, alert_id);
drop index alerts_incident_idx;
