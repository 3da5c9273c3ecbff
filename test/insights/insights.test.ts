import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { at, buildFixture, type Fixture, insertIncident, WEEK } from './fixture.ts';

/*
 * The insight API over the hand-made history of fixture.ts. Every expected number below is worked
 * out by hand from that history (docs/insights.md has the definitions and walks through I2).
 */

let t: TestApp;
let fx: Fixture;
let other: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  fx = await buildFixture(t, 'Insights');
  other = await buildFixture(t, 'Insights other');
});
afterAll(() => t?.close());

async function call(path: string, body: Record<string, unknown>, account: TestAccount = fx.account) {
  const res = await t.post(path, body, account.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

const byResponder = (items: any[], id: number) => items.filter((item) => item.responder_id === id);

describe('/insight/account', () => {
  it('sums the week: ever-muted I4 left out', async () => {
    const { items } = await call('/insight/account', WEEK);
    expect(items).toEqual([
      {
        account_id: fx.account.accountId,
        total_incident_cnt: 4,
        total_incidents_acknowledged: 4,
        total_incidents_closed: 3,
        total_incidents_auto_closed: 1,
        total_incidents_manually_closed: 1,
        total_incidents_timeout_closed: 1,
        total_incidents_escalated: 2,
        total_incidents_manually_escalated: 1,
        total_incidents_timeout_escalated: 1,
        total_incidents_reassigned: 1,
        total_interruptions: 5,
        total_notifications: 9,
        total_engaged_seconds: 8700,
        total_seconds_to_ack: 5400,
        total_seconds_to_close: 12600,
        mean_seconds_to_ack: 1350,
        mean_seconds_to_close: 4200,
        noise_reduction_pct: 80,
        acknowledgement_pct: 100,
        total_alert_cnt: 7,
        total_alert_event_cnt: 20,
      },
    ]);
  });

  it('counts ever-muted incidents when asked', async () => {
    const { items } = await call('/insight/account', { ...WEEK, include_ever_muted: true });
    expect(items[0]).toMatchObject({
      total_incident_cnt: 5,
      total_incidents_closed: 4,
      total_incidents_manually_closed: 2,
      total_engaged_seconds: 8700 + 540,
    });
  });

  it('answers one empty row for a range without incidents', async () => {
    const { items } = await call('/insight/account', {
      start_time: at('2025-06-01T00:00:00Z'),
      end_time: at('2025-06-02T00:00:00Z'),
    });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ total_incident_cnt: 0, mean_seconds_to_ack: 0, acknowledgement_pct: 0 });
  });

  it('buckets by week and month in UTC and in Tokyo', async () => {
    const week = await call('/insight/account', { ...WEEK, aggregate_unit: 'week' });
    expect(week.items.map((i: any) => [i.ts, i.total_incident_cnt])).toEqual([
      [at('2026-01-05T00:00:00Z'), 4],
    ]);
    const month = await call('/insight/account', {
      ...WEEK,
      aggregate_unit: 'month',
      time_zone: 'Asia/Tokyo',
    });
    expect(month.items.map((i: any) => [i.ts, i.total_incident_cnt])).toEqual([
      [at('2025-12-31T15:00:00Z'), 4],
    ]);
    // Tokyo weeks: I1 is Monday 19:00 JST (week of Jan 5); I2 Tuesday; I3 Saturday; I5 Tuesday.
    const tokyoWeek = await call('/insight/account', {
      ...WEEK,
      aggregate_unit: 'week',
      time_zone: 'Asia/Tokyo',
    });
    expect(tokyoWeek.items.map((i: any) => [i.ts, i.total_incident_cnt])).toEqual([
      [at('2026-01-04T15:00:00Z'), 4],
    ]);
  });

  it('splits hours: work/off in UTC; work/off/sleep in Tokyo', async () => {
    const utc = await call('/insight/account', { ...WEEK, split_hours: true });
    expect(utc.items.map((i: any) => [i.hours, i.total_incident_cnt])).toEqual([
      ['work', 2],
      ['off', 2],
    ]);
    const tokyo = await call('/insight/account', { ...WEEK, split_hours: true, time_zone: 'Asia/Tokyo' });
    expect(tokyo.items.map((i: any) => [i.hours, i.total_incident_cnt])).toEqual([
      ['work', 1],
      ['off', 2],
      ['sleep', 1],
    ]);
    // Day buckets and hour classes together: Monday (I1 work, I2 off), Tuesday (I5 work), Saturday (I3 off).
    const both = await call('/insight/account', { ...WEEK, split_hours: true, aggregate_unit: 'day' });
    expect(both.items.map((i: any) => [i.ts, i.hours, i.total_incident_cnt])).toEqual([
      [at('2026-01-05T00:00:00Z'), 'work', 1],
      [at('2026-01-05T00:00:00Z'), 'off', 1],
      [at('2026-01-06T00:00:00Z'), 'work', 1],
      [at('2026-01-10T00:00:00Z'), 'off', 1],
    ]);
  });

  it("uses the account's calendar for days off", async () => {
    const cal = await call('/calendar/create', {
      cal_name: 'Ops',
      workdays: [1, 2, 3, 4, 5],
      timezone: 'UTC',
    });
    await call('/calendar/event/upsert', {
      cal_id: cal.cal_id,
      summary: 'Company day',
      start_at: '2026-01-05',
      end_at: '2026-01-06',
      is_off: true,
    });
    await call('/insight/settings/upsert', { cal_id: cal.cal_id });
    expect(await call('/insight/settings/info', {})).toEqual({ cal_id: cal.cal_id });
    const { items } = await call('/insight/account', { ...WEEK, split_hours: true });
    expect(items.map((i: any) => [i.hours, i.total_incident_cnt])).toEqual([
      ['work', 1],
      ['off', 3],
    ]);
    await call('/insight/settings/upsert', { cal_id: '' });
    const unknown = await t.post('/insight/settings/upsert', { cal_id: 'nope' }, fx.account.appKey);
    expect(unknown.body.error?.code).toBe('ResourceNotFound');
  });

  it('filters by severity, team, responder, durations, query, labels and incident ids', async () => {
    const count = async (body: Record<string, unknown>) =>
      (await call('/insight/account', { ...WEEK, ...body })).items[0].total_incident_cnt;
    expect(await count({ severities: ['Critical'] })).toBe(2);
    expect(await count({ team_ids: [fx.teams.t2] })).toBe(1);
    expect(await count({ channel_ids: [fx.channels.c1] })).toBe(3);
    expect(await count({ responder_ids: [fx.people.bob] })).toBe(2);
    expect(await count({ seconds_to_close_from: 3600 })).toBe(2);
    expect(await count({ seconds_to_close_to: 3600 })).toBe(1);
    expect(await count({ seconds_to_ack_to: 1000 })).toBe(2);
    expect(await count({ seconds_to_ack_from: 1000, seconds_to_ack_to: 3001 })).toBe(2);
    expect(await count({ query: 'disk' })).toBe(1);
    expect(await count({ labels: { service: 'web' } })).toBe(1);
    expect(await count({ incident_ids: [fx.incidents.i1, fx.incidents.i4] })).toBe(1);
    // The caller (the account's Owner) is in no team.
    expect(await count({ is_my_team: true })).toBe(0);
  });
});

