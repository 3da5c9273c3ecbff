import type { ChannelRow } from '../channels/channels.store.ts';
import type { Db } from '../db/db.ts';
import { lockKey } from '../db/locks.ts';
import type { Severity } from '../db/schema.ts';
import { addFeedEntries } from '../incidents/feed.store.ts';
import { placeAlert } from '../incidents/place-alert.ts';
import { channelBehaviour, refreshIncident } from '../incidents/refresh-incident.ts';
import type { AlertEventInput } from '../ingest/event.ts';
import { newObjectId } from '../shared/ids.ts';
import { type AlertRow, findOpenAlert, insertAlert, insertAlertEvent, updateAlert } from './alerts.store.ts';
import { applyScreening, type DiscardedEvent, screenAlertEvent } from './noise-control.ts';
import { higherSeverity } from './severity.ts';

type Executor = Db['q'];

export type AlertSource = { accountId: number; integrationId: number; integrationType: string };

export type EventOutcome =
  /** A new alert; it opened or joined `incidentId`. */
  | { kind: 'new'; alertId: string; incidentId: string }
  /** The event changed an open alert (status, title or description), or recovered it. */
  | { kind: 'updated' | 'recovered'; alertId: string; incidentId: string | null }
  /** Same status, title and description as the alert already has: not stored, the alert refreshed. */
  | { kind: 'duplicate'; alertId: string }
  /** An Ok event for a key with no open alert: nothing to recover. */
  | { kind: 'ignored' }
  /** Discarded by a drop, silence or inhibit rule of the channel (src/alerts/noise-control.ts). */
  | DiscardedEvent;

/**
 * Labels after an event: a firing event's labels replace the alert's; a recovery only adds the keys
 * the alert lacks (Flashduty: "Ok never overwrites").
 */
function mergeLabels(current: Record<string, string>, event: AlertEventInput): Record<string, string> {
  return event.status === 'Ok' ? { ...event.labels, ...current } : event.labels;
}

/**
 * Applies one event to the alert it belongs to in one channel, inside the caller's transaction:
 * deduplicates it by alert_key (serialised per integration, channel and key, so concurrent events —
 * from any number of connections or Vigil processes — never create two alerts), stores it, keeps
 * the alert's severity (highest seen) and status (latest), places a new alert into an incident,
 * and re-derives that incident.
 */
