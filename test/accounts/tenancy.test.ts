import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  accountSnapshot,
  appKeys,
  expectInvalid,
  expectNotFound,
  expectOk,
  invite,
  keyWorks,
  members,
  teams,
  upsertTeam,
} from './helpers.ts';

let t: TestApp;
let a: TestAccount;
let b: TestAccount;
let aMember: TestAccount;
let aTeam: number;
let aKeyId: number;
let aKey: string;
let bMember: number;
let bTeam: number;

beforeAll(async () => {
  t = await startTestApp();
  a = await t.newAccount('Tenant A');
  b = await t.newAccount('Tenant B');
  aMember = await t.newMember(a, [3], 'A member');
  await t.post(
    '/member/info/reset',
    { member_id: aMember.memberId, email: 'a.member@example.com' },
    a.appKey,
  );
  await invite(t, a, { member_name: 'A ref', email: 'a.ref@example.com', ref_id: 'shared-ref' });
  aTeam = await upsertTeam(t, a, {
    team_name: 'A team',
    ref_id: 'a-team-ref',
    person_ids: [a.memberId, aMember.memberId],
  });
  const key = await t.post('/person/app-key/create', { key_name: 'A key' }, a.appKey);
  expectOk(key);
  aKeyId = key.body.data.key_id;
  aKey = key.body.data.key;
  bMember = await invite(t, b, { member_name: 'B member', email: 'b.member@example.com' });
  bTeam = await upsertTeam(t, b, { team_name: 'B team', person_ids: [b.memberId, bMember] });
});
afterAll(() => t.close());

/** A refusal that reveals nothing of the other account: ResourceNotFound or AccessDenied. */
function expectRefused(res: { status: number; body: any }, what: string): void {
  expect([400, 403], `${what}: ${JSON.stringify(res.body)}`).toContain(res.status);
  expect(['ResourceNotFound', 'AccessDenied'], what).toContain(res.body.error?.code);
}

describe('members across accounts', () => {
  it('B’s owner can neither change nor delete A’s members', async () => {
    const before = await accountSnapshot(t, a);
    const attempts: [string, Record<string, unknown>][] = [
      ['/member/delete', { member_id: aMember.memberId }],
      ['/member/delete', { email: 'a.member@example.com' }],
      ['/member/delete', { ref_id: 'shared-ref' }],
      ['/member/delete', { member_name: 'A member' }],
      ['/member/delete', { member_id: a.memberId }],
      [
        '/member/info/reset',
        { member_id: aMember.memberId, member_name: 'Hijacked', email: 'b@example.com' },
      ],
      ['/member/info/reset', { member_id: a.memberId, locale: 'zh-CN' }],
      ['/member/role/update', { member_id: aMember.memberId, role_ids: [4] }],
      ['/member/role/grant', { member_id: aMember.memberId, role_ids: [1] }],
      ['/member/role/revoke', { member_id: a.memberId, role_ids: [1] }],
      ['/role/member/grant', { member_ids: [aMember.memberId], role_id: 2 }],
      ['/role/member/grant', { member_ids: [b.memberId, aMember.memberId], role_id: 2 }],
      ['/role/member/revoke', { member_ids: [a.memberId], role_id: 1 }],
    ];
    for (const [path, body] of attempts) expectRefused(await t.post(path, body, b.appKey), path);
    expect(await accountSnapshot(t, a)).toEqual(before);
    expect(await keyWorks(t, aMember.appKey)).toBe(true);
    expect((await t.post('/member/info', {}, aMember.appKey)).body.data).toMatchObject({
      member_name: 'A member',
      account_role_ids: [3],
    });
    // The mixed grant was refused as a whole: B's owner did not get Admin either.
    expect((await t.post('/member/info', {}, b.appKey)).body.data.account_role_ids).toEqual([1]);
  });

  it('does not list or return A’s members or persons to B', async () => {
    const bMembers = await members(t, b.appKey);
    expect(bMembers.map((m) => m.member_id).sort()).toEqual([b.memberId, bMember].sort());
    expect(bMembers.every((m) => m.account_id === b.accountId)).toBe(true);
    const queried = await t.post('/member/list', { query: 'A member' }, b.appKey);
    expect(queried.body.data).toMatchObject({ total: 0, items: [] });
    const byRole = await t.post('/member/list', { role_id: 3 }, b.appKey);
    expect(byRole.body.data.items.map((m: any) => m.member_id)).toEqual([bMember]);

    const none = await t.post('/person/infos', { person_ids: [a.memberId, aMember.memberId] }, b.appKey);
    expectOk(none);
    expect(none.body.data.items).toEqual([]);
    const mixed = await t.post('/person/infos', { person_ids: [aMember.memberId, bMember] }, b.appKey);
    expect(mixed.body.data.items.map((p: any) => p.person_id)).toEqual([bMember]);
  });

  it('keeps e-mails and ref_ids unique per account, not across accounts', async () => {
    const twin = await invite(t, b, {
      member_name: 'Twin',
      email: 'A.Member@example.com',
      ref_id: 'shared-ref',
    });
    expectOk(await t.post('/member/delete', { member_id: twin }, b.appKey));
    expect((await t.post('/member/info', {}, aMember.appKey)).body.data.email).toBe('a.member@example.com');
    expect((await members(t, a.appKey)).find((m) => m.ref_id === 'shared-ref')).toBeDefined();
  });
});

