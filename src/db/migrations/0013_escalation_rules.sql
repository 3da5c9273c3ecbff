-- Escalation rules of channels (docs/escalation.md): who is notified about a channel's incidents,
-- when, and how. /channel/escalate/rule/* manage them; the escalation engine picks the first
-- enabled rule whose filters and time windows admit an incident, and runs on a snapshot of it.
--
-- layers:       [{max_times, notify_step, escalate_window, force_escalate,
--                 target: {person_ids, team_ids, schedule_to_role_ids, emails, by?, webhooks?}}]
-- time_filters: [{start: "HH:MM", end: "HH:MM", repeat: [0-6], cal_id, is_off}]
-- filters:      OR of AND groups of conditions (src/alerts/conditions.ts); [] = every incident.
create table escalation_rules (
  rule_id      text    primary key,
  account_id   bigint  not null references accounts (account_id),
  channel_id   bigint  not null references channels (channel_id),
  rule_name    text    not null,
  description  text    not null default '',
  priority     integer not null default 0,
  aggr_window  integer not null default 0,
  template_id  text    not null,
  status       text    not null default 'enabled' check (status in ('enabled', 'disabled', 'deleted')),
  layers       jsonb   not null,
  time_filters jsonb   not null default '[]',
  filters      jsonb   not null default '[]',
  creator_id   bigint  not null,
  updated_by   bigint  not null,
  created_at   bigint  not null,
  updated_at   bigint  not null,
  deleted_at   bigint  not null default 0
);
-- A channel's rules in evaluation order: lower priority first, then the older rule.
create index escalation_rules_channel_idx on escalation_rules (channel_id, priority, created_at, rule_id)
  where status <> 'deleted';
