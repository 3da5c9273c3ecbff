import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { TEST_DATABASE_URL } from '../harness/database.ts';
import { pushStandard } from '../ingest/helpers.ts';
import {
  alert,
  alertFeedOf,
  alertsOf,
  feedOf,
  fire,
  incident,
  newSource,
  ok,
  recover,
  type Source,
} from './actions-helpers.ts';
import { documentedErrors, feedErrors } from './read-helpers.ts';

/*
 * A channel's auto-resolve (auto_resolve_timeout, auto_resolve_mode), run by the engine's
 * auto-resolve module: incidents come from pushed events, the clock is moved, a cycle is run with
 * engine.runOnce, and the result is read back from the database and through the API.
 */

let t: TestApp;
let owner: TestAccount;
beforeEach(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Auto-resolve');
});
afterEach(() => t.close());

const TIMEOUT = 600;
const now = () => Math.floor(t.clock.nowMs() / 1000);
const advance = (seconds: number) => t.clock.advance(seconds * 1000);
const cycle = () => t.engine.runOnce(t.clock.nowMs());
const closedByTimeout = async () => (await cycle()).changed['auto-resolve'];

const autoResolving = (mode: 'trigger' | 'update', extra: Record<string, unknown> = {}) =>
  newSource(t, owner, { auto_resolve_timeout: TIMEOUT, auto_resolve_mode: mode, ...extra });

async function info(incidentId: string) {
  const res = await t.post('/incident/info', { incident_id: incidentId }, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(documentedErrors('/incident/info', res.body)).toEqual([]);
  return res.body.data;
}

async function apiFeed(incidentId: string) {
  const res = await t.post('/incident/feed', { incident_id: incidentId, asc: true }, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(feedErrors('/incident/feed', res.body)).toEqual([]);
  return res.body.data.items as { type: string; creator_id: number; detail: Record<string, unknown> }[];
}

/** Pushes a changed event for an open alert (a new description), so it merges into the incident. */
const update = (source: Source, alertKey: string, text: string) =>
  pushStandard(t, source.key, {
    event_status: 'Warning',
    alert_key: alertKey,
    title_rule: `Alert ${alertKey}`,
    labels: { host: 'db1' },
    description: text,
  });

describe('auto-resolve, mode trigger: counts from the incident start', () => {
  it('leaves the incident open 1 s before the deadline and closes it, with its alerts, at the deadline', async () => {
    const source = await autoResolving('trigger', { group: { method: 'p', equals: [['labels.service']] } });
    const first = await fire(t, source, { labels: { service: 'api' } });
    const start = now();
    advance(120);
    const second = await fire(t, source, { labels: { service: 'api' } });
    expect(second.incidentId).toBe(first.incidentId);
    await ok(t, owner, '/incident/ack', { incident_ids: [first.incidentId] });
    await ok(t, owner, '/incident/snooze', { incident_ids: [first.incidentId], minutes: 60 });
    advance(300);
    // Events merging later do not move a trigger-mode deadline.
    expect((await update(source, second.alertKey, 'still failing')).status).toBe(200);
    expect((await incident(t, first.incidentId)).last_time).toBe(start + 420);

    advance(TIMEOUT - 420 - 1);
    expect(await closedByTimeout()).toBe(0);
    expect((await incident(t, first.incidentId)).progress).toBe('Processing');

    advance(1);
    expect(now()).toBe(start + TIMEOUT);
    expect(await closedByTimeout()).toBe(1);

    const closed = await incident(t, first.incidentId);
    expect(closed).toMatchObject({
      progress: 'Closed',
      close_time: now(),
      closer_id: 0,
      group_key: null,
      snoozed_before: 0,
      updated_at: now(),
    });
    for (const a of await alertsOf(t, first.incidentId)) expect(a.end_time).toBe(now());

    const entries = (await feedOf(t, first.incidentId)).filter((e) => e.type === 'i_rslv');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      creator_id: 0,
      detail: { from: 'autorslv' },
      created_at: t.clock.nowMs(),
    });
    for (const a of [first, second]) {
      const closes = (await alertFeedOf(t, a.alertId)).filter((e) => e.type === 'a_close');
      expect(closes).toHaveLength(1);
      expect(closes[0]).toMatchObject({
        creator_id: 0,
        detail: { from: 'autorslv', incident_id: first.incidentId },
        created_at: t.clock.nowMs(),
      });
    }

    // Through the API: closed by the system (no closer), the timeline says why.
    const read = await info(first.incidentId);
    expect(read).toMatchObject({ progress: 'Closed', close_time: now(), snoozed_before: 0 });
    expect(read.closer).toBeUndefined();
    const feed = await apiFeed(first.incidentId);
    expect(feed.filter((e) => e.type === 'i_rslv')).toEqual([
      expect.objectContaining({ creator_id: 0, detail: { from: 'autorslv' } }),
    ]);
    const alertFeed = await t.post('/alert/feed', { alert_id: first.alertId }, owner.appKey);
    expect(alertFeed.body.data.items.map((e: { type: string }) => e.type)).toContain('a_close');

    // It takes no more alerts: the next event of the same service opens a new incident.
    const next = await fire(t, source, { labels: { service: 'api' } });
    expect(next.incidentId).not.toBe(first.incidentId);
    expect((await incident(t, next.incidentId)).progress).toBe('Triggered');
  });

  it('closes each incident by its own start time', async () => {
    const source = await autoResolving('trigger');
    const early = await fire(t, source);
    advance(100);
    const late = await fire(t, source);
    advance(TIMEOUT - 100);
    expect(await closedByTimeout()).toBe(1);
    expect((await incident(t, early.incidentId)).progress).toBe('Closed');
    expect((await incident(t, late.incidentId)).progress).toBe('Triggered');
    advance(100);
    expect(await closedByTimeout()).toBe(1);
    expect((await incident(t, late.incidentId)).progress).toBe('Closed');
    // A cycle with nothing due changes nothing.
    expect(await closedByTimeout()).toBe(0);
  });
});

