import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import { aggregateList, INCIDENT_AGGREGATES, ROLLUP_COLUMNS } from './aggregates.ts';
import { applyToDailyRollups, buildDailyRollups, lockAccount } from './rollups.store.ts';

type Executor = Db['q'];

/*
 * Insight facts (migration 0016, docs/insights.md "How the numbers are kept"): one row per incident
 * and one per incident × responder, derived set-based from the incident row, its timeline
 * (feed_entries: i_assign, i_ack, i_unack, i_rslv) and its notification deliveries. An insight query
 * first refreshes the facts of the incidents whose timeline moved since the last refresh (plus open
 * incidents, whose alert counters move without a timeline entry), so answers are exact without any
 * work on the ingestion path.
 */

/** A refresh re-reads this much timeline before its watermark: entries may commit out of time order. */
const OVERLAP_MS = 120_000;

/** Channels whose deliveries interrupt a person (SMS, voice, app push). */
const INTERRUPTING = sql.raw(`('sms', 'voice', 'app')`);

type Scope = { all: true } | { ids: readonly string[] };

function scopeWhere(scope: Scope): RawBuilder<unknown> {
  return 'all' in scope ? sql`true` : sql`i.incident_id = any(${[...scope.ids]}::text[])`;
}

/** The smallest ObjectID-style ref_id made at or after this time: feed ref_ids start with their second. */
function refIdFloor(ms: number): string {
  return Math.max(0, Math.floor(ms / 1000))
    .toString(16)
    .padStart(8, '0')
    .padEnd(24, '0');
}

