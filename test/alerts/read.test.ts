import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  documentedErrors,
  expectInvalid,
  expectNotFound,
  feedErrors,
  newSource,
  nowOf,
  push,
  type Source,
} from '../incidents/read-helpers.ts';
import { pushStandard } from '../ingest/helpers.ts';

/*
 * The read side of alerts and raw events: /alert/info, /alert/list, /alert/list-by-ids,
 * /alert/event/list, /alert-event/list and /alert/feed, through HTTP, with data made by pushing
 * events.
 */

const DAY = 86_400;

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Alerts');
  other = await t.newAccount('Other');
});
afterAll(() => t?.close());

const setAlert = (alertId: string, values: Record<string, unknown>) =>
  t.db.q.updateTable('alerts').set(values).where('alert_id', '=', alertId).execute();

const recover = async (source: Source, alertKey: string) => {
  const res = await pushStandard(t, source.key, { event_status: 'Ok', title_rule: 'x', alert_key: alertKey });
  expect(res.status).toBe(200);
};

describe('/alert/info', () => {
  it('answers every field of the alert, its incident, and its events on request', async () => {
    const responder = await t.newMember(owner, [3], 'On Call');
    const source = await newSource(t, owner);
    const pushedAt = nowOf(t);
    const { alertId, incidentId, alertKey } = await push(t, source, {
      event_status: 'Critical',
      title_rule: 'Disk full on $host',
      description: 'only 2% left',
      labels: { host: 'db-1' },
      images: [{ src: 'https://example.com/disk.png', alt: 'disk' }],
    });
    await t.db.q
      .updateTable('incidents')
      .set({
        responders: JSON.stringify([
          { person_id: responder.memberId, assigned_at: pushedAt, acknowledged_at: 0 },
        ]),
      })
      .where('incident_id', '=', incidentId)
      .execute();
    const channel = await t.db.q
      .selectFrom('channels')
      .select('channel_name')
      .where('channel_id', '=', source.channelId)
      .executeTakeFirstOrThrow();
    const responderRow = await t.db.q
      .selectFrom('members')
      .selectAll()
      .where('member_id', '=', responder.memberId)
      .executeTakeFirstOrThrow();

    const res = await t.post('/alert/info', { alert_id: alertId.toUpperCase() }, owner.appKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(documentedErrors('/alert/info', res.body)).toEqual([]);
    const expected = {
      alert_id: alertId,
      account_id: owner.accountId,
      integration_id: source.integrationId,
      integration_name: 'int-alert.standard',
      integration_type: 'alert.standard',
      integration_ref_id: '',
      channel_id: source.channelId,
      channel_name: channel.channel_name,
      channel_status: 'enabled',
      title: 'Disk full on db-1',
      title_rule: 'Disk full on $host',
      description: 'only 2% left',
      alert_key: alertKey,
      alert_severity: 'Critical',
      alert_status: 'Critical',
      start_time: pushedAt,
      last_time: pushedAt,
      end_time: 0,
      labels: { host: 'db-1' },
      ever_muted: false,
      event_cnt: 1,
      images: [{ src: 'https://example.com/disk.png', alt: 'disk' }],
      responder_name: 'On Call',
      responder_email: responderRow.email,
      incident: { incident_id: incidentId, title: 'Disk full on db-1', progress: 'Triggered' },
      created_at: pushedAt,
      updated_at: pushedAt,
      deleted_at: 0,
      data_source_id: source.integrationId,
      data_source_name: 'int-alert.standard',
      data_source_type: 'alert.standard',
      data_source_ref_id: '',
    };
    expect(res.body.data).toEqual(expected);

    const withEvents = await t.post('/alert/info', { alert_id: alertId, include_events: true }, owner.appKey);
    expect(documentedErrors('/alert/info', withEvents.body)).toEqual([]);
    const [event] = withEvents.body.data.events;
    expect(withEvents.body.data).toEqual({ ...expected, events: [event] });
    expect(event).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      alert_id: alertId,
      account_id: owner.accountId,
      channel_id: source.channelId,
      integration_id: source.integrationId,
      integration_type: 'alert.standard',
      data_source_id: source.integrationId,
      title: 'Disk full on db-1',
      title_rule: 'Disk full on $host',
      description: 'only 2% left',
      alert_key: alertKey,
      event_severity: 'Critical',
      event_status: 'Critical',
      event_time: pushedAt,
      labels: { host: 'db-1' },
      images: [{ src: 'https://example.com/disk.png', alt: 'disk' }],
      created_at: pushedAt,
      updated_at: pushedAt,
      deleted_at: 0,
    });
  });

  it('answers ResourceNotFound for unknown, deleted and other accounts’ alerts', async () => {
    const { alertId } = await push(t, await newSource(t, owner));
    expectNotFound(await t.post('/alert/info', { alert_id: 'ffffffffffffffffffffffff' }, owner.appKey));
    expectNotFound(await t.post('/alert/info', { alert_id: alertId }, other.appKey));
    await setAlert(alertId, { deleted_at: nowOf(t) });
    expectNotFound(await t.post('/alert/info', { alert_id: alertId }, owner.appKey));
  });

  it('refuses bad input, naming the field', async () => {
    expectInvalid(await t.post('/alert/info', {}, owner.appKey), 'alert_id');
    expectInvalid(await t.post('/alert/info', { alert_id: 7 }, owner.appKey), 'alert_id');
    expectInvalid(await t.post('/alert/info', { alert_id: 'abc' }, owner.appKey), 'alert_id');
    expectInvalid(
      await t.post(
        '/alert/info',
        { alert_id: 'ffffffffffffffffffffffff', include_events: 'yes' },
        owner.appKey,
      ),
      'include_events',
    );
  });
});

