import type { AlertRow } from '../../alerts/alerts.store.ts';
import { rankOf } from '../../alerts/severity.ts';
import type { FeedEntry } from '../../incidents/feed.store.ts';
import { acceptsMerge, type GroupConfig } from '../../incidents/grouping.ts';
import type { AlertAggregate, IncidentRow } from '../../incidents/incidents.store.ts';
import {
  joinedEntry,
  NO_DIMENSION,
  NOT_GROUPED,
  newIncident,
  openedEntry,
} from '../../incidents/place-alert.ts';
import { aggregateOf, type ChannelBehaviour, deriveIncident } from '../../incidents/refresh-incident.ts';
import { type AlertUnit, groupingOf, groupName } from './unit.ts';

/*
 * The incident side of the decide step (pure): where new alerts go — the open incident of their
 * grouping key while its window accepts them, else an incident of their own — and which incidents
 * the batch changed, so the write phase re-derives them.
 */

/** An incident the batch reads or opens, with what the batch has done to it so far. */
type IncidentState = {
  row: IncidentRow;
  /** Opened in this batch: inserted at the end with every alert it got. */
  opened: boolean;
  alerts: AlertRow[];
  activeCnt: number;
  alertCnt: number;
  behaviour: ChannelBehaviour;
  /** For an incident read from the database: its grouping key is given up before others take it. */
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

/** A stored incident to re-derive; `aggregate` is known when only new alerts joined it. */
export type RefreshedIncident = {
  row: IncidentRow;
  behaviour: ChannelBehaviour;
  mergedAt: number;
  aggregate: AlertAggregate | undefined;
};

const fresh = (row: IncidentRow, behaviour: ChannelBehaviour, opened: boolean, alerts: AlertRow[]) => ({
  row,
  opened,
  alerts,
  activeCnt: opened ? 1 : row.active_alert_cnt,
  alertCnt: opened ? 1 : row.alert_cnt,
  behaviour,
  clearGroupKey: false,
  mergedAt: 0,
  changed: opened,
  alertsChanged: false,
});

/** The incidents of one decide step. */
export class IncidentBook {
  readonly #incidents = new Map<string, IncidentState>();
  readonly #byGroup = new Map<string, string>();
  readonly #behaviours: ReadonlyMap<number, ChannelBehaviour>;
  readonly #nowMs: number;
  readonly #now: number;
  /** Feed entries of openings and joins, in order. */
  readonly feed: FeedEntry[] = [];

  constructor(
    stored: readonly IncidentRow[],
    behaviours: ReadonlyMap<number, ChannelBehaviour>,
    nowMs: number,
  ) {
    this.#behaviours = behaviours;
    this.#nowMs = nowMs;
    this.#now = Math.floor(nowMs / 1000);
    for (const row of stored) {
      const behaviour = behaviours.get(row.channel_id) ?? { disableAutoClose: false, stormThresholds: [] };
      // A copy: the step changes last_merge_time and group_key as alerts join, not what was read.
      this.#incidents.set(row.incident_id, fresh({ ...row }, behaviour, false, []));
      if (row.group_key !== null)
        this.#byGroup.set(groupName(row.channel_id, row.group_key), row.incident_id);
    }
  }

  /** Puts a new alert into an incident; where it went, and why. */
  place(unit: AlertUnit, alert: AlertRow): { incidentId: string; reason: string } {
    const group = unit.channel.group as GroupConfig;
    const grouping = groupingOf(unit);
    if (!grouping)
      return this.#open(unit, alert, group.method === 'p' ? NO_DIMENSION : NOT_GROUPED, undefined);
    const existing = this.#incidents.get(
      this.#byGroup.get(groupName(unit.channel.channel_id, grouping.key)) ?? '',
    );
    const takes =
      existing &&
      acceptsMerge(
        { createdAtSeconds: existing.row.created_at, lastMergeSeconds: existing.row.last_merge_time },
        group,
        this.#now,
      );
    if (existing && takes) {
      existing.row.last_merge_time = this.#now;
      existing.mergedAt = this.#now;
      existing.alertCnt += 1;
      existing.activeCnt += 1;
      existing.changed = true;
      existing.alerts.push(alert);
      this.feed.push(joinedEntry(existing.row.incident_id, alert, grouping.reason, this.#nowMs));
      return { incidentId: existing.row.incident_id, reason: grouping.reason };
    }
    // Its grouping window has passed: it keeps its alerts but takes no more.
    if (existing) this.#forgetGroupKey(existing);
    return this.#open(unit, alert, grouping.reason, grouping.key);
  }

  /** An alert already in `incidentId` changed, or recovered. */
  alertChanged(incidentId: string | null, recovered: boolean): void {
    const incident = incidentId ? this.#incidents.get(incidentId) : undefined;
    if (!incident) return;
    incident.changed = true;
    incident.alertsChanged = true;
    if (!recovered) return;
    incident.activeCnt -= 1;
    // Every alert recovered: it closes at the end of the batch, so it takes no more alerts now.
    if (
      incident.alertCnt > 0 &&
      incident.activeCnt <= 0 &&
      incident.row.progress !== 'Closed' &&
      !incident.behaviour.disableAutoClose
    ) {
      this.#forgetGroupKey(incident);
    }
  }

  isOpened(incidentId: string): boolean {
    return this.#incidents.get(incidentId)?.opened ?? false;
  }

  /**
   * The end of the step: stored incidents that give up their grouping key, incidents opened (with
   * their derived columns and feed), and stored incidents to re-derive — in id order. `latest`: the
   * alerts as the batch left them.
   */
  finish(latest: ReadonlyMap<string, AlertRow>) {
    const states = [...this.#incidents.values()];
    const stored = states
      .filter((s) => !s.opened)
      .sort((a, b) => (a.row.incident_id < b.row.incident_id ? -1 : 1));
    const opened: IncidentRow[] = [];
    const openedFeed: FeedEntry[] = [];
    for (const state of states.filter((s) => s.opened)) {
      const alerts = state.alerts.map((a) => latest.get(a.alert_id) ?? a);
      const { set, feed } = deriveIncident(
        { ...state.row, alert_cnt: 0 },
        aggregateOf(alerts),
        state.behaviour,
        this.#nowMs,
      );
      opened.push({ ...state.row, ...set });
      openedFeed.push(...feed);
    }
    const refreshed: RefreshedIncident[] = stored
      .filter((s) => s.changed)
      .map((state) => {
        const joined = state.alerts.map((a) => latest.get(a.alert_id) ?? a);
        const incremental = !state.alertsChanged && joined.every((a) => a.start_time >= state.row.start_time);
        return {
          row: state.row,
          behaviour: state.behaviour,
          mergedAt: state.mergedAt,
          aggregate: incremental ? joinedAggregate(state.row, joined) : undefined,
        };
      });
    return {
      clearGroupKeys: stored.filter((s) => s.clearGroupKey).map((s) => s.row.incident_id),
      opened,
      openedFeed,
      refreshed,
    };
  }

  #forgetGroupKey(incident: IncidentState): void {
    if (incident.row.group_key === null) return;
    this.#byGroup.delete(groupName(incident.row.channel_id, incident.row.group_key));
    incident.row.group_key = null;
    incident.clearGroupKey = !incident.opened;
  }

  #open(unit: AlertUnit, alert: AlertRow, reason: string, groupKey: string | undefined) {
    const row: IncidentRow = {
      ...newIncident(unit.channel, alert, this.#nowMs, groupKey),
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
    this.#incidents.set(
      row.incident_id,
      fresh(row, this.#behaviours.get(unit.channel.channel_id)!, true, [alert]),
    );
    if (groupKey !== undefined)
      this.#byGroup.set(groupName(unit.channel.channel_id, groupKey), row.incident_id);
    this.feed.push(openedEntry(row.incident_id, alert, reason, this.#nowMs));
    return { incidentId: row.incident_id, reason };
  }
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
