-- What the auto-resolve engine module (src/incidents/auto-resolve.module.ts) reads every cycle:
-- the channels that have an auto-resolve timeout, and per channel its open incidents in deadline
-- order. Mode "trigger" counts from start_time (incidents_channel_open_idx already serves it);
-- mode "update" counts from last_time, which needs its own index.
create index channels_auto_resolve_idx on channels (channel_id) where auto_resolve_timeout > 0 and status <> 'deleted';
create index incidents_channel_open_last_idx on incidents (channel_id, last_time) where progress <> 'Closed';
