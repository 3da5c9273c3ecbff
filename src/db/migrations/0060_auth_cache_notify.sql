-- Every instance keeps what authenticates a call in memory (src/accounts/auth-cache.ts): the
-- member behind an app key, their roles, their account. Any change to those rows, by any instance,
-- the CLI or a script, is announced on the channel vigil_auth once its transaction commits, and
-- every instance forgets what it kept. Statement-level: one notification per statement, however
-- many rows it touched (PostgreSQL folds identical ones within a transaction).
create function vigil_auth_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('vigil_auth', tg_table_name);
  return null;
end
$$;

create trigger app_keys_auth_changed after update or delete on app_keys
  for each statement execute function vigil_auth_changed();
create trigger members_auth_changed after update or delete on members
  for each statement execute function vigil_auth_changed();
create trigger member_roles_auth_changed after insert or update or delete on member_roles
  for each statement execute function vigil_auth_changed();
create trigger accounts_auth_changed after update or delete on accounts
  for each statement execute function vigil_auth_changed();