describe('auto-resolve, mode update: counts from the last alert event merged', () => {
  it('a merged event moves the deadline; closed at last_time + timeout, not before', async () => {
    const source = await autoResolving('update');
    const fired = await fire(t, source);
    advance(500);
    expect((await update(source, fired.alertKey, 'worse')).status).toBe(200);
    const lastTime = now();
    expect((await incident(t, fired.incidentId)).last_time).toBe(lastTime);

    // Past start_time + timeout: a trigger-mode channel would have closed it by now.
    advance(TIMEOUT - 500);
    expect(await closedByTimeout()).toBe(0);
    advance(TIMEOUT - 100 - 1);
    expect(now()).toBe(lastTime + TIMEOUT - 1);
    expect(await closedByTimeout()).toBe(0);
    expect((await incident(t, fired.incidentId)).progress).toBe('Triggered');

    advance(1);
    expect(await closedByTimeout()).toBe(1);
    expect(await incident(t, fired.incidentId)).toMatchObject({
      progress: 'Closed',
      close_time: lastTime + TIMEOUT,
      closer_id: 0,
    });
    expect((await alert(t, fired.alertId)).end_time).toBe(lastTime + TIMEOUT);
    expect((await apiFeed(fired.incidentId)).filter((e) => e.type === 'i_rslv')).toEqual([
      expect.objectContaining({ detail: { from: 'autorslv' } }),
    ]);
  });

  it('a new alert joining the incident moves the deadline too', async () => {
    const source = await autoResolving('update', { group: { method: 'p', equals: [['labels.service']] } });
    const first = await fire(t, source, { labels: { service: 'db' } });
    advance(TIMEOUT - 10);
    const joined = await fire(t, source, { labels: { service: 'db' } });
    expect(joined.incidentId).toBe(first.incidentId);
    advance(10);
    expect(await closedByTimeout()).toBe(0);
    advance(TIMEOUT - 10);
    expect(await closedByTimeout()).toBe(1);
    expect((await alertsOf(t, first.incidentId)).map((a) => a.end_time)).toEqual([now(), now()]);
  });
});

