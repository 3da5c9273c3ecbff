import type { AlertRow, NewAlertEvent, RefreshedAlert } from '../../alerts/alerts.store.ts';
import type { StatusPoint } from '../../alerts/noise.ts';
import { judgeFlapping } from '../../alerts/noise.ts';
import { defaultFlapping, type FlapRecord } from '../../alerts/noise-control.ts';
import { type IncidentTouch, newAlertEntry } from '../../alerts/transitions.ts';
import type { FeedEntry } from '../../incidents/feed.store.ts';
import type { IncidentRow } from '../../incidents/incidents.store.ts';
import { channelBehaviour } from '../../incidents/refresh-incident.ts';
import { decideEvent, type EventOutcome } from './decide-event.ts';
import { IncidentBook, type RefreshedIncident } from './decide-incidents.ts';
import { type AlertUnit, keyName } from './unit.ts';

/*
 * Phase "decide" of applying (pure: no I/O, no clock — the time comes in as nowMs): given what the
 * lock and load phases read and the batch's events in accepted order, what to write. The write
 * phase (./write.ts) only carries it out.
 */

/** What the batch's events are decided against (./lock.ts, ./load.ts). */
export type Loaded = {
  /** The open alert of each of the batch's keys that has one, by key name (./unit.ts). */
  open: ReadonlyMap<string, AlertRow>;
  /** Incidents of the alerts the batch changes, and of the grouping keys its new alerts need. */
  incidents: readonly IncidentRow[];
  /** Recent statuses of the keys whose channel detects flapping, by key name. */
  histories: ReadonlyMap<string, StatusPoint[]>;
};

export type Decision = {
  /** One per unit, in order. */
  outcomes: EventOutcome[];
  alerts: { opened: AlertRow[]; changed: AlertRow[]; refreshed: RefreshedAlert[] };
  events: NewAlertEvent[];
  /** Stored incidents that give up their grouping key before others take it. */
  clearGroupKeys: string[];
  /** Incidents the batch opens, derived from their alerts. */
  openedIncidents: IncidentRow[];
  /** Stored incidents to re-derive, in id order. */
  refreshedIncidents: RefreshedIncident[];
  /** Keys that flap: their incidents are muted and told (src/alerts/noise-control.ts). */
  flaps: FlapRecord[];
  /** Incidents whose last_time repeats keep fresh (neither opened nor re-derived here). */
  touches: IncidentTouch[];
  /** The feed in the order the entries happened, before the flapping and re-derivation entries. */
  feed: FeedEntry[];
};

const byId = (a: { alert_id: string }, b: { alert_id: string }) => (a.alert_id < b.alert_id ? -1 : 1);

/**
 * Applies every event in memory, in order, with the outcome each would have had alone: dedup by key,
 * repeat, change, recovery (and a new alert after it), placement into incidents, flapping.
 */
export function decide(loaded: Loaded, units: readonly AlertUnit[], nowMs: number): Decision {
  const now = Math.floor(nowMs / 1000);
  const current = new Map<string, AlertRow | null>(loaded.open);
  const behaviours = new Map(units.map((u) => [u.channel.channel_id, channelBehaviour(u.channel)]));
  const book = new IncidentBook(loaded.incidents, behaviours, nowMs);
  const inserted = new Map<string, AlertRow>();
  const updated = new Map<string, AlertRow>();
  /** Stored alerts an event changed (not only repeated): written whole, the others only refreshed. */
  const rewritten = new Set<string>();
  const events: NewAlertEvent[] = [];
  const feed: FeedEntry[] = [];
  const flaps: FlapRecord[] = [];
  const touches: IncidentTouch[] = [];
  const outcomes: EventOutcome[] = [];
  const histories = new Map<string, StatusPoint[]>();

  const keep = (alert: AlertRow) =>
    (inserted.has(alert.alert_id) ? inserted : updated).set(alert.alert_id, alert);
  const judge = (unit: AlertUnit, name: string, alertId: string, incidentId: string | null) => {
    let history = histories.get(name);
    if (!history) {
      const before = loaded.histories.get(name);
      if (!before) return;
      history = [...before];
      histories.set(name, history);
    }
    history.push({ status: unit.event.status, time: unit.event.eventTime });
    const config = defaultFlapping(unit.channel.flapping);
    const flapping = incidentId ? judgeFlapping(config, history, now) : undefined;
    if (flapping && incidentId) {
      flaps.push({
        subject: { accountId: unit.source.accountId, alertKey: unit.event.alertKey, flapping: config },
        alertId,
        incidentId,
        flapping,
      });
    }
  };

  for (const unit of units) {
    const name = keyName(unit);
    const step = decideEvent(unit.source, unit.channel, current.get(name) ?? null, unit.event, nowMs);
    if (step.kind === 'ignored') {
      outcomes.push(step.outcome);
    } else if (step.kind === 'repeat') {
      current.set(name, step.alert);
      keep(step.alert);
      if (step.touch) touches.push(step.touch);
      outcomes.push(step.outcome);
    } else if (step.kind === 'new') {
      const alert = step.alert;
      events.push(step.stored);
      const placement = book.place(unit, alert);
      alert.incident_id = placement.incidentId;
      inserted.set(alert.alert_id, alert);
      current.set(name, alert);
      feed.push(...book.feed.splice(0), newAlertEntry(alert, placement, nowMs, unit.event));
      judge(unit, name, alert.alert_id, placement.incidentId);
      outcomes.push({ kind: 'new', alertId: alert.alert_id, incidentId: placement.incidentId });
    } else {
      events.push(step.stored);
      feed.push(step.entry);
      keep(step.alert);
      rewritten.add(step.alert.alert_id);
      current.set(name, step.recovered ? null : step.alert);
      book.alertChanged(step.before.incident_id, step.recovered);
      judge(unit, name, step.before.alert_id, step.before.incident_id);
      outcomes.push(step.outcome);
    }
  }

  const incidents = book.finish(inserted);
  const refreshedIds = new Set(incidents.refreshed.map((s) => s.row.incident_id));
  const stored = new Map([...loaded.open.values()].map((a) => [a.alert_id, a]));
  const changed = [...updated.values()];
  return {
    outcomes,
    alerts: {
      opened: [...inserted.values()],
      changed: changed.filter((a) => rewritten.has(a.alert_id)).sort(byId),
      refreshed: changed
        .filter((a) => !rewritten.has(a.alert_id))
        .map((a) => ({
          alert_id: a.alert_id,
          last_time: a.last_time,
          updated_at: a.updated_at,
          labels: sameLabels(stored.get(a.alert_id)!.labels, a.labels) ? null : a.labels,
        }))
        .sort(byId),
    },
    events,
    clearGroupKeys: incidents.clearGroupKeys,
    openedIncidents: incidents.opened,
    refreshedIncidents: incidents.refreshed,
    flaps,
    touches: touches.filter((t) => !refreshedIds.has(t.incidentId) && !book.isOpened(t.incidentId)),
    feed: [...feed, ...incidents.openedFeed],
  };
}

/** Equal labels, whatever their keys' order (jsonb stores keys in an order of its own). */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}
