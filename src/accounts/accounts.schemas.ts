import Type from 'typebox';
import { pageFields } from '../http/pagination.ts';

/*
 * Request and response schemas of the accounts domain, following platform.openapi.en.json
 * (members, persons, teams, roles) and the legacy spec (app keys).
 */

/**
 * Every int64 id Vigil makes stays below 2^53 (ARCHITECTURE §1), so a JavaScript client never
 * loses a digit; a request naming a larger one names nothing and is refused.
 */
export const Id = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const MemberStatus = Type.Union([Type.Literal('enabled'), Type.Literal('pending'), Type.Literal('deleted')]);
const Locale = Type.Union([Type.Literal('zh-CN'), Type.Literal('en-US')]);
const MemberName = Type.String({ minLength: 2, maxLength: 39 });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Phone = Type.String({ maxLength: 32 });
const TimeZone = Type.String({ maxLength: 64 });
const RefId = Type.String({ maxLength: 128 });
/**
 * A string that names existing rows (a selector, a contact to look up). An empty one would match
 * every row where the field is unset, so it is refused.
 */
const Lookup = (maxLength: number) => Type.String({ minLength: 1, maxLength });

export const AccountInfo = Type.Object({
  account_id: Id,
  account_name: Type.String(),
  email: Type.String(),
  locale: Type.String(),
  time_zone: Type.String(),
  created_at: Type.Integer(),
});

export const MemberInfo = Type.Object({
  account_id: Id,
  account_name: Type.String(),
  account_avatar: Type.String(),
  account_email: Type.String(),
  account_role_ids: Type.Array(Id),
  account_locale: Type.String(),
  account_time_zone: Type.String(),
  domain: Type.String(),
  member_id: Id,
  member_name: Type.String(),
  phone: Type.String(),
  phone_verified: Type.Boolean(),
  email: Type.String(),
  email_verified: Type.Boolean(),
  country_code: Type.String(),
  avatar: Type.String(),
  locale: Type.String(),
  time_zone: Type.String(),
  is_external: Type.Boolean(),
  status: MemberStatus,
});

