import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  expectDenied,
  expectInvalid,
  expectNotFound,
  expectOk,
  invite,
  keyWorks,
  memberById,
  members,
  roleIdsOf,
  upsertTeam,
} from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Members');
});
afterAll(() => t.close());

/** Invites a member and gives them an app key of their own. */
async function memberWithKey(account: TestAccount, fields: Record<string, unknown>): Promise<TestAccount> {
  const memberId = await invite(t, account, fields);
  const key = await t.post(
    '/person/app-key/create',
    { key_name: 'own', person_id: memberId },
    account.appKey,
  );
  expectOk(key);
  return { accountId: account.accountId, memberId, appKey: key.body.data.key };
}

describe('member delete', () => {
  it.each([
    ['member_id', (m: TestAccount) => ({ member_id: m.memberId })],
    ['email, case-insensitively', () => ({ email: 'Gone.By.Email@Example.com' })],
    ['ref_id', () => ({ ref_id: 'gone-ref' })],
  ])('deletes a member by %s: unlisted, locked out, out of teams', async (_by, selector) => {
    const member = await memberWithKey(owner, {
      member_name: 'Gone',
      email: 'gone.by.email@example.com',
      ref_id: 'gone-ref',
    });
    const teamId = await upsertTeam(t, owner, {
      team_name: `Has ${member.memberId}`,
      person_ids: [member.memberId],
    });
    expect(await keyWorks(t, member.appKey)).toBe(true);
    const count = (await members(t, owner.appKey)).length;

    expectOk(await t.post('/member/delete', selector(member), owner.appKey));

    const after = await members(t, owner.appKey);
    expect(after).toHaveLength(count - 1);
    expect(after.map((m) => m.member_id)).not.toContain(member.memberId);
    expect(await keyWorks(t, member.appKey)).toBe(false);
    expect((await t.post('/team/info', { team_id: teamId }, owner.appKey)).body.data.person_ids).toEqual([]);
    expect(
      (await t.post('/person/infos', { person_ids: [member.memberId] }, owner.appKey)).body.data.items,
    ).toEqual([]);
    expectNotFound(await t.post('/member/delete', { member_id: member.memberId }, owner.appKey));
  });

  it('frees a deleted member’s e-mail and ref_id for a new member', async () => {
    const first = await invite(t, owner, {
      member_name: 'Reused',
      email: 'reused@example.com',
      ref_id: 'r-1',
    });
    expectOk(await t.post('/member/delete', { member_id: first }, owner.appKey));
    const second = await invite(t, owner, {
      member_name: 'Reused',
      email: 'reused@example.com',
      ref_id: 'r-1',
    });
    expect(second).not.toBe(first);
    expect(await memberById(t, owner.appKey, second)).toMatchObject({
      email: 'reused@example.com',
      ref_id: 'r-1',
    });
  });

  it('refuses a name shared by two members (InvalidParameter member_name) and deletes neither', async () => {
    const one = await invite(t, owner, { member_name: 'Sam', email: 'sam1@example.com' });
    const two = await invite(t, owner, { member_name: 'Sam', email: 'sam2@example.com' });
    expectInvalid(await t.post('/member/delete', { member_name: 'Sam' }, owner.appKey), 'member_name');
    expect(await memberById(t, owner.appKey, one)).toBeDefined();
    expect(await memberById(t, owner.appKey, two)).toBeDefined();
    expectOk(await t.post('/member/delete', { member_name: 'Sam', email: 'sam2@example.com' }, owner.appKey));
    expect(await memberById(t, owner.appKey, one)).toBeDefined();
    expect(await memberById(t, owner.appKey, two)).toBeUndefined();
  });

  it('answers ResourceNotFound for an unknown member, and InvalidParameter when none is named', async () => {
    const before = await members(t, owner.appKey);
    expectNotFound(await t.post('/member/delete', { member_id: 424242 }, owner.appKey));
    expectNotFound(await t.post('/member/delete', { email: 'nobody@example.com' }, owner.appKey));
    expectNotFound(await t.post('/member/delete', { ref_id: 'no-such-ref' }, owner.appKey));
    expectInvalid(await t.post('/member/delete', {}, owner.appKey), 'member_id');
    expect(await members(t, owner.appKey)).toEqual(before);
  });

  it('does not take an empty e-mail, phone or ref_id as naming a member without one', async () => {
    const lone = await invite(t, owner, { member_name: 'Lone', phone: '+15550999' });
    const before = await members(t, owner.appKey);
    expectInvalid(await t.post('/member/delete', { email: '' }, owner.appKey), 'email');
    expectInvalid(await t.post('/member/delete', { ref_id: '' }, owner.appKey), 'ref_id');
    expectInvalid(await t.post('/member/delete', { member_name: '' }, owner.appKey), 'member_name');
    expectInvalid(await t.post('/member/delete', { phone: '' }, owner.appKey), 'phone');
    expect(await members(t, owner.appKey)).toEqual(before);
    expect(await memberById(t, owner.appKey, lone)).toBeDefined();
  });

  it('refuses to delete yourself (BadRequest)', async () => {
    const admin = await t.newMember(owner, [2]);
    for (const [key, memberId] of [
      [owner.appKey, owner.memberId],
      [admin.appKey, admin.memberId],
    ] as const) {
      const res = await t.post('/member/delete', { member_id: memberId }, key);
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('BadRequest');
      expect(res.body.error?.message).toContain('themselves');
      expect(await memberById(t, owner.appKey, memberId)).toBeDefined();
      expect(await keyWorks(t, key)).toBe(true);
    }
  });

  it('needs Members Manage: a Responder gets AccessDenied and the member stays', async () => {
    const responder = await t.newMember(owner, [3]);
    const target = await invite(t, owner, { member_name: 'Target', email: 'target@example.com' });
    expectDenied(await t.post('/member/delete', { member_id: target }, responder.appKey), 'Members Manage');
    expect(await memberById(t, owner.appKey, target)).toBeDefined();
  });
});

