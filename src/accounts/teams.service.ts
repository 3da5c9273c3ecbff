import type { Static } from 'typebox';
import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import type { TeamItem, TeamUpsertRequest } from './accounts.schemas.ts';
import { findMembersByContact, getMembers } from './members.store.ts';
import type { Actor } from './permissions.ts';
import {
  findTeam,
  isTeamReferenced,
  replaceTeamMembers,
  type TeamRow,
  type TeamSelector,
} from './teams.store.ts';

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];

export function toTeamItem(row: TeamRow): Static<typeof TeamItem> {
  return {
    account_id: row.account_id,
    team_id: row.team_id,
    team_name: row.team_name,
    description: row.description,
    status: row.status === 'disabled' ? 'disabled' : 'enabled',
    updated_by_name: row.updated_by_name,
    updated_by: row.updated_by,
    creator_id: row.creator_id,
    creator_name: row.creator_name,
    created_at: row.created_at,
    updated_at: row.updated_at,
    person_ids: row.person_ids,
    ref_id: row.ref_id,
  };
}

/** The members a team upsert names by id, e-mail or phone; every one must be a live member. */
async function resolvePeople(
  q: Executor,
  accountId: number,
  request: Static<typeof TeamUpsertRequest>,
): Promise<number[]> {
  const ids = request.person_ids ?? [];
  const found = await getMembers(q, accountId, ids);
  const missingId = ids.find((id) => !found.some((m) => m.member_id === id));
  if (missingId !== undefined) throw invalidParameter('person_ids', `member ${missingId} does not exist`);
  const emails = request.emails ?? [];
  const phones = request.phones ?? [];
  const byContact = await findMembersByContact(q, accountId, { emails, phones });
  const missingEmail = emails.find((e) => !byContact.some((m) => m.email.toLowerCase() === e.toLowerCase()));
  if (missingEmail !== undefined)
    throw invalidParameter('emails', `no member has the e-mail ${missingEmail}`);
  const missingPhone = phones.find((p) => !byContact.some((m) => m.phone === p));
  if (missingPhone !== undefined) throw invalidParameter('phones', `no member has the phone ${missingPhone}`);
  return [...new Set([...ids, ...byContact.map((m) => m.member_id)])];
}

/**
 * Creates a team, or updates it when team_id is given (or when the name exists and
 * reset_if_name_exist is set). Members are replaced when any of person_ids, emails, phones is sent.
 */
export async function upsertTeam(
  deps: Deps,
  actor: Actor,
  request: Static<typeof TeamUpsertRequest>,
): Promise<{ team_id: number; team_name: string }> {
  const now = nowSeconds(deps.clock);
  const replacesMembers =
    request.person_ids !== undefined || request.emails !== undefined || request.phones !== undefined;
  try {
    return await deps.db.q.transaction().execute(async (trx) => {
      const people = await resolvePeople(trx, actor.accountId, request);
      let existing: TeamRow | undefined;
      if (request.team_id !== undefined) {
        existing = await findTeam(trx, actor.accountId, { team_id: request.team_id });
        if (!existing) throw notFound(`team ${request.team_id}`);
      } else {
        existing = await findTeam(trx, actor.accountId, { team_name: request.team_name });
        if (existing && !request.reset_if_name_exist) {
          throw invalidParameter(
            'team_name',
            'a team with this name exists; send its team_id, or reset_if_name_exist',
          );
        }
      }
      const fields = {
        team_name: request.team_name,
        ...(request.description !== undefined ? { description: request.description } : {}),
        ...(request.ref_id !== undefined ? { ref_id: request.ref_id } : {}),
        updated_by: actor.memberId,
        updated_at: now,
      };
      let teamId: number;
      if (existing) {
        teamId = existing.team_id;
        await trx.updateTable('teams').set(fields).where('team_id', '=', teamId).execute();
      } else {
        ({ team_id: teamId } = await trx
          .insertInto('teams')
          .values({ account_id: actor.accountId, creator_id: actor.memberId, created_at: now, ...fields })
          .returning('team_id')
          .executeTakeFirstOrThrow());
      }
      if (replacesMembers || !existing) await replaceTeamMembers(trx, actor.accountId, teamId, people);
      return { team_id: teamId, team_name: request.team_name };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'teams_name_key'))
      throw invalidParameter('team_name', 'a team with this name exists');
    if (isUniqueViolation(error, 'teams_ref_id_key'))
      throw invalidParameter('ref_id', 'another team has this ref_id');
    throw error;
  }
}

export async function deleteTeam(deps: Deps, actor: Actor, by: TeamSelector): Promise<void> {
  if (Object.values(by).every((v) => v === undefined))
    throw invalidParameter('team_id', 'name the team by team_id, team_name or ref_id');
  await deps.db.q.transaction().execute(async (trx) => {
    // Locked before the reference check: a channel being created share-locks the team, so either it
    // commits first and is seen here, or it waits and then finds the team deleted.
    const team = await findTeam(trx, actor.accountId, by, { forUpdate: true });
    if (!team) throw notFound('team');
    if (await isTeamReferenced(trx, actor.accountId, team.team_id)) {
      throw new AppError(
        'ReferenceExist',
        `Team ${team.team_name} still owns or manages channels; move them first.`,
      );
    }
    await trx
      .updateTable('teams')
      .set({ status: 'deleted', updated_by: actor.memberId, updated_at: nowSeconds(deps.clock) })
      .where('team_id', '=', team.team_id)
      .execute();
    await trx.deleteFrom('team_members').where('team_id', '=', team.team_id).execute();
  });
}
