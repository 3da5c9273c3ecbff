import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/db.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import type { TestDatabase } from '../harness/database.ts';
import { expectDenied, expectInvalid, expectNotFound, expectOk } from './helpers.ts';

/*
 * Custom roles (issue 20): /role/upsert, /role/delete, /role/enable, /role/disable and
 * /role/permission/factor/list. A custom role's permissions are checked on every route as the
 * built-in roles' are; disabling or deleting it takes them away at once, on every instance.
 */

let a: TestApp;
let b: TestApp;
let second: TestDatabase;
let owner: TestAccount;
let other: TestAccount;
let incidentId: string;

const INCIDENTS_READ = 1;
const CHANNELS_READ = 3;
const INCIDENTS_MANAGE = 2;

beforeAll(async () => {
  a = await startTestApp();
  const url = a.database.url;
  second = url ? { db: await openDb({ databaseUrl: url }), url, drop: async () => {} } : a.database;
  b = await startTestApp({ database: second });
  owner = await a.newAccount('Custom roles');
  other = await a.newAccount('Elsewhere');
  const created = await a.post(
    '/incident/create',
    { incident_severity: 'Info', title: 'Disk full' },
    owner.appKey,
  );
  expectOk(created);
  incidentId = created.body.data.incident_id;
}, 120_000);

afterAll(async () => {
  await b?.app.close();
  if (second && second !== a.database) await second.db.close();
  await a?.close();
});

async function upsert(body: Record<string, unknown>, key = owner.appKey): Promise<number> {
  const res = await a.post('/role/upsert', body, key);
  expectOk(res);
  expect(res.body.data.role_name).toBe(String(body.role_name).trim());
  return res.body.data.role_id as number;
}

const now = () => Math.floor(a.clock.nowMs() / 1000);
const listIncidents = (t: TestApp, key: string) =>
  t.post('/incident/list', { start_time: now() - 3600, end_time: now() + 3600 }, key);
const ack = (t: TestApp, key: string) => t.post('/incident/ack', { incident_ids: [incidentId] }, key);

