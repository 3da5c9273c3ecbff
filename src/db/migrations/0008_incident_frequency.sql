-- Incident recurrence: IncidentInfo `frequency` and the /incident/list `is_rare` filter
-- (src/incidents/frequency.query.ts; docs/incidents.md "Frequency and rare incidents").
--
-- recurrence_key is the "kind" of an incident: its grouping fingerprint (equals_md5) when it has
-- one, else the alert_key of its first alert (dedup_key), else its title (manual incidents). Each
-- is hashed behind a prefix naming its source, so a long title or key never exceeds the btree entry
-- size and values of different sources never compare equal. Generated, so every writer keeps it
-- right (a title edit moves a manual incident to its new kind) without knowing it exists.
--
-- Adding a stored generated column rewrites the table once.
alter table incidents add column recurrence_key text not null generated always as (
  case
    when equals_md5 <> '' then 'g:' || md5(equals_md5)
    when dedup_key <> '' then 'k:' || md5(dedup_key)
    else 't:' || md5(title)
  end
) stored;

-- "Live incidents of this account, channel and kind that started in these 30 days": one index
-- descent per incident. incident_id is included so the probes never visit the table
-- (index-only scans), which halves their cost on a large account.
create index incidents_recurrence_idx on incidents (account_id, channel_id, recurrence_key, start_time)
  include (incident_id) where deleted_at = 0;
