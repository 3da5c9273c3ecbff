-- Similar past incidents (/incident/past/list, docs/incidents.md "Similar past incidents"): an
-- inverted index from the title words and label pairs of closed incidents to the incidents, kept
-- by a trigger so that every path that closes, reopens, renames, relabels, moves or deletes an
-- incident keeps it exact. A lookup reads, per token of the incident at hand, the most recently
-- closed incidents that have it, in index order.

-- The words of a title: lower case, split at blanks and punctuation, two characters or more,
-- distinct, at most 32. A word never holds punctuation, so it never looks like a label token.
create function vigil_title_tokens(title text) returns text[] language sql immutable parallel safe as $$
  select coalesce(array_agg(t), '{}') from (
    select distinct t from regexp_split_to_table(lower(title), '[[:space:][:punct:]]+') as t
    where length(t) >= 2 order by t limit 32
  ) words
$$;

-- The label pairs of an incident as tokens: 'label:<key>=<value>', at most 32.
create function vigil_label_tokens(labels jsonb) returns text[] language sql immutable parallel safe as $$
  select coalesce(array_agg(t), '{}') from (
    select 'label:' || key || '=' || value as t from jsonb_each_text(labels) order by 1 limit 32
  ) pairs
$$;

create table incident_past_tokens (
  incident_id text   not null,
  token       text   not null,
  account_id  bigint not null,
  channel_id  bigint not null,
  close_time  bigint not null,
  primary key (incident_id, token)
);
create index incident_past_tokens_lookup_idx
  on incident_past_tokens (account_id, token, close_time desc, incident_id);

create function vigil_past_tokens() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    delete from incident_past_tokens where incident_id = old.incident_id;
  end if;
  if tg_op <> 'DELETE' and new.progress = 'Closed' and new.deleted_at = 0 then
    insert into incident_past_tokens (incident_id, token, account_id, channel_id, close_time)
      select new.incident_id, t, new.account_id, new.channel_id, new.close_time
      from unnest(vigil_title_tokens(new.title) || vigil_label_tokens(new.labels)) as t
    on conflict do nothing;
  end if;
  return null;
end
$$;

create trigger incidents_past_tokens_insert after insert on incidents
  for each row when (new.progress = 'Closed') execute function vigil_past_tokens();
create trigger incidents_past_tokens_update after update on incidents
  for each row when (
    old.progress is distinct from new.progress or old.title is distinct from new.title
    or old.labels is distinct from new.labels or old.channel_id is distinct from new.channel_id
    or old.deleted_at is distinct from new.deleted_at or old.close_time is distinct from new.close_time
  ) execute function vigil_past_tokens();
create trigger incidents_past_tokens_delete after delete on incidents
  for each row execute function vigil_past_tokens();

insert into incident_past_tokens (incident_id, token, account_id, channel_id, close_time)
  select i.incident_id, t, i.account_id, i.channel_id, i.close_time
  from incidents i, unnest(vigil_title_tokens(i.title) || vigil_label_tokens(i.labels)) as t
  where i.progress = 'Closed' and i.deleted_at = 0
on conflict do nothing;