/** Polls until `probe` answers `status`; how long that took (ms), failing past `limitMs`. */
async function within(
  probe: () => Promise<{ status: number }>,
  status: number,
  limitMs: number,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const got = (await probe()).status;
    if (got === status) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`still ${got} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('custom roles', () => {
  it('creates, lists, reads and updates a role; built-in roles come first and stay uneditable', async () => {
    const roleId = await upsert({ role_name: 'Watcher', description: 'Looks', permission_ids: [3, 1, 1] });
    expect(roleId).toBeGreaterThan(4);
    const info = await a.post('/role/info', { role_id: roleId }, owner.appKey);
    expectOk(info);
    expect(info.body.data).toMatchObject({
      role_id: roleId,
      role_name: 'Watcher',
      description: 'Looks',
      status: 'enabled',
      editable: true,
      permission_ids: [INCIDENTS_READ, CHANNELS_READ],
    });
    expect(info.body.data.created_at).toBe(now());

    expect(await upsert({ role_id: roleId, role_name: 'Watchers', permission_ids: [1] })).toBe(roleId);
    const list = await a.post('/role/list', {}, owner.appKey);
    expectOk(list);
    const items = list.body.data.items as any[];
    expect(items.slice(0, 4).map((r) => r.editable)).toEqual([false, false, false, false]);
    expect(items.find((r) => r.role_id === roleId)).toMatchObject({
      role_name: 'Watchers',
      description: 'Looks',
      permission_ids: [INCIDENTS_READ],
    });
    expect(list.body.data.total).toBe(items.length);

    const perms = await a.post('/role/permission/list', { role_ids: [roleId] }, owner.appKey);
    expect(perms.body.data.items.map((p: any) => p.id)).toEqual([INCIDENTS_READ]);
  });

  it('refuses bad input naming the field, and stores nothing', async () => {
    expectInvalid(await a.post('/role/upsert', { role_name: '' }, owner.appKey), 'role_name');
    expectInvalid(await a.post('/role/upsert', { role_name: 'x'.repeat(40) }, owner.appKey), 'role_name');
    expectInvalid(await a.post('/role/upsert', { role_name: 'admin' }, owner.appKey), 'role_name');
    expectInvalid(
      await a.post('/role/upsert', { role_name: 'Bad', permission_ids: [1, 999] }, owner.appKey),
      'permission_ids',
    );
    await upsert({ role_name: 'Twin' });
    expectInvalid(await a.post('/role/upsert', { role_name: 'twin' }, owner.appKey), 'role_name');
    const names = (await a.post('/role/list', {}, owner.appKey)).body.data.items.map((r: any) => r.role_name);
    expect(names).not.toContain('Bad');
    expect(names.filter((n: string) => n.toLowerCase() === 'twin')).toHaveLength(1);
  });

  it('refuses to change, delete, enable or disable a built-in role', async () => {
    for (const path of ['/role/delete', '/role/enable', '/role/disable']) {
      expectInvalid(await a.post(path, { role_id: 2 }, owner.appKey), 'role_id');
    }
    expectInvalid(await a.post('/role/upsert', { role_id: 3, role_name: 'Mine' }, owner.appKey), 'role_id');
    const admin = await a.post('/role/info', { role_id: 2 }, owner.appKey);
    expect(admin.body.data).toMatchObject({ role_name: 'Admin', status: 'enabled', editable: false });
  });

  it('a role granting only incident read can list incidents but not acknowledge them (403 in the envelope)', async () => {
    const roleId = await upsert({ role_name: 'Incident reader', permission_ids: [INCIDENTS_READ] });
    const member = await a.newMember(owner, [roleId]);
    expectOk(await listIncidents(a, member.appKey));
    const denied = await ack(a, member.appKey);
    expectDenied(denied, 'Incidents Manage');
    expect(typeof denied.body.request_id).toBe('string');
    expect(denied.body.data).toBeUndefined();
    expectDenied(await a.post('/channel/create', { channel_name: 'Nope' }, member.appKey));
    // Granting Incidents Manage to the role lets the same key acknowledge.
    await upsert({
      role_id: roleId,
      role_name: 'Incident reader',
      permission_ids: [INCIDENTS_READ, INCIDENTS_MANAGE],
    });
    expectOk(await ack(a, member.appKey));
  });

  it('disabling a role takes its permissions away at once, on every instance; enabling gives them back', async () => {
    const roleId = await upsert({ role_name: 'Reader two', permission_ids: [INCIDENTS_READ] });
    const member = await a.newMember(owner, [roleId]);
    expectOk(await listIncidents(b, member.appKey)); // instance B now keeps the key
    expectOk(await a.post('/role/disable', { role_id: roleId }, owner.appKey));
    expect((await a.post('/role/info', { role_id: roleId }, owner.appKey)).body.data.status).toBe('disabled');
    expectDenied(await listIncidents(a, member.appKey));
    expect(await within(() => listIncidents(b, member.appKey), 403, 1_000)).toBeLessThan(1_000);
    expectOk(await a.post('/role/enable', { role_id: roleId }, owner.appKey));
    expect(await within(() => listIncidents(b, member.appKey), 200, 1_000)).toBeLessThan(1_000);
  });

  it('deleting a role removes it and its grants: members lose its permissions on every instance', async () => {
    const roleId = await upsert({ role_name: 'Short-lived', permission_ids: [INCIDENTS_READ] });
    const member = await a.newMember(owner, [roleId]);
    expectOk(await listIncidents(b, member.appKey));
    expectOk(await a.post('/role/delete', { role_id: roleId }, owner.appKey));
    expect(await within(() => listIncidents(b, member.appKey), 403, 1_000)).toBeLessThan(1_000);
    expectNotFound(await a.post('/role/info', { role_id: roleId }, owner.appKey));
    const me = await a.post('/member/info', {}, member.appKey);
    expectOk(me);
    expectNotFound(await a.post('/role/delete', { role_id: roleId }, owner.appKey));
  });

  it('needs Roles Manage to change roles: a Responder or a custom role without it gets AccessDenied', async () => {
    const responder = await a.newMember(owner, [3]);
    for (const [path, body] of [
      ['/role/upsert', { role_name: 'Sneaky', permission_ids: [19] }],
      ['/role/delete', { role_id: 5 }],
      ['/role/enable', { role_id: 5 }],
      ['/role/disable', { role_id: 5 }],
    ] as const) {
      expectDenied(await a.post(path, body, responder.appKey), 'Roles Manage');
    }
    // Roles Manage through a custom role works like the built-in grant.
    const managerRole = await upsert({ role_name: 'Role manager', permission_ids: [19] });
    const manager = await a.newMember(owner, [managerRole]);
    expect(await upsert({ role_name: 'Made by a manager' }, manager.appKey)).toBeGreaterThan(4);
  });

  it('keeps each account to its own roles', async () => {
    const roleId = await upsert({ role_name: 'Private', permission_ids: [INCIDENTS_READ] });
    expectNotFound(await a.post('/role/info', { role_id: roleId }, other.appKey));
    const theirs = (await a.post('/role/list', {}, other.appKey)).body.data.items.map((r: any) => r.role_id);
    expect(theirs).toEqual([1, 2, 3, 4]);
    expectNotFound(await a.post('/role/upsert', { role_id: roleId, role_name: 'Taken' }, other.appKey));
    expectNotFound(await a.post('/role/disable', { role_id: roleId }, other.appKey));
    expectNotFound(await a.post('/role/delete', { role_id: roleId }, other.appKey));
    const stranger = await a.newMember(other, [4]);
    expectInvalid(
      await a.post('/role/member/grant', { member_ids: [stranger.memberId], role_id: roleId }, other.appKey),
      'role_id',
    );
    // The same name is free in another account.
    expect(await upsert({ role_name: 'Private' }, other.appKey)).not.toBe(roleId);
    const info = await a.post('/role/info', { role_id: roleId }, owner.appKey);
    expect(info.body.data).toMatchObject({ role_name: 'Private', status: 'enabled' });
  });

  it('lists permission factors: the Open API operations, filtered by type', async () => {
    const all = await a.post('/role/permission/factor/list', {}, owner.appKey);
    expectOk(all);
    const names = all.body.data.map((f: any) => f.factor_name);
    expect(names).toContain('incident:write:ack');
    expect(names).toContain('incident:read:list');
    expect(all.body.data.every((f: any) => f.factor_type === 'api')).toBe(true);
    const menus = await a.post('/role/permission/factor/list', { factor_types: ['menu'] }, owner.appKey);
    expect(menus.body.data).toEqual([]);
    expectInvalid(
      await a.post('/role/permission/factor/list', { factor_types: ['nope'] }, owner.appKey),
      'factor_types[0]',
    );
  });
});
