-- War rooms (/incident/war-room/*, docs/war-rooms.md): a chat opened for an incident in an IM
-- integration. One per incident and integration; deleting it archives the chat and removes the row.
create table war_rooms (
  account_id      bigint   not null,
  incident_id     text     not null,
  integration_id  bigint   not null,
  plugin_type     text     not null,
  chat_id         text     not null,
  chat_name       text     not null,
  status          text     not null default 'active',
  created_by      bigint   not null,
  created_at      bigint   not null,
  primary key (account_id, incident_id, integration_id)
);
create index war_rooms_chat_idx on war_rooms (account_id, integration_id, chat_id);
