-- Custom roles: an account's own named sets of permissions (accounts/roles.service.ts). Built-in
-- roles (ids 1-4) stay in code; custom role ids come from vigil_next_id() so they never collide.
-- member_roles grants both kinds; deleting a custom role deletes its grants.
create table roles (
  role_id        bigint primary key default vigil_next_id(),
  account_id     bigint not null references accounts (account_id),
  role_name      text   not null,
  description    text   not null default '',
  status         text   not null default 'enabled' check (status in ('enabled', 'disabled')),
  permission_ids bigint[] not null default '{}',
  created_at     bigint not null,
  updated_at     bigint not null
);
create unique index roles_name_key on roles (account_id, lower(role_name));

-- A role disabled, changed or deleted changes what its members may do: every instance's auth cache
-- forgets what it kept (the function of migration 0060).
create trigger roles_auth_changed after update or delete on roles
  for each statement execute function vigil_auth_changed();
