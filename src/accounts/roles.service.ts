import type { Static } from 'typebox';
import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import type { RoleItem, RoleUpsertRequest } from './accounts.schemas.ts';
import { authChanged } from './auth-cache.ts';
import { type Actor, BUILT_IN_ROLES, isBuiltInRole, PERMISSIONS } from './permissions.ts';
import { findRole, listRoles, type RoleRow } from './roles.store.ts';

type Deps = { db: Db; clock: Clock };
type Item = Static<typeof RoleItem>;

/** Built-in roles as the API shows them: never editable, always enabled. */
function builtInItems(): Item[] {
  return BUILT_IN_ROLES.map((role) => ({
    role_id: role.role_id,
    role_name: role.role_name,
    description: role.description,
    permission_ids: [...role.permission_ids],
    status: 'enabled' as const,
    editable: false,
    created_at: 0,
    updated_at: 0,
  }));
}

function toRoleItem(row: RoleRow): Item {
  return {
    role_id: row.role_id,
    role_name: row.role_name,
    description: row.description,
    permission_ids: [...row.permission_ids].sort((a, b) => a - b),
    status: row.status,
    editable: true,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Built-in roles first (in their fixed order), then the account's custom roles in the asked order. */
export async function roleItems(
  db: Db,
  accountId: number,
  order: { orderBy?: 'created_at' | 'updated_at' | undefined; asc?: boolean | undefined } = {},
): Promise<Item[]> {
  const custom = await listRoles(db.q, accountId, {
    orderBy: order.orderBy ?? 'created_at',
    asc: order.asc ?? true,
  });
  return [...builtInItems(), ...custom.map(toRoleItem)];
}

export async function roleItem(db: Db, accountId: number, roleId: number): Promise<Item> {
  const builtIn = builtInItems().find((r) => r.role_id === roleId);
  if (builtIn) return builtIn;
  const row = await findRole(db.q, accountId, roleId);
  if (!row) throw notFound(`role ${roleId}`);
  return toRoleItem(row);
}

/** A custom role of the caller's account; built-in roles are refused, naming `role_id`. */
async function customRole(q: Db['q'], actor: Actor, roleId: number, verb: string): Promise<RoleRow> {
  if (isBuiltInRole(roleId)) throw invalidParameter('role_id', `built-in roles cannot be ${verb}`);
  const row = await findRole(q, actor.accountId, roleId);
  if (!row) throw notFound(`role ${roleId}`);
  return row;
}

function checkPermissionIds(ids: readonly number[]): number[] {
  const known = new Set<number>(PERMISSIONS.map((p) => p.id));
  for (const id of ids) {
    if (!known.has(id)) throw invalidParameter('permission_ids', `permission ${id} does not exist`);
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

export async function upsertRole(
  deps: Deps,
  actor: Actor,
  input: Static<typeof RoleUpsertRequest>,
): Promise<{ role_id: number; role_name: string }> {
  const name = input.role_name.trim();
  if (name === '') throw invalidParameter('role_name', 'must not be blank');
  if (BUILT_IN_ROLES.some((r) => r.role_name.toLowerCase() === name.toLowerCase()))
    throw invalidParameter('role_name', 'is the name of a built-in role');
  const permissionIds = input.permission_ids && checkPermissionIds(input.permission_ids);
  const now = nowSeconds(deps.clock);
  try {
    const roleId = await deps.db.q.transaction().execute(async (trx) => {
      if (!input.role_id) {
        const created = await trx
          .insertInto('roles')
          .values({
            account_id: actor.accountId,
            role_name: name,
            description: input.description ?? '',
            permission_ids: permissionIds ?? [],
            created_at: now,
            updated_at: now,
          })
          .returning('role_id')
          .executeTakeFirstOrThrow();
        return created.role_id;
      }
      const row = await customRole(trx, actor, input.role_id, 'changed');
      await trx
        .updateTable('roles')
        .set({
          role_name: name,
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(permissionIds ? { permission_ids: permissionIds } : {}),
          updated_at: now,
        })
        .where('account_id', '=', actor.accountId)
        .where('role_id', '=', row.role_id)
        .execute();
      return row.role_id;
    });
    authChanged(deps.db);
    return { role_id: roleId, role_name: name };
  } catch (error) {
    if (isUniqueViolation(error, 'roles_name_key'))
      throw invalidParameter('role_name', 'another role of the account has this name');
    throw error;
  }
}

export async function setRoleStatus(
  deps: Deps,
  actor: Actor,
  roleId: number,
  status: 'enabled' | 'disabled',
): Promise<void> {
  await deps.db.q.transaction().execute(async (trx) => {
    await customRole(trx, actor, roleId, status);
    await trx
      .updateTable('roles')
      .set({ status, updated_at: nowSeconds(deps.clock) })
      .where('account_id', '=', actor.accountId)
      .where('role_id', '=', roleId)
      .execute();
  });
  authChanged(deps.db);
}

/** Deletes a custom role and every grant of it: its members lose its permissions at once. */
export async function deleteRole(deps: Deps, actor: Actor, roleId: number): Promise<void> {
  await deps.db.q.transaction().execute(async (trx) => {
    await customRole(trx, actor, roleId, 'deleted');
    await trx
      .deleteFrom('member_roles')
      .where('account_id', '=', actor.accountId)
      .where('role_id', '=', roleId)
      .execute();
    await trx
      .deleteFrom('roles')
      .where('account_id', '=', actor.accountId)
      .where('role_id', '=', roleId)
      .execute();
  });
  authChanged(deps.db);
}
