import type { Actor } from '../../accounts/permissions.ts';
import { addFeedEntries, type FeedEntry } from '../feed.store.ts';
import { type ActionDeps, byActor, inTransaction, lockIncidents } from './actions.store.ts';
import { acknowledgeBy, firstAcknowledgement, readResponders, unacknowledgeBy } from './responders.ts';

/**
 * /incident/ack: the caller acknowledges each incident. Triggered → Processing; ack_time keeps the
 * first acknowledgement; the caller is recorded in `responders` (anyone may ack, assigned or not).
 * Closed incidents, and incidents the caller already acknowledges, are left as they are.
 */
export async function acknowledgeIncidents(
  deps: ActionDeps,
  actor: Actor,
  incidentIds: readonly string[],
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    const feed: FeedEntry[] = [];
    for (const incident of await lockIncidents(trx, actor.accountId, incidentIds)) {
      if (incident.progress === 'Closed') continue;
      const responders = acknowledgeBy(readResponders(incident.responders), actor.memberId, now);
      if (!responders) continue;
      await trx
        .updateTable('incidents')
        .set({
          progress: 'Processing',
          ack_time: incident.ack_time > 0 ? Math.min(incident.ack_time, now) : now,
          responders: JSON.stringify(responders),
          updated_at: now,
        })
        .where('incident_id', '=', incident.incident_id)
        .execute();
      feed.push(
        byActor(actor, nowMs, {
          incidentId: incident.incident_id,
          type: 'i_ack',
          detail: { person_id: actor.memberId },
        }),
      );
    }
    await addFeedEntries(trx, feed);
  });
}

/**
 * /incident/unack: the caller withdraws their acknowledgement. When nobody acknowledges the
 * incident any more it returns to Triggered (ack_time 0, snooze cancelled); otherwise ack_time is
 * the earliest acknowledgement still standing. Incidents the caller does not acknowledge, and
 * closed ones, are left as they are.
 */
export async function unacknowledgeIncidents(
  deps: ActionDeps,
  actor: Actor,
  incidentIds: readonly string[],
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    const feed: FeedEntry[] = [];
    for (const incident of await lockIncidents(trx, actor.accountId, incidentIds)) {
      if (incident.progress === 'Closed') continue;
      const responders = unacknowledgeBy(readResponders(incident.responders), actor.memberId);
      if (!responders) continue;
      const ackTime = firstAcknowledgement(responders);
      await trx
        .updateTable('incidents')
        .set({
          responders: JSON.stringify(responders),
          ack_time: ackTime,
          ...(ackTime === 0 ? { progress: 'Triggered' as const, snoozed_before: 0 } : {}),
          updated_at: now,
        })
        .where('incident_id', '=', incident.incident_id)
        .execute();
      feed.push(
        byActor(actor, nowMs, {
          incidentId: incident.incident_id,
          type: 'i_unack',
          detail: { person_id: actor.memberId },
        }),
      );
    }
    await addFeedEntries(trx, feed);
  });
}
