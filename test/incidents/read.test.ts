import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { pushStandard } from '../ingest/helpers.ts';
import {
  documentedErrors,
  expectInvalid,
  expectNotFound,
  feedErrors,
  newSource,
  newTeam,
  nowOf,
  push,
  type Source,
} from './read-helpers.ts';

/*
 * The read side of incidents: /incident/info, /incident/list, /incident/list-by-ids,
 * /incident/feed and /incident/alert/list, through HTTP, with data made by pushing events.
 */

const PUBLIC_URL = 'https://vigil.example.com';
const DAY = 86_400;

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_URL } });
  owner = await t.newAccount('Reader');
  other = await t.newAccount('Other');
});
afterAll(() => t?.close());

const setIncident = (incidentId: string, values: Record<string, unknown>) =>
  t.db.q.updateTable('incidents').set(values).where('incident_id', '=', incidentId).execute();

const memberRow = (memberId: number) =>
  t.db.q.selectFrom('members').selectAll().where('member_id', '=', memberId).executeTakeFirstOrThrow();

describe('/incident/info', () => {
  it('answers every documented field, derived as Flashduty derives them', async () => {
    const source = await newSource(t, owner);
    const pushedAt = nowOf(t);
    const { incidentId, alertKey } = await push(t, source, {
      event_status: 'Critical',
      title_rule: 'CPU high on $host',
      description: 'cpu above 90%',
      labels: { host: 'web-1', env: 'prod' },
      images: [{ src: 'https://example.com/cpu.png', alt: 'cpu', href: 'https://example.com/dash' }],
    });
    // Upper-case hex names the same incident.
    const res = await t.post('/incident/info', { incident_id: incidentId.toUpperCase() }, owner.appKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(documentedErrors('/incident/info', res.body)).toEqual([]);

    const account = await t.db.q
      .selectFrom('accounts')
      .selectAll()
      .where('account_id', '=', owner.accountId)
      .executeTakeFirstOrThrow();
    const channel = await t.db.q
      .selectFrom('channels')
      .selectAll()
      .where('channel_id', '=', source.channelId)
      .executeTakeFirstOrThrow();
    expect(res.body.data).toEqual({
      incident_id: incidentId,
      account_id: owner.accountId,
      channel_id: source.channelId,
      integration_id: source.integrationId,
      integration_ids: [source.integrationId],
      integration_types: ['alert.standard'],
      integration_type: 'alert.standard',
      dedup_key: alertKey,
      equals_md5: '',
      start_time: pushedAt,
      end_time: 0,
      last_time: pushedAt,
      ack_time: 0,
      close_time: 0,
      creator_id: 0,
      closer_id: 0,
      owner_id: 0,
      incident_status: 'Critical',
      incident_severity: 'Critical',
      progress: 'Triggered',
      title: 'CPU high on web-1',
      description: 'cpu above 90%',
      ai_summary: '',
      impact: '',
      root_cause: '',
      resolution: '',
      num: incidentId.slice(-6).toUpperCase(),
      frequency: 'rare',
      created_at: pushedAt,
      updated_at: pushedAt,
      deleted_at: 0,
      snoozed_before: 0,
      group_method: 'n',
      ever_muted: false,
      labels: { host: 'web-1', env: 'prod' },
      fields: {},
      assigned_to: {},
      alert_cnt: 1,
      active_alert_cnt: 1,
      alert_event_cnt: 1,
      responders: [],
      account_name: 'Reader',
      account_locale: account.locale,
      account_time_zone: account.time_zone,
      channel_name: channel.channel_name,
      channel_status: 'enabled',
      detail_url: `${PUBLIC_URL}/incident/detail/${incidentId}`,
      silence_url: `${PUBLIC_URL}/channel/detail/${source.channelId}?tab=alertSuppression&fromIncidentId=${incidentId}`,
      links: [],
      post_mortem_id: '',
      images: [{ src: 'https://example.com/cpu.png', alt: 'cpu', href: 'https://example.com/dash' }],
      manual_overrides: [],
      data_source_id: source.integrationId,
      data_source_ids: [source.integrationId],
      data_source_type: 'alert.standard',
      data_source_types: ['alert.standard'],
    });
    expect(res.body.data.num).toMatch(/^[0-9A-F]{6}$/);
  });

  it('names the creator, closer, owner and responders, and shows the stored assignment', async () => {
    const member = await t.newMember(owner, [3], 'Responder One');
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source);
    const now = nowOf(t);
    const assignment = {
      person_ids: [member.memberId],
      escalate_rule_id: '000000000000000000000000',
      escalate_rule_name: '',
      layer_idx: 0,
      type: 'assign',
      assigned_at: now,
      id: 'MvQfH9Dc8eNS8k79jmrWn6',
    };
    await setIncident(incidentId, {
      creator_id: owner.memberId,
      closer_id: member.memberId,
      owner_id: member.memberId,
      responders: JSON.stringify([
        { person_id: member.memberId, assigned_at: now, acknowledged_at: now + 5 },
      ]),
      assigned_to: JSON.stringify(assignment),
      manual_overrides: sql`array['title']::text[]`,
      fields: JSON.stringify({ region: 'eu', tier: 1 }),
    });
    const res = await t.post('/incident/info', { incident_id: incidentId }, owner.appKey);
    expect(res.status).toBe(200);
    expect(documentedErrors('/incident/info', res.body)).toEqual([]);
    const ownerRow = await memberRow(owner.memberId);
    const memberRef = {
      person_id: member.memberId,
      person_name: 'Responder One',
      email: (await memberRow(member.memberId)).email,
    };
    expect(res.body.data).toMatchObject({
      creator_id: owner.memberId,
      creator: { person_id: owner.memberId, person_name: ownerRow.member_name, email: ownerRow.email },
      closer: memberRef,
      owner: memberRef,
      responders: [{ ...memberRef, assigned_at: now, acknowledged_at: now + 5 }],
      assigned_to: assignment,
      manual_overrides: ['title'],
      fields: { region: 'eu', tier: 1 },
    });
  });

  it('leaves out person refs of nobody, and the frequency of an incident neither rare nor frequent', async () => {
    const source = await newSource(t, owner);
    const first = await push(t, source);
    await push(t, source, { event_status: 'Ok', alert_key: first.alertKey });
    // The second occurrence of the alert in 30 days (test/incidents/frequency.test.ts has the rule).
    const { incidentId } = await push(t, source, { alert_key: first.alertKey });
    expect(incidentId).not.toBe(first.incidentId);
    const { data } = (await t.post('/incident/info', { incident_id: incidentId }, owner.appKey)).body;
    expect(data).not.toHaveProperty('creator');
    expect(data).not.toHaveProperty('closer');
    expect(data).not.toHaveProperty('owner');
    expect(data).not.toHaveProperty('frequency');
  });

  it('answers ResourceNotFound for unknown, deleted and other accounts’ incidents', async () => {
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source);
    expectNotFound(await t.post('/incident/info', { incident_id: 'ffffffffffffffffffffffff' }, owner.appKey));
    expectNotFound(await t.post('/incident/info', { incident_id: incidentId }, other.appKey));
    await setIncident(incidentId, { deleted_at: nowOf(t) });
    expectNotFound(await t.post('/incident/info', { incident_id: incidentId }, owner.appKey));
  });

  it('is open to every role, since each holds Incidents Read', async () => {
    const readOnly = await t.newMember(owner, [4]);
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source);
    expect((await t.post('/incident/info', { incident_id: incidentId }, readOnly.appKey)).status).toBe(200);
    expect((await t.post('/incident/info', { incident_id: incidentId }, undefined)).status).toBe(401);
  });

  it('refuses bad input with InvalidParameter naming the field', async () => {
    expectInvalid(await t.post('/incident/info', {}, owner.appKey), 'incident_id');
    expectInvalid(await t.post('/incident/info', { incident_id: 123 }, owner.appKey), 'incident_id');
    expectInvalid(
      await t.post('/incident/info', { incident_id: 'not-an-object-id' }, owner.appKey),
      'incident_id',
    );
    expectInvalid(
      await t.post('/incident/info', { incident_id: 'ffffffffffffffffffffffffff' }, owner.appKey),
      'incident_id',
    );
  });
});