export async function applyAlertEvent(
  q: Executor,
  source: AlertSource,
  channel: ChannelRow,
  event: AlertEventInput,
  nowMs: number,
): Promise<EventOutcome> {
  const now = Math.floor(nowMs / 1000);
  const key = {
    integrationId: source.integrationId,
    channelId: channel.channel_id,
    alertKey: event.alertKey,
  };
  // An open alert's row lock serialises events for it; only when there is none yet is the key
  // locked (across connections and instances) and looked up again, so two events cannot both
  // create it. The common case, an event for a firing alert, costs one locking read.
  let open = await findOpenAlert(q, key);
  if (!open) {
    await lockKey(q, `alert:${key.integrationId}:${key.channelId}:${key.alertKey}`);
    open = await findOpenAlert(q, key);
  }
  const behaviour = channelBehaviour(channel);

  if (!open) {
    if (event.status === 'Ok') return { kind: 'ignored' };
    const screening = await screenAlertEvent(q, source, channel, event, undefined, nowMs);
    if (screening.discarded) return screening.outcome;
    const alert: AlertRow = {
      alert_id: newObjectId(nowMs),
      account_id: source.accountId,
      integration_id: source.integrationId,
      channel_id: channel.channel_id,
      incident_id: null,
      alert_key: event.alertKey,
      title: event.title,
      title_rule: event.titleRule,
      description: event.description,
      alert_severity: event.severity,
      alert_status: event.status,
      start_time: event.eventTime,
      last_time: event.eventTime,
      end_time: 0,
      labels: event.labels,
      images: event.images,
      ever_muted: false,
      event_cnt: 1,
      created_at: now,
      updated_at: now,
      deleted_at: 0,
    };
    await insertAlert(q, alert);
    await storeEvent(q, source, alert, event, nowMs);
    const placement = await placeAlert(q, channel, alert, nowMs);
    await addFeedEntries(q, [
      {
        accountId: source.accountId,
        alertId: alert.alert_id,
        type: 'a_new',
        detail: {
          severity: event.severity,
          status: event.status,
          incident_id: placement.incidentId,
          reason: placement.reason,
        },
        atMs: nowMs,
      },
    ]);
    await applyScreening(q, screening, alert.alert_id, placement.incidentId, nowMs);
    await refreshIncident(q, placement.incidentId, behaviour, nowMs);
    return { kind: 'new', alertId: alert.alert_id, incidentId: placement.incidentId };
  }

  const labels = mergeLabels(open.labels, event);
  if (
    event.status === open.alert_status &&
    event.title === open.title &&
    event.description === open.description
  ) {
    await updateAlert(q, open.alert_id, {
      labels,
      last_time: Math.max(open.last_time, event.eventTime),
      updated_at: now,
    });
    // The alert's last_time was refreshed less than a minute ago: its incident was fresh then too.
    if (open.incident_id && event.eventTime >= open.last_time + TOUCH_GRANULARITY_SECONDS) {
      await touchIncident(q, open.incident_id, event.eventTime);
    }
    return { kind: 'duplicate', alertId: open.alert_id };
  }
  const screening = await screenAlertEvent(q, source, channel, event, open, nowMs);
  if (screening.discarded) return screening.outcome;

  const recovered = event.status === 'Ok';
  await updateAlert(q, open.alert_id, {
    // A recovery closes the alert as it was: its title and description stay those of the problem.
    ...(recovered ? {} : { title: event.title, title_rule: event.titleRule, description: event.description }),
    alert_status: event.status,
    alert_severity: recovered
      ? open.alert_severity
      : higherSeverity(open.alert_severity, event.severity as Severity),
    labels,
    last_time: Math.max(open.last_time, event.eventTime),
    ...(recovered ? { end_time: Math.max(open.start_time, event.eventTime) } : {}),
    event_cnt: open.event_cnt + 1,
    updated_at: now,
  });
  await storeEvent(q, source, { ...open, alert_id: open.alert_id }, event, nowMs);
  await addFeedEntries(q, [
    {
      accountId: source.accountId,
      alertId: open.alert_id,
      type: recovered ? 'a_close' : 'a_update',
      // Flashduty's a_close detail has no fields; a_update is Vigil's (an alert changed status or text).
      detail: recovered ? {} : { severity: event.severity, status: event.status, title: event.title },
      atMs: nowMs,
    },
  ]);
  await applyScreening(q, screening, open.alert_id, open.incident_id, nowMs);
  if (open.incident_id) await refreshIncident(q, open.incident_id, behaviour, nowMs);
  return { kind: recovered ? 'recovered' : 'updated', alertId: open.alert_id, incidentId: open.incident_id };
}

async function storeEvent(
  q: Executor,
  source: AlertSource,
  alert: AlertRow,
  event: AlertEventInput,
  nowMs: number,
): Promise<void> {
  await insertAlertEvent(q, {
    event_id: newObjectId(nowMs),
    alert_id: alert.alert_id,
    account_id: source.accountId,
    channel_id: alert.channel_id,
    integration_id: source.integrationId,
    integration_type: source.integrationType,
    alert_key: event.alertKey,
    title: event.title,
    title_rule: event.titleRule,
    description: event.description,
    // An Ok event carries no severity of its own; it is recorded with the alert's.
    event_severity: event.status === 'Ok' ? alert.alert_severity : event.severity,
    event_status: event.status,
    event_time: event.eventTime,
    labels: event.labels,
    images: event.images,
    created_at: Math.floor(nowMs / 1000),
  });
}

/** How stale an incident's last_time may get from repeats before a repeat moves it. */
const TOUCH_GRANULARITY_SECONDS = 60;

/**
 * A repeat still shows the alert is firing, so it keeps the incident's last_time (what auto-resolve's
 * "update" mode counts from) fresh, to within two minutes: repeats rarely write or lock the incident
 * row (rows the WHERE excludes are neither changed nor locked).
 */
async function touchIncident(q: Executor, incidentId: string, eventTime: number): Promise<void> {
  await q
    .updateTable('incidents')
    .set({ last_time: eventTime })
    .where('incident_id', '=', incidentId)
    .where('last_time', '<', eventTime - TOUCH_GRANULARITY_SECONDS)
    .execute();
}
