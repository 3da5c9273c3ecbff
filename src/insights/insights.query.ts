import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import { aggregateList, INCIDENT_AGGREGATES, sumList } from './aggregates.ts';
import type { IncidentTotals, ResponderTotals } from './metrics.ts';

type Executor = Db['q'];

/*
 * Read-only SQL over the insight facts and their hourly rollup (facts.store.ts). Each aggregate query
 * groups by a dimension and by the local hour (or day) of the trigger time, found by a binary search
 * of the first instants of those hours (width_bucket); buckets and hour classes come from buckets.ts.
 */

/** A validated insight filter (insight-filter.ts). */
export type InsightFilter = {
  accountId: number;
  startTime: number;
  endTime: number;
  timeZone: string;
  includeEverMuted: boolean;
  teamIds?: number[] | undefined;
  /** is_my_team: the caller's teams (empty: the caller has none, so nothing matches). */
  myTeamIds?: number[] | undefined;
  channelIds?: number[] | undefined;
  responderIds?: number[] | undefined;
  severities?: string[] | undefined;
  incidentIds?: string[] | undefined;
  query?: string | undefined;
  labels?: Record<string, string> | undefined;
  fields?: Record<string, unknown> | undefined;
  closeFrom?: number | undefined;
  closeTo?: number | undefined;
  ackFrom?: number | undefined;
  ackTo?: number | undefined;
};

/**
 * Where trigger times are placed: the first instants of the local hours or days of the range
 * (buckets.ts localEdges), or nowhere (one group). A row's `idx` is the 1-based edge it follows.
 */
export type Placement = { edges: number[]; wholeHourOffsets: boolean } | undefined;

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function teamChannels(accountId: number, teamIds: number[]): RawBuilder<unknown> {
  return sql`(select channel_id from channels where account_id = ${accountId} and team_id = any(${teamIds}::bigint[]))`;
}

/**
 * Conditions on a facts alias `x` (either fact table: incident_id, channel_id, start_time,
 * ever_muted) and on the incident facts `f` (severity, ack and close times; the same alias when
 * the query reads incident facts).
 */
function conditions(
  filter: InsightFilter,
  x: string,
  f: string,
  responderLevel: boolean,
  windows: readonly (readonly [number, number])[] = [[filter.startTime, filter.endTime]],
): RawBuilder<unknown>[] {
  const X = sql.raw(x);
  const F = sql.raw(f);
  const inWindow = windows.map(([from, to]) => sql`(${X}.start_time >= ${from} and ${X}.start_time < ${to})`);
  const where: RawBuilder<unknown>[] = [
    sql`${X}.account_id = ${filter.accountId}`,
    inWindow.length === 1 ? inWindow[0]! : sql`(${sql.join(inWindow, sql` or `)})`,
  ];
  if (!filter.includeEverMuted) where.push(sql`not ${X}.ever_muted`);
  if (filter.channelIds) where.push(sql`${X}.channel_id = any(${filter.channelIds}::bigint[])`);
  if (filter.teamIds) where.push(sql`${X}.channel_id in ${teamChannels(filter.accountId, filter.teamIds)}`);
  if (filter.myTeamIds)
    where.push(sql`${X}.channel_id in ${teamChannels(filter.accountId, filter.myTeamIds)}`);
  if (filter.incidentIds) where.push(sql`${X}.incident_id = any(${filter.incidentIds}::text[])`);
  if (filter.responderIds) {
    where.push(
      responderLevel
        ? sql`${X}.person_id = any(${filter.responderIds}::bigint[])`
        : sql`exists (select 1 from insight_responder_facts rr
                       where rr.incident_id = ${X}.incident_id and rr.person_id = any(${filter.responderIds}::bigint[]))`,
    );
  }
  if (filter.severities) where.push(sql`${F}.severity = any(${filter.severities}::text[])`);
  if (filter.closeFrom !== undefined) {
    where.push(sql`${F}.close_time > 0 and ${F}.close_time - ${F}.start_time >= ${filter.closeFrom}`);
  }
  if (filter.closeTo !== undefined) {
    where.push(sql`${F}.close_time > 0 and ${F}.close_time - ${F}.start_time < ${filter.closeTo}`);
  }
  if (filter.ackFrom !== undefined) {
    where.push(sql`${F}.ack_time > 0 and greatest(${F}.ack_time - ${F}.start_time, 0) >= ${filter.ackFrom}`);
  }
  if (filter.ackTo !== undefined) {
    where.push(sql`${F}.ack_time > 0 and greatest(${F}.ack_time - ${F}.start_time, 0) < ${filter.ackTo}`);
  }
  const onIncident: RawBuilder<unknown>[] = [];
  const query = filter.query?.trim();
  if (query) {
    const pattern = `%${likeEscape(query)}%`;
    onIncident.push(sql`(i.title ilike ${pattern} or i.description ilike ${pattern})`);
  }
  if (filter.labels && Object.keys(filter.labels).length > 0) {
    onIncident.push(sql`i.labels @> ${JSON.stringify(filter.labels)}::jsonb`);
  }
  if (filter.fields && Object.keys(filter.fields).length > 0) {
    onIncident.push(sql`i.fields @> ${JSON.stringify(filter.fields)}::jsonb`);
  }
  if (onIncident.length > 0) {
    where.push(
      sql`exists (select 1 from incidents i where i.incident_id = ${X}.incident_id and ${sql.join(onIncident, sql` and `)})`,
    );
  }
  return where;
}

