import type { Actor } from '../../accounts/permissions.ts';
import { addFeedEntries, type FeedEntry } from '../feed.store.ts';
import {
  type ActionDeps,
  byActor,
  type Executor,
  endTimeAt,
  inTransaction,
  lockAlertsOf,
  lockIncidents,
  normalizeIds,
} from './actions.store.ts';
import { clearAcknowledgements, readResponders } from './responders.ts';

export type ResolveInput = { incident_ids: string[]; root_cause?: string; resolution?: string };

/**
 * /incident/resolve: closes each incident by hand (closer_id = caller). It stops taking alerts
 * (group_key null), its snooze ends, and every alert still open is closed with it — they stop
 * taking events, so a new event opens a new alert and a new incident. incident_status is left as
 * the alerts made it (Flashduty: a manual close does not change it). Closed incidents are left as
 * they are.
 */
export async function resolveIncidents(deps: ActionDeps, actor: Actor, input: ResolveInput): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  const ids = normalizeIds(input.incident_ids);
  await inTransaction(deps.db, async (trx) => {
    await lockAlertsOf(trx, actor.accountId, ids, { openOnly: true });
    const closing = (await lockIncidents(trx, actor.accountId, ids)).filter((i) => i.progress !== 'Closed');
    if (closing.length === 0) return;
    const closingIds = closing.map((i) => i.incident_id);
    await lockAlertsOf(trx, actor.accountId, closingIds, { openOnly: true });

    await trx
      .updateTable('incidents')
      .set({
        progress: 'Closed',
        close_time: now,
        closer_id: actor.memberId,
        group_key: null,
        snoozed_before: 0,
        ...(input.root_cause === undefined ? {} : { root_cause: input.root_cause }),
        ...(input.resolution === undefined ? {} : { resolution: input.resolution }),
        updated_at: now,
      })
      .where('incident_id', 'in', closingIds)
      .execute();
    const closedAlerts = await closeOpenAlerts(trx, closingIds, now);

    await addFeedEntries(trx, [
      ...closedAlerts.map((alert) =>
        byActor(actor, nowMs, {
          alertId: alert.alert_id,
          type: 'a_close',
          detail: { from: 'console', incident_id: alert.incident_id, person_id: actor.memberId },
        }),
      ),
      ...closing.map((incident) =>
        byActor(actor, nowMs, {
          incidentId: incident.incident_id,
          type: 'i_rslv',
          detail: { from: 'console', person_id: actor.memberId },
        }),
      ),
    ]);
  });
}

/** Closes the open alerts of these incidents now; returns which were closed. */
export async function closeOpenAlerts(q: Executor, incidentIds: readonly string[], now: number) {
  return q
    .updateTable('alerts')
    .set({ end_time: endTimeAt(now), updated_at: now })
    .where('incident_id', 'in', [...incidentIds])
    .where('end_time', '=', 0)
    .where('deleted_at', '=', 0)
    .returning(['alert_id', 'incident_id'])
    .execute();
}

export type ReopenInput = { incident_ids: string[]; reason?: string };

/**
 * /incident/reopen: a closed incident is Triggered again, as if nobody had acknowledged it
 * (close_time, closer_id, ack_time and end_time 0; acknowledgements cleared). Its alerts stay
 * closed and it does not take new alerts by grouping: new events open new alerts (and incidents).
 * Incidents that are not closed are left as they are.
 */
export async function reopenIncidents(deps: ActionDeps, actor: Actor, input: ReopenInput): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    const feed: FeedEntry[] = [];
    for (const incident of await lockIncidents(trx, actor.accountId, input.incident_ids)) {
      if (incident.progress !== 'Closed') continue;
      await trx
        .updateTable('incidents')
        .set({
          progress: 'Triggered',
          close_time: 0,
          closer_id: 0,
          ack_time: 0,
          end_time: 0,
          snoozed_before: 0,
          responders: JSON.stringify(clearAcknowledgements(readResponders(incident.responders))),
          updated_at: now,
        })
        .where('incident_id', '=', incident.incident_id)
        .execute();
      feed.push(
        byActor(actor, nowMs, {
          incidentId: incident.incident_id,
          type: 'i_reopen',
          detail: { reason: input.reason ?? '', person_id: actor.memberId },
        }),
      );
    }
    await addFeedEntries(trx, feed);
  });
}