describe('the last Owner', () => {
  let account: TestAccount;
  let admin: TestAccount;

  beforeAll(async () => {
    account = await t.newAccount('Owned');
    admin = await t.newMember(account, [2]);
  });

  it('an Admin cannot take the Owner role from the only Owner, nor delete them (AccessDenied)', async () => {
    const attempts: [string, Record<string, unknown>][] = [
      ['/member/role/revoke', { member_id: account.memberId, role_ids: [1] }],
      ['/member/role/update', { member_id: account.memberId, role_ids: [2] }],
      ['/member/role/update', { member_id: account.memberId, role_ids: [] }],
      ['/role/member/revoke', { member_ids: [account.memberId], role_id: 1 }],
      ['/member/delete', { member_id: account.memberId }],
    ];
    for (const [path, body] of attempts) expectDenied(await t.post(path, body, admin.appKey));
    expect(await roleIdsOf(t, account.appKey, account.memberId)).toEqual([1]);
    expect(await keyWorks(t, account.appKey)).toBe(true);
  });

  it('an Owner cannot give up the Owner role while they are the only one (BadRequest)', async () => {
    const attempts: [string, Record<string, unknown>][] = [
      ['/member/role/revoke', { member_id: account.memberId, role_ids: [1] }],
      ['/member/role/update', { member_id: account.memberId, role_ids: [2] }],
      ['/role/member/revoke', { member_ids: [account.memberId], role_id: 1 }],
    ];
    for (const [path, body] of attempts) {
      const res = await t.post(path, body, account.appKey);
      expect(res.status, path).toBe(400);
      expect(res.body.error?.code).toBe('BadRequest');
      expect(res.body.error?.message).toContain('must keep at least one Owner');
    }
    expect(await roleIdsOf(t, account.appKey, account.memberId)).toEqual([1]);
  });

  it('with a second Owner, the first may step down, and then holds only what is left', async () => {
    expectOk(
      await t.post('/member/role/grant', { member_id: admin.memberId, role_ids: [1] }, account.appKey),
    );
    expect(await roleIdsOf(t, account.appKey, admin.memberId)).toEqual([1, 2]);
    expectOk(
      await t.post('/member/role/update', { member_id: account.memberId, role_ids: [2] }, account.appKey),
    );
    expect(await roleIdsOf(t, admin.appKey, account.memberId)).toEqual([2]);

    const res = await t.post(
      '/member/role/revoke',
      { member_id: admin.memberId, role_ids: [1] },
      admin.appKey,
    );
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('BadRequest');
    expectDenied(await t.post('/member/delete', { member_id: admin.memberId }, account.appKey));
    expect(await roleIdsOf(t, admin.appKey, admin.memberId)).toEqual([1, 2]);
  });
});

