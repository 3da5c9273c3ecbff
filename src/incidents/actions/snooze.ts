import { sql } from 'kysely';
import type { Actor } from '../../accounts/permissions.ts';
import type { Db } from '../../db/db.ts';
import { addFeedEntries, type FeedEntry } from '../feed.store.ts';
import { type ActionDeps, byActor, inTransaction, lockIncidents } from './actions.store.ts';

export type SnoozeInput = { incident_ids: string[]; minutes: number };

/**
 * /incident/snooze: pauses each open incident until now + minutes (snoozed_before, Unix seconds);
 * a new snooze replaces a running one. Closed incidents are left as they are.
 */
export async function snoozeIncidents(deps: ActionDeps, actor: Actor, input: SnoozeInput): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    const feed: FeedEntry[] = [];
    for (const incident of await lockIncidents(trx, actor.accountId, input.incident_ids)) {
      if (incident.progress === 'Closed') continue;
      await trx
        .updateTable('incidents')
        .set({ snoozed_before: now + input.minutes * 60, updated_at: now })
        .where('incident_id', '=', incident.incident_id)
        .execute();
      feed.push(
        byActor(actor, nowMs, {
          incidentId: incident.incident_id,
          type: 'i_snooze',
          detail: { minutes: input.minutes, person_id: actor.memberId },
        }),
      );
    }
    await addFeedEntries(trx, feed);
  });
}

/**
 * /incident/wake: cancels the snooze of each snoozed incident; its progress stays. Incidents that
 * are not snoozed are left as they are.
 */
export async function wakeIncidents(
  deps: ActionDeps,
  actor: Actor,
  incidentIds: readonly string[],
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    const feed: FeedEntry[] = [];
    for (const incident of await lockIncidents(trx, actor.accountId, incidentIds)) {
      if (incident.snoozed_before === 0) continue;
      await trx
        .updateTable('incidents')
        .set({ snoozed_before: 0, updated_at: now })
        .where('incident_id', '=', incident.incident_id)
        .execute();
      feed.push(
        byActor(actor, nowMs, {
          incidentId: incident.incident_id,
          type: 'i_wake',
          detail: { from: 'console', snoozedBefore: incident.snoozed_before, person_id: actor.memberId },
        }),
      );
    }
    await addFeedEntries(trx, feed);
  });
}

/**
 * Ends every snooze that has run out: the incident returns to Triggered, as if nobody had
 * acknowledged it (ack_time 0, acknowledgements cleared), with an i_wake {from: "timeout"} entry.
 * Returns how many incidents woke. Meant to run periodically; idempotent, and safe to run on any
 * number of workers at once: the conditional UPDATE takes each due row once, skipping rows another
 * transaction holds (the next run takes those), so concurrent runs never wait on each other.
 */
export async function wakeExpiredSnoozes(db: Db, nowMs: number): Promise<number> {
  const now = Math.floor(nowMs / 1000);
  return db.q.transaction().execute(async (trx) => {
    const { rows } = await sql<{ incident_id: string; account_id: number; snoozed_before: number }>`
      with due as (
        select incident_id, snoozed_before from incidents
         where snoozed_before > 0 and snoozed_before <= ${now}
           and progress <> 'Closed' and deleted_at = 0
         order by incident_id
           for update skip locked)
      update incidents i
         set snoozed_before = 0,
             progress = 'Triggered',
             ack_time = 0,
             responders = coalesce(
               (select jsonb_agg(r || '{"acknowledged_at": 0}'::jsonb) from jsonb_array_elements(i.responders) r),
               '[]'::jsonb),
             updated_at = ${now}
        from due
       where i.incident_id = due.incident_id
      returning i.incident_id, i.account_id, due.snoozed_before`.execute(trx);
    await addFeedEntries(
      trx,
      rows.map((row) => ({
        accountId: row.account_id,
        incidentId: row.incident_id,
        type: 'i_wake',
        detail: { from: 'timeout', snoozedBefore: Number(row.snoozed_before) },
        atMs: nowMs,
      })),
    );
    return rows.length;
  });
}