describe('what auto-resolve leaves alone', () => {
  it('incidents of a channel without a timeout, of a deleted channel, closed and removed incidents', async () => {
    const off = await newSource(t, owner);
    const untouched = await fire(t, off);
    const source = await autoResolving('trigger');
    const resolved = await fire(t, source);
    const recovered = await fire(t, source);
    const removed = await fire(t, source);
    const gone = await autoResolving('update');
    const ofDeletedChannel = await fire(t, gone);
    advance(10);
    await ok(t, owner, '/incident/resolve', { incident_ids: [resolved.incidentId] });
    await recover(t, source, recovered.alertKey);
    await ok(t, owner, '/incident/remove', { incident_ids: [removed.incidentId] });
    await ok(t, owner, '/datasource/delete', { integration_id: gone.integrationId });
    await ok(t, owner, '/channel/delete', { channel_id: gone.channelId });
    const before = await Promise.all(
      [untouched, resolved, recovered, removed, ofDeletedChannel].map((x) => incident(t, x.incidentId)),
    );
    expect(before.map((i) => i.progress)).toEqual([
      'Triggered',
      'Closed',
      'Closed',
      'Triggered',
      'Triggered',
    ]);

    advance(30 * 24 * 3600);
    expect(await closedByTimeout()).toBe(0);
    const after = await Promise.all(
      [untouched, resolved, recovered, removed, ofDeletedChannel].map((x) => incident(t, x.incidentId)),
    );
    // The cycle's escalation module marks incidents it checked (escalation_checked, its own bookkeeping).
    const unmarked = (rows: typeof before) =>
      rows.map((row) => ({ ...row, escalation_checked: undefined }) as Record<string, unknown>);
    expect(unmarked(after)).toEqual(unmarked(before));
    expect((await feedOf(t, resolved.incidentId)).filter((e) => e.type === 'i_rslv')).toMatchObject([
      { detail: { from: 'console' } },
    ]);
    expect((await feedOf(t, recovered.incidentId)).filter((e) => e.type === 'i_rslv')).toMatchObject([
      { detail: { from: 'event' } },
    ]);
  });

  it('a timeout set later applies to incidents already open; set back to 0, it stops', async () => {
    const source = await newSource(t, owner);
    const fired = await fire(t, source);
    advance(TIMEOUT);
    expect(await closedByTimeout()).toBe(0);
    const channel = { channel_id: source.channelId };
    await ok(t, owner, '/channel/update', { ...channel, auto_resolve_timeout: TIMEOUT * 2 });
    expect(await closedByTimeout()).toBe(0);
    await ok(t, owner, '/channel/update', { ...channel, auto_resolve_timeout: TIMEOUT });
    await ok(t, owner, '/channel/update', { ...channel, auto_resolve_timeout: 0 });
    expect(await closedByTimeout()).toBe(0);
    await ok(t, owner, '/channel/update', { ...channel, auto_resolve_timeout: TIMEOUT });
    expect(await closedByTimeout()).toBe(1);
    expect((await incident(t, fired.incidentId)).progress).toBe('Closed');
  });
});

describe('many due incidents', () => {
  it('closes at most 500 per cycle, earliest deadline first across channels and modes', async () => {
    const trigger = await autoResolving('trigger');
    const update = await newSource(t, owner, { auto_resolve_timeout: 60, auto_resolve_mode: 'update' });
    const t0 = now();
    // Rows written directly: 600 incidents through the API would only slow the test down.
    const rows = [
      ...Array.from({ length: 300 }, (_, i) => ({
        channel: trigger.channelId,
        start: t0 - 1000 + i,
        last: t0,
      })),
      ...Array.from({ length: 300 }, (_, i) => ({
        channel: update.channelId,
        start: t0 - 5000,
        last: t0 - 500 + i,
      })),
    ].map((row, i) => ({
      incident_id: (0x10000000 + i).toString(16).padStart(24, 'a'),
      account_id: owner.accountId,
      channel_id: row.channel,
      title: `bulk ${i}`,
      incident_severity: 'Warning' as const,
      incident_status: 'Warning' as const,
      labels: '{}',
      fields: '{}',
      images: '[]',
      responders: '[]',
      start_time: row.start,
      last_time: row.last,
      created_at: row.start,
      updated_at: row.start,
      deadline: row.channel === trigger.channelId ? row.start + TIMEOUT : row.last + 60,
    }));
    await t.db.q
      .insertInto('incidents')
      .values(rows.map(({ deadline: _, ...row }) => row))
      .execute();
    const byDeadline = [...rows].sort(
      (a, b) => a.deadline - b.deadline || a.incident_id.localeCompare(b.incident_id),
    );

    expect(await closedByTimeout()).toBe(500);
    const closed = await t.db.q
      .selectFrom('incidents')
      .select('incident_id')
      .where('account_id', '=', owner.accountId)
      .where('progress', '=', 'Closed')
      .execute();
    expect(closed.map((r) => r.incident_id).sort()).toEqual(
      byDeadline
        .slice(0, 500)
        .map((r) => r.incident_id)
        .sort(),
    );
    expect(await closedByTimeout()).toBe(100);
    expect(await closedByTimeout()).toBe(0);
    const feed = await t.db.q
      .selectFrom('feed_entries')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('account_id', '=', owner.accountId)
      .where('type', '=', 'i_rslv')
      .executeTakeFirstOrThrow();
    expect(Number(feed.n)).toBe(600);
  });
});

