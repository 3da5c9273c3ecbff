import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/accounts/permissions.ts';
import type { AggregateUnit } from '../../src/insights/buckets.ts';
import type { FilterInput } from '../../src/insights/insight-filter.ts';
import {
  accountInsight,
  channelInsight,
  type InsightDeps,
  incidentList,
  responderInsight,
  teamInsight,
} from '../../src/insights/insights.service.ts';
import { newObjectId } from '../../src/shared/ids.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

/*
 * The rollups against the straightforward computation (docs/insights.md, "How the numbers are
 * kept"): a few thousand random incidents with random response histories over two daylight-saving
 * changes of New York and Berlin, then random filters answered twice, once with the rollups and once
 * from the facts alone, which must agree exactly. Then late changes (reopens, acknowledgements,
 * reassignments, merges, removals, incidents that arrive late) and a change of the account's time
 * zone, each followed by the same comparison.
 */

const DAY = 86_400;
const HOUR = 3_600;
const SPAN_START = Date.UTC(2025, 9, 1) / 1000; // 2025-10-01: both zones fall back in the span...
const SPAN_END = Date.UTC(2026, 3, 10) / 1000; // ...and spring forward (2026-03-08, 2026-03-29).
const INCIDENTS = 3_000;

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SEED = 27;
const rnd = random(SEED);
const int = (from: number, to: number) => from + Math.floor(rnd() * (to - from + 1));
const pick = <T>(values: readonly T[]): T => values[int(0, values.length - 1)]!;
const subset = <T>(values: readonly T[]): T[] => values.filter(() => rnd() < 0.5);

let t: TestApp;
let owner: TestAccount;
let actor: Actor;
let people: number[] = [];
const teams: number[] = [];
const channels: number[] = [];
const incidentIds: string[] = [];

type Row = Record<string, unknown>;
const feedRows: Row[] = [];
const deliveryRows: Row[] = [];
let deliverySeq = 0;

function entry(incidentId: string, type: string, atMs: number, creator: number, detail: object) {
  feedRows.push({
    ref_id: newObjectId(atMs),
    account_id: owner.accountId,
    incident_id: incidentId,
    type,
    detail: JSON.stringify(detail),
    creator_id: creator,
    created_at: atMs,
  });
}

function delivery(incidentId: string, person: number, channel: string, atMs: number, ok: boolean) {
  deliveryRows.push({
    account_id: owner.accountId,
    incident_id: incidentId,
    step: `prop:${++deliverySeq}`,
    recipient: `person:${person}`,
    channel,
    person_id: person,
    target: JSON.stringify({}),
    template_id: '000000000000000000000000',
    facts: JSON.stringify({}),
    status: ok ? 'success' : 'failed',
    next_attempt_at: atMs,
    attempted_at: atMs,
    created_at: atMs,
  });
}

/** One incident triggered at `start` with a random history, all of it before `nowS`. */
function incident(start: number, nowS: number): Row {
  const id = newObjectId(start * 1000 + int(0, 999));
  const life = (s: number) => Math.min(start + s, nowS - 60);
  const first = pick(people);
  entry(id, 'i_assign', start * 1000, 0, { person_ids: [first], type: 'assign', layer_idx: 0 });
  delivery(id, first, pick(['sms', 'voice', 'email', 'app']), start * 1000, rnd() < 0.9);
  if (rnd() < 0.4) delivery(id, first, pick(['sms', 'voice', 'app']), start * 1000 + int(0, 120_000), true);
  const responders = [{ person_id: first, assigned_at: start, acknowledged_at: 0 }];
  let holder = first;
  if (rnd() < 0.3) {
    holder = pick(people);
    const kind = pick(['escalate', 'reassign']);
    const from = kind === 'escalate' ? pick(['timeout', 'manual']) : 'manual';
    const at = life(int(60, 3_600));
    entry(id, 'i_assign', at * 1000, 0, { person_ids: [holder], type: kind, layer_idx: 1, from });
    delivery(id, holder, pick(['sms', 'voice']), at * 1000, true);
    if (holder !== first) responders.push({ person_id: holder, assigned_at: at, acknowledged_at: 0 });
  }
  if (rnd() < 0.7) {
    const at = life(int(30, 7_200));
    entry(id, 'i_ack', at * 1000, holder, { person_id: holder });
    if (rnd() < 0.15) {
      entry(id, 'i_unack', (at + 30) * 1000, holder, {});
      if (rnd() < 0.5) entry(id, 'i_ack', (at + 90) * 1000, holder, { person_id: holder });
    }
  }
  const closed = rnd() < 0.8;
  const closeAt = life(int(600, 2 * DAY));
  if (closed) {
    entry(id, 'i_rslv', closeAt * 1000, 0, { from: pick(['event', 'autorslv', 'console', 'merge']) });
  }
  const alerts = int(1, 4);
  incidentIds.push(id);
  return {
    incident_id: id,
    account_id: owner.accountId,
    channel_id: pick(channels),
    title: `Incident ${incidentIds.length}`,
    description: '',
    incident_severity: pick(['Critical', 'Warning', 'Info']),
    incident_status: closed ? 'Ok' : 'Critical',
    progress: closed ? 'Closed' : pick(['Triggered', 'Processing']),
    start_time: start,
    last_time: start,
    close_time: closed ? closeAt : 0,
    closer_id: 0,
    ever_muted: rnd() < 0.05,
    labels: JSON.stringify({ service: `svc-${int(1, 4)}` }),
    fields: JSON.stringify({}),
    images: JSON.stringify([]),
    responders: JSON.stringify(responders),
    assigned_to: JSON.stringify({ person_ids: [holder] }),
    alert_cnt: alerts,
    alert_event_cnt: alerts + int(0, 6),
    created_at: start,
    updated_at: start,
  };
}

