import Type from 'typebox';
import type { AppDeps } from '../http/app.ts';
import { toPage } from '../http/pagination.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import { notFound } from '../shared/app-error.ts';
import * as S from './accounts.schemas.ts';
import { changeAppKey, createAppKey, keyOwnerFor } from './app-keys.service.ts';
import { listAppKeys } from './app-keys.store.ts';
import type { AuthCache } from './auth-cache.ts';
import {
  changeMemberRoles,
  deleteMember,
  inviteMembers,
  resetMemberInfo,
  toMemberItem,
  toPersonItem,
} from './members.service.ts';
import { getMember, getMembers, listMembers } from './members.store.ts';
import { permissionFactors } from './permission-factors.ts';
import { PERMISSIONS } from './permissions.ts';
import { deleteRole, roleItem, roleItems, setRoleStatus, upsertRole } from './roles.service.ts';
import { deleteTeam, toTeamItem, upsertTeam } from './teams.service.ts';
import { findTeam, getTeams, listTeams } from './teams.store.ts';

/** Accounts, members, persons, teams, roles and app keys (platform.openapi.en.json, legacy app keys). */
export function registerAccountRoutes(app: Api, deps: AppDeps, cache: AuthCache): void {
  const { db } = deps;
  const Members = { tag: 'Members' };
  const Teams = { tag: 'Teams' };
  const Roles = { tag: 'Roles' };
  const Keys = { tag: 'App keys' };

  openApi(
    app,
    '/account/info',
    {
      tag: 'Account',
      summary: 'The caller’s account',
      permission: null,
      input: Type.Object({}),
      data: S.AccountInfo,
    },
    async ({ actor }) => {
      const account = await cache.account(actor.accountId);
      if (!account) throw notFound('account');
      return { ...account };
    },
  );

  openApi(
    app,
    '/member/info',
    {
      ...Members,
      summary: 'The calling member and their account',
      permission: null,
      input: Type.Object({}),
      data: S.MemberInfo,
    },
    async ({ actor }) => {
      const [account, member] = await Promise.all([
        cache.account(actor.accountId),
        getMember(db.q, actor.accountId, actor.memberId),
      ]);
      if (!account || !member) throw notFound('member');
      const item = toMemberItem(member);
      return {
        ...item,
        account_name: account.account_name,
        account_avatar: '',
        account_email: account.email,
        account_locale: account.locale,
        account_time_zone: account.time_zone,
        domain: '',
      };
    },
  );

  openApi(
    app,
    '/member/list',
    {
      ...Members,
      summary: 'List members',
      permission: null,
      input: S.MemberListRequest,
      data: S.MemberListResponse,
    },
    async ({ actor, input }) => {
      const page = toPage(input, 20);
      const { rows, total } = await listMembers(db.q, {
        accountId: actor.accountId,
        roleId: input.role_id,
        query: input.query,
        orderBy: input.orderby ?? 'created_at',
        asc: input.asc ?? false,
        offset: page.offset,
        limit: page.limit,
      });
      return { p: page.p, limit: page.limit, total, items: rows.map(toMemberItem) };
    },
  );

  openApi(
    app,
    '/member/invite',
    {
      ...Members,
      summary: 'Invite members',
      permission: 'members.manage',
      input: S.MemberInviteRequest,
      data: S.MemberInviteResponse,
    },
    async ({ actor, input }) => ({
      items: await inviteMembers(deps, actor, input.members),
    }),
  );

  openApi(
    app,
    '/member/delete',
    {
      ...Members,
      summary: 'Delete a member',
      permission: 'members.manage',
      input: S.MemberSelector,
      data: Empty,
    },
    async ({ actor, input }) => {
      await deleteMember(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/member/info/reset',
    {
      ...Members,
      summary: 'Edit a member’s profile',
      permission: null,
      input: S.MemberResetRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await resetMemberInfo(deps, actor, input);
      return {};
    },
  );

  for (const kind of ['update', 'grant', 'revoke'] as const) {
    openApi(
      app,
      `/member/role/${kind}`,
      {
        ...Members,
        summary: `${kind === 'update' ? 'Set' : kind === 'grant' ? 'Grant' : 'Revoke'} a member’s roles`,
        permission: 'members.manage',
        input: S.MemberRolesRequest,
        data: Empty,
      },
      async ({ actor, input }) => {
        await changeMemberRoles(deps, actor, {
          kind: kind === 'update' ? 'set' : kind,
          memberIds: [input.member_id],
          roleIds: input.role_ids,
          field: 'role_ids',
        });
        return {};
      },
    );
  }

  openApi(
    app,
    '/person/infos',
    {
      ...Members,
      summary: 'Batch get persons',
      permission: null,
      input: S.PersonInfosRequest,
      data: Type.Object({ items: Type.Array(S.PersonItem) }),
    },
    async ({ actor, input }) => ({
      items: (await getMembers(db.q, actor.accountId, input.person_ids)).map(toPersonItem),
    }),
  );

  openApi(
    app,
    '/team/list',
    { ...Teams, summary: 'List teams', permission: null, input: S.TeamListRequest, data: S.TeamListResponse },
    async ({ actor, input }) => {
      const page = toPage(input, 20);
      const { rows, total } = await listTeams(db.q, {
        accountId: actor.accountId,
        personId: input.person_id,
        query: input.query,
        orderBy: input.orderby ?? 'created_at',
        asc: input.asc ?? false,
        offset: page.offset,
        limit: page.limit,
      });
      return { p: page.p, limit: page.limit, total, items: rows.map(toTeamItem) };
    },
  );

  openApi(
    app,
    '/team/info',
    { ...Teams, summary: 'Get a team', permission: null, input: S.TeamSelector, data: S.TeamItem },
    async ({ actor, input }) => {
      const team = Object.values(input).some((v) => v !== undefined)
        ? await findTeam(db.q, actor.accountId, input)
        : undefined;
      if (!team) throw notFound('team');
      return toTeamItem(team);
    },
  );

  openApi(
    app,
    '/team/infos',
    {
      ...Teams,
      summary: 'Batch get teams',
      permission: null,
      input: S.TeamInfosRequest,
      data: S.TeamInfosResponse,
    },
    async ({ actor, input }) => ({
      items: (await getTeams(db.q, actor.accountId, input.team_ids)).map((t) => ({
        team_id: t.team_id,
        team_name: t.team_name,
        person_ids: t.person_ids,
      })),
    }),
  );

  openApi(
    app,
    '/team/upsert',
    {
      ...Teams,
      summary: 'Create or update a team',
      permission: 'teams.manage',
      input: S.TeamUpsertRequest,
      data: S.TeamUpsertResponse,
    },
    async ({ actor, input }) => upsertTeam(deps, actor, input),
  );

  openApi(
    app,
    '/team/delete',
    { ...Teams, summary: 'Delete a team', permission: 'teams.manage', input: S.TeamSelector, data: Empty },
    async ({ actor, input }) => {
      await deleteTeam(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/role/list',
    { ...Roles, summary: 'List roles', permission: null, input: S.RoleListRequest, data: S.RoleListResponse },
    async ({ actor, input }) => {
      const items = await roleItems(db, actor.accountId, { orderBy: input.orderby, asc: input.asc });
      return { total: items.length, items };
    },
  );

  openApi(
    app,
    '/role/upsert',
    {
      ...Roles,
      summary: 'Create or update a custom role',
      permission: 'roles.manage',
      input: S.RoleUpsertRequest,
      data: S.RoleUpsertResponse,
    },
    ({ actor, input }) => upsertRole(deps, actor, input),
  );

  openApi(
    app,
    '/role/delete',
    {
      ...Roles,
      summary: 'Delete a custom role',
      permission: 'roles.manage',
      input: S.RoleSelector,
      data: Empty,
    },
    async ({ actor, input }) => {
      await deleteRole(deps, actor, input.role_id);
      return {};
    },
  );

  for (const status of ['enabled', 'disabled'] as const) {
    const verb = status === 'enabled' ? 'enable' : 'disable';
    openApi(
      app,
      `/role/${verb}`,
      {
        ...Roles,
        summary: `${status === 'enabled' ? 'Enable' : 'Disable'} a custom role`,
        permission: 'roles.manage',
        input: S.RoleSelector,
        data: Empty,
      },
      async ({ actor, input }) => {
        await setRoleStatus(deps, actor, input.role_id, status);
        return {};
      },
    );
  }

  openApi(
    app,
    '/role/permission/factor/list',
    {
      ...Roles,
      summary: 'List permission factors',
      permission: null,
      input: S.FactorListRequest,
      data: Type.Array(S.FactorItem),
    },
    async ({ input, request }) => {
      const factors = permissionFactors(request.server.audit.operations);
      return input.factor_types
        ? factors.filter((f) => input.factor_types!.includes(f.factor_type))
        : factors;
    },
  );

  openApi(
    app,
    '/role/info',
    {
      ...Roles,
      summary: 'Get a role',
      permission: null,
      input: Type.Object({ role_id: S.Id }),
      data: S.RoleItem,
    },
    ({ actor, input }) => roleItem(db, actor.accountId, input.role_id),
  );

  openApi(
    app,
    '/role/permission/list',
    {
      ...Roles,
      summary: 'List permissions',
      permission: null,
      input: S.RolePermissionListRequest,
      data: Type.Object({ items: Type.Array(S.PermissionItem) }),
    },
    async ({ actor, input }) => {
      const named = new Set(input.role_ids ?? []);
      const roles = input.role_ids
        ? (await roleItems(db, actor.accountId)).filter((r) => named.has(r.role_id))
        : [];
      const granted = new Set<number>(roles.flatMap((r) => r.permission_ids));
      const items = PERMISSIONS.map((p) => ({
        id: p.id,
        permission_name: p.name,
        permission_type: p.type,
        description: `${p.name} (${p.scope})`,
        class: p.class,
        scope: p.scope,
        status: 'enabled' as const,
        is_granted: granted.has(p.id),
      }));
      // Without with_all, only the permissions the named roles grant; with no roles named, all of them.
      return { items: input.with_all || !input.role_ids ? items : items.filter((p) => p.is_granted) };
    },
  );

  for (const kind of ['grant', 'revoke'] as const) {
    openApi(
      app,
      `/role/member/${kind}`,
      {
        ...Roles,
        summary: `${kind === 'grant' ? 'Grant' : 'Revoke'} a role to members`,
        permission: 'roles.manage',
        input: S.RoleGrantRequest,
        data: Empty,
      },
      async ({ actor, input }) => {
        await changeMemberRoles(deps, actor, {
          kind,
          memberIds: input.member_ids,
          roleIds: [input.role_id],
          field: 'role_id',
        });
        return {};
      },
    );
  }

  openApi(
    app,
    '/person/app-key/create',
    {
      ...Keys,
      summary: 'Create an app key (the secret is shown only here)',
      permission: null,
      input: S.AppKeyCreateRequest,
      data: S.AppKeyCreateResponse,
    },
    async ({ actor, input }) => {
      const memberId = await keyOwnerFor(deps, actor, input.person_id);
      return createAppKey(
        deps,
        { accountId: actor.accountId, memberId },
        { name: input.key_name, enabled: input.is_enabled ?? true },
      );
    },
  );

  openApi(
    app,
    '/person/app-key/list',
    {
      ...Keys,
      summary: 'List app keys (never their secrets)',
      permission: null,
      input: S.AppKeyListRequest,
      data: S.AppKeyListResponse,
    },
    async ({ actor, input }) => {
      const memberId = await keyOwnerFor(deps, actor, input.person_id);
      const page = toPage(input, 20);
      const { rows, total } = await listAppKeys(db, {
        accountId: actor.accountId,
        memberId,
        offset: page.offset,
        limit: page.limit,
        orderBy: input.orderby ?? 'created_at',
        asc: input.asc ?? false,
      });
      return {
        p: page.p,
        limit: page.limit,
        total,
        has_next_page: page.offset + rows.length < total,
        items: rows.map((r) => ({
          key_id: r.key_id,
          key_name: r.key_name,
          status: r.status,
          person_id: r.member_id,
          created_at: r.created_at,
          updated_at: r.updated_at,
        })),
      };
    },
  );

  for (const [verb, change] of [
    ['delete', 'delete'],
    ['enable', { status: 'enabled' }],
    ['disable', { status: 'disabled' }],
  ] as const) {
    openApi(
      app,
      `/person/app-key/${verb}`,
      {
        ...Keys,
        summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} an app key`,
        permission: null,
        input: S.AppKeyIdRequest,
        data: Empty,
      },
      async ({ actor, input }) => {
        await changeAppKey(deps, actor, input, change);
        return {};
      },
    );
  }

  openApi(
    app,
    '/person/app-key/name/reset',
    { ...Keys, summary: 'Rename an app key', permission: null, input: S.AppKeyRenameRequest, data: Empty },
    async ({ actor, input }) => {
      await changeAppKey(deps, actor, input, { key_name: input.key_name });
      return {};
    },
  );
}
