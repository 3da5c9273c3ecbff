import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  channelSnapshot,
  createChannel,
  createTeam,
  expectInvalid,
  expectNotFound,
  readOnlyMember,
} from './helpers.ts';

let t: TestApp;
let a: TestAccount;
let b: TestAccount;
let teamA: number;
let teamB: number;
let channelA: number;

beforeAll(async () => {
  t = await startTestApp();
  a = await t.newAccount('Tenant A');
  b = await t.newAccount('Tenant B');
  teamA = await createTeam(t, a, 'A team', [a.memberId]);
  teamB = await createTeam(t, b, 'B team', [b.memberId]);
  channelA = await createChannel(t, a, { team_id: teamA, channel_name: 'Shared name' });
});
afterAll(() => t.close());

describe('channel permissions', () => {
  it('lets a Read-only member read channels but change none (AccessDenied)', async () => {
    const reader = await readOnlyMember(t, a, 'reader@example.com');
    const before = await channelSnapshot(t, a);
    const changes: [string, Record<string, unknown>][] = [
      ['/channel/create', { team_id: teamA, channel_name: 'By reader' }],
      ['/channel/update', { channel_id: channelA, description: 'by reader' }],
      ['/channel/disable', { channel_id: channelA }],
      ['/channel/enable', { channel_id: channelA }],
      ['/channel/delete', { channel_id: channelA }],
    ];
    for (const [path, body] of changes) {
      const res = await t.post(path, body, reader);
      expect(res.status, path).toBe(403);
      expect(res.body.error?.code).toBe('AccessDenied');
      expect(res.body.error?.message).toContain('Channels Manage');
    }
    expect(await channelSnapshot(t, a)).toEqual(before);

    expect((await t.post('/channel/list', {}, reader)).body.data.total).toBe(1);
    expect((await t.post('/channel/info', { channel_id: channelA }, reader)).status).toBe(200);
    expect(
      (await t.post('/channel/infos', { channel_ids: [channelA] }, reader)).body.data.items,
    ).toHaveLength(1);
  });

  it('asks for an app_key', async () => {
    const res = await t.post('/channel/list', {}, undefined);
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('Unauthorized');
  });
});

describe('channel tenancy', () => {
  it('hides one account’s channels from another', async () => {
    const before = await channelSnapshot(t, a);
    for (const path of [
      '/channel/info',
      '/channel/update',
      '/channel/disable',
      '/channel/enable',
      '/channel/delete',
    ]) {
      expectNotFound(await t.post(path, { channel_id: channelA, description: 'by B' }, b.appKey));
    }
    expect(await channelSnapshot(t, a)).toEqual(before);

    expect((await t.post('/channel/list', {}, b.appKey)).body.data).toEqual({
      items: [],
      total: 0,
      has_next_page: false,
    });
    expect((await t.post('/channel/list', { channel_ids: [channelA] }, b.appKey)).body.data.total).toBe(0);
    expect((await t.post('/channel/infos', { channel_ids: [channelA] }, b.appKey)).body.data.items).toEqual(
      [],
    );
  });

  it('refuses another account’s teams and keeps names per account', async () => {
    expectInvalid(
      await t.post('/channel/create', { team_id: teamA, channel_name: 'Stolen' }, b.appKey),
      'team_id',
    );
    expectInvalid(
      await t.post(
        '/channel/create',
        { team_id: teamB, channel_name: 'Stolen', managing_team_ids: [teamA] },
        b.appKey,
      ),
      'managing_team_ids',
    );
    const own = await createChannel(t, b, { team_id: teamB, channel_name: 'Shared name' });
    expectInvalid(await t.post('/channel/update', { channel_id: own, team_id: teamA }, b.appKey), 'team_id');
    expect((await t.post('/channel/info', { channel_id: own }, b.appKey)).body.data.team_id).toBe(teamB);
  });
});

describe('concurrent creates', () => {
  it('two creates with one name produce exactly one channel', async () => {
    for (const name of ['Race one', 'Race two', 'Race three']) {
      const results = await Promise.all([
        t.post('/channel/create', { team_id: teamA, channel_name: name }, a.appKey),
        t.post('/channel/create', { team_id: teamA, channel_name: name }, a.appKey),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
      expectInvalid(results.find((r) => r.status === 400)!, 'channel_name');
      const listed = await t.post('/channel/list', { channel_name: name }, a.appKey);
      expect(listed.body.data.total).toBe(1);
    }
  });
});
