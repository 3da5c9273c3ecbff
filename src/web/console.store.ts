import { sql } from 'kysely';
import type { KeyOwner } from '../accounts/app-keys.store.ts';
import { customPermissionIds } from '../accounts/roles.store.ts';
import type { Db } from '../db/db.ts';

type Executor = Db['q'];

/** Enabled members with this e-mail (any account) and their password hash, oldest first. */
export async function findSignInCandidates(
  q: Executor,
  email: string,
): Promise<{ memberId: number; accountId: number; passwordHash: string }[]> {
  const rows = await q
    .selectFrom('members as m')
    .innerJoin('member_passwords as p', 'p.member_id', 'm.member_id')
    .select(['m.member_id', 'm.account_id', 'p.password_hash'])
    .where(sql<string>`lower(m.email)`, '=', email.trim().toLowerCase())
    .where('m.status', '=', 'enabled')
    .orderBy('m.member_id')
    .execute();
  return rows.map((r) => ({ memberId: r.member_id, accountId: r.account_id, passwordHash: r.password_hash }));
}

/** Live members with this e-mail, optionally in one account. */
export async function findMembersByEmail(
  q: Executor,
  email: string,
  accountId: number | undefined,
): Promise<{ memberId: number; accountId: number }[]> {
  let query = q
    .selectFrom('members')
    .select(['member_id', 'account_id'])
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .where('status', '<>', 'deleted');
  if (accountId !== undefined) query = query.where('account_id', '=', accountId);
  const rows = await query.orderBy('member_id').execute();
  return rows.map((r) => ({ memberId: r.member_id, accountId: r.account_id }));
}

export async function upsertPassword(
  q: Executor,
  member: { accountId: number; memberId: number },
  passwordHash: string,
  now: number,
): Promise<void> {
  await q
    .insertInto('member_passwords')
    .values({
      member_id: member.memberId,
      account_id: member.accountId,
      password_hash: passwordHash,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('member_id').doUpdateSet({ password_hash: passwordHash, updated_at: now }))
    .execute();
}

export async function insertSession(
  q: Executor,
  session: {
    hash: string;
    accountId: number;
    memberId: number;
    csrf: string;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await q
    .insertInto('console_sessions')
    .values({
      session_hash: session.hash,
      account_id: session.accountId,
      member_id: session.memberId,
      csrf_token: session.csrf,
      created_at: session.now,
      last_seen_at: session.now,
      expires_at: session.expiresAt,
    })
    .execute();
}

export type SessionRow = KeyOwner & { csrfToken: string; createdAt: number; lastSeenAt: number };

/** The unexpired session behind a cookie, with its member (who must still be enabled). */
export async function findSession(q: Executor, hash: string, now: number): Promise<SessionRow | undefined> {
  const row = await q
    .selectFrom('console_sessions as s')
    .innerJoin('members as m', 'm.member_id', 's.member_id')
    .select([
      's.account_id',
      's.member_id',
      's.csrf_token',
      's.created_at',
      's.last_seen_at',
      'm.member_name',
      sql<number[]>`array(select role_id from member_roles r where r.member_id = s.member_id)`.as('role_ids'),
      customPermissionIds('s.member_id', 's.account_id').as('custom_permission_ids'),
    ])
    .where('s.session_hash', '=', hash)
    .where('s.expires_at', '>', now)
    .where('m.status', '=', 'enabled')
    .executeTakeFirst();
  return (
    row && {
      accountId: row.account_id,
      memberId: row.member_id,
      memberName: row.member_name,
      roleIds: row.role_ids,
      customPermissionIds: row.custom_permission_ids,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
    }
  );
}

export async function touchSession(q: Executor, hash: string, now: number, expiresAt: number): Promise<void> {
  await q
    .updateTable('console_sessions')
    .set({ last_seen_at: now, expires_at: expiresAt })
    .where('session_hash', '=', hash)
    .execute();
}

/** A member's ended sessions: cleared at each sign-in, so the table holds about one row per browser. */
export async function deleteExpiredSessions(q: Executor, memberId: number, now: number): Promise<void> {
  await q
    .deleteFrom('console_sessions')
    .where('member_id', '=', memberId)
    .where('expires_at', '<=', now)
    .execute();
}

export async function deleteSession(q: Executor, hash: string): Promise<void> {
  await q.deleteFrom('console_sessions').where('session_hash', '=', hash).execute();
}

/** Signs a member out everywhere (their password changed); expired sessions go at the same time. */
export async function deleteMemberSessions(q: Executor, memberId: number, now: number): Promise<void> {
  await q
    .deleteFrom('console_sessions')
    .where((eb) => eb.or([eb('member_id', '=', memberId), eb('expires_at', '<=', now)]))
    .execute();
}

/** A member's password hash, if they have one. */
export async function findPasswordHash(q: Executor, memberId: number): Promise<string | undefined> {
  const row = await q
    .selectFrom('member_passwords')
    .select('password_hash')
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return row?.password_hash;
}

/** Ends a member's sessions but one (they changed their password in it); expired sessions go too. */
export async function deleteOtherSessions(
  q: Executor,
  memberId: number,
  keepHash: string,
  now: number,
): Promise<void> {
  await q
    .deleteFrom('console_sessions')
    .where((eb) =>
      eb.or([
        eb.and([eb('member_id', '=', memberId), eb('session_hash', '<>', keepHash)]),
        eb('expires_at', '<=', now),
      ]),
    )
    .execute();
}

export async function insertInvite(
  q: Executor,
  invite: {
    hash: string;
    accountId: number;
    memberId: number;
    createdBy: number;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await q
    .insertInto('console_invites')
    .values({
      token_hash: invite.hash,
      account_id: invite.accountId,
      member_id: invite.memberId,
      created_by: invite.createdBy,
      created_at: invite.now,
      expires_at: invite.expiresAt,
    })
    .execute();
}

/** Marks an unused, unexpired invite used and returns its member; undefined if there is none. */
export async function claimInvite(
  q: Executor,
  hash: string,
  now: number,
): Promise<{ accountId: number; memberId: number } | undefined> {
  const row = await q
    .updateTable('console_invites')
    .set({ used_at: now })
    .where('token_hash', '=', hash)
    .where('used_at', '=', 0)
    .where('expires_at', '>', now)
    .returning(['account_id', 'member_id'])
    .executeTakeFirst();
  return row && { accountId: row.account_id, memberId: row.member_id };
}

export async function findInvite(
  q: Executor,
  hash: string,
  now: number,
): Promise<{ memberName: string; email: string; expiresAt: number } | undefined> {
  const row = await q
    .selectFrom('console_invites as i')
    .innerJoin('members as m', 'm.member_id', 'i.member_id')
    .select(['m.member_name', 'm.email', 'i.expires_at'])
    .where('i.token_hash', '=', hash)
    .where('i.used_at', '=', 0)
    .where('i.expires_at', '>', now)
    .where('m.status', '=', 'enabled')
    .executeTakeFirst();
  return row && { memberName: row.member_name, email: row.email, expiresAt: row.expires_at };
}
