import type { Db } from '../db/db.ts';
import { AppError, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newSecret } from '../shared/ids.ts';
import { deleteAppKey, hashAppKey, insertAppKey, updateAppKey } from './app-keys.store.ts';
import { authChanged } from './auth-cache.ts';
import { getMember } from './members.store.ts';
import { type Actor, assertMayActOn } from './permissions.ts';

type Deps = { db: Db; clock: Clock };

/**
 * Whose keys a call acts on: the caller's own by default; another member's (person_id) only with
 * Members Manage, so an admin can issue or revoke keys for automation accounts, and an Owner's
 * only by an Owner.
 */
export async function keyOwnerFor(deps: Deps, actor: Actor, personId: number | undefined): Promise<number> {
  if (personId === undefined || personId === actor.memberId) return actor.memberId;
  if (!actor.permissions.has('members.manage')) {
    throw new AppError(
      'AccessDenied',
      "Access Denied: another member's app keys need the Members Manage permission.",
    );
  }
  const member = await getMember(deps.db.q, actor.accountId, personId);
  if (!member) throw notFound(`member ${personId}`);
  // A key acts with all of its member's roles: an Owner's keys would make an Admin an Owner.
  assertMayActOn(actor, member, "manage an Owner's app keys");
  return personId;
}

/** A new app key; the secret is returned here and never again (only its hash is stored). */
export async function createAppKey(
  deps: Deps,
  target: { accountId: number; memberId: number },
  key: { name: string; enabled: boolean },
): Promise<{ key_id: number; key_name: string; key: string }> {
  const secret = newSecret(16);
  const row = await insertAppKey(deps.db, {
    accountId: target.accountId,
    memberId: target.memberId,
    name: key.name,
    keyHash: hashAppKey(secret),
    enabled: key.enabled,
    now: nowSeconds(deps.clock),
  });
  return { key_id: row.key_id, key_name: row.key_name, key: secret };
}

export async function changeAppKey(
  deps: Deps,
  actor: Actor,
  request: { key_id: number; person_id?: number | undefined },
  change: { status: 'enabled' | 'disabled' } | { key_name: string } | 'delete',
): Promise<void> {
  const memberId = await keyOwnerFor(deps, actor, request.person_id);
  const key = { accountId: actor.accountId, memberId, keyId: request.key_id };
  const found =
    change === 'delete'
      ? await deleteAppKey(deps.db, key)
      : await updateAppKey(deps.db, key, { ...change, updated_at: nowSeconds(deps.clock) });
  if (!found) throw notFound(`app key ${request.key_id}`);
  authChanged(deps.db);
}
