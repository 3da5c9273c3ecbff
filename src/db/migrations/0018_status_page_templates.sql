-- Status pages (docs/status-pages.md): event templates, and the index that caps confirmation mails.

-- Event templates: canned text for a new event (pre_defined) or for an update (message).
create table status_page_templates (
  template_id text    primary key,
  page_id     bigint  not null references status_pages (page_id) on delete cascade,
  account_id  bigint  not null,
  type        text    not null check (type in ('pre_defined', 'message')),
  event_type  text    not null check (event_type in ('incident', 'maintenance')),
  status      text    not null,
  title       text    not null default '',
  description text    not null,
  creator_id  bigint  not null,
  created_at  bigint  not null,
  updated_at  bigint  not null
);
create index status_page_templates_page_idx on status_page_templates (page_id, type, created_at);

-- Confirmation mails to an address on a page within a day are counted before another is sent.
create index status_page_notifications_confirm_idx
  on status_page_notifications (page_id, lower(recipient), created_at) where kind = 'confirm';
