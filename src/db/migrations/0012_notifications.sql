-- Notifications (docs/notifications.md): templates, personal notification preferences, and the
-- notification outbox, which is also the per-incident delivery log.

create table notification_templates (
  template_id   text    primary key,
  account_id    bigint  not null references accounts (account_id),
  team_id       bigint  not null default 0,
  template_name text    not null,
  description   text    not null default '',
  -- channel ('email', 'sms', 'slack', ...) → Go-template body; channels left out are empty.
  bodies        jsonb   not null default '{}',
  status        text    not null default 'enabled' check (status in ('enabled', 'disabled', 'deleted')),
  creator_id    bigint  not null default 0,
  updated_by    bigint  not null default 0,
  deleted_at    bigint  not null default 0,
  created_at    bigint  not null,
  updated_at    bigint  not null
);
-- Names are unique among an account's templates that are not deleted.
create unique index notification_templates_name_idx
  on notification_templates (account_id, lower(template_name)) where status <> 'deleted';
create index notification_templates_account_idx on notification_templates (account_id, created_at);

-- A person's notification preferences (legacy /preference/info|update). No row: the defaults.
create table notification_preferences (
  account_id            bigint not null references accounts (account_id),
  person_id             bigint not null,
  -- {critical: [...], warning: [...], info: [...]}: the channels used per incident severity.
  trigger_notify        jsonb  not null,
  schedule_shift_notify jsonb  not null default '{"personal_channels": []}',
  status_page_notify    jsonb  not null default '{"im_integrations": []}',
  updated_at            bigint not null,
  primary key (account_id, person_id)
);

-- One row per (incident, escalation step, recipient, channel): at once the outbox, the delivery
-- queue and the delivery log, drained by the generic outbox worker (src/notifications/outbox.ts).
-- Times are milliseconds.
create table notification_deliveries (
  notification_id bigint  generated always as identity primary key,
  account_id      bigint  not null references accounts (account_id),
  incident_id     text    not null,
  -- Chosen by the caller (the escalation engine): e.g. 'rule:<rule_id>:layer:0:fire:1'.
  step            text    not null,
  -- Who or what is notified: 'person:<id>', 'email:<address>', 'webhook:<hash of the target>'.
  recipient       text    not null,
  channel         text    not null,
  person_id       bigint  not null default 0,
  -- Where to send: {address} / {phone, country_code} / {url, secret, ...} / {token, chat_id}.
  target          jsonb   not null default '{}',
  template_id     text    not null,
  -- {fire_type, layer_idx}: facts templates may use.
  facts           jsonb   not null default '{}',
  -- Rendered at the first attempt, then sent unchanged by every retry.
  content         text,
  status          text    not null default 'pending' check (status in ('pending', 'success', 'failed')),
  attempt         integer not null default 0,
  next_attempt_at bigint  not null,
  attempted_at    bigint  not null default 0,
  -- '' (delivered or not attempted), 'transient' (retried) or 'permanent' (not retried).
  error_kind      text    not null default '',
  error_message   text    not null default '',
  status_code     integer not null default 0,
  duration        integer not null default 0,
  response_body   text    not null default '',
  created_at      bigint  not null,
  unique (incident_id, step, recipient, channel)
);
create index notification_deliveries_due_idx
  on notification_deliveries (next_attempt_at) where status = 'pending';
create index notification_deliveries_incident_idx
  on notification_deliveries (account_id, incident_id, notification_id);
