import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  expectDenied,
  expectInvalid,
  expectNotFound,
  expectOk,
  invite,
  teams,
  upsertTeam,
} from './helpers.ts';

let t: TestApp;
let owner: TestAccount;
let alice: number;
let bob: number;
let carol: number;

const sorted = (ids: number[]) => [...ids].sort((x, y) => x - y);

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Teams');
  alice = await invite(t, owner, { member_name: 'Alice', email: 'alice@example.com' });
  bob = await invite(t, owner, { member_name: 'Bob', email: 'bob@example.com', phone: '+15550101' });
  carol = await invite(t, owner, { member_name: 'Carol', phone: '+15550102', country_code: 'US' });
});
afterAll(() => t.close());

async function info(body: Record<string, unknown>) {
  return t.post('/team/info', body, owner.appKey);
}

async function teamById(teamId: number) {
  const res = await info({ team_id: teamId });
  expectOk(res);
  return res.body.data;
}

describe('team upsert', () => {
  it('creates a team whose person_ids, e-mails and phones resolve to members', async () => {
    const res = await t.post(
      '/team/upsert',
      {
        team_name: 'Platform',
        description: 'Runs the platform',
        ref_id: 'platform-ref',
        person_ids: [alice],
        emails: ['BOB@example.com'],
        phones: ['+15550102'],
      },
      owner.appKey,
    );
    expectOk(res);
    expect(res.body.data).toEqual({ team_id: expect.any(Number), team_name: 'Platform' });
    const team = await teamById(res.body.data.team_id);
    expect(team).toMatchObject({
      account_id: owner.accountId,
      team_id: res.body.data.team_id,
      team_name: 'Platform',
      description: 'Runs the platform',
      ref_id: 'platform-ref',
      status: 'enabled',
      creator_id: owner.memberId,
      creator_name: 'owner1',
      updated_by: owner.memberId,
      updated_by_name: 'owner1',
      created_at: Math.floor(t.clock.nowMs() / 1000),
    });
    expect(team.person_ids).toEqual(sorted([alice, bob, carol]));
  });

  it('counts a member named twice (by id and by e-mail) once', async () => {
    const teamId = await upsertTeam(t, owner, {
      team_name: 'Twice',
      person_ids: [bob, bob],
      emails: ['bob@example.com'],
      phones: ['+15550101'],
    });
    expect((await teamById(teamId)).person_ids).toEqual([bob]);
  });

  it('updates a team by team_id, replacing members only when people are sent', async () => {
    const teamId = await upsertTeam(t, owner, { team_name: 'Updates', person_ids: [alice, bob] });
    const before = await teamById(teamId);
    t.clock.advance(60_000);
    const admin = await t.newMember(owner, [2], 'Admin Ann');

    const renamed = await t.post(
      '/team/upsert',
      { team_id: teamId, team_name: 'Updated', description: 'new text' },
      admin.appKey,
    );
    expectOk(renamed);
    expect(renamed.body.data).toEqual({ team_id: teamId, team_name: 'Updated' });
    const after = await teamById(teamId);
    expect(after).toMatchObject({
      team_name: 'Updated',
      description: 'new text',
      person_ids: sorted([alice, bob]),
      creator_id: owner.memberId,
      created_at: before.created_at,
      updated_by: admin.memberId,
      updated_by_name: 'Admin Ann',
      updated_at: before.updated_at + 60,
    });
    expectNotFound(await info({ team_name: 'Updates' }));

    await upsertTeam(t, owner, { team_id: teamId, team_name: 'Updated', emails: ['alice@example.com'] });
    expect(await teamById(teamId)).toMatchObject({ description: 'new text', person_ids: [alice] });

    await upsertTeam(t, owner, { team_id: teamId, team_name: 'Updated', person_ids: [] });
    expect((await teamById(teamId)).person_ids).toEqual([]);
  });

  it('refuses an existing name without reset_if_name_exist, naming team_name, and changes nothing', async () => {
    const teamId = await upsertTeam(t, owner, {
      team_name: 'Clash',
      description: 'first',
      person_ids: [alice],
    });
    const before = await teams(t, owner.appKey);
    const res = await t.post(
      '/team/upsert',
      { team_name: 'Clash', description: 'second', person_ids: [bob] },
      owner.appKey,
    );
    expectInvalid(res, 'team_name');
    expect(await teams(t, owner.appKey)).toEqual(before);
    expect(await teamById(teamId)).toMatchObject({ description: 'first', person_ids: [alice] });
  });

  it('updates the team of that name with reset_if_name_exist', async () => {
    const teamId = await upsertTeam(t, owner, {
      team_name: 'Reset me',
      description: 'first',
      person_ids: [alice],
    });
    const count = (await teams(t, owner.appKey)).length;

    const kept = await t.post(
      '/team/upsert',
      { team_name: 'Reset me', description: 'second', reset_if_name_exist: true },
      owner.appKey,
    );
    expectOk(kept);
    expect(kept.body.data.team_id).toBe(teamId);
    expect(await teamById(teamId)).toMatchObject({ description: 'second', person_ids: [alice] });

    await upsertTeam(t, owner, { team_name: 'Reset me', reset_if_name_exist: true, phones: ['+15550102'] });
    expect(await teamById(teamId)).toMatchObject({ description: 'second', person_ids: [carol] });
    expect(await teams(t, owner.appKey)).toHaveLength(count);
  });

  it('refuses renaming into another team’s name, or taking its ref_id', async () => {
    await upsertTeam(t, owner, { team_name: 'Taken', ref_id: 'taken-ref' });
    const teamId = await upsertTeam(t, owner, { team_name: 'Mover', ref_id: 'mover-ref' });
    expectInvalid(
      await t.post('/team/upsert', { team_id: teamId, team_name: 'Taken' }, owner.appKey),
      'team_name',
    );
    expectInvalid(
      await t.post(
        '/team/upsert',
        { team_id: teamId, team_name: 'Mover', ref_id: 'taken-ref' },
        owner.appKey,
      ),
      'ref_id',
    );
    expectInvalid(
      await t.post('/team/upsert', { team_name: 'Another', ref_id: 'taken-ref' }, owner.appKey),
      'ref_id',
    );
    expect(await teamById(teamId)).toMatchObject({ team_name: 'Mover', ref_id: 'mover-ref' });
    expectNotFound(await info({ team_name: 'Another' }));
  });

  it('refuses unknown people, naming person_ids, emails or phones, and stores nothing', async () => {
    const teamId = await upsertTeam(t, owner, { team_name: 'People', person_ids: [alice] });
    const before = await teams(t, owner.appKey);
    const cases: [Record<string, unknown>, string][] = [
      [{ team_name: 'New people', person_ids: [alice, 424242] }, 'person_ids'],
      [{ team_name: 'New people', emails: ['nobody@example.com'] }, 'emails'],
      [{ team_name: 'New people', phones: ['+19999999'] }, 'phones'],
      [{ team_id: teamId, team_name: 'People', person_ids: [bob, 424242] }, 'person_ids'],
      [{ team_id: teamId, team_name: 'People', emails: ['alice@example.com', 'x@example.com'] }, 'emails'],
    ];
    for (const [body, field] of cases) expectInvalid(await t.post('/team/upsert', body, owner.appKey), field);
    expect(await teams(t, owner.appKey)).toEqual(before);
  });

  it('refuses a deleted member as a team member, and drops deleted members from teams', async () => {
    const dora = await invite(t, owner, { member_name: 'Dora', email: 'dora@example.com' });
    const teamId = await upsertTeam(t, owner, { team_name: 'With Dora', person_ids: [alice, dora] });
    expectOk(await t.post('/member/delete', { member_id: dora }, owner.appKey));
    expect((await teamById(teamId)).person_ids).toEqual([alice]);
    expectInvalid(
      await t.post(
        '/team/upsert',
        { team_id: teamId, team_name: 'With Dora', person_ids: [dora] },
        owner.appKey,
      ),
      'person_ids',
    );
    expectInvalid(
      await t.post(
        '/team/upsert',
        { team_id: teamId, team_name: 'With Dora', emails: ['dora@example.com'] },
        owner.appKey,
      ),
      'emails',
    );
    expect((await teamById(teamId)).person_ids).toEqual([alice]);
  });

  it('answers ResourceNotFound for an unknown team_id and creates nothing', async () => {
    const before = await teams(t, owner.appKey);
    expectNotFound(await t.post('/team/upsert', { team_id: 424242, team_name: 'Ghost' }, owner.appKey));
    expect(await teams(t, owner.appKey)).toEqual(before);
  });
});

