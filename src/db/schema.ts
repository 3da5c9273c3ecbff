import type { ColumnType, Generated } from 'kysely';

/*
 * Row types of every table, mirroring db/migrations. Kysely checks every query against them.
 * Keep this file in step with each new migration.
 */

/** A jsonb column: read as T, written as a JSON string (pg would turn a JS array into a SQL array). */
type Json<T> = ColumnType<T, string, string>;

/** A column with a database default: optional on insert. */
type Defaulted<T> = Generated<T>;

export type AccountsTable = {
  account_id: Generated<number>;
  account_name: string;
  email: string;
  locale: Defaulted<string>;
  time_zone: Defaulted<string>;
  created_at: number;
  updated_at: number;
};

export type MemberStatus = 'enabled' | 'pending' | 'deleted';

export type MembersTable = {
  member_id: Generated<number>;
  account_id: number;
  member_name: string;
  email: Defaulted<string>;
  phone: Defaulted<string>;
  country_code: Defaulted<string>;
  avatar: Defaulted<string>;
  locale: Defaulted<string>;
  time_zone: Defaulted<string>;
  ref_id: Defaulted<string>;
  is_external: Defaulted<boolean>;
  status: Defaulted<MemberStatus>;
  created_at: number;
  updated_at: number;
};

export type MemberRolesTable = {
  account_id: number;
  member_id: number;
  role_id: number;
};

export type AppKeysTable = {
  key_id: Generated<number>;
  account_id: number;
  member_id: number;
  key_name: string;
  key_hash: string;
  status: Defaulted<'enabled' | 'disabled'>;
  last_used_at: Defaulted<number>;
  created_at: number;
  updated_at: number;
};

export type TeamsTable = {
  team_id: Generated<number>;
  account_id: number;
  team_name: string;
  description: Defaulted<string>;
  ref_id: Defaulted<string>;
  status: Defaulted<'enabled' | 'disabled' | 'deleted'>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

export type TeamMembersTable = {
  team_id: number;
  person_id: number;
  account_id: number;
};

export type ChannelStatus = 'enabled' | 'disabled' | 'deleted';

export type ChannelsTable = {
  channel_id: Generated<number>;
  account_id: number;
  team_id: number;
  managing_team_ids: Defaulted<number[]>;
  creator_id: number;
  channel_name: string;
  description: Defaulted<string>;
  status: Defaulted<ChannelStatus>;
  auto_resolve_timeout: Defaulted<number>;
  auto_resolve_mode: Defaulted<'trigger' | 'update'>;
  is_private: Defaulted<boolean>;
  disable_outlier_detection: Defaulted<boolean>;
  disable_auto_close: Defaulted<boolean>;
  is_external_report_enabled: Defaulted<boolean>;
  external_report_token: Defaulted<string>;
  plugin_ids: Defaulted<number[]>;
  group: Json<Record<string, unknown>>;
  flapping: Json<Record<string, unknown>>;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
};

export type IntegrationsTable = {
  integration_id: Generated<number>;
  account_id: number;
  team_id: Defaulted<number>;
  name: string;
  description: Defaulted<string>;
  plugin_type: string;
  integration_key: string;
  channel_id: Defaulted<number>;
  status: Defaulted<'enabled' | 'disabled' | 'deleted'>;
  creator_id: number;
  created_at: number;
  updated_at: number;
  deleted_at: Defaulted<number>;
};

export type RoutesTable = {
  integration_id: number;
  account_id: number;
  cases: Json<unknown[]>;
  sections: Json<unknown[]>;
  default_channel_ids: Defaulted<number[]>;
  version: Defaulted<number>;
  creator_id: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
};

export type Tables = {
  accounts: AccountsTable;
  members: MembersTable;
  member_roles: MemberRolesTable;
  app_keys: AppKeysTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  channels: ChannelsTable;
  integrations: IntegrationsTable;
  routes: RoutesTable;
};
