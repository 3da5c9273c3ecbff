import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import {
  aggregateList,
  INCIDENT_AGGREGATES,
  RESPONDER_AGGREGATES,
  RESPONDER_ROLLUP_COLUMNS,
  ROLLUP_COLUMNS,
} from './aggregates.ts';

type Executor = Db['q'];

/*
 * Daily rollups (migration 0080, docs/insights.md "How the numbers are kept"): the facts of
 * never-muted incidents, and of their responders, summed per local day of the rollup zone and hour
 * band of the trigger time. Kept with the facts: a refresh takes the old facts of the incidents it
 * re-derives out and puts the new ones in (never re-reading the rest of history); a change of the
 * account's time zone rebuilds them all (rollups.module.ts). Local days are read by PostgreSQL, here and in the queries, so a day's rollup
 * and the facts read at a range's edges always split time at the same instant.
 */

/** `(to_timestamp(x) at time zone z)`: the wall clock of an instant. */
const wallClock = (instant: RawBuilder<unknown>, zone: string) =>
  sql`(to_timestamp(${instant}) at time zone ${zone})`;

/** The hour band of a wall clock (0 sleep, 1 day, 2 evening), as the migration describes. */
function band(clock: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(case when extract(hour from ${clock}) < 8 or extract(hour from ${clock}) >= 23 then 0
                   when extract(hour from ${clock}) < 19 then 1 else 2 end)`;
}

/** The first instant of local day `d` (days since 1970-01-01) in `zone`, in SQL. */
function dayStart(d: RawBuilder<unknown>, zone: string): RawBuilder<unknown> {
  return sql`extract(epoch from ((date '1970-01-01' + ${d})::timestamp at time zone ${zone}))::bigint`;
}

const names = (columns: readonly string[]) =>
  sql.join(
    columns.map((c) => sql.ref(c)),
    sql`, `,
  );

/** Builds the account's daily rollups in `zone` from all its facts (the first build, or a new zone). */
export async function buildDailyRollups(q: Executor, accountId: number, zone: string): Promise<void> {
  await sql`delete from insight_incident_daily where account_id = ${accountId}`.execute(q);
  await sql`delete from insight_responder_daily where account_id = ${accountId}`.execute(q);
  const placed = (table: string, alias: string) => {
    const A = sql.raw(alias);
    return sql`select ${A}.*, (${wallClock(sql`${A}.start_time`, zone)})::date - date '1970-01-01' as day,
                      ${band(wallClock(sql`${A}.start_time`, zone))} as band
                 from ${sql.table(table)} ${A}
                where ${A}.account_id = ${accountId} and not ${A}.ever_muted`;
  };
  await sql`
    insert into insight_incident_daily (${names(['account_id', 'day', 'band', 'channel_id', ...ROLLUP_COLUMNS])})
    select ${accountId}, f.day, f.band, f.channel_id, ${aggregateList(INCIDENT_AGGREGATES)}
      from (${placed('insight_incident_facts', 'f')}) f
     group by f.day, f.band, f.channel_id`.execute(q);
  await sql`
    insert into insight_responder_daily (${names(['account_id', 'person_id', 'day', 'band', ...RESPONDER_ROLLUP_COLUMNS])})
    select ${accountId}, r.person_id, r.day, r.band, ${aggregateList(RESPONDER_AGGREGATES)}
      from (${placed('insight_responder_facts', 'r')}) r
     group by r.person_id, r.day, r.band`.execute(q);
}

/**
 * Adds (sign 1) or takes away (sign -1) the current facts of these incidents in the daily rollups
 * of `zone`: a refresh takes away an incident's old facts, re-derives them, and adds the new ones,
 * so the work follows the incidents that changed, never the days they fall in. Rows left with no
 * incident are removed.
 */
export async function applyToDailyRollups(
  q: Executor,
  accountId: number,
  zone: string,
  incidentIds: readonly string[],
  sign: 1 | -1,
): Promise<void> {
  if (incidentIds.length === 0) return;
  const ids = [...incidentIds];
  const signed = (aggregates: readonly [string, RawBuilder<unknown>][]) =>
    sql.join(
      aggregates.map(([name, expr]) => sql`${sql.lit(sign)} * ${expr} as ${sql.ref(name)}`),
      sql`, `,
    );
  const addUp = (table: string, columns: readonly string[]) =>
    sql.join(
      columns.map((c) => sql`${sql.ref(c)} = ${sql.ref(`${table}.${c}`)} + excluded.${sql.ref(c)}`),
      sql`, `,
    );
  const placed = (table: string, alias: string) => {
    const A = sql.raw(alias);
    return sql`select ${A}.*, (${wallClock(sql`${A}.start_time`, zone)})::date - date '1970-01-01' as day,
                      ${band(wallClock(sql`${A}.start_time`, zone))} as band
                 from ${sql.table(table)} ${A}
                where ${A}.incident_id = any(${ids}::text[]) and ${A}.account_id = ${accountId} and not ${A}.ever_muted`;
  };
  const emptied = await sql<{ day: number; band: number; channel_id: number }>`
    insert into insight_incident_daily (${names(['account_id', 'day', 'band', 'channel_id', ...ROLLUP_COLUMNS])})
    select ${accountId}, f.day, f.band, f.channel_id, ${signed(INCIDENT_AGGREGATES)}
      from (${placed('insight_incident_facts', 'f')}) f
     group by f.day, f.band, f.channel_id
    on conflict (account_id, day, band, channel_id) do update set ${addUp('insight_incident_daily', ROLLUP_COLUMNS)}
    returning day, band, channel_id, incidents`.execute(q);
  const gone = emptied.rows.filter((row) => Number((row as { incidents?: unknown }).incidents) === 0);
  for (const row of gone) {
    await sql`delete from insight_incident_daily
               where account_id = ${accountId} and day = ${row.day} and band = ${row.band}
                 and channel_id = ${row.channel_id} and incidents = 0`.execute(q);
  }
  const emptiedPeople = await sql<{ person_id: number; day: number; band: number; incidents: unknown }>`
    insert into insight_responder_daily (${names(['account_id', 'person_id', 'day', 'band', ...RESPONDER_ROLLUP_COLUMNS])})
    select ${accountId}, r.person_id, r.day, r.band, ${signed(RESPONDER_AGGREGATES)}
      from (${placed('insight_responder_facts', 'r')}) r
     group by r.person_id, r.day, r.band
    on conflict (account_id, person_id, day, band) do update set ${addUp('insight_responder_daily', RESPONDER_ROLLUP_COLUMNS)}
    returning person_id, day, band, incidents`.execute(q);
  for (const row of emptiedPeople.rows.filter((r) => Number(r.incidents) === 0)) {
    await sql`delete from insight_responder_daily
               where account_id = ${accountId} and person_id = ${row.person_id} and day = ${row.day}
                 and band = ${row.band} and incidents = 0`.execute(q);
  }
}

/** The local days wholly inside [start, end) in `zone`: [from, to) and the instants they start at. */
export async function wholeDays(
  q: Executor,
  zone: string,
  start: number,
  end: number,
): Promise<{ from: number; to: number; fromInstant: number; toInstant: number }> {
  const { rows } = await sql<{ d0: number; d1: number; m0: string; m0next: string; m1: string }>`
    select d0, d1, ${dayStart(sql`d0`, zone)} as m0, ${dayStart(sql`d0 + 1`, zone)} as m0next,
           ${dayStart(sql`d1`, zone)} as m1
      from (select (${wallClock(sql`${start}::bigint`, zone)})::date - date '1970-01-01' as d0,
                   (${wallClock(sql`${end}::bigint`, zone)})::date - date '1970-01-01' as d1) d`.execute(q);
  const row = rows[0]!;
  // The day holding `start` counts only when the range starts at its first instant.
  const whole = Number(row.m0) === start;
  return {
    from: whole ? Number(row.d0) : Number(row.d0) + 1,
    to: Number(row.d1),
    fromInstant: whole ? start : Number(row.m0next),
    toInstant: Number(row.m1),
  };
}

/**
 * Builds the account's daily rollups anew in its current time zone (the account's zone changed, or
 * they were never built), if its facts exist; returns whether it did. Serialised with refreshes.
 */
export async function rebuildDailyRollups(db: Db, accountId: number): Promise<boolean> {
  return db.withStatementTimeout('long', () =>
    db.q.transaction().execute(async (trx) => {
      await lockAccount(trx, accountId);
      const state = await trx
        .selectFrom('insight_refresh_state as s')
        .innerJoin('accounts as a', 'a.account_id', 's.account_id')
        .select(['s.rollup_zone', 'a.time_zone'])
        .where('s.account_id', '=', accountId)
        .executeTakeFirst();
      if (!state || state.rollup_zone === state.time_zone) return false;
      await buildDailyRollups(trx, accountId, state.time_zone);
      await trx
        .updateTable('insight_refresh_state')
        .set({ rollup_zone: state.time_zone })
        .where('account_id', '=', accountId)
        .execute();
      return true;
    }),
  );
}

/** Refreshes and rebuilds of one account's facts and rollups run one at a time. */
export async function lockAccount(q: Executor, accountId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`insights:${accountId}`}, 0))`.execute(q);
}