/** Recomputes the facts of the incidents in scope (all of the account's, or these). */
async function deriveFacts(q: Executor, accountId: number, scope: Scope): Promise<void> {
  if ('ids' in scope && scope.ids.length === 0) return;
  const where = scopeWhere(scope);
  if ('all' in scope) {
    await sql`delete from insight_responder_facts where account_id = ${accountId}`.execute(q);
    await sql`delete from insight_incident_facts where account_id = ${accountId}`.execute(q);
  } else {
    const ids = [...scope.ids];
    await sql`delete from insight_responder_facts where account_id = ${accountId} and incident_id = any(${ids}::text[])`.execute(
      q,
    );
    await sql`delete from insight_incident_facts where account_id = ${accountId} and incident_id = any(${ids}::text[])`.execute(
      q,
    );
  }

  await sql`
    insert into insight_responder_facts (
      incident_id, person_id, account_id, channel_id, start_time, ever_muted, assigned_at, ack_time,
      engaged_seconds, notifications, interruptions, reassigned, escalated, timeout_escalated, manually_escalated)
    with scope as (
      select i.incident_id, i.channel_id, i.start_time, i.ever_muted, i.progress, i.close_time,
             case when jsonb_typeof(i.responders) = 'array' then i.responders else '[]'::jsonb end as responders
        from incidents i
       where i.account_id = ${accountId} and i.deleted_at = 0 and ${where}
    ),
    feed as (
      select f.incident_id, f.ref_id, f.type, f.detail, f.creator_id, f.created_at
        from feed_entries f join scope s on s.incident_id = f.incident_id
       where f.type in ('i_assign', 'i_ack', 'i_unack')
    ),
    ack_rows as (
      select incident_id, creator_id as person_id, type, created_at,
             max(case when type = 'i_unack' then created_at end)
               over (partition by incident_id, creator_id) as last_unack
        from feed where type in ('i_ack', 'i_unack') and creator_id > 0
    ),
    acks as (
      select incident_id, person_id,
             min(created_at) filter (where type = 'i_ack' and created_at > coalesce(last_unack, -1)) as ack_ms
        from ack_rows group by incident_id, person_id
    ),
    assigns as (
      select incident_id, created_at,
             coalesce(detail->>'type', 'assign') as kind,
             coalesce(detail->>'from', '') as source,
             case when jsonb_typeof(detail->'person_ids') = 'array' then detail->'person_ids' else '[]'::jsonb end as persons,
             row_number() over (partition by incident_id order by created_at, ref_id) as seq
        from feed where type = 'i_assign'
    ),
    assigned as (
      select a.incident_id, p.value::bigint as person_id, min(a.seq) as first_seq, min(a.created_at) as first_ms
        from assigns a cross join lateral jsonb_array_elements_text(a.persons) p(value)
       group by 1, 2
    ),
    moved as (
      select x.incident_id, x.person_id,
             bool_or(a.kind = 'reassign') as reassigned,
             bool_or(a.kind = 'escalate') as escalated,
             bool_or(a.kind = 'escalate' and a.source <> 'manual') as timeout_escalated,
             bool_or(a.kind = 'escalate' and a.source = 'manual') as manually_escalated
        from assigned x
        join assigns a on a.incident_id = x.incident_id and a.seq > x.first_seq
       where not a.persons @> to_jsonb(x.person_id)
       group by 1, 2
    ),
    listed as (
      select s.incident_id, (r->>'person_id')::bigint as person_id,
             coalesce((r->>'assigned_at')::bigint, 0) as assigned_at
        from scope s cross join lateral jsonb_array_elements(s.responders) r
       where jsonb_typeof(r->'person_id') = 'number'
    ),
    notes as (
      select incident_id, person_id, count(*) as notifications,
             count(*) filter (where interrupting and (prev is null or created_at - prev >= 60000)) as interruptions
        from (
          select d.incident_id, d.person_id, d.created_at, d.channel in ${INTERRUPTING} as interrupting,
                 lag(d.created_at) over (
                   partition by d.incident_id, d.person_id, d.channel in ${INTERRUPTING}
                   order by d.created_at) as prev
            from notification_deliveries d join scope s on s.incident_id = d.incident_id
           where d.account_id = ${accountId} and d.status = 'success' and d.person_id > 0
        ) n
       group by 1, 2
    ),
    people as (
      select incident_id, person_id from assigned
      union select incident_id, person_id from acks
      union select incident_id, person_id from listed
    )
    select p.incident_id, p.person_id, ${accountId}, s.channel_id, s.start_time, s.ever_muted,
           coalesce(x.first_ms / 1000, nullif(l.assigned_at, 0), 0),
           coalesce(k.ack_ms / 1000, 0),
           case when s.progress = 'Closed' and k.ack_ms is not null
                then greatest(s.close_time - k.ack_ms / 1000, 0) else 0 end,
           coalesce(n.notifications, 0), coalesce(n.interruptions, 0),
           coalesce(m.reassigned, false), coalesce(m.escalated, false),
           coalesce(m.timeout_escalated, false), coalesce(m.manually_escalated, false)
      from people p
      join scope s on s.incident_id = p.incident_id
      left join assigned x on x.incident_id = p.incident_id and x.person_id = p.person_id
      left join listed l on l.incident_id = p.incident_id and l.person_id = p.person_id
      left join acks k on k.incident_id = p.incident_id and k.person_id = p.person_id
      left join notes n on n.incident_id = p.incident_id and n.person_id = p.person_id
      left join moved m on m.incident_id = p.incident_id and m.person_id = p.person_id
  `.execute(q);

  await sql`
    insert into insight_incident_facts (
      incident_id, account_id, channel_id, start_time, severity, ever_muted, ack_time, close_time, closed_by,
      engaged_seconds, notifications, interruptions, assignments, reassignments, acknowledgements,
      escalations, timeout_escalations, manual_escalations, alert_cnt, alert_event_cnt)
    with scope as (
      select i.incident_id, i.channel_id, i.start_time, i.incident_severity, i.ever_muted, i.progress,
             i.close_time, i.alert_cnt, i.alert_event_cnt
        from incidents i
       where i.account_id = ${accountId} and i.deleted_at = 0 and ${where}
    ),
    feed as (
      select f.incident_id, f.ref_id, f.type, f.detail, f.created_at
        from feed_entries f join scope s on s.incident_id = f.incident_id
       where f.type in ('i_assign', 'i_ack', 'i_rslv')
    ),
    timeline as (
      select incident_id,
             count(*) filter (where type = 'i_assign') as assignments,
             count(*) filter (where type = 'i_assign' and detail->>'type' = 'reassign') as reassignments,
             count(*) filter (where type = 'i_ack') as acknowledgements,
             count(*) filter (where type = 'i_assign' and detail->>'type' = 'escalate') as escalations,
             count(*) filter (where type = 'i_assign' and detail->>'type' = 'escalate'
                                and coalesce(detail->>'from', '') <> 'manual') as timeout_escalations,
             count(*) filter (where type = 'i_assign' and detail->>'type' = 'escalate'
                                and detail->>'from' = 'manual') as manual_escalations
        from feed group by incident_id
    ),
    closes as (
      select distinct on (incident_id) incident_id, coalesce(detail->>'from', '') as source
        from feed where type = 'i_rslv'
       order by incident_id, created_at desc, ref_id desc
    ),
    notes as (
      select d.incident_id, count(*) as notifications
        from notification_deliveries d join scope s on s.incident_id = d.incident_id
       where d.account_id = ${accountId} and d.status = 'success'
       group by 1
    ),
    people as (
      select r.incident_id, min(nullif(r.ack_time, 0)) as ack_time,
             sum(r.engaged_seconds) as engaged_seconds, sum(r.interruptions) as interruptions
        from insight_responder_facts r join scope s on s.incident_id = r.incident_id
       group by 1
    )
    select s.incident_id, ${accountId}, s.channel_id, s.start_time, s.incident_severity, s.ever_muted,
           coalesce(p.ack_time, 0),
           case when s.progress = 'Closed' then s.close_time else 0 end,
           case when s.progress <> 'Closed' then ''
                when c.source = 'event' then 'auto'
                when c.source = 'autorslv' then 'timeout'
                else 'manually' end,
           coalesce(p.engaged_seconds, 0), coalesce(n.notifications, 0), coalesce(p.interruptions, 0),
           coalesce(t.assignments, 0), coalesce(t.reassignments, 0), coalesce(t.acknowledgements, 0),
           coalesce(t.escalations, 0), coalesce(t.timeout_escalations, 0), coalesce(t.manual_escalations, 0),
           s.alert_cnt, s.alert_event_cnt
      from scope s
      left join timeline t on t.incident_id = s.incident_id
      left join closes c on c.incident_id = s.incident_id
      left join notes n on n.incident_id = s.incident_id
      left join people p on p.incident_id = s.incident_id
  `.execute(q);
}

