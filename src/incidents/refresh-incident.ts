import { sql } from 'kysely';
import type { AlertRow } from '../alerts/alerts.store.ts';
import { rankOf, statusOfRank } from '../alerts/severity.ts';
import type { Db } from '../db/db.ts';
import type { EventStatus, Severity } from '../db/schema.ts';
import { type Write, writeTogether } from '../db/statements.ts';
import { addFeedEntries, type FeedEntry } from './feed.store.ts';
import {
  type AlertAggregate,
  aggregateAlerts,
  getIncidentForUpdate,
  type IncidentRow,
} from './incidents.store.ts';

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

/** An incident's derived columns after its alerts changed (see deriveIncident). */
export type DerivedIncident = {
  alert_cnt: number;
  active_alert_cnt: number;
  alert_event_cnt: number;
  last_time: number;
  integration_ids: number[];
  incident_status?: EventStatus;
  incident_severity?: Severity;
  labels?: Record<string, string>;
  progress?: 'Closed';
  close_time?: number;
  closer_id?: number;
  end_time?: number;
  group_key?: null;
  snoozed_before?: number;
  updated_at: number;
};

/**
 * What an incident becomes given what its alerts add up to: counters, last_time, severity (unless a
 * person set it), status (highest active alert status; Ok once all recovered), labels (its first
 * alert's). When every alert has recovered the incident closes by itself, unless the channel
 * disables that. Crossing a storm threshold adds an i_storm entry.
 */
export function deriveIncident(
  incident: Pick<
    IncidentRow,
    'incident_id' | 'account_id' | 'alert_cnt' | 'last_time' | 'progress' | 'manual_overrides'
  >,
  agg: AlertAggregate,
  channel: ChannelBehaviour,
  nowMs: number,
): { set: DerivedIncident; feed: FeedEntry[] } {
  const now = Math.floor(nowMs / 1000);
  const { incident_id: incidentId, account_id: accountId } = incident;
  const feed: FeedEntry[] = [];
  const closes =
    agg.alert_cnt > 0 &&
    agg.active_alert_cnt === 0 &&
    incident.progress !== 'Closed' &&
    !channel.disableAutoClose;
  for (const threshold of channel.stormThresholds) {
    if (incident.alert_cnt < threshold && agg.alert_cnt >= threshold) {
      feed.push({
        accountId,
        incidentId,
        type: 'i_storm',
        detail: { alert_cnt: agg.alert_cnt, threshold },
        atMs: nowMs,
      });
    }
  }
  if (closes) feed.push({ accountId, incidentId, type: 'i_rslv', detail: { from: 'event' }, atMs: nowMs });
  const set: DerivedIncident = {
    alert_cnt: agg.alert_cnt,
    active_alert_cnt: agg.active_alert_cnt,
    alert_event_cnt: agg.alert_event_cnt,
    last_time: Math.max(incident.last_time, agg.last_time),
    integration_ids: agg.integration_ids,
    // A closed incident keeps the status it had (a manual close closes alerts, not the status).
    ...(incident.progress === 'Closed' ? {} : { incident_status: statusOfRank(agg.active_status_rank) }),
    ...(incident.manual_overrides.includes('incident_severity')
      ? {}
      : { incident_severity: statusOfRank(Math.max(1, agg.severity_rank)) as Severity }),
    ...(agg.first_labels ? { labels: agg.first_labels } : {}),
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
  };
  return { set, feed };
}

/** Re-derives an incident from its alerts after an alert joined, changed or recovered (see deriveIncident). */
export async function refreshIncident(
  q: Executor,
  incidentId: string,
  channel: ChannelBehaviour,
  nowMs: number,
): Promise<void> {
  const incident = await getIncidentForUpdate(q, incidentId);
  if (!incident) return;
  const { set, feed } = deriveIncident(incident, await aggregateAlerts(q, incidentId), channel, nowMs);
  await updateDerivedIncidents(q, [{ incidentId, set }]);
  await addFeedEntries(q, feed);
}

