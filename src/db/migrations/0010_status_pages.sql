-- Status pages (docs/status-pages.md): pages, their sections and components, the incident and
-- maintenance events published on them with their timelines, subscribers, and the outbox of the
-- notifications sent to subscribers. Times are Unix seconds except in the outbox (milliseconds, as
-- every outbox of src/notifications/ keeps them). Deleting a page deletes everything below it.

create table status_pages (
  page_id             bigint primary key default vigil_next_id(),
  account_id          bigint not null references accounts (account_id),
  name                text   not null,
  -- The slug of /status/<url_name>: unique across the instance (case-insensitively), since the
  -- public address names no account.
  url_name            text   not null,
  type                text   not null check (type in ('public', 'internal')),
  date_view           text   not null check (date_view in ('calendar', 'list')),
  display_uptime_mode text   not null check (display_uptime_mode in ('chart_and_percentage', 'chart', 'none')),
  custom_domain       text   not null default '',
  page_title          text   not null default '',
  page_header         text   not null default '',
  page_footer         text   not null default '',
  contact_info        text   not null default '',
  logo                text   not null default '',
  dark_logo           text   not null default '',
  favicon             text   not null default '',
  logo_url            text   not null default '',
  template_preference text   not null default '',
  custom_links        jsonb  not null default '[]',
  subscription        jsonb  not null default '{}',
  creator_id          bigint not null default 0,
  created_at          bigint not null,
  updated_at          bigint not null
);
create unique index status_pages_url_name_key on status_pages (lower(url_name));
create index status_pages_account_idx on status_pages (account_id, page_id);

create table status_page_sections (
  section_id  text    primary key,
  page_id     bigint  not null references status_pages (page_id) on delete cascade,
  account_id  bigint  not null,
  name        text    not null,
  description text    not null default '',
  order_id    integer not null default 0,
  hide_uptime boolean not null default false,
  hide_all    boolean not null default false,
  created_at  bigint  not null,
  updated_at  bigint  not null
);
create index status_page_sections_page_idx on status_page_sections (page_id);

create table status_page_components (
  component_id            text    primary key,
  page_id                 bigint  not null references status_pages (page_id) on delete cascade,
  account_id              bigint  not null,
  -- '' when the component belongs to no section.
  section_id              text    not null default '',
  name                    text    not null,
  description             text    not null default '',
  order_id                integer not null default 0,
  hide_uptime             boolean not null default false,
  hide_all                boolean not null default false,
  -- Uptime is counted from here: time before a component existed is neither up nor down.
  available_since_seconds bigint  not null,
  created_at              bigint  not null,
  updated_at              bigint  not null
);
create index status_page_components_page_idx on status_page_components (page_id);

-- An incident or maintenance event. Its status is always the one its timeline leaves
-- (src/status-pages/timeline.ts); the row keeps it so lists and the page need not replay.
create table status_page_changes (
  change_id               bigint  primary key default vigil_next_id(),
  account_id              bigint  not null,
  page_id                 bigint  not null references status_pages (page_id) on delete cascade,
  type                    text    not null check (type in ('incident', 'maintenance')),
  title                   text    not null,
  description             text    not null,
  status                  text    not null,
  start_at_seconds        bigint  not null,
  -- When the event ended (its terminal update, or the declared end of a retrospective event); for a
  -- maintenance still to end, its planned end; 0 when neither is known.
  close_at_seconds        bigint  not null default 0,
  -- What create was told: the planned end of a maintenance, the end of a retrospective event.
  planned_close_at        bigint  not null default 0,
  is_retrospective        boolean not null default false,
  notify_subscribers      boolean not null default false,
  auto_update_by_schedule boolean not null default false,
  -- The pending steps of auto_update_by_schedule (timers as rows: the engine does what is due);
  -- a manual status change clears the step it makes moot.
  auto_start_pending      boolean not null default false,
  auto_end_pending        boolean not null default false,
  responder_ids           jsonb   not null default '[]',
  linked_change_ids       jsonb   not null default '[]',
  creator_id              bigint  not null default 0,
  created_at              bigint  not null,
  updated_at              bigint  not null
);
create index status_page_changes_page_idx on status_page_changes (page_id, start_at_seconds desc);
-- The engine's sweep: maintenance with a step still to take.
create index status_page_changes_auto_idx on status_page_changes (start_at_seconds)
  where auto_start_pending or auto_end_pending;

create table status_page_updates (
  update_id         text    primary key,
  change_id         bigint  not null references status_page_changes (change_id) on delete cascade,
  account_id        bigint  not null,
  at_seconds        bigint  not null,
  -- null when the update does not change the event's status.
  status            text,
  description       text    not null default '',
  -- [{component_id, status}]
  component_changes jsonb   not null default '[]',
  -- 0: the system (the maintenance schedule).
  creator_id        bigint  not null default 0,
  created_at        bigint  not null
);
create index status_page_updates_change_idx on status_page_updates (change_id, at_seconds);

-- Subscribers: e-mail (public pages, double opt-in), im (internal pages: a member id), webhook.
create table status_page_subscribers (
  subscriber_id   bigint  primary key default vigil_next_id(),
  page_id         bigint  not null references status_pages (page_id) on delete cascade,
  account_id      bigint  not null,
  method          text    not null check (method in ('email', 'im', 'webhook')),
  recipient       text    not null,
  subscribe_all   boolean not null default true,
  component_ids   jsonb   not null default '[]',
  change_ids      jsonb   not null default '[]',
  locale          text    not null default 'en-US',
  -- pending until an e-mail subscriber follows the confirmation link.
  status          text    not null default 'active' check (status in ('pending', 'active')),
  -- The secret of this subscriber's confirmation and unsubscribe links. Kept as is (not hashed): every
  -- notification's unsubscribe link carries it, and it grants no more than ending this subscription.
  token           text    not null unique,
  created_at      bigint  not null,
  confirmed_at    bigint  not null default 0
);
create unique index status_page_subscribers_key on status_page_subscribers (page_id, method, lower(recipient));

-- The outbox, queue and log of subscriber notifications (src/notifications/outbox.ts).
create table status_page_notifications (
  notification_id bigint  generated always as identity primary key,
  account_id      bigint  not null,
  page_id         bigint  not null,
  subscriber_id   bigint  not null,
  -- 'confirm' (the double opt-in mail) or 'update' (an event's update).
  kind            text    not null check (kind in ('confirm', 'update')),
  change_id       bigint  not null default 0,
  update_id       text    not null default '',
  channel         text    not null check (channel in ('email', 'webhook')),
  recipient       text    not null,
  -- What is sent ({subject, text, html, headers} for e-mail, the JSON body for a webhook): the
  -- confirmation mail's when it is enqueued, an update's at its first attempt; retries send it again.
  payload         text,
  status          text    not null default 'pending' check (status in ('pending', 'success', 'failed')),
  attempt         integer not null default 0,
  next_attempt_at bigint  not null,
  attempted_at    bigint  not null default 0,
  error_message   text    not null default '',
  created_at      bigint  not null
);
-- An update is sent to a subscriber once.
create unique index status_page_notifications_key on status_page_notifications (subscriber_id, update_id)
  where kind = 'update';
create index status_page_notifications_due_idx on status_page_notifications (next_attempt_at)
  where status = 'pending';
