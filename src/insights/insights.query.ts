import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import { aggregateList, INCIDENT_AGGREGATES, RESPONDER_AGGREGATES, sumList } from './aggregates.ts';
import type { AggregateUnit, HourClass } from './buckets.ts';
import type { IncidentTotals, ResponderTotals } from './metrics.ts';
import { wholeDays } from './rollups.store.ts';

type Executor = Db['q'];

/*
 * Read-only SQL over the insight facts and their rollups (facts.store.ts, rollups.store.ts). Each
 * aggregate query groups by a dimension and by where the trigger time falls: for facts, the local
 * hour (or day) found by a binary search of the first instants of those hours (width_bucket), whose
 * buckets and hour classes buckets.ts makes; for the daily rollups, the bucket and hour class
 * computed in SQL from the local day and hour band. Whole local days of the range come from the
 * daily rollups when they cover the filter and are kept in the query's zone, the partial days at the
 * ends from the facts; otherwise whole UTC hours from the hourly rollup where it covers the filter.
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
export type Placement = { edges: number[]; naives: number[]; wholeHourOffsets: boolean } | undefined;

/** How an aggregate query groups: where trigger times are placed, buckets and hour classes. */
export type Grid = {
  placement: Placement;
  unit: AggregateUnit | undefined;
  split: boolean;
  /** The local days of the range (days since 1970-01-01) that are days off; used with `split`. */
  offDays: number[];
};

/** What a query may read besides the facts: the rollups (zone of the daily ones, null: none). */
export type Sources = { rollups: boolean; rollupZone: string | null };

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

/**
 * Where a group of rows falls: the naive start of the local hour or day its trigger times are in
 * (facts, hourly rollup), or the naive start of its bucket and its hour class (daily rollups).
 */
export type Where = { naive: number } | { bucket: number | undefined; hours: HourClass | undefined };
export type GroupRow<T> = { key: number; where: Where; totals: T };

const n = (value: unknown) => Number(value ?? 0);

const HOUR = 3600;
const DAY = 86_400;

/** Filters the rollups cannot answer: they keep never-muted incidents by channel and time only. */
function incidentLevelOnly(filter: InsightFilter): boolean {
  return (
    filter.includeEverMuted ||
    filter.severities !== undefined ||
    filter.incidentIds !== undefined ||
    Boolean(filter.query?.trim()) ||
    (filter.labels !== undefined && Object.keys(filter.labels).length > 0) ||
    (filter.fields !== undefined && Object.keys(filter.fields).length > 0) ||
    filter.closeFrom !== undefined ||
    filter.closeTo !== undefined ||
    filter.ackFrom !== undefined ||
    filter.ackTo !== undefined
  );
}

/** Whether the incident rollups cover the filter: channels and teams, no other condition. */
function incidentRollupsCover(filter: InsightFilter): boolean {
  return !incidentLevelOnly(filter) && !filter.responderIds;
}

/** Whether the responder rollup covers the filter: people, no channel or other condition. */
function responderRollupCovers(filter: InsightFilter): boolean {
  return !incidentLevelOnly(filter) && !filter.channelIds && !filter.teamIds && !filter.myTeamIds;
}

function channelConditions(filter: InsightFilter, alias: string): RawBuilder<unknown>[] {
  const A = sql.raw(alias);
  const where: RawBuilder<unknown>[] = [];
  if (filter.channelIds) where.push(sql`${A}.channel_id = any(${filter.channelIds}::bigint[])`);
  if (filter.teamIds) where.push(sql`${A}.channel_id in ${teamChannels(filter.accountId, filter.teamIds)}`);
  if (filter.myTeamIds)
    where.push(sql`${A}.channel_id in ${teamChannels(filter.accountId, filter.myTeamIds)}`);
  return where;
}

/**
 * The bucket (naive day number of its start) of a daily rollup row `d` whose day is in [from, to).
 * Months are looked up in a list made here: cheaper per row than date arithmetic in SQL.
 */