describe('/alert/list filters', () => {
  let f: TestAccount;
  let s1: Source;
  let s2: Source;
  let t0: number;
  const id: Record<string, string> = {};
  const key: Record<string, string> = {};
  const nameOf = new Map<string, string>();

  beforeAll(async () => {
    f = await t.newAccount('Alert filters');
    s1 = await newSource(t, f);
    s2 = await newSource(t, f);
    t0 = nowOf(t);
    const make = async (name: string, source: Source, event: Record<string, unknown>) => {
      const pushed = await push(t, source, event);
      id[name] = pushed.alertId;
      key[name] = pushed.alertKey;
      nameOf.set(pushed.alertId, name);
      return pushed;
    };
    await make('a1', s1, { event_status: 'Critical' });
    t.clock.advance(60_000);
    await make('a2', s1, { event_status: 'Warning' });
    t.clock.advance(60_000);
    await make('a3', s2, { event_status: 'Info' });
    t.clock.advance(60_000);
    await make('a4', s2, { event_status: 'Warning' });
    await recover(s2, key.a4!);
    t.clock.advance(60_000);
    await make('a5', s1, { event_status: 'Critical' });
    await setAlert(id.a5!, { ever_muted: true });
    t.clock.advance(600_000);
    // a1 changes last: its status drops to Warning, its severity stays Critical.
    await push(t, s1, { event_status: 'Warning', alert_key: key.a1 });
  });

  const list = async (filter: Record<string, unknown>, appKey = f.appKey) => {
    const res = await t.post(
      '/alert/list',
      { start_time: t0 - 10, end_time: t0 + 3600, limit: 100, ...filter },
      appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };
  const ordered = async (filter: Record<string, unknown>) =>
    ((await list(filter)).items as { alert_id: string }[]).map((a) => nameOf.get(a.alert_id));
  const names = async (filter: Record<string, unknown>) => (await ordered(filter)).sort();

  it('lists the window’s alerts newest first by created_at, or by updated_at', async () => {
    const data = await list({});
    expect(documentedErrors('/alert/list', { request_id: 'x', data })).toEqual([]);
    expect(data.items.map((a: { alert_id: string }) => nameOf.get(a.alert_id))).toEqual([
      'a5',
      'a4',
      'a3',
      'a2',
      'a1',
    ]);
    expect(data).toMatchObject({ total: 5, has_next_page: false });
    expect(data.items[4]).toMatchObject({
      alert_severity: 'Critical',
      alert_status: 'Warning',
      event_cnt: 2,
    });
    expect(await ordered({ asc: true })).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(await ordered({ orderby: 'updated_at' })).toEqual(['a1', 'a5', 'a4', 'a3', 'a2']);
    expect(await ordered({ orderby: 'updated_at', asc: true })).toEqual(['a2', 'a3', 'a4', 'a5', 'a1']);
  });

  it('applies the window to created_at (the order), or to updated_at with by_updated_at', async () => {
    expect(await names({ start_time: t0 + 60, end_time: t0 + 120 })).toEqual(['a2', 'a3']);
    const late = { start_time: t0 + 800, end_time: t0 + 900 };
    expect(await names(late)).toEqual([]);
    expect(await names({ ...late, by_updated_at: true })).toEqual(['a1']);
    // An event time from the past (a source's own timestamp) does not move an alert out of the
    // window it arrived in: the window and the order are on the same column.
    const a2 = (await list({ alert_ids: [id.a2] })).items[0] as { start_time: number };
    await setAlert(id.a2!, { start_time: t0 - 5_000 });
    try {
      expect(await names({ start_time: t0 + 60, end_time: t0 + 120 })).toEqual(['a2', 'a3']);
      expect(await names({ start_time: t0 - 5_010, end_time: t0 - 4_990 })).toEqual([]);
    } finally {
      await setAlert(id.a2!, { start_time: a2.start_time });
    }
  });

  it('filters by activity, muting, severity, channel, integration, id and key', async () => {
    expect(await names({ is_active: true })).toEqual(['a1', 'a2', 'a3', 'a5']);
    expect(await names({ is_active: false })).toEqual(['a4']);
    expect(await names({ ever_muted: true })).toEqual(['a5']);
    expect(await names({ ever_muted: false })).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(await names({ alert_severity: 'Critical' })).toEqual(['a1', 'a5']);
    expect(await names({ alert_severity: 'Warning, Info' })).toEqual(['a2', 'a3', 'a4']);
    expect(await names({ alert_severity: 'Ok' })).toEqual([]);
    expect(await names({ channel_ids: [s2.channelId] })).toEqual(['a3', 'a4']);
    expect(await names({ integration_ids: [s1.integrationId] })).toEqual(['a1', 'a2', 'a5']);
    expect(await names({ alert_ids: [id.a2, id.a3!.toUpperCase()] })).toEqual(['a2', 'a3']);
    expect(await names({ alert_keys: [key.a1] })).toEqual(['a1']);
    expect(await names({ is_active: true, alert_severity: 'Critical', ever_muted: false })).toEqual(['a1']);
  });

  it('shows the incident of each alert', async () => {
    const data = await list({ alert_ids: [id.a4] });
    const incident = await t.db.q
      .selectFrom('incidents')
      .select(['incident_id', 'title'])
      .where(
        'incident_id',
        '=',
        (
          await t.db.q
            .selectFrom('alerts')
            .select('incident_id')
            .where('alert_id', '=', id.a4!)
            .executeTakeFirstOrThrow()
        ).incident_id!,
      )
      .executeTakeFirstOrThrow();
    expect(data.items[0].incident).toEqual({ ...incident, progress: 'Closed' });
  });
});

describe('/alert/list paging', () => {
  let p: TestAccount;
  let byCreated: string[];
  let byUpdated: string[];
  let win: { start_time: number; end_time: number };

  beforeAll(async () => {
    p = await t.newAccount('Alert paging');
    const source = await newSource(t, p);
    const t0 = nowOf(t);
    for (let i = 0; i < 14; i += 1) {
      await push(t, source, { event_status: 'Info' });
      // Every third alert shares its second with the next: ties break on alert_id.
      if (i % 3 !== 0) t.clock.advance(5_000);
    }
    win = { start_time: t0 - 10, end_time: nowOf(t) + 10 };
    const rows = await t.db.q
      .selectFrom('alerts')
      .select(['alert_id', 'created_at', 'updated_at'])
      .where('account_id', '=', p.accountId)
      .execute();
    const by = (column: 'created_at' | 'updated_at') =>
      [...rows]
        .sort((a, b) => b[column] - a[column] || (a.alert_id < b.alert_id ? 1 : -1))
        .map((r) => r.alert_id);
    byCreated = by('created_at');
    byUpdated = by('updated_at');
  });

  const page = async (body: Record<string, unknown>) => {
    const res = await t.post('/alert/list', { ...win, ...body }, p.appKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };
  const idsOf = (data: { items: { alert_id: string }[] }) => data.items.map((i) => i.alert_id);

  it('walks every page with p and limit', async () => {
    const seen: string[] = [];
    for (let n = 1; n <= 3; n += 1) {
      const data = await page({ p: n, limit: 5 });
      expect(data).toMatchObject({ total: 14, has_next_page: n < 3 });
      seen.push(...idsOf(data));
    }
    expect(seen).toEqual(byCreated);
    expect(idsOf(await page({}))).toEqual(byCreated);
  });

  it('walks every page with search_after_ctx in either order and direction', async () => {
    for (const orderby of ['created_at', 'updated_at'] as const) {
      for (const asc of [false, true]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const data = await page({
            limit: 4,
            orderby,
            asc,
            ...(cursor ? { search_after_ctx: cursor } : {}),
          });
          expect(data.total).toBe(14);
          seen.push(...idsOf(data));
          cursor = data.search_after_ctx;
          expect(Boolean(cursor)).toBe(data.has_next_page);
        } while (cursor);
        const expected = orderby === 'created_at' ? byCreated : byUpdated;
        expect(seen).toEqual(asc ? [...expected].reverse() : expected);
      }
    }
  });

  it('refuses a forged cursor and a cursor of another order', async () => {
    const post = (body: Record<string, unknown>) => t.post('/alert/list', { ...win, ...body }, p.appKey);
    expectInvalid(await post({ search_after_ctx: '!!' }), 'search_after_ctx');
    const cursor = (await page({ limit: 2 })).search_after_ctx;
    expectInvalid(await post({ search_after_ctx: cursor, orderby: 'updated_at' }), 'search_after_ctx');
    expectInvalid(await post({ search_after_ctx: cursor, asc: true }), 'search_after_ctx');
    expect((await post({ search_after_ctx: cursor })).status).toBe(200);
  });

  it('caps total at 1000', async () => {
    const bulk = await t.newAccount('Alert bulk');
    const t0 = nowOf(t);
    await sql`
      insert into alerts (alert_id, account_id, integration_id, alert_key, title, title_rule,
                          alert_severity, alert_status, start_time, last_time, created_at, updated_at)
      select lpad(to_hex(${bulk.accountId}::bigint), 16, '0') || lpad(to_hex(g), 8, '0'), ${bulk.accountId}, 1,
             'bulk-' || g, 'bulk', 'bulk', case when g <= 998 then 'Info' else 'Critical' end, 'Info',
             ${t0}::bigint - g, ${t0}::bigint - g, ${t0}::bigint - g, ${t0}::bigint - g
        from generate_series(1, 1001) g`.execute(t.db.q);
    const list = async (body: Record<string, unknown>) =>
      (await t.post('/alert/list', { start_time: t0 - DAY, end_time: t0, ...body }, bulk.appKey)).body.data;
    expect(await list({})).toMatchObject({ total: 1000, has_next_page: true });
    expect(await list({ alert_severity: 'Info' })).toMatchObject({ total: 998 });
    expect(await list({ alert_severity: 'Critical' })).toMatchObject({ total: 3, has_next_page: false });
  });
});

describe('/alert/list input', () => {
  const post = (body: Record<string, unknown>) => t.post('/alert/list', body, owner.appKey);

  it('wants a window of at most 31 days whose end is after its start', async () => {
    const end = nowOf(t);
    expect((await post({ start_time: end - 31 * DAY, end_time: end })).status).toBe(200);
    expectInvalid(await post({ start_time: end - 31 * DAY - 1, end_time: end }), 'end_time');
    expectInvalid(await post({ start_time: end, end_time: end }), 'end_time');
    expectInvalid(await post({ end_time: end }), 'start_time');
    expectInvalid(await post({ start_time: end }), 'end_time');
  });

  it('refuses wrong types, unknown enum values and malformed ids, naming the field', async () => {
    const win = { start_time: nowOf(t) - DAY, end_time: nowOf(t) };
    expectInvalid(await post({ ...win, end_time: 'now' }), 'end_time');
    expectInvalid(await post({ ...win, orderby: 'start_time' }), 'orderby');
    expectInvalid(await post({ ...win, alert_severity: 'Fatal' }), 'alert_severity');
    expectInvalid(await post({ ...win, alert_ids: ['x'] }), 'alert_ids[0]');
    expectInvalid(await post({ ...win, alert_keys: [1] }), 'alert_keys[0]');
    expectInvalid(await post({ ...win, integration_ids: [-1] }), 'integration_ids[0]');
    expectInvalid(await post({ ...win, is_active: 'yes' }), 'is_active');
    expectInvalid(await post({ ...win, by_updated_at: 0 }), 'by_updated_at');
    expectInvalid(await post({ ...win, limit: 101 }), 'limit');
    expectInvalid(await post({ ...win, p: 101, limit: 100 }), 'p');
  });
});

describe('/alert/list-by-ids', () => {
  it('answers the live alerts of the account in the order asked, each once', async () => {
    const source = await newSource(t, owner);
    const a = await push(t, source);
    const b = await push(t, source);
    const c = await push(t, source);
    const foreign = await push(t, await newSource(t, other));
    await setAlert(c.alertId, { deleted_at: nowOf(t) });
    const res = await t.post(
      '/alert/list-by-ids',
      {
        alert_ids: [
          b.alertId,
          foreign.alertId,
          a.alertId.toUpperCase(),
          'ffffffffffffffffffffffff',
          b.alertId,
          c.alertId,
        ],
      },
      owner.appKey,
    );
    expect(res.status).toBe(200);
    expect(documentedErrors('/alert/list-by-ids', res.body)).toEqual([]);
    expect(res.body.data.items.map((i: { alert_id: string }) => i.alert_id)).toEqual([b.alertId, a.alertId]);
    expect(res.body.data).toMatchObject({ total: 2, has_next_page: false });
  });

  it('refuses a missing list, more than 100 ids and malformed ids', async () => {
    expectInvalid(await t.post('/alert/list-by-ids', {}, owner.appKey), 'alert_ids');
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(24, '0'));
    expectInvalid(await t.post('/alert/list-by-ids', { alert_ids: many }, owner.appKey), 'alert_ids');
    expectInvalid(await t.post('/alert/list-by-ids', { alert_ids: [12] }, owner.appKey), 'alert_ids[0]');
  });
});

