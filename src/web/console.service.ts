import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyOwner } from '../accounts/app-keys.store.ts';
import { getMember } from '../accounts/members.store.ts';
import { type Actor, assertMayActOn } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import {
  claimInvite,
  deleteExpiredSessions,
  deleteMemberSessions,
  deleteOtherSessions,
  deleteSession,
  findInvite,
  findMembersByEmail,
  findPasswordHash,
  findSession,
  findSignInCandidates,
  insertInvite,
  insertSession,
  touchSession,
  upsertPassword,
} from './console.store.ts';
import { burnVerification, checkPassword, hashPassword, verifyPassword } from './passwords.ts';

type Deps = { db: Db; clock: Clock };

/** A session lives a week past its last use, and never more than 30 days after sign-in. */
export const SESSION_IDLE_SECONDS = 7 * 24 * 3600;
const SESSION_MAX_SECONDS = 30 * 24 * 3600;
/** last_seen_at is written at most this often, so reading pages costs no write per call. */
const TOUCH_EVERY_SECONDS = 3600;
const INVITE_SECONDS = 7 * 24 * 3600;

const secret = () => randomBytes(32).toString('base64url');
/** What is stored of a session token (and how live streams name their session). */
export const sessionDigest = (token: string) => createHash('sha256').update(token).digest('hex');
const digest = sessionDigest;

export type NewSession = { token: string; csrfToken: string; accountId: number; memberId: number };

async function openSession(deps: Deps, member: { accountId: number; memberId: number }): Promise<NewSession> {
  const now = nowSeconds(deps.clock);
  const token = secret();
  const csrfToken = secret();
  await deleteExpiredSessions(deps.db.q, member.memberId, now);
  await insertSession(deps.db.q, {
    hash: digest(token),
    accountId: member.accountId,
    memberId: member.memberId,
    csrf: csrfToken,
    now,
    expiresAt: now + SESSION_IDLE_SECONDS,
  });
  return { token, csrfToken, ...member };
}

/**
 * E-mail and password → a new session. E-mails are unique per account, not across accounts: the
 * password picks the member (oldest first). Every failure reads the same, and an unknown e-mail costs
 * one hash verification like a known one.
 */
export async function signIn(
  deps: Deps,
  credentials: { email: string; password: string },
): Promise<NewSession> {
  const candidates = await findSignInCandidates(deps.db.q, credentials.email);
  if (candidates.length === 0) await burnVerification(credentials.password);
  for (const candidate of candidates) {
    if (await verifyPassword(candidate.passwordHash, credentials.password))
      return openSession(deps, candidate);
  }
  throw new AppError('Unauthorized', 'You are unauthorized: the e-mail or the password is wrong.');
}

export type ConsoleSession = KeyOwner & { csrfToken: string };

/** The live session behind a cookie's token, extending its life when it is used. */
export async function findConsoleSession(deps: Deps, token: string): Promise<ConsoleSession | undefined> {
  const now = nowSeconds(deps.clock);
  const hash = digest(token);
  const session = await findSession(deps.db.q, hash, now);
  if (!session) return undefined;
  if (now - session.lastSeenAt >= TOUCH_EVERY_SECONDS) {
    await touchSession(
      deps.db.q,
      hash,
      now,
      Math.min(now + SESSION_IDLE_SECONDS, session.createdAt + SESSION_MAX_SECONDS),
    );
  }
  const { lastSeenAt: _seen, createdAt: _created, ...rest } = session;
  return rest;
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function signOut(deps: Deps, token: string): Promise<void> {
  await deleteSession(deps.db.q, digest(token));
}

async function storePassword(deps: Deps, member: { accountId: number; memberId: number }, password: string) {
  const now = nowSeconds(deps.clock);
  const passwordHash = await hashPassword(password);
  await deps.db.q.transaction().execute(async (trx) => {
    await upsertPassword(trx, member, passwordHash, now);
    // A new password ends every session opened with the old one.
    await deleteMemberSessions(trx, member.memberId, now);
  });
}

/**
 * A signed-in member changes their password: the current one must match, the new one follows the
 * rule, and every other session of theirs ends (this one stays, so the console keeps working).
 */
export async function changePassword(
  deps: Deps,
  token: string,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const hash = digest(token);
  const session = await findSession(deps.db.q, hash, nowSeconds(deps.clock));
  if (!session) throw new AppError('Unauthorized', 'You are unauthorized: sign in to the console.');
  const stored = await findPasswordHash(deps.db.q, session.memberId);
  let matches = false;
  if (stored === undefined) await burnVerification(input.currentPassword);
  else matches = await verifyPassword(stored, input.currentPassword);
  if (!matches) throw invalidParameter('current_password', 'it is not your current password');
  checkPassword(input.newPassword, 'new_password');
  const passwordHash = await hashPassword(input.newPassword);
  const now = nowSeconds(deps.clock);
  await deps.db.q.transaction().execute(async (trx) => {
    await upsertPassword(trx, session, passwordHash, now);
    await deleteOtherSessions(trx, session.memberId, hash, now);
  });
}

/** `vigil member set-password`: the member with this e-mail (in this account when e-mails repeat). */
export async function setMemberPassword(
  deps: Deps,
  input: { email: string; accountId?: number | undefined; password: string },
): Promise<{ account_id: number; member_id: number }> {
  checkPassword(input.password);
  const members = await findMembersByEmail(deps.db.q, input.email, input.accountId);
  if (members.length === 0) throw notFound(`member with e-mail ${input.email}`);
  if (members.length > 1) {
    throw invalidParameter(
      'account_id',
      `the e-mail belongs to members of accounts ${members.map((m) => m.accountId).join(', ')}; name one`,
    );
  }
  const member = members[0]!;
  await storePassword(deps, member, input.password);
  return { account_id: member.accountId, member_id: member.memberId };
}

/** A single-use link with which a member sets their password (and signs in). */
export async function createInvite(
  deps: Deps & { publicUrl: string },
  actor: Actor,
  memberId: number,
): Promise<{ invite_url: string; expires_at: number }> {
  const member = await getMember(deps.db.q, actor.accountId, memberId);
  if (!member) throw notFound(`member ${memberId}`);
  // An invite link sets the password and signs in as its member.
  assertMayActOn(actor, member, "invite an Owner (it would set the Owner's password)");
  const now = nowSeconds(deps.clock);
  const token = secret();
  const expiresAt = now + INVITE_SECONDS;
  await insertInvite(deps.db.q, {
    hash: digest(token),
    accountId: actor.accountId,
    memberId,
    createdBy: actor.memberId,
    now,
    expiresAt,
  });
  return { invite_url: `${deps.publicUrl}/invite/${token}`, expires_at: expiresAt };
}

export async function describeInvite(
  deps: Deps,
  token: string,
): Promise<{ member_name: string; email: string; expires_at: number }> {
  const invite = await findInvite(deps.db.q, digest(token), nowSeconds(deps.clock));
  if (!invite) throw notFound('invite: the link is unknown, used or expired');
  return { member_name: invite.memberName, email: invite.email, expires_at: invite.expiresAt };
}

export async function acceptInvite(deps: Deps, token: string, password: string): Promise<NewSession> {
  checkPassword(password);
  const member = await claimInvite(deps.db.q, digest(token), nowSeconds(deps.clock));
  if (!member) throw notFound('invite: the link is unknown, used or expired');
  await storePassword(deps, member, password);
  return openSession(deps, member);
}
