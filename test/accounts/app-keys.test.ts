import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { appKeys, expectDenied, expectInvalid, expectNotFound, expectOk, keyWorks } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Keys');
});
afterAll(() => t.close());

async function create(appKey: string, body: Record<string, unknown>) {
  const res = await t.post('/person/app-key/create', body, appKey);
  expectOk(res);
  return res.body.data as { key_id: number; key_name: string; key: string };
}

describe('app key create and list', () => {
  it('creates a key whose 32-hex secret is shown once and authenticates as its member', async () => {
    const res = await t.post('/person/app-key/create', { key_name: 'deploy bot' }, owner.appKey);
    expectOk(res);
    expect(Object.keys(res.body.data).sort()).toEqual(['key', 'key_id', 'key_name']);
    expect(res.body.data).toMatchObject({ key_id: expect.any(Number), key_name: 'deploy bot' });
    expect(res.body.data.key).toMatch(/^[0-9a-f]{32}$/);
    const who = await t.post('/member/info', {}, res.body.data.key);
    expectOk(who);
    expect(who.body.data).toMatchObject({ member_id: owner.memberId, account_id: owner.accountId });

    const listed = (await appKeys(t, owner.appKey)).find((k) => k.key_id === res.body.data.key_id);
    expect(listed).toEqual({
      key_id: res.body.data.key_id,
      key_name: 'deploy bot',
      status: 'enabled',
      person_id: owner.memberId,
      created_at: Math.floor(t.clock.nowMs() / 1000),
      updated_at: Math.floor(t.clock.nowMs() / 1000),
    });
  });

  it('never shows a secret in the list, for the caller or for another member', async () => {
    const mine = await create(owner.appKey, { key_name: 'secret one' });
    const member = await t.newMember(owner, [3]);
    const theirs = await create(owner.appKey, { key_name: 'secret two', person_id: member.memberId });
    for (const res of [
      await t.post('/person/app-key/list', {}, owner.appKey),
      await t.post('/person/app-key/list', { person_id: member.memberId }, owner.appKey),
      await t.post('/person/app-key/list', {}, member.appKey),
    ]) {
      expectOk(res);
      const body = JSON.stringify(res.body);
      for (const secret of [mine.key, theirs.key, owner.appKey, member.appKey])
        expect(body).not.toContain(secret);
      for (const item of res.body.data.items) {
        expect(Object.keys(item).sort()).toEqual([
          'created_at',
          'key_id',
          'key_name',
          'person_id',
          'status',
          'updated_at',
        ]);
      }
    }
  });

  it('creates a disabled key with is_enabled false, which works only once enabled', async () => {
    const created = await create(owner.appKey, { key_name: 'dormant', is_enabled: false });
    expect(await keyWorks(t, created.key)).toBe(false);
    expect((await appKeys(t, owner.appKey)).find((k) => k.key_id === created.key_id).status).toBe('disabled');
    expectOk(await t.post('/person/app-key/enable', { key_id: created.key_id }, owner.appKey));
    expect(await keyWorks(t, created.key)).toBe(true);
  });

  it('pages through a member’s keys with p, limit and has_next_page', async () => {
    const member = await t.newMember(owner, [3]);
    const ids = [(await appKeys(t, member.appKey))[0].key_id];
    for (let i = 1; i <= 4; i++) {
      t.clock.advance(1000);
      ids.push((await create(member.appKey, { key_name: `page ${i}` })).key_id);
    }
    const seen: number[] = [];
    for (const [p, hasNext] of [
      [1, true],
      [2, true],
      [3, false],
    ] as const) {
      const res = await t.post(
        '/person/app-key/list',
        { p, limit: 2, orderby: 'created_at', asc: true },
        member.appKey,
      );
      expectOk(res);
      expect(res.body.data).toMatchObject({ p, limit: 2, total: 5, has_next_page: hasNext });
      seen.push(...res.body.data.items.map((k: any) => k.key_id));
    }
    expect(seen).toEqual(ids);
    const newest = await t.post('/person/app-key/list', { limit: 1 }, member.appKey);
    expect(newest.body.data.items.map((k: any) => k.key_name)).toEqual(['page 4']);
    const byUpdate = await t.post(
      '/person/app-key/list',
      { orderby: 'updated_at', asc: false },
      member.appKey,
    );
    expect(byUpdate.body.data.items[0].key_name).toBe('page 4');
    const beyond = await t.post('/person/app-key/list', { p: 4, limit: 2 }, member.appKey);
    expect(beyond.body.data).toMatchObject({ total: 5, has_next_page: false, items: [] });
  });
});

