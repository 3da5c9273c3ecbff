import type { Actor } from '../../accounts/permissions.ts';
import { addFeedEntries } from '../feed.store.ts';
import { type ActionDeps, byActor, inTransaction, lockIncidents } from './actions.store.ts';

export type CommentInput = { incident_ids: string[]; comment: string; mute_reply?: boolean };

/**
 * /incident/comment: an i_comm entry on each incident, closed ones included. `mute_reply` is kept in
 * the entry (it tells IM integrations not to echo the comment back; Vigil has none yet).
 */
export async function commentIncidents(deps: ActionDeps, actor: Actor, input: CommentInput): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    const incidents = await lockIncidents(trx, actor.accountId, input.incident_ids);
    await trx
      .updateTable('incidents')
      .set({ updated_at: now })
      .where(
        'incident_id',
        'in',
        incidents.map((i) => i.incident_id),
      )
      .execute();
    await addFeedEntries(
      trx,
      incidents.map((incident) =>
        byActor(actor, nowMs, {
          incidentId: incident.incident_id,
          type: 'i_comm',
          detail: {
            comment: input.comment,
            person_id: actor.memberId,
            ...(input.mute_reply ? { mute_reply: true } : {}),
          },
        }),
      ),
    );
  });
}