describe('team info and infos', () => {
  it('finds a team by team_id, team_name or ref_id', async () => {
    const teamId = await upsertTeam(t, owner, {
      team_name: 'Findable',
      ref_id: 'find-ref',
      person_ids: [bob],
    });
    for (const selector of [{ team_id: teamId }, { team_name: 'Findable' }, { ref_id: 'find-ref' }]) {
      const res = await info(selector);
      expectOk(res);
      expect(res.body.data).toMatchObject({ team_id: teamId, team_name: 'Findable', person_ids: [bob] });
    }
    expectNotFound(await info({ team_id: 424242 }));
    expectNotFound(await info({ team_name: 'No such team' }));
    expectNotFound(await info({ ref_id: 'no-such-ref' }));
    expectNotFound(await info({ team_id: teamId, team_name: 'Other name' }));
    expectNotFound(await info({}));
  });

  it('does not take an empty ref_id as naming a team without one', async () => {
    await upsertTeam(t, owner, { team_name: 'No ref' });
    const before = await teams(t, owner.appKey);
    expectInvalid(await info({ ref_id: '' }), 'ref_id');
    expectInvalid(await t.post('/team/delete', { ref_id: '' }, owner.appKey), 'ref_id');
    expect(await teams(t, owner.appKey)).toEqual(before);
  });

  it('batch-gets live teams and skips unknown and deleted ids', async () => {
    const one = await upsertTeam(t, owner, { team_name: 'Batch one', person_ids: [alice, carol] });
    const two = await upsertTeam(t, owner, { team_name: 'Batch two' });
    const gone = await upsertTeam(t, owner, { team_name: 'Batch gone' });
    expectOk(await t.post('/team/delete', { team_id: gone }, owner.appKey));
    const res = await t.post('/team/infos', { team_ids: [one, two, gone, 424242] }, owner.appKey);
    expectOk(res);
    const items = [...res.body.data.items].sort((x: any, y: any) => x.team_id - y.team_id);
    expect(items).toEqual([
      { team_id: one, team_name: 'Batch one', person_ids: sorted([alice, carol]) },
      { team_id: two, team_name: 'Batch two', person_ids: [] },
    ]);
  });
});

