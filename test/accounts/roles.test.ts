import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  expectDenied,
  expectInvalid,
  expectNotFound,
  expectOk,
  members,
  roleIdsOf,
  teams,
} from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Roles');
});
afterAll(() => t.close());

const ALL_PERMISSIONS = Array.from({ length: 20 }, (_, i) => i + 1);
/** Incidents, Channels, Integrations, Schedules, Templates, Mappings, Analytics Read and Audit Read. */
const READ_PERMISSIONS = [1, 3, 5, 7, 9, 11, 14, 20];

describe('roles', () => {
  it('lists the four built-in roles, none editable', async () => {
    const res = await t.post('/role/list', {}, owner.appKey);
    expectOk(res);
    expect(res.body.data.total).toBe(4);
    const items = res.body.data.items;
    expect(items.map((r: any) => [r.role_id, r.role_name])).toEqual([
      [1, 'Owner'],
      [2, 'Admin'],
      [3, 'Responder'],
      [4, 'Read-only'],
    ]);
    for (const role of items) {
      expect(role).toMatchObject({ status: 'enabled', editable: false });
      expect(role.description).not.toBe('');
    }
    expect(items[0].permission_ids).toEqual(ALL_PERMISSIONS);
    expect(items[1].permission_ids).toEqual(ALL_PERMISSIONS);
    expect([...items[2].permission_ids].sort((x: number, y: number) => x - y)).toEqual(
      [...READ_PERMISSIONS, 2, 16].sort((x, y) => x - y),
    );
    expect(items[3].permission_ids).toEqual(READ_PERMISSIONS);
  });

  it('is readable by any member, Read-only included', async () => {
    const reader = await t.newMember(owner, [4]);
    expect((await t.post('/role/list', {}, reader.appKey)).body.data.total).toBe(4);
    expect((await t.post('/role/info', { role_id: 2 }, reader.appKey)).body.data.role_name).toBe('Admin');
  });

  it('gets one role, and answers ResourceNotFound for an unknown one', async () => {
    const res = await t.post('/role/info', { role_id: 3 }, owner.appKey);
    expectOk(res);
    expect(res.body.data).toMatchObject({ role_id: 3, role_name: 'Responder', editable: false });
    expect(res.body.data.permission_ids).toContain(2);
    expect(res.body.data.permission_ids).not.toContain(4);
    expectNotFound(await t.post('/role/info', { role_id: 5 }, owner.appKey));
    expectNotFound(await t.post('/role/info', { role_id: 0 }, owner.appKey));
  });
});

describe('role permissions', () => {
  const list = async (body: Record<string, unknown>) => {
    const res = await t.post('/role/permission/list', body, owner.appKey);
    expectOk(res);
    return res.body.data.items as any[];
  };

  it('lists every permission, none granted, when no role is named', async () => {
    const items = await list({});
    expect(items.map((p) => p.id)).toEqual(ALL_PERMISSIONS);
    expect(items.every((p) => p.is_granted === false && p.status === 'enabled')).toBe(true);
    expect(items.find((p) => p.id === 4)).toMatchObject({
      permission_name: 'Channels Manage',
      permission_type: 'manage',
      class: 'Channels',
      scope: 'on-call',
    });
  });

  it('lists only what the named roles grant, or everything flagged with with_all', async () => {
    const readOnly = await list({ role_ids: [4] });
    expect(readOnly.map((p) => p.id)).toEqual(READ_PERMISSIONS);
    expect(readOnly.every((p) => p.is_granted && p.permission_type === 'read')).toBe(true);

    const all = await list({ role_ids: [4], with_all: true });
    expect(all.map((p) => p.id)).toEqual(ALL_PERMISSIONS);
    for (const p of all) expect(p.is_granted, p.permission_name).toBe(READ_PERMISSIONS.includes(p.id));

    const responderAndReader = await list({ role_ids: [3, 4] });
    expect(responderAndReader.map((p) => p.id)).toEqual([1, 2, 3, 5, 7, 9, 11, 14, 16, 20]);

    const admin = await list({ role_ids: [2], with_all: false });
    expect(admin.map((p) => p.id)).toEqual(ALL_PERMISSIONS);
    expect((await list({ role_ids: [99] })).map((p) => p.id)).toEqual([]);
    expect((await list({ role_ids: [99], with_all: true })).every((p) => !p.is_granted)).toBe(true);
  });
});