export const MemberItem = Type.Object({
  account_id: Id,
  member_id: Id,
  member_name: Type.String(),
  country_code: Type.String(),
  phone: Type.String(),
  email: Type.String(),
  locale: Type.String(),
  time_zone: Type.String(),
  phone_verified: Type.Boolean(),
  email_verified: Type.Boolean(),
  avatar: Type.String(),
  status: MemberStatus,
  account_role_ids: Type.Array(Id),
  is_external: Type.Boolean(),
  ref_id: Type.String(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const MemberListRequest = Type.Object({
  role_id: Type.Optional(Id),
  ...pageFields(20),
  orderby: Type.Optional(Type.Union([Type.Literal('created_at'), Type.Literal('updated_at')])),
  asc: Type.Optional(Type.Boolean()),
  query: Type.Optional(Type.String({ maxLength: 256 })),
});

export const MemberListResponse = Type.Object({
  p: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  items: Type.Array(MemberItem),
});

export const InviteMember = Type.Object({
  member_name: MemberName,
  email: Type.Optional(Email),
  phone: Type.Optional(Phone),
  country_code: Type.Optional(Type.String({ maxLength: 8 })),
  role_ids: Type.Optional(Type.Array(Id, { maxItems: 20 })),
  locale: Type.Optional(Locale),
  time_zone: Type.Optional(TimeZone),
  ref_id: Type.Optional(RefId),
});

export const MemberInviteRequest = Type.Object({
  members: Type.Array(InviteMember, { minItems: 1, maxItems: 100 }),
  from: Type.Optional(Type.String({ maxLength: 64 })),
});

export const MemberInviteResponse = Type.Object({
  items: Type.Array(Type.Object({ member_id: Id, member_name: Type.String() })),
});

/** A member named by any one of these (Flashduty's member/delete). */
export const MemberSelector = Type.Object({
  member_id: Type.Optional(Id),
  member_name: Type.Optional(Lookup(39)),
  email: Type.Optional(Lookup(254)),
  phone: Type.Optional(Lookup(32)),
  country_code: Type.Optional(Type.String({ maxLength: 8 })),
  ref_id: Type.Optional(Lookup(128)),
});

export const MemberResetRequest = Type.Object({
  member_id: Id,
  member_name: Type.Optional(MemberName),
  email: Type.Optional(Email),
  phone: Type.Optional(Phone),
  country_code: Type.Optional(Type.String({ maxLength: 8 })),
  avatar: Type.Optional(Type.String({ maxLength: 1024 })),
  locale: Type.Optional(Locale),
  time_zone: Type.Optional(TimeZone),
});

export const MemberRolesRequest = Type.Object({
  member_id: Id,
  role_ids: Type.Array(Id, { maxItems: 20 }),
});

export const PersonInfosRequest = Type.Object({
  person_ids: Type.Array(Id, { minItems: 1, maxItems: 1000 }),
});

export const PersonItem = Type.Object({
  account_id: Id,
  person_id: Id,
  person_name: Type.String(),
  avatar: Type.String(),
  locale: Type.String(),
  time_zone: Type.String(),
  email: Type.String(),
  phone: Type.String(),
  phone_verified: Type.Boolean(),
  email_verified: Type.Boolean(),
  as: Type.String(),
  status: MemberStatus,
});

export const TeamItem = Type.Object({
  account_id: Id,
  team_id: Id,
  team_name: Type.String(),
  description: Type.String(),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  updated_by_name: Type.String(),
  updated_by: Id,
  creator_id: Id,
  creator_name: Type.String(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  person_ids: Type.Array(Id),
  ref_id: Type.String(),
});

export const TeamListRequest = Type.Object({
  ...pageFields(20),
  orderby: Type.Optional(
    Type.Union([Type.Literal('created_at'), Type.Literal('updated_at'), Type.Literal('team_name')]),
  ),
  asc: Type.Optional(Type.Boolean()),
  person_id: Type.Optional(Id),
  query: Type.Optional(Type.String({ maxLength: 256 })),
});

export const TeamListResponse = Type.Object({
  p: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  items: Type.Array(TeamItem),
});

/** A team named by id, name or ref_id (team/info, team/delete). */
export const TeamSelector = Type.Object({
  team_id: Type.Optional(Id),
  team_name: Type.Optional(Lookup(39)),
  ref_id: Type.Optional(Lookup(128)),
});

export const TeamInfosRequest = Type.Object({ team_ids: Type.Array(Id, { minItems: 1, maxItems: 1000 }) });

export const TeamInfosResponse = Type.Object({
  items: Type.Array(Type.Object({ team_id: Id, team_name: Type.String(), person_ids: Type.Array(Id) })),
});

export const TeamUpsertRequest = Type.Object({
  team_id: Type.Optional(Id),
  team_name: Type.String({ minLength: 1, maxLength: 39 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  person_ids: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  emails: Type.Optional(Type.Array(Email, { maxItems: 1000 })),
  phones: Type.Optional(Type.Array(Lookup(32), { maxItems: 1000 })),
  countryCode: Type.Optional(Type.String({ maxLength: 8 })),
  ref_id: Type.Optional(RefId),
  reset_if_name_exist: Type.Optional(Type.Boolean()),
});

export const TeamUpsertResponse = Type.Object({ team_id: Id, team_name: Type.String() });

export const RoleItem = Type.Object({
  role_id: Id,
  role_name: Type.String(),
  description: Type.String(),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  permission_ids: Type.Array(Id),
  editable: Type.Boolean(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const RoleListRequest = Type.Object({
  orderby: Type.Optional(Type.Union([Type.Literal('created_at'), Type.Literal('updated_at')])),
  asc: Type.Optional(Type.Boolean()),
});

export const RoleListResponse = Type.Object({ total: Type.Integer(), items: Type.Array(RoleItem) });

export const RolePermissionListRequest = Type.Object({
  role_ids: Type.Optional(Type.Array(Id, { maxItems: 100 })),
  with_all: Type.Optional(Type.Boolean()),
});

export const PermissionItem = Type.Object({
  id: Id,
  permission_name: Type.String(),
  permission_type: Type.Union([Type.Literal('read'), Type.Literal('manage')]),
  description: Type.String(),
  class: Type.String(),
  scope: Type.String(),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  is_granted: Type.Boolean(),
});

export const RoleGrantRequest = Type.Object({
  member_ids: Type.Array(Id, { minItems: 1, maxItems: 1000 }),
  role_id: Id,
});

const KeyName = Type.String({ minLength: 1, maxLength: 39 });

export const AppKeyCreateRequest = Type.Object({
  key_name: KeyName,
  is_enabled: Type.Optional(Type.Boolean()),
  person_id: Type.Optional(Id),
});

export const AppKeyCreateResponse = Type.Object({ key_id: Id, key_name: Type.String(), key: Type.String() });

export const AppKeyIdRequest = Type.Object({ key_id: Id, person_id: Type.Optional(Id) });

export const AppKeyRenameRequest = Type.Object({
  key_id: Id,
  key_name: KeyName,
  person_id: Type.Optional(Id),
});

export const AppKeyListRequest = Type.Object({
  ...pageFields(20, 100),
  orderby: Type.Optional(Type.Union([Type.Literal('created_at'), Type.Literal('updated_at')])),
  asc: Type.Optional(Type.Boolean()),
  person_id: Type.Optional(Id),
});

const AppKeyItem = Type.Object({
  key_id: Id,
  key_name: Type.String(),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  person_id: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const AppKeyListResponse = Type.Object({
  p: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  items: Type.Array(AppKeyItem),
});

export const RoleUpsertRequest = Type.Object({
  role_id: Type.Optional(Id),
  role_name: Type.String({ minLength: 1, maxLength: 39 }),
  description: Type.Optional(Type.String({ maxLength: 499 })),
  permission_ids: Type.Optional(Type.Array(Id, { maxItems: 100 })),
});

export const RoleUpsertResponse = Type.Object({ role_id: Id, role_name: Type.String() });

export const RoleSelector = Type.Object({ role_id: Id });

const FactorType = Type.Union([
  Type.Literal('api'),
  Type.Literal('button'),
  Type.Literal('visit'),
  Type.Literal('menu'),
  Type.Literal('url'),
]);

export const FactorListRequest = Type.Object({
  factor_types: Type.Optional(Type.Array(FactorType, { maxItems: 5 })),
});

export const FactorItem = Type.Object({ factor_name: Type.String(), factor_type: FactorType });