async function insertAll(table: 'incidents' | 'feed_entries' | 'notification_deliveries', rows: Row[]) {
  for (let i = 0; i < rows.length; i += 250) {
    await t.db.q
      .insertInto(table)
      .values(rows.slice(i, i + 250) as never)
      .execute();
  }
  rows.length = 0;
}

async function writeHistory(incidents: Row[]) {
  await insertAll('incidents', incidents);
  await insertAll('feed_entries', feedRows);
  await insertAll('notification_deliveries', deliveryRows);
}

/** A random filter over the span: any length, any alignment, sometimes another zone. */
function randomQuery(accountZone: string): FilterInput & { split_hours?: boolean } {
  const start = int(SPAN_START - 2 * DAY, SPAN_END - DAY);
  const length = pick([DAY, 3 * DAY, int(DAY, 31 * DAY), int(DAY, 120 * DAY), 366 * DAY]);
  const end = start + length;
  const unit: AggregateUnit | undefined = pick([
    undefined,
    ...(length <= 31 * DAY ? (['day'] as const) : []),
    'week',
    'month',
  ]);
  const query: FilterInput & { split_hours?: boolean } = { start_time: start, end_time: end };
  if (unit) query.aggregate_unit = unit;
  if (rnd() < 0.4) query.split_hours = true;
  const zone = pick([
    accountZone,
    accountZone,
    accountZone,
    'America/New_York',
    'Europe/Berlin',
    'Asia/Kolkata',
  ]);
  if (zone !== accountZone || rnd() < 0.3) query.time_zone = zone;
  const scope = rnd();
  if (scope < 0.15) query.channel_ids = subset(channels);
  else if (scope < 0.3) query.team_ids = subset(teams);
  if (rnd() < 0.3) query.responder_ids = subset(people);
  if (rnd() < 0.05) query.severities = ['Critical'];
  if (rnd() < 0.05) query.include_ever_muted = true;
  return query;
}

const fast = (): InsightDeps => ({ db: t.db, clock: t.clock });
const straight = (): InsightDeps => ({ db: t.db, clock: t.clock, rollups: false });

/** Every operation answered with the rollups and from the facts alone, as the routes run them. */
function compare(accountZone: string, queries: number): Promise<number> {
  return t.db.withStatementTimeout('long', () => compareAll(accountZone, queries));
}

async function compareAll(accountZone: string, queries: number): Promise<number> {
  for (let i = 0; i < queries; i++) {
    const query = randomQuery(accountZone);
    const what = JSON.stringify(query);
    expect(await accountInsight(fast(), actor, query), what).toEqual(
      await accountInsight(straight(), actor, query),
    );
    expect(await channelInsight(fast(), actor, query), what).toEqual(
      await channelInsight(straight(), actor, query),
    );
    expect(await teamInsight(fast(), actor, query), what).toEqual(
      await teamInsight(straight(), actor, query),
    );
    expect(await responderInsight(fast(), actor, query), what).toEqual(
      await responderInsight(straight(), actor, query),
    );
    const list = { ...query, limit: 5 };
    expect((await incidentList(fast(), actor, list)).total, what).toBe(
      (await incidentList(straight(), actor, list)).total,
    );
  }
  return queries;
}

async function rollupZone(): Promise<string | null> {
  const row = await t.db.q
    .selectFrom('insight_refresh_state')
    .select('rollup_zone')
    .where('account_id', '=', owner.accountId)
    .executeTakeFirst();
  return row?.rollup_zone ?? null;
}

async function setAccountZone(zone: string) {
  await t.db.q
    .updateTable('accounts')
    .set({ time_zone: zone })
    .where('account_id', '=', owner.accountId)
    .execute();
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Rollups');
  actor = {
    accountId: owner.accountId,
    memberId: owner.memberId,
    memberName: '',
    roleIds: [],
    permissions: new Set(),
  };
  for (let i = 0; i < 8; i++)
    people.push((await t.newMember(owner, [3], `p${i}-${owner.accountId}`)).memberId);
  for (const name of ['A', 'B']) {
    const team = await t.post('/team/upsert', { team_name: name }, owner.appKey);
    teams.push(team.body.data.team_id);
  }
  for (const [i, name] of ['c1', 'c2', 'c3', 'c4'].entries()) {
    const res = await t.post('/channel/create', { channel_name: name, team_id: teams[i % 2] }, owner.appKey);
    channels.push(res.body.data.channel_id);
  }
  people = [...people, owner.memberId];
  t.clock.advance((SPAN_END + 5 * DAY) * 1000 - t.clock.nowMs());
  await setAccountZone('America/New_York');
  const nowS = Math.floor(t.clock.nowMs() / 1000);
  const rows: Row[] = [];
  for (let i = 0; i < INCIDENTS; i++) {
    // Denser around the changes' nights, so days of 23 and 25 hours hold many incidents.
    const near = pick([Date.UTC(2025, 10, 2, 6), Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 2, 29, 1)]) / 1000;
    const start = rnd() < 0.3 ? near + int(-30 * HOUR, 30 * HOUR) : int(SPAN_START, SPAN_END);
    rows.push(incident(start, nowS));
  }
  await writeHistory(rows);
}, 600_000);
afterAll(() => t?.close());