describe('teams across accounts', () => {
  it('B cannot read, change or delete A’s team', async () => {
    const before = await accountSnapshot(t, a);
    for (const selector of [{ team_id: aTeam }, { team_name: 'A team' }, { ref_id: 'a-team-ref' }]) {
      expectNotFound(await t.post('/team/info', selector, b.appKey));
      expectNotFound(await t.post('/team/delete', selector, b.appKey));
    }
    expectNotFound(
      await t.post(
        '/team/upsert',
        { team_id: aTeam, team_name: 'Stolen', person_ids: [b.memberId] },
        b.appKey,
      ),
    );
    const infos = await t.post('/team/infos', { team_ids: [aTeam, bTeam] }, b.appKey);
    expect(infos.body.data.items.map((team: any) => team.team_id)).toEqual([bTeam]);
    expect(await accountSnapshot(t, a)).toEqual(before);
    expect((await t.post('/team/info', { team_id: aTeam }, a.appKey)).body.data).toMatchObject({
      team_name: 'A team',
      ref_id: 'a-team-ref',
      person_ids: [a.memberId, aMember.memberId].sort((x, y) => x - y),
    });
  });

  it('B cannot put A’s members in B’s teams', async () => {
    const before = await teams(t, b.appKey);
    expectInvalid(
      await t.post('/team/upsert', { team_name: 'Poach', person_ids: [aMember.memberId] }, b.appKey),
      'person_ids',
    );
    expectInvalid(
      await t.post('/team/upsert', { team_name: 'Poach', emails: ['a.member@example.com'] }, b.appKey),
      'emails',
    );
    expect(await teams(t, b.appKey)).toEqual(before);
  });

  it('a team name taken in A is free in B: reset_if_name_exist creates B’s own team', async () => {
    const before = await accountSnapshot(t, a);
    const res = await t.post(
      '/team/upsert',
      { team_name: 'A team', ref_id: 'a-team-ref', description: 'B’s', reset_if_name_exist: true },
      b.appKey,
    );
    expectOk(res);
    expect(res.body.data.team_id).not.toBe(aTeam);
    expect(await accountSnapshot(t, a)).toEqual(before);
    expect((await t.post('/team/info', { team_name: 'A team' }, b.appKey)).body.data).toMatchObject({
      account_id: b.accountId,
      description: 'B’s',
      person_ids: [],
    });
    expectOk(await t.post('/team/delete', { team_id: res.body.data.team_id }, b.appKey));
  });

  it('lists only the caller’s teams, also when filtering by A’s person', async () => {
    const listed = await teams(t, b.appKey);
    expect(listed.map((team) => team.team_id)).toEqual([bTeam]);
    const byPerson = await t.post('/team/list', { person_id: aMember.memberId }, b.appKey);
    expect(byPerson.body.data).toMatchObject({ total: 0, items: [] });
    expect((await t.post('/team/list', { query: 'team' }, b.appKey)).body.data.total).toBe(1);
  });
});

describe('app keys across accounts', () => {
  it('B cannot enable, disable, rename or delete A’s key, by key_id or through person_id', async () => {
    const before = await appKeys(t, a.appKey);
    const attempts: [string, Record<string, unknown>][] = [];
    for (const person of [{}, { person_id: a.memberId }]) {
      attempts.push(
        ['/person/app-key/disable', { key_id: aKeyId, ...person }],
        ['/person/app-key/enable', { key_id: aKeyId, ...person }],
        ['/person/app-key/name/reset', { key_id: aKeyId, key_name: 'Owned by B', ...person }],
        ['/person/app-key/delete', { key_id: aKeyId, ...person }],
      );
    }
    attempts.push(
      ['/person/app-key/create', { key_name: 'Into A', person_id: aMember.memberId }],
      ['/person/app-key/list', { person_id: a.memberId }],
    );
    for (const [path, body] of attempts) expectNotFound(await t.post(path, body, b.appKey));
    expect(await appKeys(t, a.appKey)).toEqual(before);
    expect(await keyWorks(t, aKey)).toBe(true);
    expect((await t.post('/member/info', {}, aKey)).body.data.account_id).toBe(a.accountId);
  });

  it('lists only the caller’s own keys', async () => {
    const listed = await appKeys(t, b.appKey);
    expect(listed.every((k) => k.person_id === b.memberId)).toBe(true);
    expect(listed.map((k) => k.key_id)).not.toContain(aKeyId);
  });
});