describe('granting and revoking roles', () => {
  it('/role/member/grant and /revoke change what a member’s own key may do', async () => {
    const reader = await t.newMember(owner, [4]);
    const another = await t.newMember(owner, [4]);
    expectDenied(await t.post('/team/upsert', { team_name: 'Before grant' }, reader.appKey), 'Teams Manage');

    expectOk(
      await t.post(
        '/role/member/grant',
        { member_ids: [reader.memberId, another.memberId], role_id: 2 },
        owner.appKey,
      ),
    );
    expect(await roleIdsOf(t, owner.appKey, reader.memberId)).toEqual([2, 4]);
    expect(await roleIdsOf(t, owner.appKey, another.memberId)).toEqual([2, 4]);
    const created = await t.post('/team/upsert', { team_name: 'After grant' }, reader.appKey);
    expectOk(created);
    expect(
      (await t.post('/team/info', { team_name: 'After grant' }, owner.appKey)).body.data.creator_id,
    ).toBe(reader.memberId);
    expect((await t.post('/member/info', {}, reader.appKey)).body.data.account_role_ids).toEqual([2, 4]);

    expectOk(
      await t.post('/role/member/revoke', { member_ids: [reader.memberId], role_id: 2 }, owner.appKey),
    );
    expect(await roleIdsOf(t, owner.appKey, reader.memberId)).toEqual([4]);
    expect(await roleIdsOf(t, owner.appKey, another.memberId)).toEqual([2, 4]);
    expectDenied(await t.post('/team/upsert', { team_name: 'After revoke' }, reader.appKey), 'Teams Manage');
    expectNotFound(await t.post('/team/info', { team_name: 'After revoke' }, owner.appKey));
  });

  it('granting a role twice, or revoking one not held, is harmless', async () => {
    const member = await t.newMember(owner, [3]);
    expectOk(await t.post('/role/member/grant', { member_ids: [member.memberId], role_id: 3 }, owner.appKey));
    expectOk(
      await t.post('/member/role/grant', { member_id: member.memberId, role_ids: [3, 3] }, owner.appKey),
    );
    expectOk(
      await t.post('/role/member/revoke', { member_ids: [member.memberId], role_id: 2 }, owner.appKey),
    );
    expect(await roleIdsOf(t, owner.appKey, member.memberId)).toEqual([3]);
  });

  it('/role/member/* needs Roles Manage: a Responder gets AccessDenied and nothing changes', async () => {
    const responder = await t.newMember(owner, [3]);
    const target = await t.newMember(owner, [4]);
    const before = await members(t, owner.appKey);
    expectDenied(
      await t.post('/role/member/grant', { member_ids: [target.memberId], role_id: 2 }, responder.appKey),
      'Roles Manage',
    );
    expectDenied(
      await t.post('/role/member/grant', { member_ids: [responder.memberId], role_id: 2 }, responder.appKey),
      'Roles Manage',
    );
    expectDenied(
      await t.post('/role/member/revoke', { member_ids: [target.memberId], role_id: 4 }, responder.appKey),
      'Roles Manage',
    );
    expect(await members(t, owner.appKey)).toEqual(before);
  });

  it('/member/role/update, /grant and /revoke store their effect and change what the key may do', async () => {
    const member = await t.newMember(owner, [4]);
    const roles = () => roleIdsOf(t, owner.appKey, member.memberId);
    const canManageTeams = async (name: string) =>
      (await t.post('/team/upsert', { team_name: name }, member.appKey)).status === 200;

    t.clock.advance(5000);
    expectOk(await t.post('/member/role/grant', { member_id: member.memberId, role_ids: [2] }, owner.appKey));
    expect(await roles()).toEqual([2, 4]);
    expect((await t.post('/member/info', {}, member.appKey)).body.data.account_role_ids).toEqual([2, 4]);
    const listed = (await members(t, owner.appKey)).find((m) => m.member_id === member.memberId);
    expect(listed.updated_at).toBe(Math.floor(t.clock.nowMs() / 1000));
    expect(await canManageTeams('Granted team')).toBe(true);

    expectOk(
      await t.post('/member/role/revoke', { member_id: member.memberId, role_ids: [2] }, owner.appKey),
    );
    expect(await roles()).toEqual([4]);
    expect(await canManageTeams('Revoked team')).toBe(false);

    expectOk(
      await t.post('/member/role/update', { member_id: member.memberId, role_ids: [3, 2] }, owner.appKey),
    );
    expect(await roles()).toEqual([2, 3]);
    expect(await canManageTeams('Updated team')).toBe(true);

    expectOk(await t.post('/member/role/update', { member_id: member.memberId, role_ids: [] }, owner.appKey));
    expect(await roles()).toEqual([]);
    expect(await canManageTeams('No role team')).toBe(false);
    expect((await t.post('/team/list', {}, member.appKey)).status).toBe(200);

    const names = (await teams(t, owner.appKey)).map((team) => team.team_name);
    expect(names).toEqual(expect.arrayContaining(['Granted team', 'Updated team']));
    expect(names).not.toContain('Revoked team');
    expect(names).not.toContain('No role team');
  });

  it('/member/role/* needs Members Manage: a Responder gets AccessDenied', async () => {
    const responder = await t.newMember(owner, [3]);
    const target = await t.newMember(owner, [4]);
    for (const kind of ['update', 'grant', 'revoke']) {
      expectDenied(
        await t.post(`/member/role/${kind}`, { member_id: target.memberId, role_ids: [4] }, responder.appKey),
        'Members Manage',
      );
      expectDenied(
        await t.post(
          `/member/role/${kind}`,
          { member_id: responder.memberId, role_ids: [2] },
          responder.appKey,
        ),
        'Members Manage',
      );
    }
    expect(await roleIdsOf(t, owner.appKey, target.memberId)).toEqual([4]);
    expect(await roleIdsOf(t, owner.appKey, responder.memberId)).toEqual([3]);
  });

  it('answers ResourceNotFound for an unknown member, granting to no one', async () => {
    const member = await t.newMember(owner, [4]);
    expectNotFound(await t.post('/member/role/grant', { member_id: 424242, role_ids: [2] }, owner.appKey));
    expectNotFound(
      await t.post('/role/member/grant', { member_ids: [member.memberId, 424242], role_id: 2 }, owner.appKey),
    );
    expect(await roleIdsOf(t, owner.appKey, member.memberId)).toEqual([4]);
  });

  it('refuses an unknown role id, naming the field, and changes nothing', async () => {
    const member = await t.newMember(owner, [4]);
    for (const kind of ['update', 'grant', 'revoke']) {
      expectInvalid(
        await t.post(`/member/role/${kind}`, { member_id: member.memberId, role_ids: [2, 9] }, owner.appKey),
        'role_ids',
      );
    }
    for (const kind of ['grant', 'revoke']) {
      expectInvalid(
        await t.post(`/role/member/${kind}`, { member_ids: [member.memberId], role_id: 9 }, owner.appKey),
        'role_id',
      );
    }
    expectInvalid(
      await t.post(
        '/member/invite',
        { members: [{ member_name: 'Nine', email: 'nine@example.com', role_ids: [9] }] },
        owner.appKey,
      ),
      'members[0].role_ids',
    );
    expect(await roleIdsOf(t, owner.appKey, member.memberId)).toEqual([4]);
    expect((await members(t, owner.appKey)).map((m) => m.member_name)).not.toContain('Nine');
  });
});

