import { sql } from 'kysely';
import type { ChannelRow } from '../channels/channels.store.ts';
import type { Db } from '../db/db.ts';
import { lockKey } from '../db/locks.ts';
import { type Write, writeTogether } from '../db/statements.ts';
import { addFeedEntries } from '../incidents/feed.store.ts';
import { placeAlert } from '../incidents/place-alert.ts';
import { channelBehaviour, refreshIncident } from '../incidents/refresh-incident.ts';
import type { AlertEventInput } from '../ingest/event.ts';
import {
  type AlertChange,
  type AlertRow,
  findOpenAlert,
  insertAlert,
  insertAlertEvent,
  updateAlert,
} from './alerts.store.ts';
import { applyScreening, type DiscardedEvent, screenAlertEvent } from './noise-control.ts';
import {
  type AlertSource,
  alertLockName,
  changedAlert,
  changedAlertEntry,
  type IncidentTouch,
  newAlertEntry,
  openedAlert,
  repeatedAlert,
  storedEvent,
  TOUCH_GRANULARITY_SECONDS,
} from './transitions.ts';

type Executor = Db['q'];

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
    await lockKey(q, alertLockName(key));
    open = await findOpenAlert(q, key);
  }
  const behaviour = channelBehaviour(channel);

  if (!open) {
    if (event.status === 'Ok') return { kind: 'ignored' };
    const screening = await screenAlertEvent(q, source, channel, event, undefined, nowMs);
    if (screening.discarded) return screening.outcome;
    const alert = openedAlert(source, channel, event, nowMs);
    await insertAlert(q, alert);
    await insertAlertEvent(q, storedEvent(source, alert, event, nowMs));
    const placement = await placeAlert(q, channel, alert, nowMs);
    await addFeedEntries(q, [newAlertEntry(alert, placement, nowMs, event)]);
    await applyScreening(q, screening, alert.alert_id, placement.incidentId, nowMs);
    await refreshIncident(q, placement.incidentId, behaviour, nowMs);
    return { kind: 'new', alertId: alert.alert_id, incidentId: placement.incidentId };
  }

  const repeat = repeatedAlert(open, event, now);
  if (repeat) {
    await updateAlert(q, open.alert_id, {
      labels: repeat.alert.labels,
      last_time: repeat.alert.last_time,
      updated_at: now,
    });
    if (repeat.touch) await touchIncidents(q, [repeat.touch]);
    return { kind: 'duplicate', alertId: open.alert_id };
  }
  const screening = await screenAlertEvent(q, source, channel, event, open, nowMs);
  if (screening.discarded) return screening.outcome;

  await updateAlert(q, open.alert_id, alertChange(changedAlert(open, event, now)));
  await insertAlertEvent(q, storedEvent(source, open, event, nowMs));
  await addFeedEntries(q, [changedAlertEntry(open, event, nowMs)]);
  await applyScreening(q, screening, open.alert_id, open.incident_id, nowMs);
  if (open.incident_id) await refreshIncident(q, open.incident_id, behaviour, nowMs);
  return {
    kind: event.status === 'Ok' ? 'recovered' : 'updated',
    alertId: open.alert_id,
    incidentId: open.incident_id,
  };
}

/** The columns an event may change, as they are in `alert`. */
function alertChange(alert: AlertRow): AlertChange {
  return {
    title: alert.title,
    title_rule: alert.title_rule,
    description: alert.description,
    alert_severity: alert.alert_severity,
    alert_status: alert.alert_status,
    labels: alert.labels,
    last_time: alert.last_time,
    end_time: alert.end_time,
    event_cnt: alert.event_cnt,
    updated_at: alert.updated_at,
  };
}

/**
 * A repeat still shows the alert is firing, so it keeps the incident's last_time (what auto-resolve's
 * "update" mode counts from) fresh, to within two minutes: repeats rarely write or lock the incident
 * row. An incident another transaction holds is skipped (the next repeat moves it): a touch must
 * never wait, or it could close a lock cycle with a batch of another lane.
 */
async function touchIncidents(q: Executor, touches: readonly IncidentTouch[]): Promise<void> {
  await writeTogether(q, [touchIncidentsSql(touches)]);
}

/** touchIncidents as a statement to run with others (src/db/statements.ts). */
export function touchIncidentsSql(touches: readonly IncidentTouch[]): Write {
  const latest = new Map<string, number>();
  for (const t of touches) latest.set(t.incidentId, Math.max(latest.get(t.incidentId) ?? 0, t.eventTime));
  if (latest.size === 0) return null;
  const ids = [...latest.keys()].sort();
  return sql`
    update incidents i set last_time = due.event_time
      from (select t.incident_id, v.event_time
              from unnest(${ids}::text[], ${ids.map((id) => latest.get(id)!)}::bigint[]) as v(incident_id, event_time)
              join incidents t on t.incident_id = v.incident_id
             where t.last_time < v.event_time - ${TOUCH_GRANULARITY_SECONDS}
             for update of t skip locked) due
     where i.incident_id = due.incident_id`;
}