describe('team list', () => {
  let listing: TestAccount;
  let erin: number;
  const names = ['Delta', 'Alpha 100%', 'Charlie', 'Bravo', 'Echo'];

  beforeAll(async () => {
    listing = await t.newAccount('Listing');
    erin = await invite(t, listing, { member_name: 'Erin', email: 'erin@example.com' });
    for (const [i, name] of names.entries()) {
      t.clock.advance(1000);
      await upsertTeam(t, listing, { team_name: name, person_ids: i % 2 === 0 ? [erin] : [] });
    }
  });

  const list = async (body: Record<string, unknown>) => {
    const res = await t.post('/team/list', body, listing.appKey);
    expectOk(res);
    return res.body.data as { p: number; limit: number; total: number; items: any[] };
  };
  const namesOf = (data: { items: any[] }) => data.items.map((team) => team.team_name);

  it('lists newest first by default, with the default page', async () => {
    const data = await list({});
    expect(data).toMatchObject({ p: 1, limit: 20, total: 5 });
    expect(namesOf(data)).toEqual([...names].reverse());
    expect(data.items[0]).toMatchObject({ account_id: listing.accountId, status: 'enabled' });
  });

  it('pages with p and limit', async () => {
    const pages = [];
    for (const p of [1, 2, 3]) {
      const data = await list({ p, limit: 2, orderby: 'created_at', asc: true });
      expect(data).toMatchObject({ p, limit: 2, total: 5 });
      pages.push(...namesOf(data));
    }
    expect(pages).toEqual(names);
    expect((await list({ p: 4, limit: 2 })).items).toEqual([]);
  });

  it('orders by team_name and updated_at, both directions', async () => {
    const byName = namesOf(await list({ orderby: 'team_name', asc: true }));
    expect(byName).toEqual(['Alpha 100%', 'Bravo', 'Charlie', 'Delta', 'Echo']);
    expect(namesOf(await list({ orderby: 'team_name', asc: false }))).toEqual([...byName].reverse());

    t.clock.advance(1000);
    const delta = (await t.post('/team/info', { team_name: 'Delta' }, listing.appKey)).body.data;
    await upsertTeam(t, listing, { team_id: delta.team_id, team_name: 'Delta', description: 'touched' });
    expect(namesOf(await list({ orderby: 'updated_at' }))[0]).toBe('Delta');
    expect(namesOf(await list({ orderby: 'updated_at', asc: true })).at(-1)).toBe('Delta');
  });

  it('filters by a case-insensitive query, taking % and _ literally', async () => {
    expect(namesOf(await list({ query: 'ECH' }))).toEqual(['Echo']);
    expect(namesOf(await list({ query: '100%' }))).toEqual(['Alpha 100%']);
    expect(namesOf(await list({ query: '%' }))).toEqual(['Alpha 100%']);
    expect((await list({ query: '_' })).total).toBe(0);
  });

  it('filters by person_id', async () => {
    const data = await list({ person_id: erin, orderby: 'created_at', asc: true });
    expect(data.total).toBe(3);
    expect(namesOf(data)).toEqual(['Delta', 'Charlie', 'Echo']);
    expect((await list({ person_id: listing.memberId })).total).toBe(0);
  });
});

