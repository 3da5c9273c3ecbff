-- When an incident was last told that one of its keys flaps (an i_m_flapping feed entry; Unix ms, 0
-- never). "Once per flapping period" was a search of the incident's feed for the last in_mins,
-- which grows with the feed: a storm incident's thousands of entries were read on every batch
-- that judged a key flapping. Open incidents take their last entry's time.
alter table incidents add column flapping_told_at bigint not null default 0;
update incidents i
   set flapping_told_at = f.told_at
  from (select incident_id, max(created_at) as told_at from feed_entries
         where type = 'i_m_flapping' and incident_id is not null group by incident_id) f
 where f.incident_id = i.incident_id and i.progress <> 'Closed';
