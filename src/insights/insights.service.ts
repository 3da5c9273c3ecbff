import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import { isDayOff } from '../schedules/calendar.ts';
import { loadCalendar } from '../schedules/calendars.store.ts';
import { formatDate, toNaive } from '../schedules/zoned.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import {
  type AggregateUnit,
  bucketTs,
  type DayOffTest,
  HOUR_CLASSES,
  type HourClass,
  hourClass,
  localEdges,
  WEEKEND_OFF,
} from './buckets.ts';
import { refreshFacts } from './facts.store.ts';
import { type FilterInput, toInsightFilter } from './insight-filter.ts';
import {
  alertsByLabel,
  type Grid,
  type GroupRow,
  type IncidentDimension,
  type InsightFilter,
  incidentGroups,
  incidentPage,
  responderGroups,
  type Sources,
} from './insights.query.ts';
import type { InsightIncidentItem } from './insights.schemas.ts';
import * as names from './insights.store.ts';
import {
  addInto,
  emptyIncidentTotals,
  emptyResponderTotals,
  type IncidentMetrics,
  type IncidentTotals,
  incidentMetrics,
  type ResponderMetrics,
  type ResponderTotals,
  responderMetrics,
} from './metrics.ts';

/*
 * The insight operations (docs/insights.md): validate the filter, bring the facts up to date, run
 * the read-only SQL, then place groups in buckets and hour classes and derive the metrics.
 */

/** `rollups: false` reads the facts only: the straightforward computation the rollups must equal. */
export type InsightDeps = { db: Db; clock: Clock; rollups?: boolean };

type Aggregation = { split_hours?: boolean | undefined; aggregate_unit?: AggregateUnit | undefined };

type Prepared = { filter: InsightFilter; dayOff: DayOffTest; sources: Sources };

/** Postgres and Intl may disagree on a rare zone name; Postgres' refusal is the caller's error too. */
async function inZone<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error && /time zone .* not recognized/.test(error.message)) {
      throw invalidParameter('time_zone', 'is not a time zone the database knows');
    }
    throw error;
  }
}

async function prepare(deps: InsightDeps, actor: Actor, input: FilterInput): Promise<Prepared> {
  const accountTimeZone = await names.accountTimeZone(deps.db.q, actor.accountId);
  const callerTeams = input.is_my_team ? await names.teamsOf(deps.db.q, actor.accountId, actor.memberId) : [];
  const filter = toInsightFilter(input, {
    accountId: actor.accountId,
    accountTimeZone,
    callerTeamIds: () => callerTeams,
  });
  const calId = await names.insightCalendarId(deps.db.q, actor.accountId);
  const calendar = calId ? await loadCalendar(deps.db.q, actor.accountId, calId) : undefined;
  const dayOff: DayOffTest = calendar ? (date) => isDayOff(calendar, date) : WEEKEND_OFF;
  const rollupZone = await refreshFacts(deps.db, actor.accountId, deps.clock.nowMs());
  return { filter, dayOff, sources: { rollups: deps.rollups ?? true, rollupZone } };
}

/**
 * Where to place trigger times: local hours for hour classes, local days for buckets, or nowhere;
 * and, for hour classes, which local days of the range are days off.
 */
function gridOf(
  prepared: Prepared,
  aggregation: { split_hours?: boolean | undefined; aggregate_unit?: AggregateUnit | undefined },
): Grid {
  const { filter } = prepared;
  const split = aggregation.split_hours ?? false;
  const unit = aggregation.aggregate_unit;
  const grain = split ? 'hour' : unit ? 'day' : undefined;
  if (!grain) return { placement: undefined, unit, split, offDays: [] };
  const edges = localEdges(filter.timeZone, filter.startTime, filter.endTime, grain);
  const offDays: number[] = [];
  if (split) {
    const last = Math.floor(toNaive(filter.timeZone, filter.endTime) / DAY);
    for (let day = Math.floor(toNaive(filter.timeZone, filter.startTime) / DAY); day <= last; day++) {
      if (prepared.dayOff(formatDate(day * DAY))) offDays.push(day);
    }
  }
  return {
    placement: { edges: edges.instants, naives: edges.naives, wholeHourOffsets: edges.wholeHourOffsets },
    unit,
    split,
    offDays,
  };
}

const DAY = 86_400;

function memo<T>(fn: (naive: number) => T): (naive: number) => T {
  const known = new Map<number, T>();
  return (naive) => {
    let value = known.get(naive);
    if (value === undefined) {
      value = fn(naive);
      known.set(naive, value);
    }
    return value;
  };
}

type Placed<T> = { key: number; ts: number | undefined; hours: HourClass | undefined; totals: T };