describe('team delete', () => {
  it('deletes a team by team_id, team_name or ref_id; info then answers ResourceNotFound', async () => {
    const selectors = [
      (id: number) => ({ team_id: id }),
      (_: number) => ({ team_name: 'Doomed 1' }),
      (_: number) => ({ ref_id: 'doomed-2' }),
    ];
    for (const [i, selector] of selectors.entries()) {
      const teamId = await upsertTeam(t, owner, {
        team_name: `Doomed ${i}`,
        ref_id: `doomed-${i}`,
        person_ids: [alice],
      });
      const count = (await teams(t, owner.appKey)).length;
      expectOk(await t.post('/team/delete', selector(teamId), owner.appKey));
      expectNotFound(await info({ team_id: teamId }));
      expectNotFound(await info({ team_name: `Doomed ${i}` }));
      expectNotFound(await info({ ref_id: `doomed-${i}` }));
      const after = await teams(t, owner.appKey);
      expect(after).toHaveLength(count - 1);
      expect(after.map((team) => team.team_id)).not.toContain(teamId);
      expectNotFound(await t.post('/team/delete', { team_id: teamId }, owner.appKey));
    }
  });

  it('frees the name and ref_id of a deleted team', async () => {
    const old = await upsertTeam(t, owner, { team_name: 'Reborn', ref_id: 'reborn-ref' });
    expectOk(await t.post('/team/delete', { team_id: old }, owner.appKey));
    const reborn = await upsertTeam(t, owner, { team_name: 'Reborn', ref_id: 'reborn-ref' });
    expect(reborn).not.toBe(old);
    expect((await info({ ref_id: 'reborn-ref' })).body.data.team_id).toBe(reborn);
  });

  it('names the team to delete', async () => {
    expectInvalid(await t.post('/team/delete', {}, owner.appKey), 'team_id');
    expectNotFound(await t.post('/team/delete', { team_name: 'Never existed' }, owner.appKey));
  });

  it('refuses to delete a team that owns or manages a channel (ReferenceExist), until the channel goes', async () => {
    const owning = await upsertTeam(t, owner, { team_name: 'Owns a channel' });
    const managing = await upsertTeam(t, owner, { team_name: 'Manages a channel' });
    const created = await t.post(
      '/channel/create',
      { team_id: owning, channel_name: 'Payments', managing_team_ids: [managing] },
      owner.appKey,
    );
    expectOk(created);
    for (const teamId of [owning, managing]) {
      const res = await t.post('/team/delete', { team_id: teamId }, owner.appKey);
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('ReferenceExist');
      expectOk(await info({ team_id: teamId }));
    }
    expectOk(await t.post('/channel/delete', { channel_id: created.body.data.channel_id }, owner.appKey));
    expectOk(await t.post('/team/delete', { team_id: owning }, owner.appKey));
    expectOk(await t.post('/team/delete', { team_name: 'Manages a channel' }, owner.appKey));
    expectNotFound(await info({ team_id: owning }));
    expectNotFound(await info({ team_id: managing }));
  });
});

describe('team permissions', () => {
  it('lets a Read-only member read teams but not change them', async () => {
    const teamId = await upsertTeam(t, owner, { team_name: 'Guarded', person_ids: [alice] });
    const reader = await t.newMember(owner, [4]);
    const before = await teams(t, owner.appKey);
    expectDenied(await t.post('/team/upsert', { team_name: 'By reader' }, reader.appKey), 'Teams Manage');
    expectDenied(
      await t.post('/team/upsert', { team_id: teamId, team_name: 'Renamed', person_ids: [] }, reader.appKey),
      'Teams Manage',
    );
    expectDenied(await t.post('/team/delete', { team_id: teamId }, reader.appKey), 'Teams Manage');
    expect(await teams(t, owner.appKey)).toEqual(before);
    expect((await t.post('/team/info', { team_id: teamId }, reader.appKey)).body.data.person_ids).toEqual([
      alice,
    ]);
    expect((await t.post('/team/list', { limit: 100 }, reader.appKey)).body.data.total).toBe(before.length);
    expect((await t.post('/team/infos', { team_ids: [teamId] }, reader.appKey)).body.data.items).toHaveLength(
      1,
    );
  });
});
