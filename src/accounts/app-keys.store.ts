import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import { customPermissionIds } from './roles.store.ts';

/** App keys are stored as SHA-256 digests; the secret itself is shown once, at creation. */
export function hashAppKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export type KeyOwner = {
  accountId: number;
  memberId: number;
  memberName: string;
  roleIds: number[];
  /** Permission ids of the member's enabled custom roles (roles.store.ts). */
  customPermissionIds: number[];
  keyId?: number;
};

/** The enabled member behind an enabled key, or undefined: one indexed lookup per request. */
export async function findKeyOwner(db: Db, keyHash: string): Promise<KeyOwner | undefined> {
  const row = await db.q
    .selectFrom('app_keys as k')
    .innerJoin('members as m', 'm.member_id', 'k.member_id')
    .select([
      'k.key_id',
      'k.account_id',
      'k.member_id',
      'm.member_name',
      sql<number[]>`array(select role_id from member_roles r where r.member_id = k.member_id)`.as('role_ids'),
      customPermissionIds('k.member_id', 'k.account_id').as('custom_permission_ids'),
    ])
    .where('k.key_hash', '=', keyHash)
    .where('k.status', '=', 'enabled')
    .where('m.status', '=', 'enabled')
    .executeTakeFirst();
  return (
    row && {
      accountId: row.account_id,
      memberId: row.member_id,
      memberName: row.member_name,
      roleIds: row.role_ids,
      customPermissionIds: row.custom_permission_ids,
      keyId: row.key_id,
    }
  );
}

export type AppKeyRow = {
  key_id: number;
  member_id: number;
  key_name: string;
  status: 'enabled' | 'disabled';
  created_at: number;
  updated_at: number;
};

export async function insertAppKey(
  db: Db,
  key: { accountId: number; memberId: number; name: string; keyHash: string; enabled: boolean; now: number },
): Promise<AppKeyRow> {
  return db.q
    .insertInto('app_keys')
    .values({
      account_id: key.accountId,
      member_id: key.memberId,
      key_name: key.name,
      key_hash: key.keyHash,
      status: key.enabled ? 'enabled' : 'disabled',
      created_at: key.now,
      updated_at: key.now,
    })
    .returning(['key_id', 'member_id', 'key_name', 'status', 'created_at', 'updated_at'])
    .executeTakeFirstOrThrow();
}

export async function listAppKeys(
  db: Db,
  query: {
    accountId: number;
    memberId: number;
    offset: number;
    limit: number;
    orderBy: 'created_at' | 'updated_at';
    asc: boolean;
  },
): Promise<{ rows: AppKeyRow[]; total: number }> {
  const base = db.q
    .selectFrom('app_keys')
    .where('account_id', '=', query.accountId)
    .where('member_id', '=', query.memberId);
  const [rows, count] = await Promise.all([
    base
      .select(['key_id', 'member_id', 'key_name', 'status', 'created_at', 'updated_at'])
      .orderBy(query.orderBy, query.asc ? 'asc' : 'desc')
      .orderBy('key_id', query.asc ? 'asc' : 'desc')
      .offset(query.offset)
      .limit(query.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Applies a change to one key of one member; returns whether such a key existed. */
export async function updateAppKey(
  db: Db,
  key: { accountId: number; memberId: number; keyId: number },
  change: { status?: 'enabled' | 'disabled'; key_name?: string; updated_at: number },
): Promise<boolean> {
  const result = await db.q
    .updateTable('app_keys')
    .set(change)
    .where('account_id', '=', key.accountId)
    .where('member_id', '=', key.memberId)
    .where('key_id', '=', key.keyId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteAppKey(
  db: Db,
  key: { accountId: number; memberId: number; keyId: number },
): Promise<boolean> {
  const result = await db.q
    .deleteFrom('app_keys')
    .where('account_id', '=', key.accountId)
    .where('member_id', '=', key.memberId)
    .where('key_id', '=', key.keyId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