describe('member info reset', () => {
  it('lets any member edit their own profile, stored as /member/info shows it', async () => {
    for (const role of [1, 2, 3, 4]) {
      const member = role === 1 ? owner : await t.newMember(owner, [role]);
      t.clock.advance(1000);
      const res = await t.post(
        '/member/info/reset',
        {
          member_id: member.memberId,
          member_name: `Renamed ${role}`,
          phone: `+1555020${role}`,
          country_code: 'DE',
          avatar: 'https://example.com/a.png',
          locale: 'zh-CN',
          time_zone: 'Asia/Shanghai',
        },
        member.appKey,
      );
      expectOk(res);
      const info = (await t.post('/member/info', {}, member.appKey)).body.data;
      expect(info).toMatchObject({
        member_id: member.memberId,
        member_name: `Renamed ${role}`,
        phone: `+1555020${role}`,
        country_code: 'DE',
        avatar: 'https://example.com/a.png',
        locale: 'zh-CN',
        time_zone: 'Asia/Shanghai',
        account_role_ids: [role],
      });
      const listed = await memberById(t, owner.appKey, member.memberId);
      expect(listed.updated_at).toBe(Math.floor(t.clock.nowMs() / 1000));
    }
  });

  it('changes only the fields sent', async () => {
    const member = await t.newMember(owner, [4], 'Partial');
    const before = await memberById(t, owner.appKey, member.memberId);
    expectOk(
      await t.post('/member/info/reset', { member_id: member.memberId, time_zone: 'UTC' }, member.appKey),
    );
    const after = await memberById(t, owner.appKey, member.memberId);
    expect(after).toEqual({ ...before, time_zone: 'UTC', updated_at: after.updated_at });
  });

  it('needs Members Manage for someone else: a Responder gets AccessDenied, an Admin succeeds', async () => {
    const responder = await t.newMember(owner, [3]);
    const admin = await t.newMember(owner, [2]);
    const target = await invite(t, owner, { member_name: 'Edited', email: 'edited@example.com' });
    const before = await memberById(t, owner.appKey, target);

    expectDenied(
      await t.post('/member/info/reset', { member_id: target, member_name: 'Hijacked' }, responder.appKey),
      'Members Manage',
    );
    expect(await memberById(t, owner.appKey, target)).toEqual(before);

    expectOk(
      await t.post(
        '/member/info/reset',
        { member_id: target, member_name: 'Edited by admin', email: 'edited2@example.com' },
        admin.appKey,
      ),
    );
    expect(await memberById(t, owner.appKey, target)).toMatchObject({
      member_name: 'Edited by admin',
      email: 'edited2@example.com',
    });
  });

  it('refuses an e-mail another member has (InvalidParameter naming email) and changes nothing', async () => {
    await invite(t, owner, { member_name: 'Holder', email: 'holder@example.com' });
    const member = await t.newMember(owner, [3]);
    const before = await members(t, owner.appKey);
    const res = await t.post(
      '/member/info/reset',
      { member_id: member.memberId, member_name: 'Thief', email: 'HOLDER@example.com' },
      member.appKey,
    );
    expectInvalid(res, 'member.email');
    expect(await members(t, owner.appKey)).toEqual(before);
  });

  it('answers ResourceNotFound for an unknown or deleted member', async () => {
    const gone = await invite(t, owner, { member_name: 'Departed', email: 'departed@example.com' });
    expectOk(await t.post('/member/delete', { member_id: gone }, owner.appKey));
    for (const memberId of [424242, gone]) {
      expectNotFound(
        await t.post('/member/info/reset', { member_id: memberId, member_name: 'Back' }, owner.appKey),
      );
    }
  });
});

describe('person infos', () => {
  it('returns only the caller account’s live persons', async () => {
    const other = await t.newAccount('Other');
    const mine = await invite(t, owner, { member_name: 'Mine', email: 'mine@example.com', time_zone: 'UTC' });
    const theirs = await invite(t, other, { member_name: 'Theirs', email: 'theirs@example.com' });

    const res = await t.post(
      '/person/infos',
      { person_ids: [owner.memberId, mine, theirs, other.memberId, 424242] },
      owner.appKey,
    );
    expectOk(res);
    const items = [...res.body.data.items].sort((x: any, y: any) => x.person_id - y.person_id);
    expect(items.map((p: any) => p.person_id)).toEqual([owner.memberId, mine].sort((x, y) => x - y));
    expect(items.find((p: any) => p.person_id === mine)).toEqual({
      account_id: owner.accountId,
      person_id: mine,
      person_name: 'Mine',
      avatar: '',
      locale: 'en-US',
      time_zone: 'UTC',
      email: 'mine@example.com',
      phone: '',
      phone_verified: false,
      email_verified: false,
      as: 'member',
      status: 'enabled',
    });

    const fromOther = await t.post('/person/infos', { person_ids: [mine, theirs] }, other.appKey);
    expect(fromOther.body.data.items.map((p: any) => p.person_id)).toEqual([theirs]);
  });
});