describe('/insight/team and /insight/channel', () => {
  it('groups by the team owning the channel, and by channel', async () => {
    const teams = await call('/insight/team', WEEK);
    expect(
      teams.items.map((i: any) => [i.team_id, i.team_name, i.total_incident_cnt, i.total_engaged_seconds]),
    ).toEqual([
      [fx.teams.t1, 'T1', 3, 7500],
      [fx.teams.t2, 'T2', 1, 1200],
    ]);
    const channels = await call('/insight/channel', WEEK);
    expect(
      channels.items.map((i: any) => [
        i.channel_id,
        i.channel_name,
        i.team_name,
        i.total_incident_cnt,
        i.total_notifications,
      ]),
    ).toEqual([
      [fx.channels.c1, 'C1', 'T1', 3, 9],
      [fx.channels.c2, 'C2', 'T2', 1, 0],
    ]);
  });
});

describe('/insight/responder', () => {
  it('computes every metric of the seed per responder', async () => {
    const { items } = await call('/insight/responder', WEEK);
    const { alice, bob, carol } = fx.people;
    expect(items).toEqual([
      {
        responder_id: alice,
        responder_name: expect.stringMatching(/^alice-/),
        total_incident_cnt: 3,
        total_incidents_acknowledged: 1,
        total_incidents_reassigned: 0,
        total_incidents_escalated: 1,
        total_incidents_timeout_escalated: 1,
        total_incidents_manually_escalated: 0,
        total_interruptions: 3,
        total_notifications: 6,
        total_engaged_seconds: 3300,
        total_seconds_to_ack: 300,
        mean_seconds_to_ack: 300,
        acknowledgement_pct: 33.33,
      },
      {
        responder_id: bob,
        responder_name: expect.stringMatching(/^bob-/),
        total_incident_cnt: 2,
        total_incidents_acknowledged: 1,
        total_incidents_reassigned: 1,
        total_incidents_escalated: 1,
        total_incidents_timeout_escalated: 0,
        total_incidents_manually_escalated: 1,
        total_interruptions: 1,
        total_notifications: 2,
        total_engaged_seconds: 4200,
        total_seconds_to_ack: 1200,
        mean_seconds_to_ack: 1200,
        acknowledgement_pct: 50,
      },
      {
        responder_id: carol,
        responder_name: expect.stringMatching(/^carol-/),
        total_incident_cnt: 2,
        total_incidents_acknowledged: 2,
        total_incidents_reassigned: 0,
        total_incidents_escalated: 0,
        total_incidents_timeout_escalated: 0,
        total_incidents_manually_escalated: 0,
        total_interruptions: 1,
        total_notifications: 1,
        total_engaged_seconds: 1200,
        total_seconds_to_ack: 1500,
        mean_seconds_to_ack: 750,
        acknowledgement_pct: 100,
      },
    ]);
  });

  it('buckets by day in UTC and in Tokyo', async () => {
    const { alice } = fx.people;
    const utc = await call('/insight/responder', { ...WEEK, aggregate_unit: 'day', responder_ids: [alice] });
    expect(utc.items.map((i: any) => [i.ts, i.total_incident_cnt, i.total_notifications])).toEqual([
      [at('2026-01-05T00:00:00Z'), 2, 6],
      [at('2026-01-10T00:00:00Z'), 1, 0],
    ]);
    expect(byResponder(utc.items, alice)).toHaveLength(2);
    const tokyo = await call('/insight/responder', {
      ...WEEK,
      aggregate_unit: 'day',
      responder_ids: [alice],
      time_zone: 'Asia/Tokyo',
    });
    expect(tokyo.items.map((i: any) => [i.ts, i.total_incident_cnt])).toEqual([
      [at('2026-01-04T15:00:00Z'), 1],
      [at('2026-01-05T15:00:00Z'), 1],
      [at('2026-01-09T15:00:00Z'), 1],
    ]);
  });

  it('splits hours per responder', async () => {
    const { bob } = fx.people;
    const { items } = await call('/insight/responder', { ...WEEK, split_hours: true, responder_ids: [bob] });
    // I2 Monday 20:00 (off), I3 Saturday 12:00 (off).
    expect(items.map((i: any) => [i.hours, i.total_incident_cnt])).toEqual([['off', 2]]);
  });

  it('applies incident-level filters to responder rows', async () => {
    const { items } = await call('/insight/responder', { ...WEEK, severities: ['Critical'] });
    expect(items.map((i: any) => [i.responder_id, i.total_incident_cnt])).toEqual([
      [fx.people.alice, 1],
      [fx.people.carol, 1],
    ]);
  });
});

