/*
 * Vigil's permission catalogue and built-in roles. Permission names and scopes are the ones the
 * Flashduty OpenAPI documents print for each operation ("Channels Manage (on-call)"); every endpoint
 * declares the one it needs, and http/auth.ts checks it before the handler runs.
 */
import { AppError } from '../shared/app-error.ts';

export const PERMISSIONS = [
  {
    id: 1,
    key: 'incidents.read',
    name: 'Incidents Read',
    type: 'read',
    class: 'Incidents',
    scope: 'on-call',
  },
  {
    id: 2,
    key: 'incidents.manage',
    name: 'Incidents Manage',
    type: 'manage',
    class: 'Incidents',
    scope: 'on-call',
  },
  { id: 3, key: 'channels.read', name: 'Channels Read', type: 'read', class: 'Channels', scope: 'on-call' },
  {
    id: 4,
    key: 'channels.manage',
    name: 'Channels Manage',
    type: 'manage',
    class: 'Channels',
    scope: 'on-call',
  },
  {
    id: 5,
    key: 'integrations.read',
    name: 'Integrations Read',
    type: 'read',
    class: 'Integrations',
    scope: 'on-call',
  },
  {
    id: 6,
    key: 'integrations.manage',
    name: 'Integrations Manage',
    type: 'manage',
    class: 'Integrations',
    scope: 'on-call',
  },
  {
    id: 7,
    key: 'schedules.read',
    name: 'Schedules Read',
    type: 'read',
    class: 'Schedules',
    scope: 'on-call',
  },
  {
    id: 8,
    key: 'schedules.manage',
    name: 'Schedules Manage',
    type: 'manage',
    class: 'Schedules',
    scope: 'on-call',
  },
  {
    id: 9,
    key: 'templates.read',
    name: 'Templates Read',
    type: 'read',
    class: 'Templates',
    scope: 'on-call',
  },
  {
    id: 10,
    key: 'templates.manage',
    name: 'Templates Manage',
    type: 'manage',
    class: 'Templates',
    scope: 'on-call',
  },
  { id: 11, key: 'mappings.read', name: 'Mappings Read', type: 'read', class: 'Mappings', scope: 'on-call' },
  {
    id: 12,
    key: 'mappings.manage',
    name: 'Mappings Manage',
    type: 'manage',
    class: 'Mappings',
    scope: 'on-call',
  },
  {
    id: 13,
    key: 'calendars.manage',
    name: 'Calendars Manage',
    type: 'manage',
    class: 'Calendars',
    scope: 'on-call',
  },
  {
    id: 14,
    key: 'analytics.read',
    name: 'Analytics Read',
    type: 'read',
    class: 'Analytics',
    scope: 'on-call',
  },
  {
    id: 15,
    key: 'status_pages.manage',
    name: 'Status Pages Manage',
    type: 'manage',
    class: 'Status Pages',
    scope: 'on-call',
  },
  {
    id: 16,
    key: 'status_pages.events.manage',
    name: 'Status Pages Events Manage',
    type: 'manage',
    class: 'Status Pages',
    scope: 'on-call',
  },
  {
    id: 17,
    key: 'members.manage',
    name: 'Members Manage',
    type: 'manage',
    class: 'Members',
    scope: 'organization',
  },
  {
    id: 18,
    key: 'teams.manage',
    name: 'Teams Manage',
    type: 'manage',
    class: 'Teams',
    scope: 'organization',
  },
  {
    id: 19,
    key: 'roles.manage',
    name: 'Roles Manage',
    type: 'manage',
    class: 'Roles',
    scope: 'organization',
  },
  { id: 20, key: 'audit.read', name: 'Audit Read', type: 'read', class: 'Audit', scope: 'organization' },
] as const;

export type Permission = (typeof PERMISSIONS)[number]['key'];

const allIds = PERMISSIONS.map((p) => p.id);
const readIds = PERMISSIONS.filter((p) => p.type === 'read').map((p) => p.id);
const permissionId = (key: Permission): number => PERMISSIONS.find((p) => p.key === key)!.id;

/** Built-in roles, the same in every account; none can be edited or deleted. */
export const BUILT_IN_ROLES = [
  {
    role_id: 1,
    role_name: 'Owner',
    description: 'Everything, including the account itself; the account creator holds it.',
    permission_ids: allIds,
  },
  { role_id: 2, role_name: 'Admin', description: 'Every permission.', permission_ids: allIds },
  {
    role_id: 3,
    role_name: 'Responder',
    description: 'Reads everything; acts on incidents and publishes status-page events.',
    permission_ids: [
      ...readIds,
      permissionId('incidents.manage'),
      permissionId('status_pages.events.manage'),
    ],
  },
  {
    role_id: 4,
    role_name: 'Read-only',
    description: 'Reads everything, changes nothing.',
    permission_ids: readIds,
  },
] as const;

export const OWNER_ROLE_ID = 1;
/** The role a member gets when invited without role_ids. */
export const DEFAULT_ROLE_ID = 3;

/**
 * Only an Owner may act on an Owner: their credentials (app keys, password, invite links), profile
 * (the e-mail an invite goes to), roles or membership. Otherwise an Admin could become an Owner.
 */
export function assertMayActOn(actor: Actor, target: { role_ids: readonly number[] }, action: string): void {
  if (target.role_ids.includes(OWNER_ROLE_ID) && !actor.roleIds.includes(OWNER_ROLE_ID)) {
    throw new AppError('AccessDenied', `Access Denied: only an Owner may ${action}.`);
  }
}

export function isBuiltInRole(roleId: number): boolean {
  return BUILT_IN_ROLES.some((role) => role.role_id === roleId);
}

/** The caller of an Open API request: a member of one account, acting through one app key. */
export type Actor = {
  accountId: number;
  memberId: number;
  memberName: string;
  roleIds: number[];
  permissions: ReadonlySet<Permission>;
  /** The app key the call came with; absent for the console's session (the audit log says which). */
  keyId?: number;
  /** The member acts through an AI assistant (Vigil's MCP server): their timeline entries say so. */
  via?: 'assistant';
};

/**
 * What a member may do: the permissions of their built-in roles plus `customIds`, the permission ids
 * their enabled custom roles grant (roles.store.ts reads them with the member).
 */
export function permissionsOf(
  roleIds: readonly number[],
  customIds: readonly number[] = [],
): Set<Permission> {
  const ids = new Set<number>([
    ...BUILT_IN_ROLES.filter((role) => roleIds.includes(role.role_id)).flatMap((role) => role.permission_ids),
    ...customIds,
  ]);
  return new Set(PERMISSIONS.filter((p) => ids.has(p.id)).map((p) => p.key));
}
