import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { AccountsTable, MembersTable } from '../db/schema.ts';

export type AccountRow = Selectable<AccountsTable>;
export type MemberRow = Selectable<MembersTable> & { role_ids: number[] };

type Executor = Db['q'];

const roleIds = sql<
  number[]
>`array(select role_id from member_roles r where r.member_id = members.member_id order by role_id)`;

function selectMembers(q: Executor) {
  return q.selectFrom('members').selectAll('members').select(roleIds.as('role_ids'));
}

export async function getAccount(q: Executor, accountId: number): Promise<AccountRow | undefined> {
  return q.selectFrom('accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Live (not deleted) members of the account with these ids, in no particular order. */
export async function getMembers(
  q: Executor,
  accountId: number,
  memberIds: readonly number[],
): Promise<MemberRow[]> {
  if (memberIds.length === 0) return [];
  return selectMembers(q)
    .where('account_id', '=', accountId)
    .where('member_id', 'in', [...memberIds])
    .where('status', '<>', 'deleted')
    .execute();
}

export async function getMember(
  q: Executor,
  accountId: number,
  memberId: number,
): Promise<MemberRow | undefined> {
  return (await getMembers(q, accountId, [memberId]))[0];
}

export type MemberSelector = {
  member_id?: number | undefined;
  member_name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  ref_id?: string | undefined;
};

/** Live members matching a selector; a selector by name may match several. */
export async function findMembers(q: Executor, accountId: number, by: MemberSelector): Promise<MemberRow[]> {
  let query = selectMembers(q).where('account_id', '=', accountId).where('status', '<>', 'deleted');
  if (by.member_id !== undefined) query = query.where('member_id', '=', by.member_id);
  if (by.member_name !== undefined) query = query.where('member_name', '=', by.member_name);
  if (by.email !== undefined) query = query.where(sql`lower(email)`, '=', by.email.toLowerCase());
  if (by.phone !== undefined) query = query.where('phone', '=', by.phone);
  if (by.ref_id !== undefined) query = query.where('ref_id', '=', by.ref_id);
  return query.limit(2).execute();
}

/** Live members whose e-mail (case-insensitive) or phone is in the lists. */
export async function findMembersByContact(
  q: Executor,
  accountId: number,
  contacts: { emails: readonly string[]; phones: readonly string[] },
): Promise<MemberRow[]> {
  if (contacts.emails.length === 0 && contacts.phones.length === 0) return [];
  const emails = contacts.emails.map((e) => e.toLowerCase());
  return selectMembers(q)
    .where('account_id', '=', accountId)
    .where('status', '<>', 'deleted')
    .where((eb) =>
      eb.or([
        ...(emails.length > 0 ? [eb(sql`lower(email)`, 'in', emails)] : []),
        ...(contacts.phones.length > 0 ? [eb('phone', 'in', [...contacts.phones])] : []),
      ]),
    )
    .execute();
}

export type MemberListQuery = {
  accountId: number;
  roleId?: number | undefined;
  query?: string | undefined;
  orderBy: 'created_at' | 'updated_at';
  asc: boolean;
  offset: number;
  limit: number;
};

export async function listMembers(
  q: Executor,
  list: MemberListQuery,
): Promise<{ rows: MemberRow[]; total: number }> {
  let base = q
    .selectFrom('members')
    .where('account_id', '=', list.accountId)
    .where('status', '<>', 'deleted');
  if (list.roleId !== undefined) {
    const roleId = list.roleId;
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom('member_roles as r')
          .whereRef('r.member_id', '=', 'members.member_id')
          .where('r.role_id', '=', roleId)
          .select('r.role_id'),
      ),
    );
  }
  if (list.query) {
    const pattern = `%${list.query.replace(/[\\%_]/g, '\\$&')}%`;
    base = base.where((eb) =>
      eb.or([
        eb('member_name', 'ilike', pattern),
        eb('email', 'ilike', pattern),
        eb('phone', 'ilike', pattern),
      ]),
    );
  }
  const direction = list.asc ? 'asc' : 'desc';
  const [rows, count] = await Promise.all([
    base
      .selectAll('members')
      .select(roleIds.as('role_ids'))
      .orderBy(list.orderBy, direction)
      .orderBy('member_id', direction)
      .offset(list.offset)
      .limit(list.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export type NewMember = {
  member_name: string;
  email?: string | undefined;
  phone?: string | undefined;
  country_code?: string | undefined;
  locale?: string | undefined;
  time_zone?: string | undefined;
  ref_id?: string | undefined;
};

export async function insertMember(
  q: Executor,
  accountId: number,
  member: NewMember,
  roles: readonly number[],
  now: number,
): Promise<number> {
  const { member_id } = await q
    .insertInto('members')
    .values({
      account_id: accountId,
      member_name: member.member_name,
      email: member.email ?? '',
      phone: member.phone ?? '',
      country_code: member.country_code ?? '',
      locale: member.locale ?? 'en-US',
      time_zone: member.time_zone ?? '',
      ref_id: member.ref_id ?? '',
      created_at: now,
      updated_at: now,
    })
    .returning('member_id')
    .executeTakeFirstOrThrow();
  await setMemberRoles(q, accountId, member_id, roles);
  return member_id;
}

type MemberChange = {
  [K in 'member_name' | 'email' | 'phone' | 'country_code' | 'avatar' | 'locale' | 'time_zone' | 'status']?:
    | MemberRow[K]
    | undefined;
} & { updated_at: number };

/**
 * Sets these columns of a member and no other: the list is spelled out, so an object carrying more
 * (a request body's account_id, say) cannot move a member or touch any other column.
 */
export async function updateMember(
  q: Executor,
  accountId: number,
  memberId: number,
  change: MemberChange,
): Promise<void> {
  await q
    .updateTable('members')
    .set({
      member_name: change.member_name,
      email: change.email,
      phone: change.phone,
      country_code: change.country_code,
      avatar: change.avatar,
      locale: change.locale,
      time_zone: change.time_zone,
      status: change.status,
      updated_at: change.updated_at,
    })
    .where('account_id', '=', accountId)
    .where('member_id', '=', memberId)
    .execute();
}

export async function setMemberRoles(
  q: Executor,
  accountId: number,
  memberId: number,
  roles: readonly number[],
): Promise<void> {
  await q.deleteFrom('member_roles').where('member_id', '=', memberId).execute();
  await addMemberRoles(q, accountId, [memberId], roles);
}

export async function addMemberRoles(
  q: Executor,
  accountId: number,
  memberIds: readonly number[],
  roles: readonly number[],
): Promise<void> {
  const rows = memberIds.flatMap((member_id) =>
    [...new Set(roles)].map((role_id) => ({ account_id: accountId, member_id, role_id })),
  );
  if (rows.length === 0) return;
  await q
    .insertInto('member_roles')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeMemberRoles(
  q: Executor,
  memberIds: readonly number[],
  roles: readonly number[],
): Promise<void> {
  if (memberIds.length === 0 || roles.length === 0) return;
  await q
    .deleteFrom('member_roles')
    .where('member_id', 'in', [...memberIds])
    .where('role_id', 'in', [...roles])
    .execute();
}

/** Live members holding the role, for the "an account always keeps an owner" rule. */
export async function countMembersWithRole(q: Executor, accountId: number, roleId: number): Promise<number> {
  const { n } = await q
    .selectFrom('member_roles as r')
    .innerJoin('members as m', 'm.member_id', 'r.member_id')
    .where('r.account_id', '=', accountId)
    .where('r.role_id', '=', roleId)
    .where('m.status', '<>', 'deleted')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