describe('/incident/list filters', () => {
  let f: TestAccount;
  let colleague: TestAccount;
  let s1: Source;
  let s2: Source;
  let s3: Source;
  let team1: number;
  let team2: number;
  let team3: number;
  let t0: number;
  const id: Record<string, string> = {};
  const start: Record<string, number> = {};
  const letterOf = new Map<string, string>();

  beforeAll(async () => {
    f = await t.newAccount('Filters');
    colleague = await t.newMember(f, [3]);
    team1 = await newTeam(t, f, [f.memberId]);
    team2 = await newTeam(t, f, [colleague.memberId]);
    team3 = await newTeam(t, f);
    s1 = await newSource(t, f, { teamId: team1 });
    // Owned by team2, managed by team1: one of f's channels, but not one of f's team's.
    s2 = await newSource(t, f, { teamId: team2, channel: { managing_team_ids: [team1] } });
    s3 = await newSource(t, f, { teamId: team3 });
    t0 = nowOf(t);
    const make = async (letter: string, source: Source, event: Record<string, unknown>) => {
      const pushed = await push(t, source, event);
      id[letter] = pushed.incidentId;
      start[letter] = nowOf(t);
      letterOf.set(pushed.incidentId, letter);
      t.clock.advance(60_000);
      return pushed;
    };
    await make('A', s1, { event_status: 'Critical', title_rule: 'Database down' });
    await make('B', s1, { event_status: 'Warning', title_rule: 'Disk 50%_full on db1' });
    await make('C', s2, { event_status: 'Info', title_rule: 'Cache miss rate' });
    await make('D', s3, {
      event_status: 'Critical',
      title_rule: 'API latency',
      description: 'p99 above the SLO',
    });
    const e = await make('E', s3, { event_status: 'Warning', title_rule: 'Queue backlog' });
    await pushStandard(t, s3.key, { event_status: 'Ok', title_rule: 'Queue backlog', alert_key: e.alertKey });
    // E's alert recovered; F is the same alert firing again: the second of its kind, so not rare.
    await make('F', s3, { event_status: 'Info', title_rule: 'Certificate expiry', alert_key: e.alertKey });

    const now = nowOf(t);
    await setIncident(id.A!, { creator_id: f.memberId, snoozed_before: now - 10 });
    await setIncident(id.B!, {
      progress: 'Processing',
      ack_time: now,
      responders: JSON.stringify([{ person_id: f.memberId, assigned_at: now, acknowledged_at: now }]),
    });
    await setIncident(id.C!, {
      ever_muted: true,
      responders: JSON.stringify([{ person_id: colleague.memberId, assigned_at: now, acknowledged_at: 0 }]),
    });
    await setIncident(id.D!, { snoozed_before: now + 3600 });
    await setIncident(id.F!, { progress: 'Closed', closer_id: f.memberId, close_time: now });
  });

  const list = async (filter: Record<string, unknown>, key = f.appKey) => {
    const res = await t.post(
      '/incident/list',
      { start_time: t0 - 10, end_time: t0 + 3600, limit: 100, ...filter },
      key,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };
  const letters = async (filter: Record<string, unknown>, key?: string) =>
    ((await list(filter, key)).items as { incident_id: string }[])
      .map((i) => letterOf.get(i.incident_id))
      .sort();

  it('lists every incident of the window, newest first, with exact totals', async () => {
    const data = await list({});
    expect(data.items.map((i: { incident_id: string }) => letterOf.get(i.incident_id))).toEqual([
      'F',
      'E',
      'D',
      'C',
      'B',
      'A',
    ]);
    expect(data.total).toBe(6);
    expect(data.has_next_page).toBe(false);
    expect(data).not.toHaveProperty('search_after_ctx');
    expect(documentedErrors('/incident/list', { request_id: 'x', data })).toEqual([]);
    const asc = await list({ asc: true });
    expect(asc.items.map((i: { incident_id: string }) => letterOf.get(i.incident_id))).toEqual([
      'A',
      'B',
      'C',
      'D',
      'E',
      'F',
    ]);
  });

  it('applies the window to start_time, both ends included', async () => {
    expect(await letters({ start_time: start.C, end_time: start.D })).toEqual(['C', 'D']);
    expect(await letters({ start_time: start.C! + 1, end_time: start.D! - 1 })).toEqual([]);
  });

  it('filters by progress and severity (comma-separated)', async () => {
    expect(await letters({ progress: 'Triggered' })).toEqual(['A', 'C', 'D']);
    expect(await letters({ progress: 'Processing' })).toEqual(['B']);
    expect(await letters({ progress: 'Closed' })).toEqual(['E', 'F']);
    expect(await letters({ progress: ' Triggered , Closed ' })).toEqual(['A', 'C', 'D', 'E', 'F']);
    expect(await letters({ progress: '' })).toHaveLength(6);
    expect(await letters({ incident_severity: 'Critical' })).toEqual(['A', 'D']);
    expect(await letters({ incident_severity: 'Warning,Info' })).toEqual(['B', 'C', 'E', 'F']);
    expect(
      await letters({ progress: 'Triggered', incident_severity: 'Critical', channel_ids: [s3.channelId] }),
    ).toEqual(['D']);
  });

  it('filters by channel (0 = no channel) and by the channels of teams', async () => {
    expect(await letters({ channel_ids: [s1.channelId] })).toEqual(['A', 'B']);
    expect(await letters({ channel_ids: [s1.channelId, s3.channelId] })).toEqual(['A', 'B', 'D', 'E', 'F']);
    expect(await letters({ channel_ids: [0] })).toEqual([]);
    expect(await letters({ channel_ids: [] })).toHaveLength(6);
    expect(await letters({ team_ids: [team2] })).toEqual(['C']);
    expect(await letters({ team_ids: [team1, team3] })).toEqual(['A', 'B', 'D', 'E', 'F']);
  });

  it('filters by responders, ackers, creators (0 = system) and closers (0 = automatic)', async () => {
    expect(await letters({ responder_ids: [f.memberId] })).toEqual(['B']);
    expect(await letters({ responder_ids: [colleague.memberId, f.memberId] })).toEqual(['B', 'C']);
    expect(await letters({ acker_ids: [f.memberId] })).toEqual(['B']);
    expect(await letters({ acker_ids: [colleague.memberId] })).toEqual([]);
    expect(await letters({ creator_ids: [f.memberId] })).toEqual(['A']);
    expect(await letters({ creator_ids: [0] })).toEqual(['B', 'C', 'D', 'E', 'F']);
    expect(await letters({ closer_ids: [0] })).toEqual(['E']);
    expect(await letters({ closer_ids: [f.memberId] })).toEqual(['F']);
    expect(await letters({ closer_ids: [0, f.memberId] })).toEqual(['E', 'F']);
  });

  it('filters by ids and display numbers, in any letter case', async () => {
    expect(await letters({ incident_ids: [id.A, id.D!.toUpperCase()] })).toEqual(['A', 'D']);
    expect(await letters({ nums: [id.B!.slice(-6).toLowerCase()] })).toEqual(['B']);
    expect(await letters({ incident_ids: ['ffffffffffffffffffffffff'] })).toEqual([]);
  });

  it('searches title and description, case-insensitively, with %, _ and \\ taken literally', async () => {
    expect(await letters({ query: 'DATABASE' })).toEqual(['A']);
    expect(await letters({ query: 'slo' })).toEqual(['D']);
    expect(await letters({ query: '50%_' })).toEqual(['B']);
    expect(await letters({ query: '%' })).toEqual(['B']);
    expect(await letters({ query: '_' })).toEqual(['B']);
    expect(await letters({ query: '\\' })).toEqual([]);
    expect(await letters({ query: '   ' })).toHaveLength(6);
  });

  it('filters snoozed (until later than now), ever-muted, my team’s, my channels and rare incidents', async () => {
    expect(await letters({ is_snoozed: true })).toEqual(['D']);
    expect(await letters({ is_snoozed: false })).toHaveLength(6);
    expect(await letters({ ever_muted: true })).toEqual(['C']);
    expect(await letters({ is_my_team: true })).toEqual(['A', 'B']);
    expect(await letters({ is_my_channel: true })).toEqual(['A', 'B', 'C']);
    expect(await letters({ is_my_team: true }, colleague.appKey)).toEqual(['C']);
    expect(await letters({ is_rare: true })).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(await letters({ is_rare: false })).toHaveLength(6);
  });
});

describe('/incident/list paging', () => {
  let p: TestAccount;
  let expected: string[];
  let win: { start_time: number; end_time: number };

  beforeAll(async () => {
    p = await t.newAccount('Paging');
    const source = await newSource(t, p);
    const t0 = nowOf(t);
    for (let i = 0; i < 23; i += 1) {
      await push(t, source, { event_status: 'Info' });
      t.clock.advance(10_000);
    }
    // Three incidents starting in the same second: ties break on incident_id.
    for (let i = 0; i < 3; i += 1) await push(t, source, { event_status: 'Info', event_time: t0 - 100 });
    win = { start_time: t0 - 1000, end_time: nowOf(t) + 10 };
    const rows = await t.db.q
      .selectFrom('incidents')
      .select(['incident_id', 'start_time'])
      .where('account_id', '=', p.accountId)
      .execute();
    expected = rows
      .sort((a, b) => b.start_time - a.start_time || (a.incident_id < b.incident_id ? 1 : -1))
      .map((r) => r.incident_id);
    expect(expected).toHaveLength(26);
  });

  const page = async (body: Record<string, unknown>) => {
    const res = await t.post('/incident/list', { ...win, ...body }, p.appKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };
  const idsOf = (data: { items: { incident_id: string }[] }) => data.items.map((i) => i.incident_id);

  it('orders by start_time, then incident_id, and defaults to 20 a page', async () => {
    const first = await page({});
    expect(idsOf(first)).toEqual(expected.slice(0, 20));
    expect(first).toMatchObject({ total: 26, has_next_page: true });
    expect(idsOf(await page({ p: 0, limit: 0 }))).toEqual(expected.slice(0, 20));
    expect(idsOf(await page({ limit: 100, asc: true }))).toEqual([...expected].reverse());
  });

  it('walks every page with p and limit, without gaps or duplicates', async () => {
    const seen: string[] = [];
    for (let n = 1; ; n += 1) {
      const data = await page({ p: n, limit: 7 });
      expect(data.total).toBe(26);
      seen.push(...idsOf(data));
      if (!data.has_next_page) {
        expect(n).toBe(4);
        break;
      }
    }
    expect(seen).toEqual(expected);
  });

  it('walks every page with search_after_ctx, both ways, without gaps or duplicates', async () => {
    for (const asc of [false, true]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const data = await page({ limit: 7, asc, ...(cursor ? { search_after_ctx: cursor } : {}) });
        pages += 1;
        expect(data.total).toBe(26);
        seen.push(...idsOf(data));
        if (data.has_next_page) expect(typeof data.search_after_ctx).toBe('string');
        else expect(data).not.toHaveProperty('search_after_ctx');
        cursor = data.search_after_ctx;
      } while (cursor);
      expect(pages).toBe(4);
      expect(seen).toEqual(asc ? [...expected].reverse() : expected);
    }
  });

  it('takes an empty or null cursor as the first page, and a cursor over p', async () => {
    expect(idsOf(await page({ limit: 5, search_after_ctx: '' }))).toEqual(expected.slice(0, 5));
    expect(idsOf(await page({ limit: 5, search_after_ctx: null }))).toEqual(expected.slice(0, 5));
    const first = await page({ limit: 5 });
    expect(idsOf(await page({ limit: 5, p: 3, search_after_ctx: first.search_after_ctx }))).toEqual(
      expected.slice(5, 10),
    );
  });

  it('refuses a forged cursor, a cursor of another order, and too deep a page', async () => {
    const post = (body: Record<string, unknown>) => t.post('/incident/list', { ...win, ...body }, p.appKey);
    expectInvalid(await post({ search_after_ctx: 'not a cursor' }), 'search_after_ctx');
    expectInvalid(
      await post({ search_after_ctx: Buffer.from('["start_time.desc",1,"x"]').toString('base64url') }),
      'search_after_ctx',
    );
    const asc = (await page({ limit: 5, asc: true })).search_after_ctx;
    expectInvalid(await post({ search_after_ctx: asc }), 'search_after_ctx');
    expectInvalid(await post({ p: 101, limit: 100 }), 'p');
    expectInvalid(await post({ limit: 101 }), 'limit');
  });
});

describe('/incident/list total', () => {
  it('is exact below 1000 and 1000 above it; has_next_page tells whether more follow', async () => {
    const bulk = await t.newAccount('Bulk');
    const t0 = nowOf(t);
    await sql`
      insert into incidents (incident_id, account_id, title, incident_severity, incident_status,
                             start_time, last_time, created_at, updated_at)
      select lpad(to_hex(${bulk.accountId}::bigint), 16, '0') || lpad(to_hex(g), 8, '0'), ${bulk.accountId},
             'bulk ' || g, case when g <= 999 then 'Warning' else 'Critical' end, 'Warning',
             ${t0}::bigint - g, ${t0}::bigint - g, ${t0}::bigint, ${t0}::bigint
        from generate_series(1, 1005) g`.execute(t.db.q);
    const list = async (body: Record<string, unknown>) => {
      const res = await t.post(
        '/incident/list',
        { start_time: t0 - DAY, end_time: t0, ...body },
        bulk.appKey,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data;
    };
    const all = await list({});
    expect(all).toMatchObject({ total: 1000, has_next_page: true });
    expect(all.items).toHaveLength(20);
    const warning = await list({ incident_severity: 'Warning' });
    expect(warning.total).toBe(999);
    const last = await list({ incident_severity: 'Warning', p: 10, limit: 100 });
    expect(last.items).toHaveLength(99);
    expect(last).toMatchObject({ total: 999, has_next_page: false });
    const deepest = await list({ p: 11, limit: 100 });
    expect(deepest.items).toHaveLength(5);
    expect(deepest).toMatchObject({ total: 1000, has_next_page: false });
  });
});

describe('/incident/list input', () => {
  const post = (body: Record<string, unknown>) => t.post('/incident/list', body, owner.appKey);
  const now = () => nowOf(t);

  it('wants a window of at most 31 days whose end is after its start', async () => {
    const end = now();
    expect((await post({ start_time: end - 31 * DAY, end_time: end })).status).toBe(200);
    expectInvalid(await post({ start_time: end - 31 * DAY - 1, end_time: end }), 'end_time');
    expectInvalid(await post({ start_time: end, end_time: end }), 'end_time');
    expectInvalid(await post({ start_time: end, end_time: end - 1 }), 'end_time');
    expectInvalid(await post({ end_time: end }), 'start_time');
    expectInvalid(await post({ start_time: end }), 'end_time');
  });

  it('refuses wrong types, unknown enum values and malformed ids, naming the field', async () => {
    const win = { start_time: now() - DAY, end_time: now() };
    expectInvalid(await post({ ...win, start_time: String(win.start_time) }), 'start_time');
    expectInvalid(await post({ ...win, progress: 'Open' }), 'progress');
    expectInvalid(await post({ ...win, progress: ['Triggered'] }), 'progress');
    expectInvalid(await post({ ...win, incident_severity: 'Critical,Ok' }), 'incident_severity');
    expectInvalid(await post({ ...win, asc: 'yes' }), 'asc');
    expectInvalid(await post({ ...win, is_snoozed: 1 }), 'is_snoozed');
    expectInvalid(await post({ ...win, channel_ids: ['a'] }), 'channel_ids[0]');
    expectInvalid(await post({ ...win, team_ids: 5 }), 'team_ids');
    expectInvalid(
      await post({ ...win, incident_ids: ['69da451ef77b1b51f40e83ee', 'zz'] }),
      'incident_ids[1]',
    );
    expectInvalid(await post({ ...win, nums: ['GGGGGG'] }), 'nums[0]');
    expectInvalid(await post({ ...win, query: 7 }), 'query');
    expectInvalid(await post({ ...win, p: -1 }), 'p');
    expectInvalid(await post({ ...win, limit: 1.5 }), 'limit');
    expectInvalid(await post({ ...win, search_after_ctx: 5 }), 'search_after_ctx');
  });
});

describe('/incident/list-by-ids', () => {
  it('answers the live incidents of the account in the order asked, each once', async () => {
    const source = await newSource(t, owner);
    const a = await push(t, source);
    const b = await push(t, source);
    const c = await push(t, source);
    const foreign = await push(t, await newSource(t, other));
    await setIncident(c.incidentId, { deleted_at: nowOf(t) });
    const res = await t.post(
      '/incident/list-by-ids',
      {
        incident_ids: [
          b.incidentId,
          'ffffffffffffffffffffffff',
          a.incidentId.toUpperCase(),
          b.incidentId,
          c.incidentId,
          foreign.incidentId,
        ],
      },
      owner.appKey,
    );
    expect(res.status).toBe(200);
    expect(documentedErrors('/incident/list-by-ids', res.body)).toEqual([]);
    expect(res.body.data.items.map((i: { incident_id: string }) => i.incident_id)).toEqual([
      b.incidentId,
      a.incidentId,
    ]);
    expect(res.body.data).toMatchObject({ total: 2, has_next_page: false });
    expect(res.body.data.items[0].channel_name).not.toBe('');
  });

  it('refuses a missing list, more than 100 ids and malformed ids', async () => {
    expectInvalid(await t.post('/incident/list-by-ids', {}, owner.appKey), 'incident_ids');
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(24, '0'));
    expectInvalid(
      await t.post('/incident/list-by-ids', { incident_ids: many }, owner.appKey),
      'incident_ids',
    );
    expectInvalid(
      await t.post(
        '/incident/list-by-ids',
        { incident_ids: ['69da451ef77b1b51f40e83ee', 'x'] },
        owner.appKey,
      ),
      'incident_ids[1]',
    );
    expectInvalid(await t.post('/incident/list-by-ids', { incident_ids: 'x' }, owner.appKey), 'incident_ids');
  });
});

/** A channel grouping alerts by labels.service, so several alerts share one incident. */
const groupedSource = () =>
  newSource(t, owner, { channel: { group: { method: 'p', equals: [['labels.service']] } } });

describe('/incident/feed', () => {
  it('shows the incident’s timeline in milliseconds: opened, alert merged, resolved', async () => {
    const source = await groupedSource();
    const t0 = t.clock.nowMs();
    const first = await push(t, source, { event_status: 'Critical', labels: { service: 'api' } });
    t.clock.advance(1500);
    const second = await push(t, source, { event_status: 'Warning', labels: { service: 'api' } });
    expect(second.incidentId).toBe(first.incidentId);
    t.clock.advance(1500);
    await pushStandard(t, source.key, { event_status: 'Ok', title_rule: 'x', alert_key: first.alertKey });
    t.clock.advance(1500);
    await pushStandard(t, source.key, { event_status: 'Ok', title_rule: 'x', alert_key: second.alertKey });

    const feed = async (body: Record<string, unknown>) => {
      const res = await t.post('/incident/feed', { incident_id: first.incidentId, ...body }, owner.appKey);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(feedErrors('/incident/feed', res.body)).toEqual([]);
      return res.body.data;
    };
    const asc = await feed({ asc: true });
    expect(asc.items.map((i: { type: string }) => i.type)).toEqual(['i_new', 'a_merge', 'i_rslv']);
    expect(asc.items.map((i: { created_at: number }) => i.created_at)).toEqual([t0, t0 + 1500, t0 + 4500]);
    expect(asc.has_next_page).toBe(false);
    for (const item of asc.items) {
      expect(item).toMatchObject({ account_id: owner.accountId, creator_id: 0, updated_at: item.created_at });
      expect(item.ref_id).toMatch(/^[0-9a-f]{24}$/);
    }
    expect(asc.items[0].detail).toMatchObject({ alert_id: first.alertId });
    expect(asc.items[1].detail).toMatchObject({ alert_id: second.alertId });
    expect(asc.items[2].detail).toEqual({ from: 'event' });
    // The fixture applies the documented discriminator, so the timeline validates as it stands.
    expect(documentedErrors('/incident/feed', { request_id: 'x', data: asc })).toEqual([]);

    // Newest first by default; filtered by type; paged.
    const desc = await feed({});
    expect(desc.items.map((i: { type: string }) => i.type)).toEqual(['i_rslv', 'a_merge', 'i_new']);
    expect(
      (await feed({ types: ['a_merge', 'i_rslv'], asc: true })).items.map((i: { type: string }) => i.type),
    ).toEqual(['a_merge', 'i_rslv']);
    expect((await feed({ types: ['i_comm'] })).items).toEqual([]);
    const page1 = await feed({ asc: true, limit: 2 });
    expect(page1.items.map((i: { type: string }) => i.type)).toEqual(['i_new', 'a_merge']);
    expect(page1.has_next_page).toBe(true);
    const page2 = await feed({ asc: true, limit: 2, p: 2 });
    expect(page2.items.map((i: { type: string }) => i.type)).toEqual(['i_rslv']);
    expect(page2.has_next_page).toBe(false);
  });

  it('answers ResourceNotFound for unknown, deleted and other accounts’ incidents', async () => {
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source);
    expectNotFound(await t.post('/incident/feed', { incident_id: 'ffffffffffffffffffffffff' }, owner.appKey));
    expectNotFound(await t.post('/incident/feed', { incident_id: incidentId }, other.appKey));
    await setIncident(incidentId, { deleted_at: nowOf(t) });
    expectNotFound(await t.post('/incident/feed', { incident_id: incidentId }, owner.appKey));
  });

  it('refuses bad input, naming the field', async () => {
    const incident_id = 'ffffffffffffffffffffffff';
    const post = (body: Record<string, unknown>) => t.post('/incident/feed', body, owner.appKey);
    expectInvalid(await post({}), 'incident_id');
    expectInvalid(await post({ incident_id: 'x' }), 'incident_id');
    expectInvalid(await post({ incident_id, types: ['a_new'] }), 'types[0]');
    expectInvalid(await post({ incident_id, types: 'i_new' }), 'types');
    expectInvalid(await post({ incident_id, limit: 101 }), 'limit');
    expectInvalid(await post({ incident_id, limit: 0 }), 'limit');
    expectInvalid(await post({ incident_id, p: 0 }), 'p');
    expectInvalid(await post({ incident_id, asc: 'true' }), 'asc');
  });
});