function bucketOf(unit: AggregateUnit | undefined, from: number, to: number): RawBuilder<unknown> {
  if (unit === 'day') return sql`d.day`;
  // 1970-01-01 was a Thursday: Monday-started weeks begin where (day + 3) % 7 = 0.
  if (unit === 'week') return sql`d.day - (d.day + 3) % 7`;
  if (unit === 'month') {
    const starts: number[] = [];
    for (let day = from; day < to; day++) {
      const date = new Date(day * DAY * 1000);
      starts.push(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1000 / DAY);
    }
    return sql`(${starts}::int[])[d.day - ${sql.lit(from - 1)}]`;
  }
  return sql`0`;
}

/** The hour class of a daily rollup row `d` (docs/insights.md "Hour classes"), or '' without split. */
function classOf(grid: Grid): RawBuilder<unknown> {
  if (!grid.split) return sql`''`;
  return sql`(case when d.band = 0 then 'sleep'
                   when d.band = 2 or d.day = any(${grid.offDays}::int[]) then 'off' else 'work' end)`;
}

/** The whole local days of the range, when the daily rollups are in the filter's zone and it has some. */
async function dailyDays(q: Executor, filter: InsightFilter, sources: Sources, covers: boolean) {
  if (!sources.rollups || !covers || sources.rollupZone !== filter.timeZone) return undefined;
  const days = await wholeDays(q, filter.timeZone, filter.startTime, filter.endTime);
  return days.from < days.to ? days : undefined;
}

/** Turns a row of the union below into a group row: idx -1 marks daily rollup rows. */
function whereOf(row: Record<string, unknown>, grid: Grid): Where {
  const idx = n(row.idx);
  if (idx === -1) {
    return {
      bucket: grid.unit ? n(row.bucket) * DAY : undefined,
      hours: row.cls ? (row.cls as HourClass) : undefined,
    };
  }
  return { naive: grid.placement?.naives[idx - 1] ?? 0 };
}

/** The edges of the range left to the facts when [fromInstant, toInstant) is read elsewhere. */
function edgeWindows(filter: InsightFilter, fromInstant: number, toInstant: number): [number, number][] {
  return (
    [
      [filter.startTime, fromInstant],
      [toInstant, filter.endTime],
    ] as [number, number][]
  ).filter(([from, to]) => from < to);
}

/**
 * Incident metrics summed per dimension key and where the rows fall. Whole local days inside the
 * range come from the daily rollups, or whole UTC hours from the hourly rollup, when they cover the
 * filter; the rest (partial days or hours at the ends, or everything) from the incident facts.
 */
