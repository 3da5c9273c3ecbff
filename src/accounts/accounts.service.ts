import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { invalidParameter } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { createAppKey } from './app-keys.service.ts';
import { insertMember } from './members.store.ts';
import { ownerNameFrom } from './owner-name.ts';
import { OWNER_ROLE_ID } from './permissions.ts';

type Deps = { db: Db; clock: Clock };

export type NewAccount = { name: string; email: string; memberName?: string | undefined };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Bootstraps an account: the account, its first member (an Owner) and an app key for that
 * member. This is how a fresh Vigil gets its first key (`vigil account create`).
 */
export async function createAccount(
  deps: Deps,
  account: NewAccount,
): Promise<{ account_id: number; member_id: number; member_name: string; app_key: string }> {
  const name = account.name.trim();
  if (name.length < 1 || name.length > 39) throw invalidParameter('name', 'must be 1 to 39 characters');
  if (!EMAIL.test(account.email)) throw invalidParameter('email', 'must be an e-mail address');
  const memberName = account.memberName?.trim()
    ? account.memberName.trim().slice(0, 39).padEnd(2, '_')
    : ownerNameFrom(account.email, name);
  const now = nowSeconds(deps.clock);
  const { accountId, memberId } = await deps.db.q.transaction().execute(async (trx) => {
    const { account_id } = await trx
      .insertInto('accounts')
      .values({ account_name: name, email: account.email, created_at: now, updated_at: now })
      .returning('account_id')
      .executeTakeFirstOrThrow();
    try {
      const memberId = await insertMember(
        trx,
        account_id,
        { member_name: memberName, email: account.email },
        [OWNER_ROLE_ID],
        now,
      );
      return { accountId: account_id, memberId };
    } catch (error) {
      if (isUniqueViolation(error)) throw invalidParameter('email', 'already in use');
      throw error;
    }
  });
  const key = await createAppKey(deps, { accountId, memberId }, { name: 'default', enabled: true });
  return { account_id: accountId, member_id: memberId, member_name: memberName, app_key: key.key };
}
