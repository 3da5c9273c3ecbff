import type { Db } from '../../db/db.ts';
import { addFeedEntries, type FeedEntry } from '../../incidents/feed.store.ts';

type Executor = Db['q'];

/**
 * An `acknowledge` event (PagerDuty's event_action; docs/sources.md "PagerDuty"), applied inside
 * the applier's transaction: every open alert of the key from this integration (one per channel it
 * was routed to) has its incident acknowledged — Triggered → Processing, ack_time set, which stops
 * escalation — with an `i_ack` timeline entry naming the integration (creator 0: nobody in
 * particular). Incidents already acknowledged or closed, and keys without an open alert, are left
 * as they are. Only incident rows are locked, like a person's acknowledgement.
 */
export async function acknowledgeAlertKey(
  q: Executor,
  source: { accountId: number; integrationId: number; integrationName: string },
  alertKey: string,
  nowMs: number,
): Promise<number> {
  const now = Math.floor(nowMs / 1000);
  const alerts = await q
    .selectFrom('alerts')
    .select('incident_id')
    .where('account_id', '=', source.accountId)
    .where('integration_id', '=', source.integrationId)
    .where('alert_key', '=', alertKey)
    .where('end_time', '=', 0)
    .where('deleted_at', '=', 0)
    .where('incident_id', 'is not', null)
    .execute();
  const ids = [...new Set(alerts.map((a) => a.incident_id!))].sort();
  if (ids.length === 0) return 0;
  const incidents = await q
    .selectFrom('incidents')
    .select(['incident_id', 'ack_time'])
    .where('account_id', '=', source.accountId)
    .where('incident_id', 'in', ids)
    .where('deleted_at', '=', 0)
    .where('progress', '=', 'Triggered')
    .orderBy('incident_id')
    .forUpdate()
    .execute();
  const feed: FeedEntry[] = [];
  for (const incident of incidents) {
    await q
      .updateTable('incidents')
      .set({
        progress: 'Processing',
        ack_time: incident.ack_time > 0 ? incident.ack_time : now,
        updated_at: now,
      })
      .where('incident_id', '=', incident.incident_id)
      .execute();
    feed.push({
      accountId: source.accountId,
      incidentId: incident.incident_id,
      type: 'i_ack',
      detail: { integration_id: source.integrationId, integration_name: source.integrationName },
      atMs: nowMs,
    });
  }
  await addFeedEntries(q, feed);
  return incidents.length;
}