export async function incidentGroups(
  q: Executor,
  filter: InsightFilter,
  dimension: IncidentDimension,
  grid: Grid,
  sources: Sources,
): Promise<GroupRow<IncidentTotals>[]> {
  const placement = grid.placement;
  const key = (alias: string) => (dimension === 'account' ? sql`0` : sql`${sql.raw(alias)}.channel_id`);
  const parts: RawBuilder<unknown>[] = [];
  let windows: [number, number][] = [[filter.startTime, filter.endTime]];
  const days = await dailyDays(q, filter, sources, incidentRollupsCover(filter));
  const fromHour = Math.ceil(filter.startTime / HOUR);
  const toHour = Math.floor(filter.endTime / HOUR);
  if (days) {
    windows = edgeWindows(filter, days.fromInstant, days.toInstant);
    const where = [
      sql`d.account_id = ${filter.accountId}`,
      sql`d.day >= ${days.from}`,
      sql`d.day < ${days.to}`,
      ...channelConditions(filter, 'd'),
    ];
    parts.push(sql`
      select ${key('d')} as key, -1 as idx, ${bucketOf(grid.unit, days.from, days.to)} as bucket, ${classOf(grid)} as cls,
             ${sumList(INCIDENT_AGGREGATES, 'd')}
        from insight_incident_daily d
       where ${sql.join(where, sql` and `)}
       group by 1, 2, 3, 4`);
  } else if (
    sources.rollups &&
    incidentRollupsCover(filter) &&
    (placement === undefined || placement.wholeHourOffsets) &&
    fromHour < toHour
  ) {
    windows = edgeWindows(filter, fromHour * HOUR, toHour * HOUR);
    const where = [
      sql`h.account_id = ${filter.accountId}`,
      sql`h.hour >= ${fromHour}`,
      sql`h.hour < ${toHour}`,
      ...channelConditions(filter, 'h'),
    ];
    parts.push(sql`
      select ${key('h')} as key, ${edgeIndex(sql`h.hour * ${sql.lit(HOUR)}`, placement)} as idx, 0 as bucket,
             '' as cls, ${sumList(INCIDENT_AGGREGATES, 'h')}
        from insight_incident_hourly h
       where ${sql.join(where, sql` and `)}
       group by 1, 2, 3, 4`);
  }
  if (windows.length > 0) {
    parts.push(sql`
      select ${key('f')} as key, ${edgeIndex(sql`f.start_time`, placement)} as idx, 0 as bucket, '' as cls,
             ${aggregateList(INCIDENT_AGGREGATES)}
        from insight_incident_facts f
       where ${sql.join(conditions(filter, 'f', 'f', false, windows), sql` and `)}
       group by 1, 2, 3, 4`);
  }
  const { rows } = await sql<Record<string, unknown>>`
    select key, idx, bucket, cls, ${sumList(INCIDENT_AGGREGATES)}
      from (${sql.join(parts, sql` union all `)}) parts
     group by 1, 2, 3, 4`.execute(q);
  return rows.map((r) => ({
    key: n(r.key),
    where: whereOf(r, grid),
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

/**
 * Incident × responder facts summed per person and where the rows fall: whole local days from the
 * daily responder rollup when it covers the filter, the rest from the facts.
 */
export async function responderGroups(
  q: Executor,
  filter: InsightFilter,
  grid: Grid,
  sources: Sources,
): Promise<GroupRow<ResponderTotals>[]> {
  const parts: RawBuilder<unknown>[] = [];
  let windows: [number, number][] = [[filter.startTime, filter.endTime]];
  const days = await dailyDays(q, filter, sources, responderRollupCovers(filter));
  if (days) {
    windows = edgeWindows(filter, days.fromInstant, days.toInstant);
    const where = [
      sql`d.account_id = ${filter.accountId}`,
      sql`d.day >= ${days.from}`,
      sql`d.day < ${days.to}`,
    ];
    if (filter.responderIds) where.push(sql`d.person_id = any(${filter.responderIds}::bigint[])`);
    parts.push(sql`
      select d.person_id as key, -1 as idx, ${bucketOf(grid.unit, days.from, days.to)} as bucket, ${classOf(grid)} as cls,
             ${sumList(RESPONDER_AGGREGATES, 'd')}
        from insight_responder_daily d
       where ${sql.join(where, sql` and `)}
       group by 1, 2, 3, 4`);
  }
  if (windows.length > 0) {
    const from = needsIncidentFacts(filter)
      ? sql`insight_responder_facts r join insight_incident_facts f on f.incident_id = r.incident_id`
      : sql`insight_responder_facts r`;
    parts.push(sql`
      select r.person_id as key, ${edgeIndex(sql`r.start_time`, grid.placement)} as idx, 0 as bucket, '' as cls,
             ${aggregateList(RESPONDER_AGGREGATES)}
        from ${from}
       where ${sql.join(conditions(filter, 'r', 'f', true, windows), sql` and `)}
       group by 1, 2, 3, 4`);
  }
  const { rows } = await sql<Record<string, unknown>>`
    select key, idx, bucket, cls, ${sumList(RESPONDER_AGGREGATES)}
      from (${sql.join(parts, sql` union all `)}) parts
     group by 1, 2, 3, 4`.execute(q);
  return rows.map((r) => ({
    key: n(r.key),
    where: whereOf(r, grid),
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
  sources: Sources,
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
  // The count is the account total of the same filter, so the rollups answer it where they can.
  const counted = await incidentGroups(
    q,
    filter,
    'account',
    { placement: undefined, unit: undefined, split: false, offDays: [] },
    sources,
  );
  return { rows, total: counted.reduce((sum, group) => sum + group.totals.incidents, 0) };
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