describe('/insight/incident/list', () => {
  it('lists per-incident facts, newest first, paged', async () => {
    const first = await call('/insight/incident/list', { ...WEEK, limit: 2 });
    expect(first.total).toBe(4);
    expect(first.has_next_page).toBe(true);
    expect(first.items.map((i: any) => i.incident_id)).toEqual([fx.incidents.i3, fx.incidents.i5]);
    const second = await call('/insight/incident/list', { ...WEEK, limit: 2, p: 2 });
    expect(second.items.map((i: any) => i.incident_id)).toEqual([fx.incidents.i2, fx.incidents.i1]);
    expect(second.has_next_page).toBe(false);
    const cursor = await call('/insight/incident/list', {
      ...WEEK,
      limit: 2,
      search_after_ctx: first.search_after_ctx,
    });
    expect(cursor.items.map((i: any) => i.incident_id)).toEqual([fx.incidents.i2, fx.incidents.i1]);

    const i2 = second.items[0];
    expect(i2).toMatchObject({
      channel_id: fx.channels.c1,
      channel_name: 'C1',
      team_id: fx.teams.t1,
      team_name: 'T1',
      progress: 'Closed',
      severity: 'Warning',
      created_at: at('2026-01-05T20:00:00Z'),
      closed_by: 'timeout',
      seconds_to_ack: 3000,
      seconds_to_close: 7200,
      engaged_seconds: 4200,
      hours: 'off',
      notifications: 4,
      interruptions: 3,
      assignments: 2,
      reassignments: 0,
      acknowledgements: 2,
      escalations: 1,
      timeout_escalations: 1,
      manual_escalations: 0,
    });
    const i3 = first.items[0];
    expect(i3).toMatchObject({
      progress: 'Processing',
      seconds_to_close: 0,
      assignments: 3,
      reassignments: 1,
    });
    expect(i3.closed_by).toBeUndefined();
    expect(i3).toMatchObject({
      escalations: 1,
      manual_escalations: 1,
      acknowledgements: 1,
      seconds_to_ack: 1500,
    });
    const asc = await call('/insight/incident/list', { ...WEEK, asc: true, limit: 1 });
    expect(asc.items[0]).toMatchObject({ incident_id: fx.incidents.i1, closed_by: 'auto', hours: 'work' });
  });
});