/** Adds group rows into their (key, bucket, hour class) cells, in order: bucket, hour class, key. */
function place<T extends Record<string, number>>(
  rows: readonly GroupRow<T>[],
  grid: Grid,
  prepared: Prepared,
  empty: () => T,
): Placed<T>[] {
  const { unit, split } = grid;
  const zone = prepared.filter.timeZone;
  const cells = new Map<string, Placed<T>>();
  // Many rows share a bucket or an hour: each is turned into an instant (Intl, slow) once.
  const tsOf = memo((naive: number) => bucketTs(zone, naive, unit!));
  const classOf = memo((naive: number) => hourClass(naive, prepared.dayOff));
  for (const row of rows) {
    const where = row.where;
    let ts: number | undefined;
    let hours: HourClass | undefined;
    if ('naive' in where) {
      ts = unit ? tsOf(where.naive) : undefined;
      hours = split ? classOf(where.naive) : undefined;
    } else {
      ts = unit && where.bucket !== undefined ? tsOf(where.bucket) : undefined;
      hours = where.hours;
    }
    const id = `${row.key}|${ts ?? ''}|${hours ?? ''}`;
    let cell = cells.get(id);
    if (!cell) {
      cell = { key: row.key, ts, hours, totals: empty() };
      cells.set(id, cell);
    }
    addInto(cell.totals, row.totals);
  }
  const hourRank = (h: HourClass | undefined) => (h ? HOUR_CLASSES.indexOf(h) : 0);
  return [...cells.values()].sort(
    (a, b) => (a.ts ?? 0) - (b.ts ?? 0) || hourRank(a.hours) - hourRank(b.hours) || a.key - b.key,
  );
}

const placement = (cell: Placed<unknown>): ItemPlacement => ({
  ...(cell.ts === undefined ? {} : { ts: cell.ts }),
  ...(cell.hours === undefined ? {} : { hours: cell.hours }),
});

type ItemPlacement = { ts?: number; hours?: HourClass };
export type AccountItem = ItemPlacement & IncidentMetrics & { account_id: number };
export type TeamItem = ItemPlacement & IncidentMetrics & { team_id: number; team_name: string };
export type ChannelItem = ItemPlacement &
  IncidentMetrics & { channel_id: number; channel_name: string; team_id: number; team_name: string };

async function dimensionCells(
  deps: InsightDeps,
  actor: Actor,
  input: FilterInput & Aggregation,
  dimension: IncidentDimension,
): Promise<Placed<IncidentTotals>[]> {
  const prepared = await prepare(deps, actor, input);
  const grid = gridOf(prepared, input);
  const rows = await inZone(() =>
    incidentGroups(deps.db.q, prepared.filter, dimension, grid, prepared.sources),
  );
  return place<IncidentTotals>(rows, grid, prepared, emptyIncidentTotals);
}

/** /insight/account: one row, or one per bucket and/or hour class. */
export async function accountInsight(
  deps: InsightDeps,
  actor: Actor,
  input: FilterInput & Aggregation,
): Promise<AccountItem[]> {
  const cells = await dimensionCells(deps, actor, input, 'account');
  // One row even when nothing matched, unless the caller asked for buckets or hour classes.
  if (cells.length === 0 && !input.aggregate_unit && !input.split_hours) {
    cells.push({ key: 0, ts: undefined, hours: undefined, totals: emptyIncidentTotals() });
  }
  return cells.map((cell) => ({
    ...placement(cell),
    account_id: actor.accountId,
    ...incidentMetrics(cell.totals),
  }));
}

/**
 * /insight/team: per team owning the incident's channel (incidents of channels without a team are
 * left out). The SQL groups by channel; channels are added up into their teams here.
 */
export async function teamInsight(
  deps: InsightDeps,
  actor: Actor,
  input: FilterInput & Aggregation,
): Promise<TeamItem[]> {
  const prepared = await prepare(deps, actor, input);
  const grid = gridOf(prepared, input);
  const rows = await inZone(() =>
    incidentGroups(deps.db.q, prepared.filter, 'channel', grid, prepared.sources),
  );
  const channels = await names.channelNames(deps.db.q, actor.accountId, unique(rows.map((r) => r.key)));
  const byTeam = rows
    .map((row) => ({ ...row, key: channels.get(row.key)?.team_id ?? 0 }))
    .filter((row) => row.key > 0);
  const cells = place<IncidentTotals>(byTeam, grid, prepared, emptyIncidentTotals);
  const teamNames = await names.teamNames(deps.db.q, actor.accountId, unique(cells.map((c) => c.key)));
  return cells.map((cell) => ({
    ...placement(cell),
    team_id: cell.key,
    team_name: teamNames.get(cell.key) ?? '',
    ...incidentMetrics(cell.totals),
  }));
}

