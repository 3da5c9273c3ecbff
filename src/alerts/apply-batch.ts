import type { Insertable } from 'kysely';
import type { ChannelRow } from '../channels/channels.store.ts';
import { enqueueNotifyRuleEvents } from '../channels/notify/notify-rules.fire.ts';
import type { Db } from '../db/db.ts';
import type { IncidentsTable } from '../db/schema.ts';
import { writeTogether } from '../db/statements.ts';
import { type FeedEntry, feedEvents, insertFeedSql } from '../incidents/feed.store.ts';
import {
  acceptsMerge,
  type GroupConfig,
  type Grouping,
  type GroupingAlert,
  groupingKey,
} from '../incidents/grouping.ts';
import {
  type AlertAggregate,
  aggregateAlertsOf,
  type IncidentRow,
  insertIncidents,
  lockIncidents,
} from '../incidents/incidents.store.ts';
import {
  joinedEntry,
  NO_DIMENSION,
  NOT_GROUPED,
  newIncident,
  openedEntry,
} from '../incidents/place-alert.ts';
import {
  aggregateOf,
  type ChannelBehaviour,
  channelBehaviour,
  type DerivedIncident,
  deriveIncident,
  updateDerivedIncidentsSql,
} from '../incidents/refresh-incident.ts';
import type { AlertEventInput } from '../ingest/event.ts';
import { enqueueWebhookEvents } from '../webhooks/webhooks.enqueue.ts';
import {
  type AlertKey,
  type AlertRow,
  findOpenAlerts,
  type NewAlertEvent,
  writeAlerts,
} from './alerts.store.ts';
import { applyAlertEvent, type EventOutcome, touchIncidentsSql } from './apply-event.ts';
import type { StatusPoint } from './noise.ts';
import { judgeFlapping } from './noise.ts';
import { defaultFlapping, type FlapRecord, keyStatusHistories, recordFlappings } from './noise-control.ts';
import { rankOf } from './severity.ts';
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
} from './transitions.ts';

type Executor = Db['q'];

/**
 * One event for one of the channels it was routed to. `screened`: the channel has drop, silence or
 * inhibit rules, so the event takes the one-event path (which screens it).
 */
export type AlertUnit = {
  source: AlertSource;
  channel: ChannelRow;
  event: AlertEventInput;
  screened: boolean;
};

const keyOf = (unit: AlertUnit): AlertKey => ({
  integrationId: unit.source.integrationId,
  channelId: unit.channel.channel_id,
  alertKey: unit.event.alertKey,
});

const nameOf = (alert: AlertRow) =>
  alertLockName({
    integrationId: alert.integration_id,
    channelId: alert.channel_id,
    alertKey: alert.alert_key,
  });

const groupLockName = (channelId: number, groupKey: string) => `group:${channelId}:${groupKey}`;

/**
 * Applies a batch of events, in order, inside the caller's transaction, with the outcome each would
 * have applied alone through `applyAlertEvent` (the specification: the same pure transitions in
 * src/alerts/transitions.ts). Events of channels that screen events (noise rules) or group by
 * similarity go through `applyAlertEvent` one by one; runs of the others are applied set-based
 * (applyRun).
 *
 * Concurrency: rows that exist are locked in one statement each, in id order (open alerts, then
 * incidents), so concurrent batches — of this process or another — wait for each other instead of
 * deadlocking. Rows that do not exist yet cannot be locked: two transactions creating the open
 * alert of one key, or the incident of one grouping key, collide on a unique index
 * (alerts_open_key, incidents_group_key); the loser waits for the winner's commit and fails, and
 * group commit runs its batch again, which then finds the winner's row.
 */
export async function applyAlertBatch(
  q: Executor,
  units: readonly AlertUnit[],
  nowMs: number,
): Promise<EventOutcome[]> {
  if (units.length === 0) return [];
  const oneByOne = (unit: AlertUnit) => unit.screened || (unit.channel.group as GroupConfig).method === 'i';

  const outcomes: EventOutcome[] = [];
  for (let start = 0; start < units.length; ) {
    const slow = oneByOne(units[start]!);
    let end = start + 1;
    while (end < units.length && oneByOne(units[end]!) === slow) end++;
    const run = units.slice(start, end);
    if (slow) {
      for (const u of run) outcomes.push(await applyAlertEvent(q, u.source, u.channel, u.event, nowMs));
    } else {
      outcomes.push(...(await applyRun(q, run, nowMs)));
    }
    start = end;
  }
  return outcomes;
}

