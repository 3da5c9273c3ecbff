import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { EngineModule } from '../jobs/engine.ts';
import { closeOpenAlerts } from './actions/resolve.ts';
import { addFeedEntries } from './feed.store.ts';

type Executor = Db['q'];

/** Incidents one run closes at most; the next cycle takes the rest, earliest deadline first. */
const BATCH = 500;

/**
 * A channel's auto-resolve (Flashduty's `auto_resolve_timeout`, `auto_resolve_mode`): an open
 * incident of a channel with a timeout closes once the timeout has passed since it was triggered
 * (mode trigger: start_time) or since the last alert event merged into it (mode update: last_time).
 * It closes as a manual close does, by the system: closer_id 0, no more alerts (group_key null), its
 * snooze ends, its open alerts close with it; feed i_rslv {from: "autorslv"} and a_close per alert.
 */
export const autoResolveModule: EngineModule = {
  name: 'auto-resolve',
  run: ({ db }, nowMs) => closeTimedOutIncidents(db, nowMs),
};

/*
 * Safe on any number of instances at once, and never waits on a lock. The ingest pipeline locks an
 * alert, then its incident; here the incident is claimed first (FOR UPDATE SKIP LOCKED: an incident
 * another run or an action holds is left to the next cycle), then its open alerts are locked with
 * SKIP LOCKED too. An incident with an open alert someone else holds (an event being applied to it
 * right now) is left alone this cycle rather than waited for, which could deadlock with that event.
 */
async function closeTimedOutIncidents(db: Db, nowMs: number): Promise<number> {
  const now = Math.floor(nowMs / 1000);
  const candidates = await dueIncidents(db.q, now);
  if (candidates.length === 0) return 0;

  return db.q.transaction().execute(async (trx) => {
    const claimed = await claimDueIncidents(trx, candidates, now);
    if (claimed.length === 0) return 0;
    const claimedIds = claimed.map((incident) => incident.incident_id);
    const heldAlerts = openAlertsOf(trx, claimedIds).forUpdate().skipLocked();
    const held = new Set((await heldAlerts.execute()).map((alert) => alert.alert_id));
    const busy = new Set(
      (await openAlertsOf(trx, claimedIds).execute())
        .filter((alert) => !held.has(alert.alert_id))
        .map((alert) => alert.incident_id),
    );
    const closing = claimed.filter((incident) => !busy.has(incident.incident_id));
    if (closing.length === 0) return 0;
    const closingIds = closing.map((incident) => incident.incident_id);

    await trx
      .updateTable('incidents')
      .set({
        progress: 'Closed',
        close_time: now,
        closer_id: 0,
        group_key: null,
        snoozed_before: 0,
        updated_at: now,
      })
      .where('incident_id', 'in', closingIds)
      .execute();
    const closedAlerts = await closeOpenAlerts(trx, closingIds, now);
    const accountOf = new Map(closing.map((incident) => [incident.incident_id, incident.account_id]));
    await addFeedEntries(trx, [
      ...closedAlerts.map((alert) => ({
        accountId: accountOf.get(alert.incident_id!)!,
        alertId: alert.alert_id,
        type: 'a_close',
        detail: { from: 'autorslv', incident_id: alert.incident_id },
        atMs: nowMs,
      })),
      ...closing.map((incident) => ({
        accountId: incident.account_id,
        incidentId: incident.incident_id,
        type: 'i_rslv',
        detail: { from: 'autorslv' },
        atMs: nowMs,
      })),
    ]);
    return closing.length;
  });
}

/**
 * Up to BATCH open incidents whose deadline has passed, earliest deadline first. Each channel with a
 * timeout contributes at most BATCH of its own, read in index order (channel_id, start_time or
 * last_time), so a run costs the same however large the backlog.
 */
async function dueIncidents(q: Executor, now: number): Promise<string[]> {
  const { rows } = await sql<{ incident_id: string }>`
    select due.incident_id
      from channels c
     cross join lateral (
       (select i.incident_id, i.start_time + c.auto_resolve_timeout as deadline
          from incidents i
         where c.auto_resolve_mode = 'trigger'
           and i.channel_id = c.channel_id and i.account_id = c.account_id
           and i.progress <> 'Closed' and i.deleted_at = 0
           and i.start_time <= ${now} - c.auto_resolve_timeout
         order by i.start_time
         limit ${BATCH})
       union all
       (select i.incident_id, i.last_time + c.auto_resolve_timeout as deadline
          from incidents i
         where c.auto_resolve_mode = 'update'
           and i.channel_id = c.channel_id and i.account_id = c.account_id
           and i.progress <> 'Closed' and i.deleted_at = 0
           and i.last_time <= ${now} - c.auto_resolve_timeout
         order by i.last_time
         limit ${BATCH})) due
     where c.auto_resolve_timeout > 0 and c.status <> 'deleted'
     order by due.deadline, due.incident_id
     limit ${BATCH}`.execute(q);
  return rows.map((row) => row.incident_id);
}

/**
 * Locks those of the candidates that are still due (re-checked on the locked row: an action or an
 * event may have closed it or moved its last_time since), skipping rows another transaction holds.
 */
async function claimDueIncidents(q: Executor, incidentIds: readonly string[], now: number) {
  return q
    .selectFrom('incidents as i')
    .innerJoin('channels as c', (join) =>
      join.onRef('c.channel_id', '=', 'i.channel_id').onRef('c.account_id', '=', 'i.account_id'),
    )
    .select(['i.incident_id', 'i.account_id'])
    .where('i.incident_id', 'in', [...incidentIds])
    .where('i.progress', '<>', 'Closed')
    .where('i.deleted_at', '=', 0)
    .where('c.auto_resolve_timeout', '>', 0)
    .where('c.status', '<>', 'deleted')
    .where(
      sql<boolean>`(case c.auto_resolve_mode when 'update' then i.last_time else i.start_time end)
        + c.auto_resolve_timeout <= ${now}`,
    )
    .orderBy('i.incident_id')
    .forUpdate('i')
    .skipLocked()
    .execute();
}

const openAlertsOf = (q: Executor, incidentIds: readonly string[]) =>
  q
    .selectFrom('alerts')
    .select(['alert_id', 'incident_id'])
    .where('incident_id', 'in', [...incidentIds])
    .where('end_time', '=', 0)
    .where('deleted_at', '=', 0)
    .orderBy('alert_id');
