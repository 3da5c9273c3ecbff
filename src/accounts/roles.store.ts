import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { RolesTable } from '../db/schema.ts';

export type RoleRow = Selectable<RolesTable>;
type Executor = Db['q'];

/**
 * The permission ids a member's enabled custom roles grant, as a column of a query over a table
 * aliased with `member_id` and `account_id` columns (`memberCol`, `accountCol`): what auth reads
 * beside the built-in role ids, in the same round trip.
 */
export function customPermissionIds(memberCol: string, accountCol: string) {
  return sql<number[]>`array(select distinct p from member_roles mr
      join roles ro on ro.role_id = mr.role_id and ro.account_id = ${sql.ref(accountCol)}
      cross join unnest(ro.permission_ids) as p
     where mr.member_id = ${sql.ref(memberCol)} and ro.status = 'enabled')`;
}

export function listRoles(
  q: Executor,
  accountId: number,
  order: { orderBy: 'created_at' | 'updated_at'; asc: boolean },
): Promise<RoleRow[]> {
  return q
    .selectFrom('roles')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy(order.orderBy, order.asc ? 'asc' : 'desc')
    .orderBy('role_id', order.asc ? 'asc' : 'desc')
    .execute();
}

export function findRole(q: Executor, accountId: number, roleId: number): Promise<RoleRow | undefined> {
  return q
    .selectFrom('roles')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('role_id', '=', roleId)
    .executeTakeFirst();
}

/** The ids among `roleIds` that are custom roles of the account. */
export async function existingRoleIds(
  q: Executor,
  accountId: number,
  roleIds: readonly number[],
): Promise<Set<number>> {
  if (roleIds.length === 0) return new Set();
  const rows = await q
    .selectFrom('roles')
    .select('role_id')
    .where('account_id', '=', accountId)
    .where('role_id', 'in', [...roleIds])
    .execute();
  return new Set(rows.map((r) => r.role_id));
}