describe('/alert/event/list', () => {
  it('answers the alert’s events in event_time order', async () => {
    const source = await newSource(t, owner);
    const t0 = nowOf(t);
    const { alertId, alertKey } = await push(t, source, { event_status: 'Critical', event_time: t0 });
    await push(t, source, { event_status: 'Warning', event_time: t0 - 50, alert_key: alertKey });
    await push(t, source, {
      event_status: 'Critical',
      event_time: t0 + 20,
      alert_key: alertKey,
      description: 'worse',
    });
    const res = await t.post('/alert/event/list', { alert_id: alertId }, owner.appKey);
    expect(res.status).toBe(200);
    expect(documentedErrors('/alert/event/list', res.body)).toEqual([]);
    expect(res.body.data.items.map((e: { event_time: number }) => e.event_time)).toEqual([
      t0 - 50,
      t0,
      t0 + 20,
    ]);
    expect(res.body.data.items.map((e: { event_status: string }) => e.event_status)).toEqual([
      'Warning',
      'Critical',
      'Critical',
    ]);
    expect(res.body.data.items[2]).toMatchObject({
      alert_id: alertId,
      alert_key: alertKey,
      description: 'worse',
    });
  });

  it('answers ResourceNotFound for others’ and unknown alerts, and refuses bad ids', async () => {
    const { alertId } = await push(t, await newSource(t, owner));
    expectNotFound(await t.post('/alert/event/list', { alert_id: alertId }, other.appKey));
    expectNotFound(await t.post('/alert/event/list', { alert_id: 'ffffffffffffffffffffffff' }, owner.appKey));
    expectInvalid(await t.post('/alert/event/list', {}, owner.appKey), 'alert_id');
    expectInvalid(await t.post('/alert/event/list', { alert_id: 'nope' }, owner.appKey), 'alert_id');
  });
});