/**
 * Writes re-derived incidents, many in one statement (a column left out keeps its value), with the
 * time an alert last joined each (`mergedAt`, the start of a sliding grouping window).
 */
async function updateDerivedIncidents(
  q: Executor,
  incidents: readonly { incidentId: string; set: DerivedIncident; mergedAt?: number }[],
): Promise<void> {
  await writeTogether(q, [updateDerivedIncidentsSql(incidents)]);
}

/** updateDerivedIncidents as a statement to run with others (src/db/statements.ts). */
export function updateDerivedIncidentsSql(
  incidents: readonly { incidentId: string; set: DerivedIncident; mergedAt?: number }[],
): Write {
  if (incidents.length === 0) return null;
  const col = <T>(pick: (set: DerivedIncident) => T) => incidents.map((i) => pick(i.set));
  return sql`
    update incidents i
       set alert_cnt = v.alert_cnt, active_alert_cnt = v.active_alert_cnt, alert_event_cnt = v.alert_event_cnt,
           last_time = v.last_time, integration_ids = v.integration_ids::bigint[],
           incident_status = coalesce(v.incident_status, i.incident_status),
           incident_severity = coalesce(v.incident_severity, i.incident_severity),
           labels = coalesce(v.labels::jsonb, i.labels),
           progress = case when v.closes then 'Closed' else i.progress end,
           close_time = case when v.closes then v.updated_at else i.close_time end,
           closer_id = case when v.closes then 0 else i.closer_id end,
           end_time = case when v.closes then v.end_time else i.end_time end,
           group_key = case when v.closes then null else i.group_key end,
           snoozed_before = case when v.closes then 0 else i.snoozed_before end,
           last_merge_time = greatest(i.last_merge_time, v.merged_at),
           updated_at = v.updated_at
      from unnest(${incidents.map((i) => i.incidentId)}::text[], ${col((s) => s.alert_cnt)}::int[],
                  ${col((s) => s.active_alert_cnt)}::int[], ${col((s) => s.alert_event_cnt)}::int[],
                  ${col((s) => s.last_time)}::bigint[], ${col((s) => `{${s.integration_ids.join(',')}}`)}::text[],
                  ${col((s) => s.incident_status ?? null)}::text[], ${col((s) => s.incident_severity ?? null)}::text[],
                  ${col((s) => (s.labels ? JSON.stringify(s.labels) : null))}::text[],
                  ${col((s) => s.progress === 'Closed')}::boolean[], ${col((s) => s.end_time ?? 0)}::bigint[],
                  ${col((s) => s.updated_at)}::bigint[], ${incidents.map((i) => i.mergedAt ?? 0)}::bigint[])
           as v(incident_id, alert_cnt, active_alert_cnt, alert_event_cnt, last_time, integration_ids,
                incident_status, incident_severity, labels, closes, end_time, updated_at, merged_at)
     where i.incident_id = v.incident_id`;
}

/** aggregateAlerts over alerts in memory (all of an incident's alerts: one opened in this batch). */
export function aggregateOf(alerts: readonly AlertRow[]): AlertAggregate {
  const live = alerts.filter((a) => a.deleted_at === 0);
  const active = live.filter((a) => a.end_time === 0);
  const first = [...live].sort(
    (a, b) => a.start_time - b.start_time || (a.alert_id < b.alert_id ? -1 : 1),
  )[0];
  const max = (values: number[]) => values.reduce((m, v) => Math.max(m, v), 0);
  return {
    alert_cnt: live.length,
    active_alert_cnt: active.length,
    alert_event_cnt: live.reduce((sum, a) => sum + a.event_cnt, 0),
    last_time: max(live.map((a) => a.last_time)),
    max_end_time: max(live.map((a) => a.end_time)),
    severity_rank: max(live.map((a) => rankOf(a.alert_severity))),
    active_status_rank: max(active.map((a) => rankOf(a.alert_status))),
    integration_ids: [...new Set(live.map((a) => a.integration_id))].sort((a, b) => a - b),
    first_labels: first ? first.labels : null,
  };
}