describe('/incident/alert/list', () => {
  it('lists the incident’s alerts, active or not, with their events on request', async () => {
    const source = await groupedSource();
    const a = await push(t, source, { event_status: 'Critical', labels: { service: 'db' } });
    t.clock.advance(1000);
    const b = await push(t, source, { event_status: 'Warning', labels: { service: 'db' } });
    t.clock.advance(1000);
    const c = await push(t, source, { event_status: 'Info', labels: { service: 'db' } });
    t.clock.advance(1000);
    await pushStandard(t, source.key, { event_status: 'Ok', title_rule: 'x', alert_key: b.alertKey });
    expect(new Set([a.incidentId, b.incidentId, c.incidentId]).size).toBe(1);

    const list = async (body: Record<string, unknown>) => {
      const res = await t.post('/incident/alert/list', { incident_id: a.incidentId, ...body }, owner.appKey);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(documentedErrors('/incident/alert/list', res.body)).toEqual([]);
      return res.body.data;
    };
    const alertIds = (data: { items: { alert_id: string }[] }) => data.items.map((i) => i.alert_id);
    const all = await list({});
    expect(alertIds(all)).toEqual([c.alertId, b.alertId, a.alertId]);
    expect(all.total).toBe(3);
    expect(all.items[0]).not.toHaveProperty('events');
    expect(all.items[0]).toMatchObject({
      incident: { incident_id: a.incidentId, progress: 'Triggered' },
      integration_id: source.integrationId,
      integration_type: 'alert.standard',
      channel_id: source.channelId,
      channel_status: 'enabled',
      event_cnt: 1,
    });
    expect(alertIds(await list({ is_active: true }))).toEqual([c.alertId, a.alertId]);
    expect(alertIds(await list({ is_active: false }))).toEqual([b.alertId]);

    const withEvents = await list({ include_events: true });
    const recovered = withEvents.items.find((i: { alert_id: string }) => i.alert_id === b.alertId);
    expect(recovered.events.map((e: { event_status: string }) => e.event_status)).toEqual(['Warning', 'Ok']);
    expect(recovered.events[0]).toMatchObject({ alert_id: b.alertId, account_id: owner.accountId });

    const page1 = await list({ limit: 2 });
    expect(alertIds(page1)).toEqual([c.alertId, b.alertId]);
    expect(page1.total).toBe(3);
    expect(alertIds(await list({ limit: 2, p: 2 }))).toEqual([a.alertId]);
    expect(alertIds(await list({ limit: 0, p: 0 }))).toHaveLength(3);

    expectNotFound(await t.post('/incident/alert/list', { incident_id: a.incidentId }, other.appKey));
  });

  it('refuses bad input, naming the field', async () => {
    const incident_id = 'ffffffffffffffffffffffff';
    const post = (body: Record<string, unknown>) => t.post('/incident/alert/list', body, owner.appKey);
    expectInvalid(await post({}), 'incident_id');
    expectInvalid(await post({ incident_id: 42 }), 'incident_id');
    expectInvalid(await post({ incident_id, limit: 1001 }), 'limit');
    expectInvalid(await post({ incident_id, p: -1 }), 'p');
    expectInvalid(await post({ incident_id, is_active: 'true' }), 'is_active');
    expectInvalid(await post({ incident_id, include_events: 1 }), 'include_events');
    expectNotFound(await post({ incident_id }));
  });
});

describe('tenancy', () => {
  it('shows another account nothing of these incidents', async () => {
    const stranger = await t.newAccount('Stranger');
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source);
    const now = nowOf(t);
    expectNotFound(await t.post('/incident/info', { incident_id: incidentId }, stranger.appKey));
    const listed = await t.post(
      '/incident/list',
      { start_time: now - 30 * DAY, end_time: now + 60 },
      stranger.appKey,
    );
    expect(listed.body.data).toMatchObject({ items: [], total: 0, has_next_page: false });
    const filtered = await t.post(
      '/incident/list',
      {
        start_time: now - 30 * DAY,
        end_time: now + 60,
        incident_ids: [incidentId],
        channel_ids: [source.channelId],
      },
      stranger.appKey,
    );
    expect(filtered.body.data.items).toEqual([]);
    const byIds = await t.post('/incident/list-by-ids', { incident_ids: [incidentId] }, stranger.appKey);
    expect(byIds.body.data).toMatchObject({ items: [], total: 0 });
    expectNotFound(await t.post('/incident/feed', { incident_id: incidentId }, stranger.appKey));
    expectNotFound(await t.post('/incident/alert/list', { incident_id: incidentId }, stranger.appKey));
  });
});
