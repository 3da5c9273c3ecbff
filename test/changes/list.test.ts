import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel } from '../ingest/helpers.ts';
import { newChangeIntegration, nowOf, ok, pushChange, refused } from './helpers.ts';

/*
 * /change/list and /change/info over a fixed set of changes (T = now):
 *   A  deploys   Processing T-3000, Done T-2400   service=web host=10.0.1.5 cpu=85   "Deploy web"
 *   B  deploys   Planned T-1800                   service=db  host=10.0.2.7 cpu=20   "Migrate db"
 *   C  scaling   Processing T-600                 service=web cluster=nj             "Scale web"
 *   D  deploys   Done T-5 days                    service=web                        "Old deploy"
 * and one change of another account.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let T = 0;
let deploys = 0;
let scaling = 0;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  other = await t.newAccount();
  T = nowOf(t);
  const d = await newChangeIntegration(t, owner, 'deploys');
  const s = await newChangeIntegration(t, owner, 'scaling');
  deploys = d.integrationId;
  scaling = s.integrationId;
  const push = async (key: string, body: Record<string, unknown>) =>
    ok(await pushChange(t, key, body)).change_id;
  const a = {
    change_key: 'A',
    title: 'Deploy web',
    description: 'rolling',
    labels: { service: 'web', host: '10.0.1.5', cpu: '85' },
  };
  ids.A = await push(d.key, { ...a, change_status: 'Processing', event_time: T - 3000 });
  await push(d.key, { ...a, change_status: 'Done', event_time: T - 2400 });
  ids.B = await push(d.key, {
    change_key: 'B',
    title: 'Migrate db',
    change_status: 'Planned',
    event_time: T - 1800,
    labels: { service: 'db', host: '10.0.2.7', cpu: '20' },
  });
  ids.C = await push(s.key, {
    change_key: 'C-web',
    title: 'Scale web',
    change_status: 'Processing',
    event_time: T - 600,
    labels: { service: 'web', cluster: 'nj' },
  });
  ids.D = await push(d.key, {
    change_key: 'D',
    title: 'Old deploy',
    change_status: 'Done',
    event_time: T - 5 * 86_400,
    labels: { service: 'web' },
  });
  const foreign = await newChangeIntegration(t, other, 'foreign');
  ids.X = await push(foreign.key, {
    change_key: 'A',
    title: 'Deploy web',
    change_status: 'Done',
    event_time: T - 60,
  });
});
afterAll(() => t.close());

const list = async (body: Record<string, unknown>, account = owner) =>
  ok(await t.post('/change/list', body, account.appKey));
const keysOf = async (body: Record<string, unknown>) =>
  (await list(body)).items.map((c: any) => c.change_key as string);

describe('/change/list', () => {
  it('lists the changes active in the past hour by default, newest start first', async () => {
    const page = await list({});
    expect(page.items.map((c: any) => c.change_key)).toEqual(['C-web', 'B', 'A']);
    expect(page).toMatchObject({ total: 3, has_next_page: false });
    expect(page).not.toHaveProperty('search_after_ctx');
    expect(page.items[2]).toMatchObject({
      change_id: ids.A,
      account_id: owner.accountId,
      change_status: 'Done',
      title: 'Deploy web',
      description: 'rolling',
      link: '',
      labels: { cpu: '85', host: '10.0.1.5', service: 'web' },
      start_time: T - 3000,
      last_time: T - 2400,
      end_time: T - 2400,
      integration_id: deploys,
      integration_name: 'deploys',
      data_source_id: deploys,
      data_source_name: 'deploys',
      channel_id: 0,
      channel_name: '',
      event_cnt: 2,
    });
    expect(page.items[2]).not.toHaveProperty('events');
  });

  it('takes a time range: a change is listed when its span meets it', async () => {
    expect(await keysOf({ start_time: T - 2500, end_time: T - 2450 })).toEqual(['A']);
    expect(await keysOf({ start_time: T - 6 * 86_400, end_time: T })).toEqual(['C-web', 'B', 'A', 'D']);
    expect(await keysOf({ start_time: T - 2300, end_time: T - 1900 })).toEqual([]);
    // Only end_time: the hour before it.
    expect(await keysOf({ end_time: T - 1700 })).toEqual(['B', 'A']);
  });

  it('orders by start_time or last_time, either way', async () => {
    expect(await keysOf({ asc: true })).toEqual(['A', 'B', 'C-web']);
    expect(await keysOf({ order_by: 'last_time' })).toEqual(['C-web', 'B', 'A']);
    expect(await keysOf({ orderby: 'last_time', asc: true })).toEqual(['A', 'B', 'C-web']);
  });

  it('filters by integration and channel (changes belong to no channel)', async () => {
    expect(await keysOf({ integration_ids: [scaling] })).toEqual(['C-web']);
    expect(await keysOf({ integration_ids: [deploys, scaling] })).toEqual(['C-web', 'B', 'A']);
    expect(await keysOf({ channel_ids: [0] })).toEqual(['C-web', 'B', 'A']);
    const channelId = await newChannel(t, owner);
    expect(await keysOf({ channel_ids: [channelId] })).toEqual([]);
  });

  it('searches title, description and change_key with query: text or /regex/', async () => {
    expect(await keysOf({ query: 'WEB' })).toEqual(['C-web', 'A']);
    expect(await keysOf({ query: 'rolling' })).toEqual(['A']);
    expect(await keysOf({ query: 'c-WE' })).toEqual(['C-web']);
    expect(await keysOf({ query: '%' })).toEqual([]);
    expect(await keysOf({ query: '/^(Deploy|Migrate) /' })).toEqual(['B', 'A']);
    expect(await keysOf({ query: '/^deploy/' })).toEqual([]);
    expect(await keysOf({ query: '/(?i)^deploy/' })).toEqual(['A']);
  });

  it('applies label and attribute filters: OR of AND groups, every value form', async () => {
    const f = async (filters: unknown) => keysOf({ filters });
    expect(await f([[{ key: 'labels.service', oper: 'IN', vals: ['web'] }]])).toEqual(['C-web', 'A']);
    expect(await f([[{ key: 'service', oper: 'NOTIN', vals: ['web'] }]])).toEqual(['B']);
    expect(await f([[{ key: 'labels.host', oper: 'IN', vals: ['10.0.*'] }]])).toEqual(['B', 'A']);
    expect(await f([[{ key: 'labels.host', oper: 'IN', vals: ['10.0.?.5'] }]])).toEqual(['A']);
    expect(await f([[{ key: 'labels.host', oper: 'IN', vals: ['cidr:10.0.2.0/24'] }]])).toEqual(['B']);
    expect(await f([[{ key: 'labels.host', oper: 'IN', vals: ['cidr:10.0.0.0/16'] }]])).toEqual(['B', 'A']);
    expect(await f([[{ key: 'labels.cpu', oper: 'IN', vals: ['num:gt:50'] }]])).toEqual(['A']);
    expect(await f([[{ key: 'labels.cpu', oper: 'IN', vals: ['num:le:20'] }]])).toEqual(['B']);
    expect(await f([[{ key: 'cluster', oper: 'IN', vals: ['*'] }]])).toEqual(['C-web']);
    // A missing label matches no value: NOTIN holds.
    expect(await f([[{ key: 'cluster', oper: 'NOTIN', vals: ['nj'] }]])).toEqual(['B', 'A']);
    expect(await f([[{ key: 'labels.host', oper: 'IN', vals: ['/^10\\.0\\.1\\./'] }]])).toEqual(['A']);
    expect(await f([[{ key: 'change_status', oper: 'IN', vals: ['Done', 'Planned'] }]])).toEqual(['B', 'A']);
    expect(await f([[{ key: 'change_key', oper: 'IN', vals: ['C-*'] }]])).toEqual(['C-web']);
    expect(await f([[{ key: 'integration_id', oper: 'IN', vals: [String(scaling)] }]])).toEqual(['C-web']);
    expect(await f([[{ key: 'data_source_id', oper: 'NOTIN', vals: [String(scaling)] }]])).toEqual([
      'B',
      'A',
    ]);
    expect(await f([[{ key: 'title', oper: 'IN', vals: ['/(?i)SCALE/'] }]])).toEqual(['C-web']);
    expect(
      await f([
        [
          { key: 'service', oper: 'IN', vals: ['web'] },
          { key: 'change_status', oper: 'IN', vals: ['Processing'] },
        ],
        [{ key: 'labels.service', oper: 'IN', vals: ['db'] }],
      ]),
    ).toEqual(['C-web', 'B']);
    expect(await f([])).toEqual(['C-web', 'B', 'A']);
    expect(await f([[]])).toEqual(['C-web', 'B', 'A']);
  });

  it('refuses filters that are not valid, naming the part', async () => {
    const bad = async (filters: unknown, field: string) =>
      refused(await t.post('/change/list', { filters }, owner.appKey), 400, 'InvalidParameter', field);
    await bad([[{ key: 'severity', oper: 'IN', vals: ['Critical'] }]], 'filters[0][0].key');
    await bad([[{ key: 'labels.', oper: 'IN', vals: ['x'] }]], 'filters[0][0].key');
    await bad([[], [{ key: 'title', oper: 'IN', vals: [] }]], 'filters[1][0].vals');
    await bad([[{ key: 'title', oper: 'IN', vals: ['a', '/(?:ab){1000}/'] }]], 'filters[0][0].vals[1]');
    await bad([[{ key: 'labels.host', oper: 'IN', vals: ['cidr:10.0.0.0/33'] }]], 'filters[0][0].vals[0]');
    await bad([[{ key: 'labels.cpu', oper: 'IN', vals: ['num:gt:abc'] }]], 'filters[0][0].vals[0]');
    await bad([[{ key: 'change_status', oper: 'IN', vals: ['Finished'] }]], 'filters[0][0].vals[0]');
    await bad([[{ key: 'title', oper: 'HAS', vals: ['x'] }]], 'filters[0][0].oper');
    await bad([[{ key: 'title', oper: 'IN', vals: ['/(?<name>x)/'] }]], 'filters[0][0].vals[0]');
    refused(await t.post('/change/list', { query: '/a(b/' }, owner.appKey), 400, 'InvalidParameter', 'query');
  });

  it('pages with p and limit, and with search_after_ctx', async () => {
    const first = await list({ limit: 1 });
    expect(first.items.map((c: any) => c.change_key)).toEqual(['C-web']);
    expect(first).toMatchObject({ total: 3, has_next_page: true, search_after_ctx: expect.any(String) });
    const second = await list({ limit: 1, search_after_ctx: first.search_after_ctx });
    expect(second.items.map((c: any) => c.change_key)).toEqual(['B']);
    const third = await list({ limit: 1, search_after_ctx: second.search_after_ctx, p: 7 });
    expect(third.items.map((c: any) => c.change_key)).toEqual(['A']);
    expect(third).toMatchObject({ has_next_page: false, total: 3 });
    expect(third).not.toHaveProperty('search_after_ctx');
    expect(await keysOf({ p: 2, limit: 2 })).toEqual(['A']);
    expect((await list({ p: 0, limit: 0, search_after_ctx: null })).items).toHaveLength(3);

    const wrongOrder = await t.post(
      '/change/list',
      { limit: 1, asc: true, search_after_ctx: first.search_after_ctx },
      owner.appKey,
    );
    refused(wrongOrder, 400, 'InvalidParameter', 'search_after_ctx');
    refused(
      await t.post('/change/list', { search_after_ctx: 'garbage' }, owner.appKey),
      400,
      'InvalidParameter',
      'search_after_ctx',
    );
    refused(await t.post('/change/list', { limit: 101 }, owner.appKey), 400, 'InvalidParameter', 'limit');
    refused(await t.post('/change/list', { p: 101, limit: 100 }, owner.appKey), 400, 'InvalidParameter', 'p');
  });

  it('refuses a window that is empty, reversed or longer than 31 days', async () => {
    const bad = async (body: Record<string, unknown>) =>
      refused(await t.post('/change/list', body, owner.appKey), 400, 'InvalidParameter', 'end_time');
    await bad({ start_time: T, end_time: T });
    await bad({ start_time: T, end_time: T - 1 });
    await bad({ start_time: T - 31 * 86_400 - 1, end_time: T });
    refused(
      await t.post('/change/list', { start_time: -1 }, owner.appKey),
      400,
      'InvalidParameter',
      'start_time',
    );
    refused(
      await t.post('/change/list', { channel_ids: 'x' }, owner.appKey),
      400,
      'InvalidParameter',
      'channel_ids',
    );
  });

  it('includes each change’s events in order when asked', async () => {
    const page = await list({ include_events: true });
    const a = page.items.find((c: any) => c.change_key === 'A');
    expect(a.events.map((e: any) => [e.change_status, e.event_time])).toEqual([
      ['Processing', T - 3000],
      ['Done', T - 2400],
    ]);
    expect(page.items.find((c: any) => c.change_key === 'B').events).toHaveLength(1);
  });
});

describe('tenancy and permissions', () => {
  it('shows each account only its own changes', async () => {
    const mine = await list({ start_time: T - 6 * 86_400, end_time: T });
    expect(mine.items.map((c: any) => c.change_id)).not.toContain(ids.X);
    const theirs = await list({}, other);
    expect(theirs.items.map((c: any) => c.change_id)).toEqual([ids.X]);
    refused(await t.post('/change/info', { change_id: ids.X }, owner.appKey), 400, 'ResourceNotFound');
    refused(await t.post('/change/info', { change_id: ids.A }, other.appKey), 400, 'ResourceNotFound');
    refused(
      await t.post('/change/info', { change_id: 'nope' }, owner.appKey),
      400,
      'InvalidParameter',
      'change_id',
    );
    expect(
      ok(await t.post('/change/info', { change_id: ids.A!.toUpperCase() }, owner.appKey)).change_id,
    ).toBe(ids.A);
  });

  it('needs an app key, and Incidents Read to read', async () => {
    refused(await t.post('/change/list', {}, undefined), 401, 'Unauthorized');
    const readOnly = await t.newMember(owner, [4]);
    expect((await list({}, readOnly)).total).toBe(3);
  });
});