describe('/alert-event/list', () => {
  let e: TestAccount;
  let s1: Source;
  let s2: Source;
  let t0: number;
  const at: number[] = [];

  beforeAll(async () => {
    e = await t.newAccount('Events');
    s1 = await newSource(t, e);
    s2 = await newSource(t, e);
    t0 = nowOf(t);
    const first = await push(t, s1, { event_status: 'Critical' });
    at.push(nowOf(t));
    t.clock.advance(60_000);
    await recover(s1, first.alertKey);
    at.push(nowOf(t));
    t.clock.advance(60_000);
    await push(t, s2, { event_status: 'Warning' });
    at.push(nowOf(t));
    t.clock.advance(60_000);
    await push(t, s2, { event_status: 'Info' });
    at.push(nowOf(t));
  });

  const list = async (body: Record<string, unknown>) => {
    const res = await t.post('/alert-event/list', body, e.appKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(documentedErrors('/alert-event/list', res.body)).toEqual([]);
    return res.body.data;
  };
  const times = async (body: Record<string, unknown>) =>
    (
      (await list({ start_time: t0 - 10, end_time: t0 + 3600, ...body })).items as { event_time: number }[]
    ).map((i) => i.event_time);

  it('lists raw events newest first over the last 31 days by default', async () => {
    const data = await list({});
    expect(data.items.map((i: { event_time: number }) => i.event_time)).toEqual([...at].reverse());
    expect(data).toMatchObject({ total: 4, has_next_page: false });
    expect(await times({ asc: true, orderby: 'event_time' })).toEqual(at);
    expect((await list({ end_time: nowOf(t) + 10 })).total).toBe(4);
  });

  it('filters by window, integration, integration type, channel and severity', async () => {
    expect(await times({ start_time: at[1], end_time: at[2] })).toEqual([at[2], at[1]]);
    expect(await times({ integration_ids: [s1.integrationId] })).toEqual([at[1], at[0]]);
    expect(await times({ channel_ids: [s2.channelId] })).toEqual([at[3], at[2]]);
    expect(await times({ integration_types: ['alert.standard'] })).toHaveLength(4);
    expect(await times({ integration_types: ['alert.prometheus'] })).toEqual([]);
    expect(await times({ severities: 'Ok' })).toEqual([at[1]]);
    expect(await times({ severities: 'Critical,Warning' })).toEqual([at[2], at[0]]);
  });

  it('walks every page with the cursor and with p', async () => {
    for (const asc of [false, true]) {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const data = await list({
          start_time: t0 - 10,
          end_time: t0 + 3600,
          limit: 1,
          asc,
          search_after_ctx: cursor,
        });
        seen.push(...data.items.map((i: { event_time: number }) => i.event_time));
        cursor = data.search_after_ctx;
      } while (cursor);
      expect(seen).toEqual(asc ? at : [...at].reverse());
    }
    const second = await list({ start_time: t0 - 10, end_time: t0 + 3600, limit: 3, p: 2 });
    expect(second.items.map((i: { event_time: number }) => i.event_time)).toEqual([at[0]]);
    expect(second).toMatchObject({ total: 4, has_next_page: false });
  });

  it('refuses a window over 31 days and bad input, naming the field', async () => {
    const post = (body: Record<string, unknown>) => t.post('/alert-event/list', body, e.appKey);
    const now = nowOf(t);
    expectInvalid(await post({ start_time: now - 32 * DAY }), 'end_time');
    expectInvalid(await post({ start_time: now, end_time: now - 1 }), 'end_time');
    expectInvalid(await post({ orderby: 'created_at' }), 'orderby');
    expectInvalid(await post({ severities: 'Bad' }), 'severities');
    expectInvalid(await post({ channel_ids: 'x' }), 'channel_ids');
    expectInvalid(await post({ integration_types: [3] }), 'integration_types[0]');
    expectInvalid(await post({ limit: 500 }), 'limit');
    expectInvalid(await post({ search_after_ctx: 'garbage' }), 'search_after_ctx');
  });
});