/** An incident the run reads or opens, with what the run has done to it so far. */
type IncidentState = {
  row: IncidentRow;
  /** Opened in this run: inserted at the end with every alert it got. */
  opened: boolean;
  alerts: AlertRow[];
  activeCnt: number;
  alertCnt: number;
  behaviour: ChannelBehaviour;
  /** For an incident read from the database: what to write before its re-derivation. */
  clearGroupKey: boolean;
  mergedAt: number;
  /** An alert joined it, changed or recovered: re-derive it at the end. */
  changed: boolean;
  /**
   * Of the alerts already in it, one changed or recovered: its aggregate must be read again. Alerts
   * that only joined can be added to its counters (see joinedAggregate).
   */
  alertsChanged: boolean;
};

/** What an event is to the alert of its key, before anything is written. */
type Kind = 'repeat' | 'ignored' | 'new' | 'change';

/**
 * A run of events of channels without noise rules or similarity grouping, applied set-based: read
 * (open alerts; incidents of changed alerts and of the grouping keys new alerts need, locked; key
 * histories for flapping), apply every event in memory in order, write with multi-row statements.
 */
async function applyRun(q: Executor, units: readonly AlertUnit[], nowMs: number): Promise<EventOutcome[]> {
  const now = Math.floor(nowMs / 1000);
  const known = new Map<string, AlertRow | null>(units.map((u) => [alertLockName(keyOf(u)), null]));
  const uniqueKeys = new Map(units.map((u) => [alertLockName(keyOf(u)), keyOf(u)]));
  const stored = new Map<string, AlertRow>();
  for (const alert of await findOpenAlerts(q, [...uniqueKeys.values()])) {
    known.set(nameOf(alert), alert);
    stored.set(alert.alert_id, alert);
  }

  // First pass, on a copy of the keys' state: what each event is, so everything the run needs to
  // read is read up front — incidents by id and by grouping key, and flapping histories.
  const kinds: Kind[] = [];
  const incidentIds = new Set<string>();
  const groups = new Map<string, { accountId: number; channelId: number; groupKey: string }>();
  const histories = new Map<
    string,
    { channelId: number; integrationId: number; alertKey: string; windowStart: number }
  >();
  const simulated = new Map(known);
  for (const unit of units) {
    const name = alertLockName(keyOf(unit));
    const open = simulated.get(name) ?? null;
    const kind: Kind = !open
      ? unit.event.status === 'Ok'
        ? 'ignored'
        : 'new'
      : repeatedAlert(open, unit.event, now)
        ? 'repeat'
        : 'change';
    kinds.push(kind);
    if (kind === 'repeat' || kind === 'ignored') continue;
    if (kind === 'new') {
      const grouping = groupingOf(unit.channel, unit.event, unit.source.integrationId);
      if (grouping) {
        const g = {
          accountId: unit.source.accountId,
          channelId: unit.channel.channel_id,
          groupKey: grouping.key,
        };
        groups.set(groupLockName(g.channelId, g.groupKey), g);
      }
      simulated.set(name, openedAlert(unit.source, unit.channel, unit.event, nowMs));
    } else {
      if (open?.incident_id) incidentIds.add(open.incident_id);
      simulated.set(name, unit.event.status === 'Ok' ? null : changedAlert(open!, unit.event, now));
    }
    const flapping = defaultFlapping(unit.channel.flapping);
    if (!flapping.is_disabled) {
      const key = keyOf(unit);
      histories.set(name, { ...key, windowStart: now - flapping.in_mins * 60 });
    }
  }

  const incidents = new Map<string, IncidentState>();
  const groupIncident = new Map<string, string>();
  const behaviours = new Map(units.map((u) => [u.channel.channel_id, channelBehaviour(u.channel)]));
  for (const row of await lockIncidents(q, [...incidentIds], [...groups.values()])) {
    incidents.set(row.incident_id, {
      row,
      opened: false,
      alerts: [],
      activeCnt: row.active_alert_cnt,
      alertCnt: row.alert_cnt,
      behaviour: behaviours.get(row.channel_id) ?? channelBehaviour(undefined),
      clearGroupKey: false,
      mergedAt: 0,
      changed: false,
      alertsChanged: false,
    });
    if (row.group_key !== null)
      groupIncident.set(groupLockName(row.channel_id, row.group_key), row.incident_id);
  }
  const historyNames = [...histories.keys()];
  const points = new Map<string, StatusPoint[]>();
  for (const [i, history] of (await keyStatusHistories(q, [...histories.values()])).entries()) {
    points.set(historyNames[i]!, history);
  }

  // Second pass: apply every event in memory.
  const inserted = new Map<string, AlertRow>();
  const updated = new Map<string, AlertRow>();
  /** Stored alerts an event changed (not only repeated): written whole, the others only refreshed. */
  const rewritten = new Set<string>();
  const events: NewAlertEvent[] = [];
  const feed: FeedEntry[] = [];
  const flaps: FlapRecord[] = [];
  const touches: IncidentTouch[] = [];
  const outcomes: EventOutcome[] = [];

  const keep = (alert: AlertRow) =>
    (inserted.has(alert.alert_id) ? inserted : updated).set(alert.alert_id, alert);

  const place = (unit: AlertUnit, alert: AlertRow): { incidentId: string; reason: string } => {
    const group = unit.channel.group as GroupConfig;
    const grouping = groupingOf(unit.channel, unit.event, unit.source.integrationId);
    if (grouping) {
      const name = groupLockName(unit.channel.channel_id, grouping.key);
      const existing = incidents.get(groupIncident.get(name) ?? '');
      const takes =
        existing &&
        acceptsMerge(
          { createdAtSeconds: existing.row.created_at, lastMergeSeconds: existing.row.last_merge_time },
          group,
          now,
        );
      if (existing && takes) {
        existing.row.last_merge_time = now;
        existing.mergedAt = now;
        existing.alertCnt += 1;
        existing.activeCnt += 1;
        existing.changed = true;
        existing.alerts.push(alert);
        feed.push(joinedEntry(existing.row.incident_id, alert, grouping.reason, nowMs));
        return { incidentId: existing.row.incident_id, reason: grouping.reason };
      }
      // Its grouping window has passed: it keeps its alerts but takes no more.
      if (existing) forgetGroupKey(existing);
      return open(unit, alert, grouping.reason, grouping.key);
    }
    return open(unit, alert, group.method === 'p' ? NO_DIMENSION : NOT_GROUPED, undefined);
  };

  const forgetGroupKey = (incident: IncidentState) => {
    if (incident.row.group_key === null) return;
    groupIncident.delete(groupLockName(incident.row.channel_id, incident.row.group_key));
    incident.row.group_key = null;
    incident.clearGroupKey = !incident.opened;
  };

  const open = (unit: AlertUnit, alert: AlertRow, reason: string, groupKey: string | undefined) => {
    const fresh = newIncident(unit.channel, alert, nowMs, groupKey);
    const row: IncidentRow = {
      ...fresh,
      fields: {},
      responders: [],
      assigned_to: null,
      impact: '',
      root_cause: '',
      resolution: '',
      end_time: 0,
      ack_time: 0,
      close_time: 0,
      closer_id: 0,
      owner_id: 0,
      snoozed_before: 0,
      merge_disabled: false,
      manual_overrides: [],
      deleted_at: 0,
      escalation_checked: false,
      flapping_told_at: 0,
      recurrence_key: '', // generated by the database
      change_xid: null, // set by a trigger
    };
    incidents.set(row.incident_id, {
      row,
      opened: true,
      alerts: [alert],
      activeCnt: 1,
      alertCnt: 1,
      behaviour: behaviours.get(unit.channel.channel_id)!,
      clearGroupKey: false,
      mergedAt: 0,
      changed: true,
      alertsChanged: false,
    });
    if (groupKey !== undefined)
      groupIncident.set(groupLockName(unit.channel.channel_id, groupKey), row.incident_id);
    feed.push(openedEntry(row.incident_id, alert, reason, nowMs));
    return { incidentId: row.incident_id, reason };
  };

  const judge = (unit: AlertUnit, name: string, alertId: string, incidentId: string | null) => {
    const history = points.get(name);
    if (!history) return;
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

  for (const [i, unit] of units.entries()) {
    const name = alertLockName(keyOf(unit));
    const openAlert = known.get(name) ?? null;
    const kind = kinds[i]!;
    if (kind === 'ignored') {
      outcomes.push({ kind: 'ignored' });
    } else if (kind === 'repeat') {
      const repeat = repeatedAlert(openAlert!, unit.event, now)!;
      known.set(name, repeat.alert);
      keep(repeat.alert);
      if (repeat.touch) touches.push(repeat.touch);
      outcomes.push({ kind: 'duplicate', alertId: openAlert!.alert_id });
    } else if (kind === 'new') {
      const alert = openedAlert(unit.source, unit.channel, unit.event, nowMs);
      events.push(storedEvent(unit.source, alert, unit.event, nowMs));
      const placement = place(unit, alert);
      alert.incident_id = placement.incidentId;
      inserted.set(alert.alert_id, alert);
      known.set(name, alert);
      feed.push(newAlertEntry(alert, placement, nowMs, unit.event));
      judge(unit, name, alert.alert_id, placement.incidentId);
      outcomes.push({ kind: 'new', alertId: alert.alert_id, incidentId: placement.incidentId });
    } else {
      const open = openAlert!;
      const next = changedAlert(open, unit.event, now);
      const recovered = unit.event.status === 'Ok';
      events.push(storedEvent(unit.source, open, unit.event, nowMs));
      feed.push(changedAlertEntry(open, unit.event, nowMs));
      keep(next);
      rewritten.add(next.alert_id);
      known.set(name, recovered ? null : next);
      const incident = open.incident_id ? incidents.get(open.incident_id) : undefined;
      if (incident) {
        incident.changed = true;
        incident.alertsChanged = true;
        if (recovered) {
          incident.activeCnt -= 1;
          // Every alert recovered: it closes at the end of the run, so it takes no more alerts now.
          if (
            incident.alertCnt > 0 &&
            incident.activeCnt <= 0 &&
            incident.row.progress !== 'Closed' &&
            !incident.behaviour.disableAutoClose
          ) {
            forgetGroupKey(incident);
          }
        }
      }
      judge(unit, name, open.alert_id, open.incident_id);
      outcomes.push({
        kind: recovered ? 'recovered' : 'updated',
        alertId: open.alert_id,
        incidentId: open.incident_id,
      });
    }
  }

  // Writes, in an order the constraints accept: incidents that give up their grouping key before
  // the incidents that take it; incidents before the alerts in them.
  const states = [...incidents.values()];
  const existing = states
    .filter((s) => !s.opened)
    .sort((a, b) => (a.row.incident_id < b.row.incident_id ? -1 : 1));
  await clearGroupKeys(
    q,
    existing.filter((s) => s.clearGroupKey),
  );

  const openedRows: Insertable<IncidentsTable>[] = [];
  for (const state of states.filter((s) => s.opened)) {
    const { set, feed: derivedFeed } = deriveIncident(
      { ...state.row, alert_cnt: 0 },
      aggregateOf(state.alerts.map((a) => inserted.get(a.alert_id) ?? a)),
      state.behaviour,
      nowMs,
    );
    const { recurrence_key: _generated, ...row } = { ...state.row, ...set };
    openedRows.push({
      ...row,
      labels: JSON.stringify(row.labels),
      images: JSON.stringify(row.images),
      fields: '{}',
      responders: '[]',
      assigned_to: null,
    });
    feed.push(...derivedFeed);
  }
  await insertIncidents(q, openedRows);
  const byId = (a: { alert_id: string }, b: { alert_id: string }) => (a.alert_id < b.alert_id ? -1 : 1);
  const rewrites = [...updated.values()].filter((a) => rewritten.has(a.alert_id));
  const refreshes = [...updated.values()]
    .filter((a) => !rewritten.has(a.alert_id))
    .map((a) => ({
      alert_id: a.alert_id,
      last_time: a.last_time,
      updated_at: a.updated_at,
      labels: sameLabels(stored.get(a.alert_id)!.labels, a.labels) ? null : a.labels,
    }));
  await writeAlerts(q, {
    opened: [...inserted.values()],
    changed: rewrites.sort(byId),
    refreshed: refreshes.sort(byId),
    events,
  });
  feed.push(...(await recordFlappings(q, flaps, nowMs)));

  const refreshed = existing.filter((s) => s.changed);
  const joined = (state: IncidentState) => state.alerts.map((a) => inserted.get(a.alert_id) ?? a);
  const incremental = (state: IncidentState) =>
    !state.alertsChanged && joined(state).every((a) => a.start_time >= state.row.start_time);
  const aggregates = await aggregateAlertsOf(
    q,
    refreshed.filter((s) => !incremental(s)).map((s) => s.row.incident_id),
  );
  const derivedFeed: FeedEntry[] = [];
  const derived: { incidentId: string; set: DerivedIncident; mergedAt: number }[] = [];
  for (const state of refreshed) {
    const agg = incremental(state)
      ? joinedAggregate(state.row, joined(state))
      : aggregates.get(state.row.incident_id);
    if (!agg) continue;
    const { set, feed: entries } = deriveIncident(state.row, agg, state.behaviour, nowMs);
    derived.push({ incidentId: state.row.incident_id, set, mergedAt: state.mergedAt });
    derivedFeed.push(...entries);
  }
  // One statement for the rest: the re-derived incidents, the run's whole feed (in the order the
  // single-event path writes it), and the last_time of incidents repeats kept firing — not those
  // re-derived or opened here, so no two parts write one row.
  const refreshedIds = new Set(refreshed.map((s) => s.row.incident_id));
  const timeline = feedEvents([...feed, ...derivedFeed]);
  await writeTogether(q, [
    updateDerivedIncidentsSql(derived),
    insertFeedSql(timeline),
    touchIncidentsSql(
      touches.filter((t) => !refreshedIds.has(t.incidentId) && !incidents.get(t.incidentId)?.opened),
    ),
  ]);
  await enqueueWebhookEvents(q, timeline);
  await enqueueNotifyRuleEvents(q, timeline);
  return outcomes;
}

/**
 * The aggregate of an incident's alerts after new alerts joined it and none of its earlier alerts
 * changed: its stored counters plus the newcomers', without reading its alerts (a storm incident
 * with thousands of alerts costs nothing more per batch). Valid because the incident's derived
 * columns were written from its alerts, and severity (highest ever) and an open incident's status
 * (highest active) only rise when alerts join. Labels stay (the newcomers start no earlier than the
 * incident, so none becomes its first alert); max_end_time only matters on a close, which joining
 * alerts cannot cause.
 */
function joinedAggregate(incident: IncidentRow, newcomers: readonly AlertRow[]): AlertAggregate {
  const own = aggregateOf(newcomers);
  return {
    alert_cnt: incident.alert_cnt + own.alert_cnt,
    active_alert_cnt: incident.active_alert_cnt + own.active_alert_cnt,
    alert_event_cnt: incident.alert_event_cnt + own.alert_event_cnt,
    last_time: Math.max(incident.last_time, own.last_time),
    max_end_time: own.max_end_time,
    severity_rank: Math.max(rankOf(incident.incident_severity), own.severity_rank),
    active_status_rank: Math.max(rankOf(incident.incident_status), own.active_status_rank),
    integration_ids: [...new Set([...incident.integration_ids, ...own.integration_ids])].sort(
      (a, b) => a - b,
    ),
    first_labels: null,
  };
}

/** Equal labels, whatever their keys' order (jsonb stores keys in an order of its own). */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/** What grouping reads of an event (src/incidents/grouping.ts). */
function groupingFactsOf(event: AlertEventInput, integrationId: number): GroupingAlert {
  return {
    title: event.title,
    description: event.description,
    severity: event.severity,
    labels: event.labels,
    alertKey: event.alertKey,
    integrationId,
  };
}

/** Groupings computed so far, by event and channel. */
const groupings = new WeakMap<AlertEventInput, Map<ChannelRow, Grouping | null>>();

/**
 * The grouping key of an event in a channel (src/incidents/grouping.ts), computed once per event and
 * channel: both passes of a batch ask for it.
 */
function groupingOf(channel: ChannelRow, event: AlertEventInput, integrationId: number): Grouping | null {
  let byChannel = groupings.get(event);
  if (!byChannel) {
    byChannel = new Map();
    groupings.set(event, byChannel);
  }
  let grouping = byChannel.get(channel);
  if (grouping === undefined) {
    grouping = groupingKey(channel.group as GroupConfig, groupingFactsOf(event, integrationId));
    byChannel.set(channel, grouping);
  }
  return grouping;
}

/** Grouping keys given up by incidents read from the database, before others take them. */
async function clearGroupKeys(q: Executor, states: readonly IncidentState[]): Promise<void> {
  if (states.length === 0) return;
  await q
    .updateTable('incidents')
    .set({ group_key: null })
    .where(
      'incident_id',
      'in',
      states.map((s) => s.row.incident_id),
    )
    .execute();
}
