import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { createChannel, createTeam, expectInvalid } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;
let ids: Record<string, number>;
let teamA: number;
let teamB: number;

/*
 * The owner belongs to team A only. Channels, created a minute apart in this order:
 * alpha (A), bravo (B, managed by A), charlie (B), delta (B, "50%_off" in its description),
 * echo (A, disabled), foxtrot (A, deleted).
 */
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Lister');
  teamA = await createTeam(t, owner, 'Team A', [owner.memberId]);
  teamB = await createTeam(t, owner, 'Team B');
  const specs: [string, Record<string, unknown>][] = [
    ['alpha', { team_id: teamA }],
    ['bravo', { team_id: teamB, managing_team_ids: [teamA] }],
    ['charlie', { team_id: teamB }],
    ['delta', { team_id: teamB, description: 'Promo 50%_off traffic' }],
    ['echo', { team_id: teamA }],
    ['foxtrot', { team_id: teamA }],
  ];
  ids = {};
  for (const [name, body] of specs) {
    ids[name] = await createChannel(t, owner, { channel_name: name, ...body });
    t.clock.advance(60_000);
  }
  await t.post('/channel/disable', { channel_id: ids.echo }, owner.appKey);
  await t.post('/channel/delete', { channel_id: ids.foxtrot }, owner.appKey);
});
afterAll(() => t.close());

async function names(body: Record<string, unknown>): Promise<string[]> {
  const res = await t.post('/channel/list', body, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.items.map((c: { channel_name: string }) => c.channel_name);
}

describe('channel list', () => {
  it('lists live channels, newest first by default, with disabled ones marked', async () => {
    const res = await t.post('/channel/list', {}, owner.appKey);
    expect(res.body.data.total).toBe(5);
    expect(res.body.data.has_next_page).toBe(false);
    expect(res.body.data.items.map((c: { channel_name: string }) => c.channel_name)).toEqual([
      'echo',
      'delta',
      'charlie',
      'bravo',
      'alpha',
    ]);
    expect(res.body.data.items[0].status).toBe('disabled');
  });

  it('orders by each documented key', async () => {
    expect(await names({ orderby: 'created_at', asc: true })).toEqual([
      'alpha',
      'bravo',
      'charlie',
      'delta',
      'echo',
    ]);
    expect(await names({ orderby: 'ranking', asc: true })).toEqual([
      'alpha',
      'bravo',
      'charlie',
      'delta',
      'echo',
    ]);
    expect(await names({ orderby: 'last_incident_at' })).toEqual([
      'echo',
      'delta',
      'charlie',
      'bravo',
      'alpha',
    ]);
    expect(await names({ orderby: 'channel_name', asc: false })).toEqual([
      'echo',
      'delta',
      'charlie',
      'bravo',
      'alpha',
    ]);
    t.clock.advance(60_000);
    await t.post('/channel/update', { channel_id: ids.bravo, description: 'touched' }, owner.appKey);
    expect((await names({ orderby: 'updated_at' }))[0]).toBe('bravo');
  });

  it('pages with p and limit, reporting total and has_next_page', async () => {
    const pages = [];
    for (const p of [1, 2, 3]) {
      const res = await t.post(
        '/channel/list',
        { p, limit: 2, orderby: 'channel_name', asc: true },
        owner.appKey,
      );
      pages.push(res.body.data);
    }
    expect(pages.map((page) => page.items.map((c: { channel_name: string }) => c.channel_name))).toEqual([
      ['alpha', 'bravo'],
      ['charlie', 'delta'],
      ['echo'],
    ]);
    expect(pages.map((page) => [page.total, page.has_next_page])).toEqual([
      [5, true],
      [5, true],
      [5, false],
    ]);
    expect((await t.post('/channel/list', { p: 4, limit: 2 }, owner.appKey)).body.data).toEqual({
      items: [],
      total: 5,
      has_next_page: false,
    });
  });

  it('filters by the caller’s teams, managed channels and stars', async () => {
    const sorted = { orderby: 'channel_name', asc: true };
    expect(await names({ ...sorted, is_my_team: true })).toEqual(['alpha', 'echo']);
    expect(await names({ ...sorted, is_my_managed: true })).toEqual(['alpha', 'bravo', 'echo']);
    expect(await names({ ...sorted, is_my_starred: true })).toEqual([]);
    expect(await names({ ...sorted, is_my_team: false, is_my_managed: false })).toHaveLength(5);
  });

  it('filters by team_ids, channel_ids and exact channel_name', async () => {
    const sorted = { orderby: 'channel_name', asc: true };
    expect(await names({ ...sorted, team_ids: [teamB] })).toEqual(['bravo', 'charlie', 'delta']);
    expect(await names({ ...sorted, channel_ids: [ids.alpha, ids.delta, ids.foxtrot] })).toEqual([
      'alpha',
      'delta',
    ]);
    expect(await names({ ...sorted, team_ids: [teamA], channel_ids: [ids.alpha, ids.delta] })).toEqual([
      'alpha',
    ]);
    expect(await names({ channel_name: 'charlie' })).toEqual(['charlie']);
    expect(await names({ channel_name: 'Charlie' })).toEqual([]);
    expect(await names({ channel_name: 'foxtrot' })).toEqual([]);
  });

  it('searches names and descriptions by substring, case-insensitively, with LIKE wildcards taken literally', async () => {
    const sorted = { orderby: 'channel_name', asc: true };
    expect(await names({ ...sorted, query: 'HARL' })).toEqual(['charlie']);
    expect(await names({ ...sorted, query: 'promo' })).toEqual(['delta']);
    expect(await names({ ...sorted, query: '50%_' })).toEqual(['delta']);
    expect(await names({ ...sorted, query: '%' })).toEqual(['delta']);
    expect(await names({ ...sorted, query: '_' })).toEqual(['delta']);
    expect(await names({ ...sorted, query: 'a_p' })).toEqual([]);
  });

  it('returns only channel_id, channel_name, status and team_id when is_brief', async () => {
    const res = await t.post('/channel/list', { is_brief: true, channel_ids: [ids.echo] }, owner.appKey);
    expect(res.body.data.items).toEqual([
      { channel_id: ids.echo, channel_name: 'echo', status: 'disabled', team_id: teamA },
    ]);
  });

  it('refuses bad list parameters, naming the field', async () => {
    expectInvalid(await t.post('/channel/list', { limit: 101 }, owner.appKey), 'limit');
    expectInvalid(await t.post('/channel/list', { limit: 0 }, owner.appKey), 'limit');
    expectInvalid(await t.post('/channel/list', { p: 0 }, owner.appKey), 'p');
    expectInvalid(await t.post('/channel/list', { p: 101 }, owner.appKey), 'p');
    expectInvalid(await t.post('/channel/list', { orderby: 'name' }, owner.appKey), 'orderby');
    expectInvalid(await t.post('/channel/list', { asc: 'yes' }, owner.appKey), 'asc');
    expectInvalid(await t.post('/channel/list', { team_ids: ['a'] }, owner.appKey), 'team_ids[0]');
    expectInvalid(await t.post('/channel/list', { channel_ids: 5 }, owner.appKey), 'channel_ids');
    expectInvalid(await t.post('/channel/list', { query: 5 }, owner.appKey), 'query');
    expectInvalid(
      await t.post('/channel/list', { channel_name: 'x'.repeat(60) }, owner.appKey),
      'channel_name',
    );
  });
});