/** Re-sums the hourly rollup (never-muted incidents) of the account: every hour, or these UTC hours. */
async function rollUp(q: Executor, accountId: number, hours: readonly number[] | 'all'): Promise<void> {
  if (hours !== 'all' && hours.length === 0) return;
  const columns = sql.join(
    ['account_id', 'hour', 'channel_id', ...ROLLUP_COLUMNS].map((c) => sql.ref(c)),
    sql`, `,
  );
  const which =
    hours === 'all'
      ? sql`true`
      : sql`f.start_time >= ${Math.min(...hours) * 3600} and f.start_time < ${(Math.max(...hours) + 1) * 3600}
            and f.start_time / 3600 = any(${[...hours]}::bigint[])`;
  await (hours === 'all'
    ? sql`delete from insight_incident_hourly where account_id = ${accountId}`
    : sql`delete from insight_incident_hourly where account_id = ${accountId} and hour = any(${[...hours]}::bigint[])`
  ).execute(q);
  await sql`
    insert into insight_incident_hourly (${columns})
    select f.account_id, f.start_time / 3600, f.channel_id, ${aggregateList(INCIDENT_AGGREGATES)}
      from insight_incident_facts f
     where f.account_id = ${accountId} and not f.ever_muted and ${which}
     group by 1, 2, 3`.execute(q);
}

/**
 * The incidents a refresh looks at, each with what it saw of it: their timeline entries since the
 * watermark less OVERLAP_MS (how many, the newest), and the change marker (migration 0020) of open
 * incidents updated since (their alert counters change without a timeline entry) and of incidents
 * removed since.
 */
