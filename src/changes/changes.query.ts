import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import { type SearchPage, searchRows } from '../http/search-paging.ts';
import { invalidParameter } from '../shared/app-error.ts';
import type { RegexUse } from './change-filters.ts';
import type { ChangeEventRow, ChangeRow } from './changes.store.ts';

type Executor = Db['q'];

const some = <T>(list: readonly T[] | undefined): list is readonly T[] =>
  list !== undefined && list.length > 0;

/** A change of the account. */
export async function findChange(
  q: Executor,
  accountId: number,
  changeId: string,
): Promise<ChangeRow | undefined> {
  return q
    .selectFrom('changes')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('change_id', '=', changeId.toLowerCase())
    .executeTakeFirst();
}

/** /change/list, after validation. */
export type ChangeSearch = {
  accountId: number;
  /** Changes whose span [start_time, last_time] meets [startTime, endTime]. */
  startTime: number;
  endTime: number;
  orderBy: 'start_time' | 'last_time';
  asc: boolean;
  channelIds?: readonly number[] | undefined;
  integrationIds?: readonly number[] | undefined;
  /** The SQL of `query` and `filters` (src/changes/change-filters.ts). */
  where: readonly RawBuilder<SqlBool>[];
};

/** A page of changes (`limit + 1` rows) in the chosen order, ties by change_id, and the capped count. */
export async function searchChanges(
  q: Executor,
  s: ChangeSearch,
  page: SearchPage,
): Promise<{ fetched: ChangeRow[]; count: number }> {
  let base = q
    .selectFrom('changes')
    .where('account_id', '=', s.accountId)
    .where('start_time', '<=', s.endTime)
    .where('last_time', '>=', s.startTime);
  if (some(s.channelIds)) base = base.where('channel_id', 'in', [...s.channelIds]);
  if (some(s.integrationIds)) base = base.where('integration_id', 'in', [...s.integrationIds]);
  for (const condition of s.where) base = base.where(condition);
  return searchRows(q, base, { column: s.orderBy, id: 'change_id', asc: s.asc }, page);
}

/** SQLSTATE of a regular expression PostgreSQL cannot compile. */
const INVALID_REGULAR_EXPRESSION = '2201B';

/**
 * Compiles each regular expression of a request in PostgreSQL, which runs them, so one it cannot
 * take is refused as InvalidParameter naming where it was given rather than failing the search.
 */
export async function checkRegexes(q: Executor, regexes: readonly RegexUse[]): Promise<void> {
  for (const { field, pattern } of regexes) {
    try {
      await sql`select '' ~ ${pattern} as matched`.execute(q);
    } catch (error) {
      if ((error as { code?: string }).code !== INVALID_REGULAR_EXPRESSION) throw error;
      throw invalidParameter(
        field,
        `the regular expression is not supported: ${(error as Error).message.replace(/^.*?: /, '')}`,
      );
    }
  }
}

/**
 * The events of several changes, at most `perChange` of each (the most recent), in one query; each
 * change's events in order (event_time, then arrival).
 */
export async function eventsOfChanges(
  q: Executor,
  accountId: number,
  changeIds: readonly string[],
  perChange: number,
): Promise<Map<string, ChangeEventRow[]>> {
  const byChange = new Map<string, ChangeEventRow[]>();
  if (changeIds.length === 0) return byChange;
  const ranked = q
    .selectFrom('change_events')
    .selectAll()
    .select(
      sql<number>`row_number() over (partition by change_id order by event_time desc, seq desc)`.as('rank'),
    )
    .where('account_id', '=', accountId)
    .where('change_id', 'in', [...changeIds])
    .as('ranked');
  const rows = await q
    .selectFrom(ranked)
    .selectAll()
    .where('rank', '<=', perChange)
    .orderBy('change_id')
    .orderBy('event_time')
    .orderBy('seq')
    .execute();
  for (const { rank: _rank, ...event } of rows) {
    const list = byChange.get(event.change_id) ?? [];
    list.push(event);
    byChange.set(event.change_id, list);
  }
  return byChange;
}

/** At most this many labels of an incident's alerts are read for correlation. */
const INCIDENT_ALERTS_READ = 1000;

/** The label sets of an incident's live alerts (the most recent 1000). */
export async function alertLabelsOfIncident(
  q: Executor,
  accountId: number,
  incidentId: string,
): Promise<Record<string, string>[]> {
  const rows = await q
    .selectFrom('alerts')
    .select('labels')
    .where('account_id', '=', accountId)
    .where('incident_id', '=', incidentId)
    .where('deleted_at', '=', 0)
    .orderBy('start_time', 'desc')
    .limit(INCIDENT_ALERTS_READ)
    .execute();
  return rows.map((row) => row.labels);
}

/** At most this many changes are ranked for one incident: the most recently active. */
const CORRELATION_CANDIDATES = 1000;

/**
 * The changes active within [from, to] that carry, on at least one key, one of the given values
 * (the correlation's pre-selection; the ranking is src/changes/correlation.ts).
 */
export async function correlationCandidates(
  q: Executor,
  accountId: number,
  window: { from: number; to: number },
  values: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<ChangeRow[]> {
  if (values.size === 0) return [];
  const matches = [...values].map(([key, set]) => sql<SqlBool>`labels ->> ${key} in (${sql.join([...set])})`);
  return q
    .selectFrom('changes')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('last_time', '>=', window.from)
    .where('start_time', '<=', window.to)
    .where(sql<SqlBool>`(${sql.join(matches, sql` or `)})`)
    .orderBy('last_time', 'desc')
    .orderBy('change_id', 'desc')
    .limit(CORRELATION_CANDIDATES)
    .execute();
}