/** Whether a responder-level query must read the incident facts too. */
function needsIncidentFacts(filter: InsightFilter): boolean {
  return (
    filter.severities !== undefined ||
    filter.closeFrom !== undefined ||
    filter.closeTo !== undefined ||
    filter.ackFrom !== undefined ||
    filter.ackTo !== undefined
  );
}

function edgeIndex(x: RawBuilder<unknown>, placement: Placement): RawBuilder<unknown> {
  return placement ? sql`width_bucket(${x}, ${placement.edges}::bigint[])` : sql`0`;
}

/** Incident facts are grouped in SQL by channel (or not at all); teams are made from channels. */
export type IncidentDimension = 'account' | 'channel';
export type GroupRow<T> = { key: number; idx: number; totals: T };

const n = (value: unknown) => Number(value ?? 0);

const HOUR = 3600;

/** Whether the filter only names columns the hourly rollup keeps, and hours are whole local hours. */
function rollupCovers(filter: InsightFilter, placement: Placement): boolean {
  return (
    (placement === undefined || placement.wholeHourOffsets) &&
    !filter.includeEverMuted &&
    !filter.severities &&
    !filter.responderIds &&
    !filter.incidentIds &&
    !filter.query?.trim() &&
    !(filter.labels && Object.keys(filter.labels).length > 0) &&
    !(filter.fields && Object.keys(filter.fields).length > 0) &&
    filter.closeFrom === undefined &&
    filter.closeTo === undefined &&
    filter.ackFrom === undefined &&
    filter.ackTo === undefined
  );
}

function rollupConditions(filter: InsightFilter, fromHour: number, toHour: number): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [
    sql`h.account_id = ${filter.accountId}`,
    sql`h.hour >= ${fromHour}`,
    sql`h.hour < ${toHour}`,
  ];
  if (filter.channelIds) where.push(sql`h.channel_id = any(${filter.channelIds}::bigint[])`);
  if (filter.teamIds) where.push(sql`h.channel_id in ${teamChannels(filter.accountId, filter.teamIds)}`);
  if (filter.myTeamIds) where.push(sql`h.channel_id in ${teamChannels(filter.accountId, filter.myTeamIds)}`);
  return where;
}

