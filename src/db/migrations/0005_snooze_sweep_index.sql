-- The snooze-expiry sweep (src/incidents/snooze-expiry.module.ts) looks for snoozed incidents whose
-- snooze has run out; without this index it scans every incident each cycle.
create index incidents_snoozed_idx on incidents (snoozed_before) where snoozed_before > 0;
