import { type AlertKey, type AlertRow, findOpenAlerts } from '../../alerts/alerts.store.ts';
import { defaultFlapping } from '../../alerts/noise-control.ts';
import { alertLockName } from '../../alerts/transitions.ts';
import type { Db } from '../../db/db.ts';
import { type IncidentRow, lockIncidents } from '../../incidents/incidents.store.ts';
import { kindOf } from './decide-event.ts';
import { type AlertUnit, groupingOf, groupName, keyName } from './unit.ts';

type Executor = Db['q'];

/*
 * Phase "lock" of applying: the rows the batch may change that exist already — the open alerts of
 * its keys, then the incidents of those it changes and of the grouping keys its new alerts need —
 * are read and row-locked, each set in one statement in id order, so concurrent batches (of this
 * process or another) wait for each other instead of deadlocking. Rows that do not exist yet cannot
 * be locked: two batches creating the open alert of one key, or the incident of one grouping key,
 * collide on a unique index (alerts_open_key, incidents_group_key); the loser fails and its batch
 * runs again (src/ingest/apply/applier.ts), then finds the winner's row.
 */

/** A key whose flapping history the load phase reads. */
export type HistoryKey = AlertKey & { windowStart: number };

export type Locked = {
  open: Map<string, AlertRow>;
  incidents: IncidentRow[];
  /** By key name: the histories the decide step needs (./load.ts). */
  histories: Map<string, HistoryKey>;
};

export async function lock(q: Executor, units: readonly AlertUnit[], nowMs: number): Promise<Locked> {
  const keys = new Map<string, AlertKey>();
  for (const u of units) {
    const name = keyName(u);
    if (!keys.has(name))
      keys.set(name, {
        integrationId: u.source.integrationId,
        channelId: u.channel.channel_id,
        alertKey: u.event.alertKey,
      });
  }
  const open = new Map<string, AlertRow>();
  for (const alert of await findOpenAlerts(q, [...keys.values()])) {
    open.set(
      alertLockName({
        integrationId: alert.integration_id,
        channelId: alert.channel_id,
        alertKey: alert.alert_key,
      }),
      alert,
    );
  }
  const needs = needed(units, open, nowMs);
  const incidents = await lockIncidents(q, needs.incidentIds, needs.groups);
  return { open, incidents, histories: needs.histories };
}

type Simulated = Pick<AlertRow, 'alert_status' | 'title' | 'description' | 'incident_id'>;

/**
 * What the batch needs read, found by a first pass over its events on a sketch of its keys' state
 * (pure): incidents by id (of alerts it changes) and by grouping key (for alerts it opens), and the
 * flapping histories of the keys whose alerts it opens or changes.
 */
export function needed(units: readonly AlertUnit[], open: ReadonlyMap<string, AlertRow>, nowMs: number) {
  const now = Math.floor(nowMs / 1000);
  const incidentIds = new Set<string>();
  const groups = new Map<string, { accountId: number; channelId: number; groupKey: string }>();
  const histories = new Map<string, HistoryKey>();
  const state = new Map<string, Simulated | null>(open);
  for (const unit of units) {
    const name = keyName(unit);
    const current = state.get(name) ?? null;
    const { event, channel } = unit;
    const kind = kindOf(current, event);
    if (kind === 'repeat' || kind === 'ignored') continue;
    if (kind === 'new') {
      const grouping = groupingOf(unit);
      if (grouping) {
        const g = { accountId: unit.source.accountId, channelId: channel.channel_id, groupKey: grouping.key };
        groups.set(groupName(g.channelId, g.groupKey), g);
      }
      state.set(name, {
        alert_status: event.status,
        title: event.title,
        description: event.description,
        incident_id: null,
      });
    } else {
      if (current?.incident_id) incidentIds.add(current.incident_id);
      // A change takes the event's status, title and description; a recovery closes the alert.
      state.set(
        name,
        event.status === 'Ok'
          ? null
          : {
              alert_status: event.status,
              title: event.title,
              description: event.description,
              incident_id: current!.incident_id,
            },
      );
    }
    const flapping = defaultFlapping(channel.flapping);
    if (!flapping.is_disabled) {
      histories.set(name, {
        integrationId: unit.source.integrationId,
        channelId: channel.channel_id,
        alertKey: event.alertKey,
        windowStart: now - flapping.in_mins * 60,
      });
    }
  }
  return { incidentIds: [...incidentIds], groups: [...groups.values()], histories };
}
