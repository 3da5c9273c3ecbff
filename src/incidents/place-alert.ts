import type { AlertRow } from '../alerts/alerts.store.ts';
import type { ChannelRow } from '../channels/channels.store.ts';
import type { Db } from '../db/db.ts';
import { lockKey } from '../db/locks.ts';
import { newObjectId } from '../shared/ids.ts';
import { addFeedEntries, type FeedEntry } from './feed.store.ts';
import { acceptsMerge, groupingKey, pickSimilar } from './grouping.ts';
import {
  findGroupIncident,
  getIncidentForUpdate,
  insertIncident,
  type NewIncident,
  openMergeableIncidents,
} from './incidents.store.ts';

type Executor = Db['q'];

/** How many open incidents similarity grouping compares a new alert with. */
const SIMILARITY_CANDIDATES = 200;

export type Placement = { incidentId: string; created: boolean; reason: string };

/** Why an alert opened its own incident, in its feed. */
export const NOT_GROUPED = 'the channel does not group alerts; each alert opens its own incident';
export const NO_DIMENSION = 'no grouping dimension applies to this alert; it opened its own incident';

/**
 * Puts a new alert into an incident, per the channel's grouping: its own incident (method n, or no
 * grouping dimension applies), the open incident with the same grouping key (p), or the most similar
 * open incident (i). Serialised per channel and key, so concurrent alerts never open two incidents
 * for one key, on one instance or many. Returns why the alert went where it went.
 */
export async function placeAlert(
  q: Executor,
  channel: ChannelRow,
  alert: AlertRow,
  nowMs: number,
): Promise<Placement> {
  const group = channel.group as Parameters<typeof groupingKey>[0];
  const now = Math.floor(nowMs / 1000);
  const facts = {
    title: alert.title,
    description: alert.description,
    severity: alert.alert_severity,
    labels: alert.labels,
    alertKey: alert.alert_key,
    integrationId: alert.integration_id,
  };
  const takes = (incident: { created_at: number; last_merge_time: number }) =>
    acceptsMerge(
      { createdAtSeconds: incident.created_at, lastMergeSeconds: incident.last_merge_time },
      group,
      now,
    );

  if (group.method === 'p') {
    const grouping = groupingKey(group, facts);
    if (!grouping) {
      return openIncident(q, channel, alert, nowMs, {
        reason: NO_DIMENSION,
      });
    }
    await lockKey(q, `group:${channel.channel_id}:${grouping.key}`);
    const existing = await findGroupIncident(q, {
      accountId: channel.account_id,
      channelId: channel.channel_id,
      groupKey: grouping.key,
    });
    if (existing && takes(existing))
      return joinIncident(q, existing.incident_id, alert, nowMs, grouping.reason);
    if (existing) {
      // Its grouping window has passed: it keeps its alerts but takes no more.
      await q
        .updateTable('incidents')
        .set({ group_key: null })
        .where('incident_id', '=', existing.incident_id)
        .execute();
    }
    return openIncident(q, channel, alert, nowMs, { reason: grouping.reason, groupKey: grouping.key });
  }

  if (group.method === 'i') {
    await lockKey(q, `group:${channel.channel_id}:similarity`);
    const candidates = (
      await openMergeableIncidents(
        q,
        { accountId: channel.account_id, channelId: channel.channel_id },
        SIMILARITY_CANDIDATES,
      )
    ).filter(takes);
    const best = pickSimilar(
      candidates.map((c) => ({
        id: c.incident_id,
        title: c.title,
        description: c.description,
        labels: c.labels,
      })),
      facts,
      group,
    );
    // The candidate was read without a lock: take it now and make sure it still takes alerts.
    const chosen = best && (await getIncidentForUpdate(q, best.id));
    if (best && chosen && chosen.progress !== 'Closed' && chosen.deleted_at === 0 && !chosen.merge_disabled) {
      return joinIncident(
        q,
        best.id,
        alert,
        nowMs,
        `similar to the incident's alerts (score ${best.score.toFixed(2)})`,
      );
    }
    return openIncident(q, channel, alert, nowMs, {
      reason: 'no open incident was similar enough; it opened its own incident',
    });
  }

  return openIncident(q, channel, alert, nowMs, {
    reason: NOT_GROUPED,
  });
}

async function openIncident(
  q: Executor,
  channel: ChannelRow,
  alert: AlertRow,
  nowMs: number,
  how: { reason: string; groupKey?: string },
): Promise<Placement> {
  const incident = newIncident(channel, alert, nowMs, how.groupKey);
  const incidentId = incident.incident_id;
  await insertIncident(q, incident);
  await q
    .updateTable('alerts')
    .set({ incident_id: incidentId })
    .where('alert_id', '=', alert.alert_id)
    .execute();
  await addFeedEntries(q, [openedEntry(incidentId, alert, how.reason, nowMs)]);
  return { incidentId, created: true, reason: how.reason };
}

/** The incident a new alert opens (counters are derived once the alert is in it). */
export function newIncident(
  channel: Pick<ChannelRow, 'account_id' | 'channel_id' | 'group'>,
  alert: AlertRow,
  nowMs: number,
  groupKey: string | undefined,
): NewIncident {
  const now = Math.floor(nowMs / 1000);
  return {
    incident_id: newObjectId(nowMs),
    account_id: channel.account_id,
    channel_id: channel.channel_id,
    integration_id: alert.integration_id,
    integration_ids: [alert.integration_id],
    dedup_key: alert.alert_key,
    equals_md5: groupKey ?? '',
    group_key: groupKey ?? null,
    group_method: (channel.group as { method: string }).method,
    title: alert.title,
    description: alert.description,
    incident_severity: alert.alert_severity,
    incident_status: alert.alert_status,
    progress: 'Triggered',
    start_time: alert.start_time,
    last_time: alert.last_time,
    creator_id: 0,
    ever_muted: alert.ever_muted,
    last_merge_time: now,
    labels: alert.labels,
    images: alert.images,
    alert_cnt: 0,
    active_alert_cnt: 0,
    alert_event_cnt: 0,
    created_at: now,
    updated_at: now,
  };
}

async function joinIncident(
  q: Executor,
  incidentId: string,
  alert: AlertRow,
  nowMs: number,
  reason: string,
): Promise<Placement> {
  await q
    .updateTable('incidents')
    .set({ last_merge_time: Math.floor(nowMs / 1000) })
    .where('incident_id', '=', incidentId)
    .execute();
  await q
    .updateTable('alerts')
    .set({ incident_id: incidentId })
    .where('alert_id', '=', alert.alert_id)
    .execute();
  await addFeedEntries(q, [joinedEntry(incidentId, alert, reason, nowMs)]);
  return { incidentId, created: false, reason };
}

/** The incident's feed entry for its opening by an alert. */
export function openedEntry(incidentId: string, alert: AlertRow, reason: string, nowMs: number): FeedEntry {
  return {
    accountId: alert.account_id,
    incidentId,
    type: 'i_new',
    detail: { severity: alert.alert_severity, title: alert.title, alert_id: alert.alert_id, reason },
    atMs: nowMs,
  };
}

/** The incident's feed entry for an alert that joined it, and why. */
export function joinedEntry(incidentId: string, alert: AlertRow, reason: string, nowMs: number): FeedEntry {
  return {
    accountId: alert.account_id,
    incidentId,
    type: 'a_merge',
    detail: { alert_id: alert.alert_id, title: alert.title, reason },
    atMs: nowMs,
  };
}