describe('app key changes', () => {
  it('renames a key, which keeps working', async () => {
    const created = await create(owner.appKey, { key_name: 'old name' });
    t.clock.advance(2000);
    expectOk(
      await t.post(
        '/person/app-key/name/reset',
        { key_id: created.key_id, key_name: 'new name' },
        owner.appKey,
      ),
    );
    const listed = (await appKeys(t, owner.appKey)).find((k) => k.key_id === created.key_id);
    expect(listed).toMatchObject({ key_name: 'new name', updated_at: Math.floor(t.clock.nowMs() / 1000) });
    expect(listed.created_at).toBe(listed.updated_at - 2);
    expect(await keyWorks(t, created.key)).toBe(true);
  });

  it('disables, enables and deletes a key, with the effect on authentication', async () => {
    const created = await create(owner.appKey, { key_name: 'lifecycle' });
    const status = async () =>
      (await appKeys(t, owner.appKey)).find((k) => k.key_id === created.key_id)?.status;

    expectOk(await t.post('/person/app-key/disable', { key_id: created.key_id }, owner.appKey));
    expect(await status()).toBe('disabled');
    const refused = await t.post('/member/info', {}, created.key);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('Unauthorized');

    expectOk(await t.post('/person/app-key/enable', { key_id: created.key_id }, owner.appKey));
    expect(await status()).toBe('enabled');
    expect(await keyWorks(t, created.key)).toBe(true);

    expectOk(await t.post('/person/app-key/delete', { key_id: created.key_id }, owner.appKey));
    expect(await status()).toBeUndefined();
    expect(await keyWorks(t, created.key)).toBe(false);
    for (const verb of ['delete', 'enable', 'disable']) {
      expectNotFound(await t.post(`/person/app-key/${verb}`, { key_id: created.key_id }, owner.appKey));
    }
    expectNotFound(
      await t.post('/person/app-key/name/reset', { key_id: created.key_id, key_name: 'ghost' }, owner.appKey),
    );
    expect(await keyWorks(t, created.key)).toBe(false);
  });

  it('lets a key disable itself', async () => {
    const created = await create(owner.appKey, { key_name: 'self' });
    expectOk(await t.post('/person/app-key/disable', { key_id: created.key_id }, created.key));
    expect(await keyWorks(t, created.key)).toBe(false);
  });
});