describe('/alert/feed', () => {
  it('shows the alert’s timeline in milliseconds: new, updated, closed', async () => {
    const source = await newSource(t, owner);
    const t0 = t.clock.nowMs();
    const { alertId, alertKey, incidentId } = await push(t, source, { event_status: 'Critical' });
    t.clock.advance(1500);
    await push(t, source, { event_status: 'Warning', alert_key: alertKey });
    t.clock.advance(1500);
    await recover(source, alertKey);

    const feed = async (body: Record<string, unknown>) => {
      const res = await t.post('/alert/feed', { alert_id: alertId, ...body }, owner.appKey);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // a_update is one of Flashduty's alert feed types that the current document's enum lacks.
      expect(feedErrors('/alert/feed', res.body, ['a_update'])).toEqual([]);
      return res.body.data;
    };
    const asc = await feed({ asc: true });
    expect(asc.items.map((i: { type: string }) => i.type)).toEqual(['a_new', 'a_update', 'a_close']);
    expect(asc.items.map((i: { created_at: number }) => i.created_at)).toEqual([t0, t0 + 1500, t0 + 3000]);
    expect(asc.items[0].detail).toMatchObject({
      incident_id: incidentId,
      severity: 'Critical',
      status: 'Critical',
    });
    expect(asc.items[1].detail).toMatchObject({ status: 'Warning' });
    // The documented a_close detail has no fields.
    expect(asc.items[2].detail).toEqual({});
    for (const item of asc.items) {
      expect(item).toMatchObject({ account_id: owner.accountId, creator_id: 0, updated_at: item.created_at });
    }
    expect((await feed({})).items.map((i: { type: string }) => i.type)).toEqual([
      'a_close',
      'a_update',
      'a_new',
    ]);
    expect((await feed({ types: ['a_close', 'a_new'] })).items.map((i: { type: string }) => i.type)).toEqual([
      'a_close',
      'a_new',
    ]);
    const page1 = await feed({ limit: 2, asc: true });
    expect(page1.items).toHaveLength(2);
    expect(page1.has_next_page).toBe(true);
    const page2 = await feed({ limit: 2, p: 2, asc: true });
    expect(page2.items.map((i: { type: string }) => i.type)).toEqual(['a_close']);
    expect(page2.has_next_page).toBe(false);
  });

  it('answers ResourceNotFound for others’ alerts and refuses bad input', async () => {
    const { alertId } = await push(t, await newSource(t, owner));
    expectNotFound(await t.post('/alert/feed', { alert_id: alertId }, other.appKey));
    const post = (body: Record<string, unknown>) => t.post('/alert/feed', body, owner.appKey);
    expectInvalid(await post({}), 'alert_id');
    expectInvalid(await post({ alert_id: alertId, types: ['i_new'] }), 'types[0]');
    expectInvalid(await post({ alert_id: alertId, limit: 101 }), 'limit');
    expectInvalid(await post({ alert_id: alertId, p: 'one' }), 'p');
  });
});