/** /insight/channel: per channel. */
export async function channelInsight(
  deps: InsightDeps,
  actor: Actor,
  input: FilterInput & Aggregation,
): Promise<ChannelItem[]> {
  const cells = await dimensionCells(deps, actor, input, 'channel');
  const channels = await names.channelNames(deps.db.q, actor.accountId, unique(cells.map((c) => c.key)));
  return cells.map((cell) => {
    const channel = channels.get(cell.key);
    return {
      ...placement(cell),
      channel_id: cell.key,
      channel_name: channel?.channel_name ?? '',
      team_id: channel?.team_id ?? 0,
      team_name: channel?.team_name ?? '',
      ...incidentMetrics(cell.totals),
    };
  });
}

export type ResponderItem = { ts?: number; hours?: HourClass } & ResponderMetrics & {
    responder_id: number;
    responder_name: string;
  };

/** /insight/responder (seed 004). */
export async function responderInsight(
  deps: InsightDeps,
  actor: Actor,
  input: FilterInput & Aggregation,
): Promise<ResponderItem[]> {
  const prepared = await prepare(deps, actor, input);
  const grid = gridOf(prepared, input);
  const rows = await inZone(() => responderGroups(deps.db.q, prepared.filter, grid, prepared.sources));
  const cells = place<ResponderTotals>(rows, grid, prepared, emptyResponderTotals);
  const people = await names.people(deps.db.q, actor.accountId, unique(cells.map((c) => c.key)));
  return cells.map((cell) => ({
    ...placement(cell),
    responder_id: cell.key,
    responder_name: people.get(cell.key)?.member_name ?? '',
    ...responderMetrics(cell.totals),
  }));
}

/** The largest page Flashduty serves from a search list: p × limit ≤ 10,000. */
export const MAX_LIST_ROWS = 10_000;

export type IncidentListInput = FilterInput & {
  p?: number | undefined;
  limit?: number | undefined;
  search_after_ctx?: string | null | undefined;
  asc?: boolean | undefined;
};

/** The cursor of /insight/incident/list is the offset of the next page (opaque to clients). */
function offsetOf(input: IncidentListInput, limit: number): number {
  if (input.search_after_ctx) {
    const offset = Number(Buffer.from(input.search_after_ctx, 'base64url').toString());
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw invalidParameter('search_after_ctx', 'is not a cursor');
    return offset;
  }
  return ((input.p || 1) - 1) * limit;
}

/** /insight/incident/list: one page of per-incident rows, newest first unless `asc`. */
export async function incidentList(
  deps: InsightDeps,
  actor: Actor,
  input: IncidentListInput,
  options: { maxRows?: number } = {},
): Promise<{
  items: InsightIncidentItem[];
  total: number;
  has_next_page: boolean;
  search_after_ctx?: string;
}> {
  const limit = options.maxRows ?? (input.limit || 20);
  const offset = options.maxRows ? 0 : offsetOf(input, limit);
  if (offset + limit > MAX_LIST_ROWS) {
    throw invalidParameter(
      input.search_after_ctx ? 'search_after_ctx' : 'p',
      'p × limit must not exceed 10000',
    );
  }
  const prepared = await prepare(deps, actor, input);
  const { rows, total } = await inZone(() =>
    incidentPage(deps.db.q, prepared.filter, { offset, limit, asc: input.asc ?? false }, prepared.sources),
  );
  const responderLists = rows.map((row) => readResponders(row.responders));
  const people = await names.people(
    deps.db.q,
    actor.accountId,
    unique([...responderLists.flat().map((r) => r.person_id), ...rows.map((r) => r.creator_id)]),
  );
  const channels = await names.channelNames(
    deps.db.q,
    actor.accountId,
    unique(rows.map((r) => r.channel_id)),
  );
  const items = rows.map((row, index): InsightIncidentItem => {
    const channel = channels.get(row.channel_id);
    return {
      incident_id: row.incident_id,
      title: row.title,
      description: row.description,
      team_id: channel?.team_id ?? 0,
      team_name: channel?.team_name ?? '',
      channel_id: row.channel_id,
      channel_name: channel?.channel_name ?? '',
      progress: row.progress,
      severity: row.incident_severity as InsightIncidentItem['severity'],
      created_at: row.start_time,
      ...(row.closed_by ? { closed_by: row.closed_by as 'auto' | 'timeout' | 'manually' } : {}),
      seconds_to_ack: row.ack_time > 0 ? Math.max(0, row.ack_time - row.start_time) : 0,
      seconds_to_close: row.close_time > 0 ? Math.max(0, row.close_time - row.start_time) : 0,
      engaged_seconds: Number(row.engaged_seconds),
      hours: hourClass(Number(row.naive_start), prepared.dayOff),
      responders: responderLists[index]!.map((r) => ({
        ...r,
        person_name: people.get(r.person_id)?.member_name ?? '',
        email: people.get(r.person_id)?.email ?? '',
      })),
      ...(row.assigned_to ? { assigned_to: row.assigned_to } : {}),
      labels: row.labels,
      fields: row.fields,
      notifications: Number(row.notifications),
      interruptions: Number(row.interruptions),
      assignments: Number(row.assignments),
      reassignments: Number(row.reassignments),
      acknowledgements: Number(row.acknowledgements),
      escalations: Number(row.escalations),
      timeout_escalations: Number(row.timeout_escalations),
      manual_escalations: Number(row.manual_escalations),
      creator_id: row.creator_id,
      creator_name: people.get(row.creator_id)?.member_name ?? '',
    };
  });
  const hasNext = offset + rows.length < total && !options.maxRows;
  return {
    items,
    total,
    has_next_page: hasNext,
    ...(hasNext ? { search_after_ctx: Buffer.from(String(offset + limit)).toString('base64url') } : {}),
  };
}