describe('another member’s keys', () => {
  it('an Owner creates, lists, renames, disables and deletes keys for another member via person_id', async () => {
    const member = await t.newMember(owner, [3]);
    const created = await create(owner.appKey, { key_name: 'for member', person_id: member.memberId });
    const who = await t.post('/member/info', {}, created.key);
    expect(who.body.data.member_id).toBe(member.memberId);
    expect((await appKeys(t, member.appKey)).map((k) => k.key_id)).toContain(created.key_id);
    expect((await appKeys(t, owner.appKey, member.memberId)).map((k) => k.key_id)).toContain(created.key_id);
    expect((await appKeys(t, owner.appKey)).map((k) => k.key_id)).not.toContain(created.key_id);

    // Without person_id the Owner names their own keys, and this one is not among them.
    expectNotFound(await t.post('/person/app-key/disable', { key_id: created.key_id }, owner.appKey));
    expect(await keyWorks(t, created.key)).toBe(true);

    const target = { key_id: created.key_id, person_id: member.memberId };
    expectOk(await t.post('/person/app-key/name/reset', { ...target, key_name: 'renamed' }, owner.appKey));
    expect((await appKeys(t, member.appKey)).find((k) => k.key_id === created.key_id).key_name).toBe(
      'renamed',
    );
    expectOk(await t.post('/person/app-key/disable', target, owner.appKey));
    expect(await keyWorks(t, created.key)).toBe(false);
    expectOk(await t.post('/person/app-key/enable', target, owner.appKey));
    expect(await keyWorks(t, created.key)).toBe(true);
    expectOk(await t.post('/person/app-key/delete', target, owner.appKey));
    expect(await keyWorks(t, created.key)).toBe(false);
    expect((await appKeys(t, member.appKey)).map((k) => k.key_id)).not.toContain(created.key_id);
  });

  it('a Responder cannot touch another member’s keys (AccessDenied), only their own', async () => {
    const responder = await t.newMember(owner, [3]);
    const other = await t.newMember(owner, [4]);
    const otherKeys = await appKeys(t, other.appKey);
    const otherKeyId = otherKeys[0].key_id;
    const target = { key_id: otherKeyId, person_id: other.memberId };

    expectDenied(
      await t.post(
        '/person/app-key/create',
        { key_name: 'sneaky', person_id: other.memberId },
        responder.appKey,
      ),
      'Members Manage',
    );
    expectDenied(await t.post('/person/app-key/list', { person_id: other.memberId }, responder.appKey));
    for (const verb of ['disable', 'delete', 'enable']) {
      expectDenied(await t.post(`/person/app-key/${verb}`, target, responder.appKey));
    }
    expectDenied(await t.post('/person/app-key/name/reset', { ...target, key_name: 'x' }, responder.appKey));
    expectNotFound(await t.post('/person/app-key/disable', { key_id: otherKeyId }, responder.appKey));
    expect(await appKeys(t, other.appKey)).toEqual(otherKeys);
    expect(await keyWorks(t, other.appKey)).toBe(true);

    const own = await create(responder.appKey, { key_name: 'mine', person_id: responder.memberId });
    expect((await t.post('/member/info', {}, own.key)).body.data.member_id).toBe(responder.memberId);
    expect(await appKeys(t, responder.appKey, responder.memberId)).toHaveLength(2);
  });

  it('an Admin cannot issue or manage an Owner’s keys (they would act as the Owner)', async () => {
    const admin = await t.newMember(owner, [2]);
    const member = await t.newMember(owner, [3]);
    const ownerKeys = await appKeys(t, owner.appKey);
    expectDenied(
      await t.post(
        '/person/app-key/create',
        { key_name: 'escalate', person_id: owner.memberId },
        admin.appKey,
      ),
    );
    expectDenied(await t.post('/person/app-key/list', { person_id: owner.memberId }, admin.appKey));
    expectDenied(
      await t.post(
        '/person/app-key/disable',
        { key_id: ownerKeys[0].key_id, person_id: owner.memberId },
        admin.appKey,
      ),
    );
    expect(await appKeys(t, owner.appKey)).toEqual(ownerKeys);
    expect(await keyWorks(t, owner.appKey)).toBe(true);

    // An Admin still manages the keys of members who are not Owners.
    const issued = await create(admin.appKey, { key_name: 'automation', person_id: member.memberId });
    expect((await t.post('/member/info', {}, issued.key)).body.data.member_id).toBe(member.memberId);
  });

  it('answers ResourceNotFound for an unknown or deleted person_id', async () => {
    const gone = await t.newMember(owner, [3]);
    expectOk(await t.post('/member/delete', { member_id: gone.memberId }, owner.appKey));
    for (const personId of [424242, gone.memberId]) {
      expectNotFound(
        await t.post('/person/app-key/create', { key_name: 'x', person_id: personId }, owner.appKey),
      );
      expectNotFound(await t.post('/person/app-key/list', { person_id: personId }, owner.appKey));
    }
    expect(await keyWorks(t, gone.appKey)).toBe(false);
  });
});

describe('app key names', () => {
  it('refuses a missing, empty or over-long key_name and stores nothing', async () => {
    const before = await appKeys(t, owner.appKey);
    expectInvalid(await t.post('/person/app-key/create', {}, owner.appKey), 'key_name');
    expectInvalid(await t.post('/person/app-key/create', { key_name: '' }, owner.appKey), 'key_name');
    expectInvalid(
      await t.post('/person/app-key/create', { key_name: 'k'.repeat(40) }, owner.appKey),
      'key_name',
    );
    expectInvalid(
      await t.post('/person/app-key/name/reset', { key_id: before[0].key_id, key_name: '' }, owner.appKey),
      'key_name',
    );
    expect(await appKeys(t, owner.appKey)).toEqual(before);
  });
});
