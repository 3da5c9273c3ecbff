import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Acme');
});
afterAll(() => t.close());

describe('member info and list', () => {
  it('answers /member/info in the envelope with the request id header', async () => {
    const res = await t.post('/member/info', undefined, owner.appKey);
    expect(res.status).toBe(200);
    expect(res.headers['flashcat-request-id']).toBe(res.body.request_id);
    expect(res.body.request_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.body.data).toMatchObject({
      account_id: owner.accountId,
      account_name: 'Acme',
      member_id: owner.memberId,
      account_role_ids: [1],
      status: 'enabled',
    });
  });

  it('invites members, lists and filters them, and stores their roles', async () => {
    const invited = await t.post(
      '/member/invite',
      {
        members: [
          { member_name: 'Alice', email: 'alice@example.com', role_ids: [2], time_zone: 'Europe/Berlin' },
          { member_name: 'Bob', phone: '+15550100', country_code: 'US' },
        ],
      },
      owner.appKey,
    );
    expect(invited.status).toBe(200);
    expect(invited.body.data.items.map((m: { member_name: string }) => m.member_name)).toEqual([
      'Alice',
      'Bob',
    ]);

    const list = await t.post(
      '/member/list',
      { p: 1, limit: 2, orderby: 'created_at', asc: true },
      owner.appKey,
    );
    expect(list.body.data).toMatchObject({ p: 1, limit: 2, total: 3 });
    expect(list.body.data.items.map((m: { member_name: string }) => m.member_name)).toEqual([
      'owner1',
      'Alice',
    ]);

    const admins = await t.post('/member/list', { role_id: 2 }, owner.appKey);
    expect(admins.body.data.items).toHaveLength(1);
    expect(admins.body.data.items[0]).toMatchObject({
      member_name: 'Alice',
      account_role_ids: [2],
      time_zone: 'Europe/Berlin',
    });

    const bob = await t.post('/member/list', { query: 'bo' }, owner.appKey);
    expect(bob.body.data.items[0]).toMatchObject({
      member_name: 'Bob',
      account_role_ids: [3],
      phone: '+15550100',
    });
  });

  it('refuses a second member with the same e-mail, naming the field, and stores nothing', async () => {
    const before = await t.post('/member/list', {}, owner.appKey);
    const res = await t.post(
      '/member/invite',
      {
        members: [
          { member_name: 'Carol', email: 'carol@example.com' },
          { member_name: 'Alice2', email: 'ALICE@example.com' },
        ],
      },
      owner.appKey,
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'InvalidParameter' });
    expect(res.body.error!.message).toContain('members[1].email');
    const after = await t.post('/member/list', {}, owner.appKey);
    expect(after.body.data.total).toBe(before.body.data.total);
  });
});