async function lookAround(q: Executor, accountId: number, feedMs: number): Promise<Map<string, string>> {
  const sinceMs = feedMs - OVERLAP_MS;
  const since = Math.floor(sinceMs / 1000);
  const { rows } = await sql<{ incident_id: string; seen: string }>`
    select incident_id, string_agg(seen, ',' order by seen) as seen from (
      select incident_id, 'f' || count(*) || ':' || max(created_at) || ':' || max(ref_id) as seen
        from feed_entries
       where ref_id >= ${refIdFloor(sinceMs)} and account_id = ${accountId} and incident_id is not null
       group by incident_id
      union all
      select incident_id, 'o' || coalesce(change_xid::text, '') || ':' || updated_at from incidents
       where channel_id = any(array(select channel_id from channels where account_id = ${accountId}) || 0::bigint)
         and progress <> 'Closed' and account_id = ${accountId} and deleted_at = 0 and updated_at >= ${since}
      union all
      select incident_id, 'd' || coalesce(change_xid::text, '') || ':' || deleted_at from incidents
       where account_id = ${accountId} and deleted_at >= ${since}
    ) looked
    group by incident_id`.execute(q);
  return new Map(rows.map((row) => [row.incident_id, row.seen]));
}

/** The incidents seen differently from the previous refresh (or not at all): those to derive again. */
function changedSince(looked: Map<string, string>, seen: Record<string, string>): string[] {
  return [...looked].filter(([id, now]) => seen[id] !== now).map(([id]) => id);
}

/**
 * Brings the account's facts and rollups up to date: the first time, every incident; afterwards the
 * incidents the refresh looks at (lookAround) that it did not see the same way last time. Without
 * such an incident it writes nothing and takes no lock: two small reads. Otherwise serialised per
 * account, so concurrent queries do the work once. Returns the zone the daily rollups are kept in
 * (null: none).
 */
export async function refreshFacts(db: Db, accountId: number, nowMs: number): Promise<string | null> {
  const current = await db.q
    .selectFrom('insight_refresh_state')
    .select(['feed_ms', 'rollup_zone', 'seen'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (
    current &&
    changedSince(await lookAround(db.q, accountId, current.feed_ms), current.seen).length === 0
  ) {
    return current.rollup_zone;
  }
  return db.q.transaction().execute(async (trx) => {
    await lockAccount(trx, accountId);
    const state = await trx
      .selectFrom('insight_refresh_state')
      .select(['feed_ms', 'rollup_zone', 'seen'])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    // Daily rollups are kept in their own zone; the first build takes the account's.
    let rollupZone = state?.rollup_zone ?? null;
    // The newest timeline entry of any account: the next refresh reads from there.
    const newest = await sql<{ created_at: number }>`
      select created_at from feed_entries order by ref_id desc limit 1`.execute(trx);
    // Never past this instance's clock: an entry stamped ahead of it must not hide later ones.
    const watermark = Math.min(Math.max(state?.feed_ms ?? 0, Number(newest.rows[0]?.created_at ?? 0)), nowMs);
    // What the next refresh compares with: this window's view, taken before deriving, so an entry
    // committed meanwhile is either derived now and seen again next time, or derived next time.
    const seen = Object.fromEntries(await lookAround(trx, accountId, watermark));

    if (!state) {
      await deriveFacts(trx, accountId, { all: true });
      await rollUp(trx, accountId, 'all');
      const account = await trx
        .selectFrom('accounts')
        .select('time_zone')
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      rollupZone = account?.time_zone ?? 'UTC';
      await buildDailyRollups(trx, accountId, rollupZone);
    } else {
      const ids = changedSince(await lookAround(trx, accountId, state.feed_ms), state.seen);
      if (rollupZone) await applyToDailyRollups(trx, accountId, rollupZone, ids, -1);
      await deriveFacts(trx, accountId, { ids });
      if (rollupZone) await applyToDailyRollups(trx, accountId, rollupZone, ids, 1);
      if (ids.length > 0) {
        const hours = await sql<{ hour: number }>`
          select distinct start_time / 3600 as hour from incidents where incident_id = any(${ids}::text[])`.execute(
          trx,
        );
        await rollUp(
          trx,
          accountId,
          hours.rows.map((row) => Number(row.hour)),
        );
      }
    }
    const values = { feed_ms: watermark, refreshed_at: nowMs, seen: JSON.stringify(seen) };
    await trx
      .insertInto('insight_refresh_state')
      .values({ account_id: accountId, ...values, rollup_zone: rollupZone })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
      .execute();
    return rollupZone;
  });
}