describe('insight rollups against the facts', () => {
  it('agree on random filters across daylight-saving changes (New York)', async () => {
    await compare('America/New_York', 12);
    expect(await rollupZone()).toBe('America/New_York');
    const daily = await sql<{ n: string }>`
      select count(*) as n from insight_incident_daily where account_id = ${owner.accountId}`.execute(t.db.q);
    expect(Number(daily.rows[0]!.n)).toBeGreaterThan(100);
  }, 600_000);

  it('agree after late changes: reopens, acknowledgements, reassignments, merges, removals, late incidents', async () => {
    t.clock.advance(HOUR * 1000);
    const nowMs = t.clock.nowMs();
    const nowS = Math.floor(nowMs / 1000);
    const touched = new Set<string>();
    const sample = () => {
      const id = pick(incidentIds);
      touched.add(id);
      return id;
    };
    for (let i = 0; i < 40; i++) {
      // Reopened: open again, a new timeline entry.
      const id = sample();
      await t.db.q
        .updateTable('incidents')
        .set({ progress: 'Processing', close_time: 0, incident_status: 'Critical', updated_at: nowS })
        .where('incident_id', '=', id)
        .execute();
      entry(id, 'i_reopen', nowMs + i, 0, {});
    }
    for (let i = 0; i < 40; i++) {
      const id = sample();
      const person = pick(people);
      entry(id, 'i_assign', nowMs + 100 + i, 0, { person_ids: [person], type: 'reassign', from: 'manual' });
      entry(id, 'i_ack', nowMs + 200 + i, person, { person_id: person });
      delivery(id, person, 'voice', nowMs + 150 + i, true);
    }
    for (let i = 0; i < 30; i++) {
      // Merged into another incident: closed by the merge.
      const id = sample();
      await t.db.q
        .updateTable('incidents')
        .set({ progress: 'Closed', close_time: nowS, incident_status: 'Ok', updated_at: nowS })
        .where('incident_id', '=', id)
        .execute();
      entry(id, 'i_rslv', nowMs + 300 + i, 0, { from: 'merge' });
    }
    for (let i = 0; i < 20; i++) {
      const id = sample();
      await t.db.q
        .updateTable('incidents')
        .set({ deleted_at: nowS, updated_at: nowS })
        .where('incident_id', '=', id)
        .execute();
    }
    await insertAll('feed_entries', feedRows);
    await insertAll('notification_deliveries', deliveryRows);
    // Incidents that arrive late: triggered long ago, written now (their timeline entries are new).
    const late: Row[] = [];
    for (let i = 0; i < 30; i++) late.push(incident(int(SPAN_START, SPAN_END), nowS));
    for (const row of feedRows) {
      row.created_at = Math.max(Number(row.created_at), nowMs + 400);
      row.ref_id = newObjectId(Number(row.created_at));
    }
    await writeHistory(late);
    t.clock.advance(1_000);
    await compare('America/New_York', 10);
  }, 600_000);

  it('are rebuilt in the background when the account changes its time zone, and read meanwhile', async () => {
    await setAccountZone('Europe/Berlin');
    // Until the rebuild, queries in the new zone read the hourly rollup and the facts.
    await compare('Europe/Berlin', 5);
    expect(await rollupZone()).toBe('America/New_York');
    t.clock.advance(60_000);
    await t.engine.runOnce(t.clock.nowMs());
    expect(await rollupZone()).toBe('Europe/Berlin');
    await compare('Europe/Berlin', 10);
  }, 600_000);

  it('are what the fast path reads (a corrupted rollup shows)', async () => {
    const year = {
      start_time: SPAN_START,
      end_time: SPAN_START + 190 * DAY,
      aggregate_unit: 'month' as const,
    };
    const long = <T>(work: () => Promise<T>) => t.db.withStatementTimeout('long', work);
    const before = await long(() => accountInsight(fast(), actor, year));
    await sql`update insight_incident_daily set incidents = incidents + 1000
               where account_id = ${owner.accountId}`.execute(t.db.q);
    const after = await long(() => accountInsight(fast(), actor, year));
    expect(after).not.toEqual(before);
    expect(await long(() => accountInsight(straight(), actor, year))).toEqual(before);
  }, 600_000);
});