describe('the Owner role', () => {
  it('only an Owner may grant it: an Admin gets AccessDenied and nothing changes', async () => {
    const admin = await t.newMember(owner, [2]);
    const target = await t.newMember(owner, [3]);
    const before = await members(t, owner.appKey);
    const attempts: [string, Record<string, unknown>][] = [
      ['/member/role/grant', { member_id: target.memberId, role_ids: [1] }],
      ['/member/role/grant', { member_id: admin.memberId, role_ids: [1] }],
      ['/member/role/update', { member_id: target.memberId, role_ids: [1, 3] }],
      ['/role/member/grant', { member_ids: [target.memberId], role_id: 1 }],
      ['/role/member/grant', { member_ids: [admin.memberId], role_id: 1 }],
      [
        '/member/invite',
        { members: [{ member_name: 'New owner', email: 'newowner@example.com', role_ids: [1] }] },
      ],
    ];
    for (const [path, body] of attempts) expectDenied(await t.post(path, body, admin.appKey));
    expect(await members(t, owner.appKey)).toEqual(before);
  });

  it('an Admin cannot change an Owner’s other roles wholesale, but an Owner can', async () => {
    const admin = await t.newMember(owner, [2]);
    const coOwner = await t.newMember(owner, [3]);
    expectOk(
      await t.post('/role/member/grant', { member_ids: [coOwner.memberId], role_id: 1 }, owner.appKey),
    );
    expect(await roleIdsOf(t, owner.appKey, coOwner.memberId)).toEqual([1, 3]);

    expectDenied(
      await t.post('/member/role/update', { member_id: coOwner.memberId, role_ids: [3] }, admin.appKey),
    );
    expectDenied(
      await t.post('/member/role/revoke', { member_id: coOwner.memberId, role_ids: [1, 3] }, admin.appKey),
    );
    expect(await roleIdsOf(t, owner.appKey, coOwner.memberId)).toEqual([1, 3]);

    // The new Owner may in turn grant the role, and take it back.
    expectOk(
      await t.post('/member/role/grant', { member_id: admin.memberId, role_ids: [1] }, coOwner.appKey),
    );
    expect(await roleIdsOf(t, owner.appKey, admin.memberId)).toEqual([1, 2]);
    expectOk(
      await t.post('/member/role/revoke', { member_id: admin.memberId, role_ids: [1] }, coOwner.appKey),
    );
    expectOk(
      await t.post('/member/role/update', { member_id: coOwner.memberId, role_ids: [3] }, owner.appKey),
    );
    expect(await roleIdsOf(t, owner.appKey, admin.memberId)).toEqual([2]);
    expect(await roleIdsOf(t, owner.appKey, coOwner.memberId)).toEqual([3]);
  });
});
