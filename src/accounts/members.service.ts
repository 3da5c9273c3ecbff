import type { Static } from 'typebox';
import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import type { InviteMember, MemberItem, MemberResetRequest, PersonItem } from './accounts.schemas.ts';
import { authChanged } from './auth-cache.ts';
import {
  addMemberRoles,
  countMembersWithRole,
  findMembers,
  getMember,
  insertMember,
  type MemberRow,
  type MemberSelector,
  removeMemberRoles,
  setMemberRoles,
  updateMember,
} from './members.store.ts';
import { type Actor, assertMayActOn, DEFAULT_ROLE_ID, isBuiltInRole, OWNER_ROLE_ID } from './permissions.ts';
import { existingRoleIds } from './roles.store.ts';

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];

export function toMemberItem(row: MemberRow): Static<typeof MemberItem> {
  return {
    account_id: row.account_id,
    member_id: row.member_id,
    member_name: row.member_name,
    country_code: row.country_code,
    phone: row.phone,
    email: row.email,
    locale: row.locale,
    time_zone: row.time_zone,
    // Vigil does not verify contacts (no SMS/e-mail round trip yet), so none is claimed verified.
    phone_verified: false,
    email_verified: false,
    avatar: row.avatar,
    status: row.status,
    account_role_ids: row.role_ids,
    is_external: row.is_external,
    ref_id: row.ref_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function toPersonItem(row: MemberRow): Static<typeof PersonItem> {
  return {
    account_id: row.account_id,
    person_id: row.member_id,
    person_name: row.member_name,
    avatar: row.avatar,
    locale: row.locale,
    time_zone: row.time_zone,
    email: row.email,
    phone: row.phone,
    phone_verified: false,
    email_verified: false,
    as: 'member',
    status: row.status,
  };
}

/** Unique-index violations on members, reported against the field the caller sent. */
function memberConflict(error: unknown, field: string): never {
  if (isUniqueViolation(error, 'members_email_key'))
    throw invalidParameter(`${field}.email`, 'the e-mail belongs to another member');
  if (isUniqueViolation(error, 'members_ref_id_key'))
    throw invalidParameter(`${field}.ref_id`, 'the ref_id belongs to another member');
  throw error;
}

/** Every role a built-in one or a custom role of the caller's account; the Owner role only from an Owner. */
async function checkRoles(
  q: Executor,
  actor: Actor,
  roleIds: readonly number[],
  field: string,
): Promise<void> {
  const custom = await existingRoleIds(
    q,
    actor.accountId,
    roleIds.filter((id) => !isBuiltInRole(id)),
  );
  for (const roleId of roleIds) {
    if (!isBuiltInRole(roleId) && !custom.has(roleId))
      throw invalidParameter(field, `role ${roleId} does not exist`);
  }
  if (roleIds.includes(OWNER_ROLE_ID) && !actor.roleIds.includes(OWNER_ROLE_ID)) {
    throw new AppError('AccessDenied', 'Access Denied: only an Owner may grant the Owner role.');
  }
}

/** Takes the account's row lock, so rules spanning members (one owner at least) hold under concurrency. */
async function lockAccount(q: Executor, accountId: number): Promise<void> {
  await q
    .selectFrom('accounts')
    .select('account_id')
    .where('account_id', '=', accountId)
    .forUpdate()
    .execute();
}

async function ensureOwnerRemains(q: Executor, accountId: number): Promise<void> {
  if ((await countMembersWithRole(q, accountId, OWNER_ROLE_ID)) === 0) {
    throw new AppError('BadRequest', 'The account must keep at least one Owner.');
  }
}

export async function inviteMembers(
  deps: Deps,
  actor: Actor,
  members: readonly Static<typeof InviteMember>[],
): Promise<{ member_id: number; member_name: string }[]> {
  for (const [i, member] of members.entries()) {
    if (!member.email && !member.phone)
      throw invalidParameter(`members[${i}].email`, 'an e-mail or a phone is required');
    await checkRoles(deps.db.q, actor, member.role_ids ?? [], `members[${i}].role_ids`);
  }
  const now = nowSeconds(deps.clock);
  return deps.db.q.transaction().execute(async (trx) => {
    const created = [];
    for (const [i, member] of members.entries()) {
      const roles = member.role_ids && member.role_ids.length > 0 ? member.role_ids : [DEFAULT_ROLE_ID];
      try {
        const memberId = await insertMember(trx, actor.accountId, member, roles, now);
        created.push({ member_id: memberId, member_name: member.member_name });
      } catch (error) {
        memberConflict(error, `members[${i}]`);
      }
    }
    return created;
  });
}

/** The one live member a selector names; several matches are refused rather than guessed. */
async function resolveMember(q: Executor, accountId: number, by: MemberSelector): Promise<MemberRow> {
  if (Object.values(by).every((v) => v === undefined)) {
    throw invalidParameter('member_id', 'name the member by member_id, member_name, email, phone or ref_id');
  }
  const found = await findMembers(q, accountId, by);
  if (found.length === 0) throw notFound('member');
  if (found.length > 1) throw invalidParameter('member_name', 'several members match; use member_id');
  return found[0]!;
}

export async function deleteMember(deps: Deps, actor: Actor, by: MemberSelector): Promise<void> {
  const now = nowSeconds(deps.clock);
  await deps.db.q.transaction().execute(async (trx) => {
    await lockAccount(trx, actor.accountId);
    const member = await resolveMember(trx, actor.accountId, by);
    if (member.member_id === actor.memberId)
      throw new AppError('BadRequest', 'A member cannot delete themselves.');
    assertMayActOn(actor, member, 'delete an Owner');
    await updateMember(trx, actor.accountId, member.member_id, { status: 'deleted', updated_at: now });
    // A deleted member keeps no way in and no place in teams.
    await trx.deleteFrom('app_keys').where('member_id', '=', member.member_id).execute();
    await trx.deleteFrom('team_members').where('person_id', '=', member.member_id).execute();
    await ensureOwnerRemains(trx, actor.accountId);
  });
  authChanged(deps.db);
}

/** Members edit their own profile; editing someone else's needs Members Manage. */
export async function resetMemberInfo(
  deps: Deps,
  actor: Actor,
  change: Static<typeof MemberResetRequest>,
): Promise<void> {
  if (change.member_id !== actor.memberId && !actor.permissions.has('members.manage')) {
    throw new AppError(
      'AccessDenied',
      "Access Denied: changing another member's profile needs the Members Manage permission.",
    );
  }
  const member = await getMember(deps.db.q, actor.accountId, change.member_id);
  if (!member) throw notFound(`member ${change.member_id}`);
  // An Owner's e-mail is where their invite links go: an Admin who changed it could take the account.
  assertMayActOn(actor, member, "edit an Owner's profile");
  try {
    // The profile fields by name: nothing else a body carries reaches the row (issue 17).
    await updateMember(deps.db.q, actor.accountId, change.member_id, {
      member_name: change.member_name,
      email: change.email,
      phone: change.phone,
      country_code: change.country_code,
      avatar: change.avatar,
      locale: change.locale,
      time_zone: change.time_zone,
      updated_at: nowSeconds(deps.clock),
    });
  } catch (error) {
    memberConflict(error, 'member');
  }
  authChanged(deps.db);
}

type RoleChange = {
  kind: 'set' | 'grant' | 'revoke';
  memberIds: readonly number[];
  roleIds: readonly number[];
  /** The request field that carried the roles, for error messages. */
  field: 'role_ids' | 'role_id';
};

/** Sets, grants or revokes roles of members, keeping at least one Owner in the account. */
export async function changeMemberRoles(deps: Deps, actor: Actor, change: RoleChange): Promise<void> {
  await checkRoles(deps.db.q, actor, change.roleIds, change.field);
  const touchesOwner = change.roleIds.includes(OWNER_ROLE_ID) || change.kind === 'set';
  await deps.db.q.transaction().execute(async (trx) => {
    await lockAccount(trx, actor.accountId);
    for (const memberId of change.memberIds) {
      const member = await getMember(trx, actor.accountId, memberId);
      if (!member) throw notFound(`member ${memberId}`);
      if (touchesOwner) assertMayActOn(actor, member, "change an Owner's roles");
    }
    if (change.kind === 'set') {
      for (const memberId of change.memberIds)
        await setMemberRoles(trx, actor.accountId, memberId, change.roleIds);
    } else if (change.kind === 'grant') {
      await addMemberRoles(trx, actor.accountId, change.memberIds, change.roleIds);
    } else {
      await removeMemberRoles(trx, change.memberIds, change.roleIds);
    }
    const now = nowSeconds(deps.clock);
    await trx
      .updateTable('members')
      .set({ updated_at: now })
      .where('account_id', '=', actor.accountId)
      .where('member_id', 'in', [...change.memberIds])
      .execute();
    await ensureOwnerRemains(trx, actor.accountId);
  });
  authChanged(deps.db);
}
