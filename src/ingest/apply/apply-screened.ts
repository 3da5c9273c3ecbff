import type { AlertChange, AlertRow } from '../../alerts/alerts.store.ts';
import { findOpenAlert, insertAlert, insertAlertEvent, updateAlert } from '../../alerts/alerts.store.ts';
import { applyScreening, screenAlertEvent } from '../../alerts/noise-control.ts';
import { alertLockName, newAlertEntry } from '../../alerts/transitions.ts';
import type { Db } from '../../db/db.ts';
import { lockKey } from '../../db/locks.ts';
import { writeTogether } from '../../db/statements.ts';
import { addFeedEntries } from '../../incidents/feed.store.ts';
import { placeAlert } from '../../incidents/place-alert.ts';
import { channelBehaviour, refreshIncident } from '../../incidents/refresh-incident.ts';
import { decideEvent, type EventOutcome, kindOf } from './decide-event.ts';
import { touchIncidentsSql } from './touch.ts';
import type { AlertUnit } from './unit.ts';

type Executor = Db['q'];

/**
 * The one-event path, for channels that screen events (drop, silence, inhibit rules) or group by
 * similarity: lock the key, screen the event, decide (./decide-event.ts, the same step as the
 * batch's), write, place a new alert (src/incidents/place-alert.ts) and re-derive its incident.
 *
 * An open alert's row lock serialises events for it; only when there is none yet is the key locked
 * (across connections and instances) and looked up again, so two events cannot both create it.
 */
export async function applyScreened(q: Executor, unit: AlertUnit, nowMs: number): Promise<EventOutcome> {
  const { source, channel, event } = unit;
  const key = {
    integrationId: source.integrationId,
    channelId: channel.channel_id,
    alertKey: event.alertKey,
  };
  let open = (await findOpenAlert(q, key)) ?? null;
  if (!open) {
    await lockKey(q, alertLockName(key));
    open = (await findOpenAlert(q, key)) ?? null;
  }
  const kind = kindOf(open, event);
  if (kind === 'ignored') return { kind: 'ignored' };
  // A repeat is not screened: it only refreshes an alert that went through.
  const screening =
    kind === 'repeat'
      ? undefined
      : await screenAlertEvent(q, source, channel, event, open ?? undefined, nowMs);
  if (screening?.discarded) return screening.outcome;
  const step = decideEvent(source, channel, open, event, nowMs);
  const behaviour = channelBehaviour(channel);
  switch (step.kind) {
    case 'ignored':
      return step.outcome;
    case 'repeat':
      await updateAlert(q, step.alert.alert_id, {
        labels: step.alert.labels,
        last_time: step.alert.last_time,
        updated_at: step.alert.updated_at,
      });
      if (step.touch) await writeTogether(q, [touchIncidentsSql([step.touch])]);
      return step.outcome;
    case 'new': {
      await insertAlert(q, step.alert);
      await insertAlertEvent(q, step.stored);
      const placement = await placeAlert(q, channel, step.alert, nowMs);
      await addFeedEntries(q, [newAlertEntry(step.alert, placement, nowMs, event)]);
      await applyScreening(q, screening!, step.alert.alert_id, placement.incidentId, nowMs);
      await refreshIncident(q, placement.incidentId, behaviour, nowMs);
      return { kind: 'new', alertId: step.alert.alert_id, incidentId: placement.incidentId };
    }
    case 'change':
      await updateAlert(q, step.before.alert_id, alertChange(step.alert));
      await insertAlertEvent(q, step.stored);
      await addFeedEntries(q, [step.entry]);
      await applyScreening(q, screening!, step.before.alert_id, step.before.incident_id, nowMs);
      if (step.before.incident_id) await refreshIncident(q, step.before.incident_id, behaviour, nowMs);
      return step.outcome;
  }
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