/**
 * Incident metrics summed per dimension key and local hour/day. Whole UTC hours inside the range
 * come from the hourly rollup when it covers the filter; the rest (partial hours at the ends, or
 * everything) from the incident facts.
 */
export async function incidentGroups(
  q: Executor,
  filter: InsightFilter,
  dimension: IncidentDimension,
  placement: Placement,
): Promise<GroupRow<IncidentTotals>[]> {
  const key = (alias: string) => (dimension === 'account' ? sql`0` : sql`${sql.raw(alias)}.channel_id`);
  const fromHour = Math.ceil(filter.startTime / HOUR);
  const toHour = Math.floor(filter.endTime / HOUR);
  const useRollup = rollupCovers(filter, placement) && fromHour < toHour;
  const windows: [number, number][] = useRollup
    ? (
        [
          [filter.startTime, fromHour * HOUR],
          [toHour * HOUR, filter.endTime],
        ] as [number, number][]
      ).filter(([from, to]) => from < to)
    : [[filter.startTime, filter.endTime]];
  const parts: RawBuilder<unknown>[] = [];
  if (windows.length > 0) {
    parts.push(sql`
      select ${key('f')} as key, ${edgeIndex(sql`f.start_time`, placement)} as idx, ${aggregateList(INCIDENT_AGGREGATES)}
        from insight_incident_facts f
       where ${sql.join(conditions(filter, 'f', 'f', false, windows), sql` and `)}
       group by 1, 2`);
  }
  if (useRollup) {
    parts.push(sql`
      select ${key('h')} as key, ${edgeIndex(sql`h.hour * ${sql.lit(HOUR)}`, placement)} as idx, ${sumList(INCIDENT_AGGREGATES, 'h')}
        from insight_incident_hourly h
       where ${sql.join(rollupConditions(filter, fromHour, toHour), sql` and `)}
       group by 1, 2`);
  }
  const { rows } = await sql<Record<string, unknown>>`
    select key, idx, ${sumList(INCIDENT_AGGREGATES)}
      from (${sql.join(parts, sql` union all `)}) parts
     group by 1, 2`.execute(q);
  return rows.map((r) => ({
    key: n(r.key),
    idx: n(r.idx),
    totals: {
      incidents: n(r.incidents),
      acknowledged: n(r.acknowledged),
      closed: n(r.closed),
      autoClosed: n(r.auto_closed),
      manuallyClosed: n(r.manually_closed),
      timeoutClosed: n(r.timeout_closed),
      escalated: n(r.escalated),
      manuallyEscalated: n(r.manually_escalated),
      timeoutEscalated: n(r.timeout_escalated),
      reassigned: n(r.reassigned),
      interruptions: n(r.interruptions),
      notifications: n(r.notifications),
      engagedSeconds: n(r.engaged),
      secondsToAck: n(r.to_ack),
      secondsToClose: n(r.to_close),
      alerts: n(r.alerts),
      alertEvents: n(r.alert_events),
    },
  }));
}

const RESPONDER_AGGREGATES: [string, RawBuilder<unknown>][] = [
  ['incidents', sql`count(*)`],
  ['acknowledged', sql`count(*) filter (where r.ack_time > 0)`],
  ['reassigned', sql`count(*) filter (where r.reassigned)`],
  ['escalated', sql`count(*) filter (where r.escalated)`],
  ['timeout_escalated', sql`count(*) filter (where r.timeout_escalated)`],
  ['manually_escalated', sql`count(*) filter (where r.manually_escalated)`],
  ['interruptions', sql`sum(r.interruptions)`],
  ['notifications', sql`sum(r.notifications)`],
  ['engaged', sql`sum(r.engaged_seconds)`],
  [
    'to_ack',
    sql`sum(case when r.ack_time > 0
                 then greatest(r.ack_time - case when r.assigned_at > 0 then r.assigned_at else r.start_time end, 0)
                 else 0 end)`,
  ],
];