describe('/insight/alert/topk-by-label', () => {
  it('ranks label values by alerts or alert events', async () => {
    const top = await call('/insight/alert/topk-by-label', { ...WEEK, label: 'check', k: 2 });
    expect(top.items).toEqual([
      { label: 'cpu', total_alert_cnt: 4, total_alert_event_cnt: 13 },
      { label: 'disk', total_alert_cnt: 2, total_alert_event_cnt: 4 },
    ]);
    const fewest = await call('/insight/alert/topk-by-label', {
      ...WEEK,
      label: 'check',
      k: 2,
      orderby: 'total_alert_event_cnt',
      asc: true,
    });
    expect(fewest.items.map((i: any) => i.label)).toEqual(['mem', 'disk']);
    const split = await call('/insight/alert/topk-by-label', {
      ...WEEK,
      label: 'resource',
      k: 1,
      split_hours: true,
    });
    // cpu-host alerts: I1 (work), I3 (off), I5 (work).
    expect(split.items).toEqual([
      { label: 'cpu-host', hours: 'work', total_alert_cnt: 3, total_alert_event_cnt: 9 },
      { label: 'cpu-host', hours: 'off', total_alert_cnt: 1, total_alert_event_cnt: 4 },
    ]);
  });
});

describe('tenancy', () => {
  it("never counts another account's incidents nor names its people", async () => {
    const mine = await call('/insight/responder', WEEK);
    const ids = mine.items.map((i: any) => i.responder_id);
    expect(ids).not.toContain(other.people.alice);
    const theirs = await call('/insight/account', WEEK, other.account);
    expect(theirs.items[0].total_incident_cnt).toBe(4);
    const foreign = await call('/insight/incident/list', { ...WEEK, incident_ids: [other.incidents.i1] });
    expect(foreign.total).toBe(0);
    const foreignChannel = await call('/insight/account', { ...WEEK, channel_ids: [other.channels.c1] });
    expect(foreignChannel.items[0].total_incident_cnt).toBe(0);
  });
});

describe('buckets across daylight-saving changes', () => {
  it('keeps day buckets on local midnight in New York and Berlin (2026-03-08 and 2026-03-29)', async () => {
    const A = fx.account.accountId;
    const c3 = fx.channels.c3;
    const starts = [
      '2026-03-08T04:59:00Z', // Sat Mar 7 23:59 EST | Sun Mar 8 05:59 CET
      '2026-03-08T05:00:00Z', // Sun Mar 8 00:00 EST
      '2026-03-09T03:59:00Z', // Sun Mar 8 23:59 EDT (a 23-hour day)
      '2026-03-09T04:00:00Z', // Mon Mar 9 00:00 EDT
      '2026-03-28T23:30:00Z', // Berlin: Sun Mar 29 00:30 CET
      '2026-03-29T21:59:00Z', // Berlin: Sun Mar 29 23:59 CEST (a 23-hour day)
      '2026-03-29T22:00:00Z', // Berlin: Mon Mar 30 00:00 CEST
    ];
    for (const start of starts) {
      await insertIncident(t, A, { channelId: c3, start, severity: 'Info', title: 'dst', alerts: [] });
    }
    const days = async (zone: string, from: string, to: string) =>
      (
        await call('/insight/account', {
          start_time: at(from),
          end_time: at(to),
          channel_ids: [c3],
          aggregate_unit: 'day',
          time_zone: zone,
        })
      ).items.map((i: any) => [i.ts, i.total_incident_cnt]);

    expect(await days('America/New_York', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      [at('2026-03-07T05:00:00Z'), 1],
      [at('2026-03-08T05:00:00Z'), 2],
      [at('2026-03-09T04:00:00Z'), 1],
    ]);
    expect(await days('Europe/Berlin', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      [at('2026-03-07T23:00:00Z'), 2],
      [at('2026-03-08T23:00:00Z'), 2],
    ]);
    expect(await days('Europe/Berlin', '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      [at('2026-03-28T23:00:00Z'), 2],
      [at('2026-03-29T22:00:00Z'), 1],
    ]);
    // The same instants in New York: Mar 28 19:30 EDT, Mar 29 17:59 EDT, Mar 29 18:00 EDT.
    expect(await days('America/New_York', '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      [at('2026-03-28T04:00:00Z'), 1],
      [at('2026-03-29T04:00:00Z'), 2],
    ]);
    // Hour classes read the local clock: the four New York times are 23:59, 00:00, 23:59 (EDT) and
    // 00:00 (EDT), all between 23:00 and 08:00, so all sleep.
    const split = await call('/insight/account', {
      start_time: at('2026-03-07T00:00:00Z'),
      end_time: at('2026-03-10T00:00:00Z'),
      channel_ids: [c3],
      split_hours: true,
      time_zone: 'America/New_York',
    });
    expect(split.items.map((i: any) => [i.hours, i.total_incident_cnt])).toEqual([['sleep', 4]]);
  });
});

