import { statusOfRank } from '../alerts/severity.ts';
import type { Db } from '../db/db.ts';
import { addFeedEntries, type FeedEntry } from './feed.store.ts';
import { aggregateAlerts, getIncidentForUpdate } from './incidents.store.ts';

type Executor = Db['q'];

export type ChannelBehaviour = { disableAutoClose: boolean; stormThresholds: readonly number[] };

/** What of a channel's settings re-deriving its incidents needs (none for a standalone incident). */
export function channelBehaviour(
  channel: { disable_auto_close: boolean; group: Record<string, unknown> } | undefined,
): ChannelBehaviour {
  if (!channel) return { disableAutoClose: false, stormThresholds: [] };
  const thresholds = (channel.group as { storm_thresholds?: number[] }).storm_thresholds ?? [];
  return { disableAutoClose: channel.disable_auto_close, stormThresholds: thresholds.filter((t) => t > 0) };
}

/**
 * Re-derives an incident from its alerts after an alert joined, changed or recovered: counters,
 * last_time, severity (unless a person set it), status (highest active alert status; Ok once all
 * recovered), labels (its first alert's). When every alert has recovered the incident closes by
 * itself, unless the channel disables that. Crossing a storm threshold adds an i_storm entry.
 */
export async function refreshIncident(
  q: Executor,
  incidentId: string,
  channel: ChannelBehaviour,
  nowMs: number,
): Promise<void> {
  const incident = await getIncidentForUpdate(q, incidentId);
  if (!incident) return;
  const now = Math.floor(nowMs / 1000);
  const agg = await aggregateAlerts(q, incidentId);
  const feed: FeedEntry[] = [];
  const closes =
    agg.alert_cnt > 0 &&
    agg.active_alert_cnt === 0 &&
    incident.progress !== 'Closed' &&
    !channel.disableAutoClose;

  for (const threshold of channel.stormThresholds) {
    if (incident.alert_cnt < threshold && agg.alert_cnt >= threshold) {
      feed.push({
        accountId: incident.account_id,
        incidentId,
        type: 'i_storm',
        detail: { alert_cnt: agg.alert_cnt, threshold },
        atMs: nowMs,
      });
    }
  }
  if (closes) {
    feed.push({
      accountId: incident.account_id,
      incidentId,
      type: 'i_rslv',
      detail: { from: 'event' },
      atMs: nowMs,
    });
  }

  await q
    .updateTable('incidents')
    .set({
      alert_cnt: agg.alert_cnt,
      active_alert_cnt: agg.active_alert_cnt,
      alert_event_cnt: agg.alert_event_cnt,
      last_time: Math.max(incident.last_time, agg.last_time),
      integration_ids: agg.integration_ids,
      // A closed incident keeps the status it had (a manual close closes alerts, not the status).
      ...(incident.progress === 'Closed' ? {} : { incident_status: statusOfRank(agg.active_status_rank) }),
      ...(incident.manual_overrides.includes('incident_severity')
        ? {}
        : {
            incident_severity: statusOfRank(Math.max(1, agg.severity_rank)) as
              | 'Critical'
              | 'Warning'
              | 'Info',
          }),
      ...(agg.first_labels ? { labels: JSON.stringify(agg.first_labels) } : {}),
      ...(closes
        ? {
            progress: 'Closed' as const,
            close_time: now,
            closer_id: 0,
            end_time: agg.max_end_time,
            group_key: null,
            snoozed_before: 0,
          }
        : {}),
      updated_at: now,
    })
    .where('incident_id', '=', incidentId)
    .execute();
  await addFeedEntries(q, feed);
}