describe('tenancy', () => {
  it('shows another account nothing of these alerts and events', async () => {
    const stranger = await t.newAccount('Stranger');
    const source = await newSource(t, owner);
    const { alertId } = await push(t, source);
    const now = nowOf(t);
    const win = { start_time: now - 30 * DAY, end_time: now + 60 };
    expectNotFound(await t.post('/alert/info', { alert_id: alertId }, stranger.appKey));
    const listed = await t.post('/alert/list', { ...win, alert_ids: [alertId] }, stranger.appKey);
    expect(listed.body.data).toMatchObject({ items: [], total: 0, has_next_page: false });
    expect((await t.post('/alert/list', win, stranger.appKey)).body.data.items).toEqual([]);
    expect(
      (await t.post('/alert/list-by-ids', { alert_ids: [alertId] }, stranger.appKey)).body.data.items,
    ).toEqual([]);
    expectNotFound(await t.post('/alert/event/list', { alert_id: alertId }, stranger.appKey));
    const events = await t.post(
      '/alert-event/list',
      { ...win, channel_ids: [source.channelId] },
      stranger.appKey,
    );
    expect(events.body.data).toMatchObject({ items: [], total: 0 });
    expectNotFound(await t.post('/alert/feed', { alert_id: alertId }, stranger.appKey));
  });
});