describe('limits', () => {
  const refused = async (path: string, body: Record<string, unknown>, field: string) => {
    const res = await t.post(path, body, fx.account.appKey);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error?.code).toBe('InvalidParameter');
    expect(res.body.error?.message).toContain(field);
  };
  const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('refuses every limit of the filter, naming the field', async () => {
    const start = WEEK.start_time;
    for (const path of ['/insight/responder', '/insight/account', '/insight/team', '/insight/channel']) {
      await refused(path, { end_time: start }, 'start_time');
      await refused(path, { start_time: 0, end_time: start }, 'start_time');
      await refused(path, { start_time: start, end_time: start }, 'end_time');
      await refused(path, { start_time: start, end_time: start + 367 * 86_400 }, 'end_time');
      await refused(path, { ...WEEK, team_ids: ids(101) }, 'team_ids');
      await refused(path, { ...WEEK, channel_ids: ids(101) }, 'channel_ids');
      await refused(path, { ...WEEK, responder_ids: ids(101) }, 'responder_ids');
      await refused(path, { ...WEEK, incident_ids: ids(101).map(() => fx.incidents.i1) }, 'incident_ids');
      await refused(path, { ...WEEK, incident_ids: ['not-an-id'] }, 'incident_ids');
      await refused(path, { ...WEEK, severities: ['Critical', 'Warning', 'Info', 'Ok'] }, 'severities');
      await refused(path, { ...WEEK, severities: ['Fatal'] }, 'severities');
      await refused(
        path,
        { start_time: start, end_time: start + 3600, aggregate_unit: 'day' },
        'aggregate_unit',
      );
      await refused(
        path,
        { start_time: start, end_time: start + 32 * 86_400, aggregate_unit: 'day' },
        'aggregate_unit',
      );
      await refused(path, { ...WEEK, aggregate_unit: 'year' }, 'aggregate_unit');
      await refused(
        path,
        { ...WEEK, seconds_to_close_from: 60, seconds_to_close_to: 60 },
        'seconds_to_close_to',
      );
      await refused(path, { ...WEEK, seconds_to_ack_from: 61, seconds_to_ack_to: 60 }, 'seconds_to_ack_to');
      await refused(path, { ...WEEK, time_zone: 'Mars/Olympus' }, 'time_zone');
      await refused(path, { ...WEEK, orderby: 'title' }, 'orderby');
      await refused(path, { ...WEEK, export_fields: ids(51).map(String) }, 'export_fields');
    }
    // A month of week buckets and a year of month buckets are fine.
    await call('/insight/responder', {
      start_time: start,
      end_time: start + 31 * 86_400,
      aggregate_unit: 'day',
    });
    await call('/insight/account', {
      start_time: start,
      end_time: start + 366 * 86_400,
      aggregate_unit: 'month',
    });
    await refused('/insight/incident/list', { ...WEEK, limit: 101 }, 'limit');
    await refused('/insight/incident/list', { ...WEEK, p: 101, limit: 100 }, 'p');
    await refused('/insight/alert/topk-by-label', { ...WEEK }, 'label');
    await refused('/insight/alert/topk-by-label', { ...WEEK, label: 'host' }, 'label');
  });

  it('needs Analytics Read', async () => {
    const res = await t.post('/insight/account', WEEK, 'no-such-key');
    expect(res.status).toBe(401);
  });
});