describe('several engines at once', () => {
  it('two cycles at once, on two app instances of one database, close each due incident once', async () => {
    const other = await startTestApp({ database: t.database });
    try {
      const source = await autoResolving('trigger', { group: { method: 'p', equals: [['labels.service']] } });
      const incidents: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        const a = await fire(t, source, { labels: { service: `svc-${i}` } });
        await fire(t, source, { labels: { service: `svc-${i}` } });
        incidents.push(a.incidentId);
      }
      advance(TIMEOUT);
      const at = t.clock.nowMs();
      const reports = await Promise.all([
        t.engine.runOnce(at),
        other.engine.runOnce(at),
        t.engine.runOnce(at),
        other.engine.runOnce(at),
      ]);
      expect(reports.flatMap((r) => r.failed)).toEqual([]);
      expect(reports.reduce((sum, r) => sum + r.changed['auto-resolve']!, 0)).toBe(6);
      for (const incidentId of incidents) {
        expect((await incident(t, incidentId)).progress).toBe('Closed');
        expect((await feedOf(t, incidentId)).filter((e) => e.type === 'i_rslv')).toHaveLength(1);
        for (const a of await alertsOf(t, incidentId)) {
          expect(a.end_time).toBe(now());
          expect((await alertFeedOf(t, a.alert_id)).filter((e) => e.type === 'a_close')).toHaveLength(1);
        }
      }
    } finally {
      await other.close();
    }
  });

  it('a cycle racing events and manual closes: nothing fails, every closed incident has no open alert', async () => {
    const source = await autoResolving('trigger', { group: { method: 'p', equals: [['labels.service']] } });
    const fired: Awaited<ReturnType<typeof fire>>[] = [];
    for (let i = 0; i < 6; i += 1) fired.push(await fire(t, source, { labels: { service: `race-${i}` } }));
    advance(TIMEOUT);
    const at = t.clock.nowMs();
    const results = await Promise.all([
      ...fired.map((f, i) => update(source, f.alertKey, `racing ${i}`).then((r) => r.status)),
      t.engine.runOnce(at).then((r) => r.failed.length),
      t
        .post('/incident/resolve', { incident_ids: [fired[0]!.incidentId] }, owner.appKey)
        .then((r) => r.status),
      ...fired.map((f) =>
        fire(t, source, { labels: { service: `race-${fired.indexOf(f)}` } }).then(() => 200),
      ),
      t.engine.runOnce(at).then((r) => r.failed.length),
    ]);
    expect(results.filter((r) => r !== 200 && r !== 0)).toEqual([]);
    // Whatever was skipped because an event held it is due and closed by the next cycle.
    await cycle();
    for (const f of fired) {
      expect((await incident(t, f.incidentId)).progress).toBe('Closed');
      expect((await alertsOf(t, f.incidentId)).filter((a) => a.end_time === 0)).toEqual([]);
      expect((await feedOf(t, f.incidentId)).filter((e) => e.type === 'i_rslv')).toHaveLength(1);
    }
  });
});

// An alert held by another transaction exists only with real concurrent connections: PGlite is
// one backend that runs one transaction at a time, so this case cannot arise there.
describe.runIf(TEST_DATABASE_URL)('an incident whose alert an event is changing right now', () => {
  it('is left for the next cycle instead of waited for, and closed then', async () => {
    const source = await autoResolving('trigger');
    const busy = await fire(t, source);
    const idle = await fire(t, source);
    advance(TIMEOUT);
    const { default: pg } = await import('pg');
    const other = new pg.Client({ connectionString: t.database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select 1 from alerts where alert_id = $1 for update', [busy.alertId]);
      expect(await closedByTimeout()).toBe(1);
      expect((await incident(t, idle.incidentId)).progress).toBe('Closed');
      expect((await incident(t, busy.incidentId)).progress).toBe('Triggered');
      expect((await feedOf(t, busy.incidentId)).filter((e) => e.type === 'i_rslv')).toEqual([]);
      await other.query('commit');
    } finally {
      await other.end();
    }
    expect(await closedByTimeout()).toBe(1);
    expect((await incident(t, busy.incidentId)).progress).toBe('Closed');
    expect((await alert(t, busy.alertId)).end_time).toBe(now());
  });
});
