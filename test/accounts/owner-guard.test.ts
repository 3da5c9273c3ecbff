import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { expectDenied, expectOk, keyWorks } from './helpers.ts';

/*
 * Only an Owner may act on an Owner (docs/decisions.md): an Admin holds every permission, so every
 * endpoint that acts on another member's credentials, profile, roles or membership must refuse an
 * Admin whose target is an Owner, and change nothing. The same Admin still acts on other members.
 */

let t: TestApp;
let account: TestAccount;
let admin: TestAccount;
let responder: TestAccount;
let ownerKeyId: number;

beforeAll(async () => {
  t = await startTestApp();
  account = await t.newAccount('Guarded');
  admin = await t.newMember(account, [2]);
  responder = await t.newMember(account, [3]);
  const keys = await t.post('/person/app-key/list', {}, account.appKey);
  expectOk(keys);
  ownerKeyId = keys.body.data.items[0].key_id;
});
afterAll(() => t.close());

/** Every row an attack on a member could change, as one comparable text. */
async function memberState(): Promise<string> {
  const parts = [];
  for (const table of [
    'members',
    'member_roles',
    'app_keys',
    'console_invites',
    'member_passwords',
    'console_sessions',
  ]) {
    const { rows } = await sql<{ digest: string }>`
      select coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as digest from ${sql.table(table)} t`.execute(
      t.db.q,
    );
    parts.push(`${table}:${rows[0]!.digest}`);
  }
  return parts.join(' ');
}

/** Each operation an Admin could aim at another member, as a body naming that member. */
const actions: [string, (memberId: number, keyId: number) => Record<string, unknown>][] = [
  ['/console/invite/create', (id) => ({ member_id: id })],
  ['/member/info/reset', (id) => ({ member_id: id, email: 'attacker@example.com' })],
  ['/member/info/reset', (id) => ({ member_id: id, member_name: 'Renamed' })],
  ['/member/delete', (id) => ({ member_id: id })],
  ['/member/role/update', (id) => ({ member_id: id, role_ids: [3] })],
  ['/member/role/revoke', (id) => ({ member_id: id, role_ids: [1] })],
  ['/role/member/revoke', (id) => ({ member_ids: [id], role_id: 1 })],
  ['/person/app-key/create', (id) => ({ key_name: 'takeover', person_id: id })],
  ['/person/app-key/list', (id) => ({ person_id: id })],
  ['/person/app-key/disable', (id, key) => ({ key_id: key, person_id: id })],
  ['/person/app-key/delete', (id, key) => ({ key_id: key, person_id: id })],
  ['/person/app-key/name/reset', (id, key) => ({ key_id: key, person_id: id, key_name: 'mine now' })],
];

describe('an Admin and the Owner', () => {
  it.each(actions)('%s on the Owner is AccessDenied and changes nothing', async (path, body) => {
    const before = await memberState();
    expectDenied(await t.post(path, body(account.memberId, ownerKeyId), admin.appKey));
    expect(await memberState()).toBe(before);
    expect(await keyWorks(t, account.appKey)).toBe(true);
  });

  it('cannot take the Owner over with an invite link (the reported breach)', async () => {
    const res = await t.post('/console/invite/create', { member_id: account.memberId }, admin.appKey);
    expectDenied(res, 'only an Owner');
    expect(res.body.data).toBeUndefined();
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from console_invites where member_id = ${account.memberId}`.execute(t.db.q);
    expect(rows[0]!.n).toBe(0);
  });

  it('still invites, edits and manages the keys of a member who is not an Owner', async () => {
    expectOk(await t.post('/console/invite/create', { member_id: responder.memberId }, admin.appKey));
    expectOk(
      await t.post(
        '/member/info/reset',
        { member_id: responder.memberId, member_name: 'Rita' },
        admin.appKey,
      ),
    );
    expectOk(
      await t.post(
        '/person/app-key/create',
        { key_name: 'bot', person_id: responder.memberId },
        admin.appKey,
      ),
    );
  });

  it('an Owner may invite and edit another Owner, and edit themselves', async () => {
    const coOwner = await t.newMember(account, [1]);
    expectOk(await t.post('/console/invite/create', { member_id: coOwner.memberId }, account.appKey));
    expectOk(
      await t.post('/member/info/reset', { member_id: coOwner.memberId, member_name: 'Co' }, account.appKey),
    );
    expectOk(
      await t.post('/member/info/reset', { member_id: account.memberId, member_name: 'Me' }, account.appKey),
    );
  });
});