type StoredResponder = { person_id: number; assigned_at: number; acknowledged_at: number };

function readResponders(stored: unknown): StoredResponder[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((entry) => {
    const e = entry as Partial<StoredResponder> | null;
    if (!e || typeof e.person_id !== 'number') return [];
    return [
      {
        person_id: e.person_id,
        assigned_at: typeof e.assigned_at === 'number' ? e.assigned_at : 0,
        acknowledged_at: typeof e.acknowledged_at === 'number' ? e.acknowledged_at : 0,
      },
    ];
  });
}

const TOPK_DEFAULT = 10;

export type TopkInput = FilterInput &
  Aggregation & {
    label: 'check' | 'resource';
    k?: number | undefined;
    orderby?: 'total_alert_cnt' | 'total_alert_event_cnt' | undefined;
    asc?: boolean | undefined;
  };

/** /insight/alert/topk-by-label: the k values of the label with the most alerts (or alert events). */
export async function topkByLabel(deps: InsightDeps, actor: Actor, input: TopkInput) {
  const prepared = await prepare(deps, actor, input);
  const split = input.split_hours ?? false;
  const grid = gridOf(prepared, { split_hours: split });
  const rows = await inZone(() => alertsByLabel(deps.db.q, prepared.filter, input.label, grid.placement));
  const byLabel = new Map<
    string,
    { alerts: number; events: number; hours: Map<HourClass, { alerts: number; events: number }> }
  >();
  for (const row of rows) {
    let entry = byLabel.get(row.label);
    if (!entry) {
      entry = { alerts: 0, events: 0, hours: new Map() };
      byLabel.set(row.label, entry);
    }
    entry.alerts += row.alerts;
    entry.events += row.events;
    if (split) {
      const hours = hourClass(grid.placement?.naives[row.idx - 1] ?? 0, prepared.dayOff);
      const cell = entry.hours.get(hours) ?? { alerts: 0, events: 0 };
      cell.alerts += row.alerts;
      cell.events += row.events;
      entry.hours.set(hours, cell);
    }
  }
  const metric = input.orderby === 'total_alert_event_cnt' ? 'events' : 'alerts';
  const sign = input.asc ? 1 : -1;
  const top = [...byLabel.entries()]
    .sort(([la, a], [lb, b]) => sign * (a[metric] - b[metric]) || la.localeCompare(lb))
    .slice(0, input.k || TOPK_DEFAULT);
  return top.flatMap(([label, entry]) =>
    split
      ? HOUR_CLASSES.filter((h) => entry.hours.has(h)).map((h) => ({
          label,
          hours: h,
          total_alert_cnt: entry.hours.get(h)!.alerts,
          total_alert_event_cnt: entry.hours.get(h)!.events,
        }))
      : [{ label, total_alert_cnt: entry.alerts, total_alert_event_cnt: entry.events }],
  );
}

/** Vigil's insight settings: the calendar whose days off are non-workdays for hour classes. */
export async function saveInsightCalendarId(deps: InsightDeps, actor: Actor, calId: string): Promise<void> {
  if (calId !== '' && !(await loadCalendar(deps.db.q, actor.accountId, calId))) {
    throw notFound(`calendar ${calId}`);
  }
  await names.storeInsightCalendarId(
    deps.db.q,
    actor.accountId,
    calId,
    Math.floor(deps.clock.nowMs() / 1000),
  );
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)].filter((v) => v > 0);
}
