-- Channel notification rules (docs/channels.md, "Notification rules"): when an incident of the
-- channel matches `filters` and one of `event_types` happens to it, `target` is notified through
-- the notification outbox. /channel/notify/rule/* manage them.
--
-- event_types: incident feed types (i_new, i_ack, i_rslv, ...), at least one.
-- filters:     OR of AND groups of conditions (src/alerts/conditions.ts); [] = every incident.
-- target:      the shape of an escalation layer's target (person_ids, team_ids, schedule_to_role_ids,
--              emails, by?, webhooks?).
create table channel_notify_rules (
  rule_id      text    primary key,
  account_id   bigint  not null references accounts (account_id),
  channel_id   bigint  not null references channels (channel_id),
  rule_name    text    not null,
  description  text    not null default '',
  template_id  text    not null,
  status       text    not null default 'enabled' check (status in ('enabled', 'disabled')),
  event_types  jsonb   not null,
  filters      jsonb   not null default '[]',
  target       jsonb   not null,
  creator_id   bigint  not null,
  updated_by   bigint  not null,
  created_at   bigint  not null,
  updated_at   bigint  not null
);
create index channel_notify_rules_channel_idx on channel_notify_rules (channel_id, created_at, rule_id);
-- The hook on every incident event reads the enabled rules of the incidents' accounts.
create index channel_notify_rules_enabled_idx on channel_notify_rules (account_id) where status = 'enabled';
