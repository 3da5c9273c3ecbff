import { sql } from 'kysely';
import type { Actor } from '../../accounts/permissions.ts';
import {
  type ActionDeps,
  endTimeAt,
  inTransaction,
  lockAlertsOf,
  lockIncidents,
  normalizeIds,
} from './actions.store.ts';

/**
 * /incident/remove: soft-deletes each incident (deleted_at = now) with its alerts; open alerts are
 * closed as they go, so a later event with the same key opens a new alert and incident. A removed
 * incident is not found afterwards; its alerts carry deleted_at.
 */
export async function removeIncidents(
  deps: ActionDeps,
  actor: Actor,
  incidentIds: readonly string[],
): Promise<void> {
  const now = Math.floor(deps.clock.nowMs() / 1000);
  const ids = normalizeIds(incidentIds);
  await inTransaction(deps.db, async (trx) => {
    await lockAlertsOf(trx, actor.accountId, ids, { openOnly: false });
    await lockIncidents(trx, actor.accountId, ids);
    await lockAlertsOf(trx, actor.accountId, ids, { openOnly: false });
    await trx
      .updateTable('incidents')
      .set({ deleted_at: now, group_key: null, snoozed_before: 0, updated_at: now })
      .where('incident_id', 'in', ids)
      .execute();
    await trx
      .updateTable('alerts')
      .set({
        deleted_at: now,
        end_time: sql<number>`case when end_time = 0 then ${endTimeAt(now)} else end_time end`,
        updated_at: now,
      })
      .where('incident_id', 'in', ids)
      .where('deleted_at', '=', 0)
      .execute();
  });
}

/**
 * /incident/disable-merge: the incidents take no more alerts by grouping (merge_disabled, group_key
 * null); new alerts that would have joined them open a new incident. Alerts can still be moved in
 * by hand (/incident/merge, /alert/merge).
 */
export async function disableIncidentMerge(
  deps: ActionDeps,
  actor: Actor,
  incidentIds: readonly string[],
): Promise<void> {
  const now = Math.floor(deps.clock.nowMs() / 1000);
  await inTransaction(deps.db, async (trx) => {
    const incidents = await lockIncidents(trx, actor.accountId, incidentIds);
    await trx
      .updateTable('incidents')
      .set({ merge_disabled: true, group_key: null, updated_at: now })
      .where(
        'incident_id',
        'in',
        incidents.map((i) => i.incident_id),
      )
      .execute();
  });
}
