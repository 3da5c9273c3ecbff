-- The console's live updates (docs/console.md, "Live updates"): every insert or update of an
-- incident records the id of the transaction that wrote it. A poller reads the incidents written
-- by transactions at or after the oldest one still running when it last looked (the snapshot's
-- xmin), so it sees every committed change exactly once per writing transaction, on any number of
-- instances sharing the database, without relying on clocks.
alter table incidents add column change_xid xid8;

create function incidents_mark_change() returns trigger language plpgsql as $$
begin
  new.change_xid := pg_current_xact_id();
  return new;
end
$$;

create trigger incidents_mark_insert before insert on incidents
  for each row execute function incidents_mark_change();

-- The escalation engine's own bookkeeping (escalation_checked, migration 0019) is set by statements
-- that change nothing a person sees: no change to tell the console about.
create trigger incidents_mark_update before update on incidents
  for each row when (old.escalation_checked is not distinct from new.escalation_checked)
  execute function incidents_mark_change();

create index incidents_change_xid_idx on incidents (change_xid);