/** Incident × responder facts summed per person and local hour/day. */
export async function responderGroups(
  q: Executor,
  filter: InsightFilter,
  placement: Placement,
): Promise<GroupRow<ResponderTotals>[]> {
  const from = needsIncidentFacts(filter)
    ? sql`insight_responder_facts r join insight_incident_facts f on f.incident_id = r.incident_id`
    : sql`insight_responder_facts r`;
  const { rows } = await sql<Record<string, unknown>>`
    select r.person_id as key, ${edgeIndex(sql`r.start_time`, placement)} as idx, ${aggregateList(RESPONDER_AGGREGATES)}
      from ${from}
     where ${sql.join(conditions(filter, 'r', 'f', true), sql` and `)}
     group by 1, 2`.execute(q);
  return rows.map((r) => ({
    key: n(r.key),
    idx: n(r.idx),
    totals: {
      incidents: n(r.incidents),
      acknowledged: n(r.acknowledged),
      reassigned: n(r.reassigned),
      escalated: n(r.escalated),
      timeoutEscalated: n(r.timeout_escalated),
      manuallyEscalated: n(r.manually_escalated),
      interruptions: n(r.interruptions),
      notifications: n(r.notifications),
      engagedSeconds: n(r.engaged),
      secondsToAck: n(r.to_ack),
    },
  }));
}

export type IncidentListRow = Record<string, unknown> & {
  incident_id: string;
  title: string;
  description: string;
  channel_id: number;
  progress: string;
  incident_severity: string;
  start_time: number;
  naive_start: number;
  ack_time: number;
  close_time: number;
  closed_by: string;
  engaged_seconds: number;
  responders: unknown;
  assigned_to: Record<string, unknown> | null;
  labels: Record<string, string>;
  fields: Record<string, unknown>;
  creator_id: number;
};

/** One page of incidents (their facts and the incident row), by trigger time; and how many match. */
export async function incidentPage(
  q: Executor,
  filter: InsightFilter,
  page: { offset: number; limit: number; asc: boolean },
): Promise<{ rows: IncidentListRow[]; total: number }> {
  const where = sql.join(conditions(filter, 'f', 'f', false), sql` and `);
  const direction = sql.raw(page.asc ? 'asc' : 'desc');
  const { rows } = await sql<IncidentListRow>`
    select f.*, i.title, i.description, i.progress, i.incident_severity, i.responders, i.assigned_to,
           i.labels, i.fields, i.creator_id,
           extract(epoch from to_timestamp(f.start_time) at time zone ${filter.timeZone})::bigint as naive_start
      from insight_incident_facts f
      join incidents i on i.incident_id = f.incident_id
     where ${where}
     order by f.start_time ${direction}, f.incident_id ${direction}
     limit ${page.limit} offset ${page.offset}`.execute(q);
  const counted = await sql<{ total: string }>`
    select count(*) as total from insight_incident_facts f where ${where}`.execute(q);
  return { rows, total: n(counted.rows[0]?.total) };
}

export type LabelGroupRow = { label: string; idx: number; alerts: number; events: number };

/** Alerts of the matching incidents, counted per value of one label (and local hour). */
export async function alertsByLabel(
  q: Executor,
  filter: InsightFilter,
  label: string,
  placement: Placement,
): Promise<LabelGroupRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select a.labels->>${label} as label, ${edgeIndex(sql`f.start_time`, placement)} as idx,
           count(*) as alerts, sum(a.event_cnt) as events
      from insight_incident_facts f
      join alerts a on a.incident_id = f.incident_id and a.deleted_at = 0
     where ${sql.join(conditions(filter, 'f', 'f', false), sql` and `)}
       and a.labels ? ${label}
     group by 1, 2`.execute(q);
  return rows.map((r) => ({
    label: String(r.label),
    idx: n(r.idx),
    alerts: n(r.alerts),
    events: n(r.events),
  }));
}
