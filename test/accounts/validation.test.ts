import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { accountSnapshot, appKeys, expectInvalid, expectOk, invite, upsertTeam } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;
let memberId: number;
let teamId: number;
let keyId: number;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Strict');
  memberId = await invite(t, owner, { member_name: 'Valid', email: 'valid@example.com', role_ids: [3] });
  teamId = await upsertTeam(t, owner, { team_name: 'Valid team', person_ids: [memberId] });
  keyId = (await appKeys(t, owner.appKey))[0].key_id;
});
afterAll(() => t.close());

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const emails = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@example.com`);
const invitee = (fields: Record<string, unknown>) => ({
  members: [{ member_name: 'Newcomer', email: 'newcomer@example.com', ...fields }],
});

/** [what is wrong, the body (built once the fixtures exist), the field the error must name]. */
type Case = [string, () => unknown, string];

const cases: Record<string, Case[]> = {
  '/team/upsert': [
    ['team_name of the wrong type', () => ({ team_name: 5 }), 'team_name'],
    ['missing team_name', () => ({ description: 'x' }), 'team_name'],
    ['empty team_name', () => ({ team_name: '' }), 'team_name'],
    ['40-character team_name', () => ({ team_name: 't'.repeat(40) }), 'team_name'],
    ['501-character description', () => ({ team_name: 'New', description: 'd'.repeat(501) }), 'description'],
    ['description of the wrong type', () => ({ team_name: 'New', description: 5 }), 'description'],
    ['team_id of the wrong type', () => ({ team_id: String(teamId), team_name: 'New' }), 'team_id'],
    ['negative team_id', () => ({ team_id: -1, team_name: 'New' }), 'team_id'],
    ['person_ids that is not an array', () => ({ team_name: 'New', person_ids: memberId }), 'person_ids'],
    [
      'a person id of the wrong type',
      () => ({ team_name: 'New', person_ids: [String(memberId)] }),
      'person_ids[0]',
    ],
    ['1001 person_ids', () => ({ team_name: 'New', person_ids: ids(1001) }), 'person_ids'],
    ['an e-mail that is not one', () => ({ team_name: 'New', emails: ['valid'] }), 'emails[0]'],
    ['1001 emails', () => ({ team_name: 'New', emails: emails(1001) }), 'emails'],
    ['a phone of the wrong type', () => ({ team_name: 'New', phones: [15550100] }), 'phones[0]'],
    ['an empty phone', () => ({ team_name: 'New', phones: [''] }), 'phones[0]'],
    ['a 33-character phone', () => ({ team_name: 'New', phones: ['1'.repeat(33)] }), 'phones[0]'],
    ['1001 phones', () => ({ team_name: 'New', phones: ids(1001).map(String) }), 'phones'],
    ['129-character ref_id', () => ({ team_name: 'New', ref_id: 'r'.repeat(129) }), 'ref_id'],
    [
      'reset_if_name_exist of the wrong type',
      () => ({ team_name: 'New', reset_if_name_exist: 'yes' }),
      'reset_if_name_exist',
    ],
    ['a body that is not an object', () => ['team_name'], 'request body'],
  ],
  '/team/info': [
    ['team_id of the wrong type', () => ({ team_id: 'x' }), 'team_id'],
    ['40-character team_name', () => ({ team_name: 't'.repeat(40) }), 'team_name'],
    ['empty ref_id', () => ({ ref_id: '' }), 'ref_id'],
    ['129-character ref_id', () => ({ ref_id: 'r'.repeat(129) }), 'ref_id'],
  ],
  '/team/delete': [
    ['no team named', () => ({}), 'team_id'],
    ['negative team_id', () => ({ team_id: -1 }), 'team_id'],
    ['team_name of the wrong type', () => ({ team_name: 1 }), 'team_name'],
    ['empty team_name', () => ({ team_name: '' }), 'team_name'],
    ['empty ref_id', () => ({ ref_id: '' }), 'ref_id'],
  ],
  '/team/infos': [
    ['missing team_ids', () => ({}), 'team_ids'],
    ['no team_ids', () => ({ team_ids: [] }), 'team_ids'],
    ['1001 team_ids', () => ({ team_ids: ids(1001) }), 'team_ids'],
    ['a team id of the wrong type', () => ({ team_ids: ['1'] }), 'team_ids[0]'],
  ],
  '/team/list': [
    ['unknown orderby', () => ({ orderby: 'x' }), 'orderby'],
    ['p below 1', () => ({ p: 0 }), 'p'],
    ['limit over 100', () => ({ limit: 101 }), 'limit'],
    ['a page beyond 10,000 rows', () => ({ p: 101, limit: 100 }), 'p'],
    ['asc of the wrong type', () => ({ asc: 'yes' }), 'asc'],
    ['person_id of the wrong type', () => ({ person_id: 'me' }), 'person_id'],
    ['257-character query', () => ({ query: 'q'.repeat(257) }), 'query'],
  ],
  '/member/invite': [
    ['missing members', () => ({}), 'members'],
    ['no members', () => ({ members: [] }), 'members'],
    [
      '101 members',
      () => ({ members: emails(101).map((email) => ({ member_name: 'Many', email })) }),
      'members',
    ],
    ['member_name of the wrong type', () => invitee({ member_name: 1 }), 'members[0].member_name'],
    ['missing member_name', () => ({ members: [{ email: 'x@example.com' }] }), 'members[0].member_name'],
    ['1-character member_name', () => invitee({ member_name: 'N' }), 'members[0].member_name'],
    ['40-character member_name', () => invitee({ member_name: 'n'.repeat(40) }), 'members[0].member_name'],
    ['an e-mail that is not one', () => invitee({ email: 'newcomer' }), 'members[0].email'],
    ['neither e-mail nor phone', () => ({ members: [{ member_name: 'Nobody' }] }), 'members[0].email'],
    ['unknown locale', () => invitee({ locale: 'fr-FR' }), 'members[0].locale'],
    ['65-character time_zone', () => invitee({ time_zone: 'z'.repeat(65) }), 'members[0].time_zone'],
    ['21 role_ids', () => invitee({ role_ids: ids(21) }), 'members[0].role_ids'],
    ['unknown role id', () => invitee({ role_ids: [3, 7] }), 'members[0].role_ids'],
    ['role id of the wrong type', () => invitee({ role_ids: ['3'] }), 'members[0].role_ids[0]'],
    ['129-character ref_id', () => invitee({ ref_id: 'r'.repeat(129) }), 'members[0].ref_id'],
    ['e-mail of an existing member', () => invitee({ email: 'VALID@example.com' }), 'members[0].email'],
    [
      'a bad second member',
      () => ({
        members: [
          { member_name: 'Fine', email: 'fine@example.com' },
          { member_name: 'Bad', email: 'bad' },
        ],
      }),
      'members[1].email',
    ],
  ],
  '/member/delete': [
    ['no member named', () => ({}), 'member_id'],
    ['member_id of the wrong type', () => ({ member_id: 'x' }), 'member_id'],
    ['member_name of the wrong type', () => ({ member_name: 1 }), 'member_name'],
    ['40-character member_name', () => ({ member_name: 'n'.repeat(40) }), 'member_name'],
    ['255-character email', () => ({ email: `${'e'.repeat(243)}@example.com` }), 'email'],
    ['empty email', () => ({ email: '' }), 'email'],
    ['empty ref_id', () => ({ ref_id: '' }), 'ref_id'],
  ],
  '/member/info/reset': [
    ['missing member_id', () => ({ member_name: 'Renamed' }), 'member_id'],
    ['member_id of the wrong type', () => ({ member_id: String(memberId) }), 'member_id'],
    ['member_name of the wrong type', () => ({ member_id: memberId, member_name: 1 }), 'member_name'],
    ['40-character member_name', () => ({ member_id: memberId, member_name: 'n'.repeat(40) }), 'member_name'],
    ['1-character member_name', () => ({ member_id: memberId, member_name: 'n' }), 'member_name'],
    ['unknown locale', () => ({ member_id: memberId, locale: 'fr-FR' }), 'locale'],
    ['an e-mail that is not one', () => ({ member_id: memberId, email: 'valid' }), 'email'],
    ['1025-character avatar', () => ({ member_id: memberId, avatar: 'a'.repeat(1025) }), 'avatar'],
    ['65-character time_zone', () => ({ member_id: memberId, time_zone: 'z'.repeat(65) }), 'time_zone'],
    ['33-character phone', () => ({ member_id: memberId, phone: '1'.repeat(33) }), 'phone'],
  ],
  '/member/list': [
    ['unknown orderby', () => ({ orderby: 'x' }), 'orderby'],
    ['role_id of the wrong type', () => ({ role_id: 'admin' }), 'role_id'],
    ['limit below 1', () => ({ limit: 0 }), 'limit'],
    ['fractional p', () => ({ p: 1.5 }), 'p'],
    ['257-character query', () => ({ query: 'q'.repeat(257) }), 'query'],
  ],
  '/member/role/update': [
    ['missing member_id', () => ({ role_ids: [3] }), 'member_id'],
    ['missing role_ids', () => ({ member_id: memberId }), 'role_ids'],
    ['role_ids that is not an array', () => ({ member_id: memberId, role_ids: 2 }), 'role_ids'],
    ['21 role_ids', () => ({ member_id: memberId, role_ids: ids(21) }), 'role_ids'],
    ['role id of the wrong type', () => ({ member_id: memberId, role_ids: ['2'] }), 'role_ids[0]'],
    ['unknown role id', () => ({ member_id: memberId, role_ids: [99] }), 'role_ids'],
  ],
  '/member/role/grant': [['unknown role id', () => ({ member_id: memberId, role_ids: [0] }), 'role_ids']],
  '/member/role/revoke': [['unknown role id', () => ({ member_id: memberId, role_ids: [5] }), 'role_ids']],
  '/person/infos': [
    ['missing person_ids', () => ({}), 'person_ids'],
    ['no person_ids', () => ({ person_ids: [] }), 'person_ids'],
    ['1001 person_ids', () => ({ person_ids: ids(1001) }), 'person_ids'],
    ['a person id of the wrong type', () => ({ person_ids: ['1'] }), 'person_ids[0]'],
  ],
  '/role/list': [
    ['unknown orderby', () => ({ orderby: 'x' }), 'orderby'],
    ['asc of the wrong type', () => ({ asc: 1 }), 'asc'],
  ],
  '/role/info': [
    ['missing role_id', () => ({}), 'role_id'],
    ['role_id of the wrong type', () => ({ role_id: 'Owner' }), 'role_id'],
  ],
  '/role/permission/list': [
    ['role_ids that is not an array', () => ({ role_ids: 1 }), 'role_ids'],
    ['101 role_ids', () => ({ role_ids: ids(101) }), 'role_ids'],
    ['with_all of the wrong type', () => ({ with_all: 'yes' }), 'with_all'],
  ],
  '/role/member/grant': [
    ['missing member_ids', () => ({ role_id: 2 }), 'member_ids'],
    ['no member_ids', () => ({ member_ids: [], role_id: 2 }), 'member_ids'],
    ['1001 member_ids', () => ({ member_ids: ids(1001), role_id: 2 }), 'member_ids'],
    ['missing role_id', () => ({ member_ids: [memberId] }), 'role_id'],
    ['role_id of the wrong type', () => ({ member_ids: [memberId], role_id: [2] }), 'role_id'],
    ['unknown role id', () => ({ member_ids: [memberId], role_id: 9 }), 'role_id'],
  ],
  '/role/member/revoke': [['unknown role id', () => ({ member_ids: [memberId], role_id: 9 }), 'role_id']],
  '/person/app-key/create': [
    ['missing key_name', () => ({}), 'key_name'],
    ['empty key_name', () => ({ key_name: '' }), 'key_name'],
    ['40-character key_name', () => ({ key_name: 'k'.repeat(40) }), 'key_name'],
    ['key_name of the wrong type', () => ({ key_name: 5 }), 'key_name'],
    ['is_enabled of the wrong type', () => ({ key_name: 'k', is_enabled: 'true' }), 'is_enabled'],
    ['person_id of the wrong type', () => ({ key_name: 'k', person_id: String(memberId) }), 'person_id'],
  ],
  '/person/app-key/list': [
    ['limit over 100', () => ({ limit: 101 }), 'limit'],
    ['p below 1', () => ({ p: 0 }), 'p'],
    ['unknown orderby', () => ({ orderby: 'key_name' }), 'orderby'],
    ['person_id of the wrong type', () => ({ person_id: 'me' }), 'person_id'],
  ],
  '/person/app-key/name/reset': [
    ['missing key_id', () => ({ key_name: 'k' }), 'key_id'],
    ['missing key_name', () => ({ key_id: keyId }), 'key_name'],
    ['40-character key_name', () => ({ key_id: keyId, key_name: 'k'.repeat(40) }), 'key_name'],
  ],
};
for (const verb of ['enable', 'disable', 'delete']) {
  cases[`/person/app-key/${verb}`] = [
    ['missing key_id', () => ({}), 'key_id'],
    ['key_id of the wrong type', () => ({ key_id: String(keyId) }), 'key_id'],
    ['person_id of the wrong type', () => ({ key_id: keyId, person_id: true }), 'person_id'],
  ];
}

describe.each(Object.keys(cases))('%s', (path) => {
  it.each(cases[path]!)('refuses %s, naming the field, and changes nothing', async (_what, body, field) => {
    const before = await accountSnapshot(t, owner);
    expectInvalid(await t.post(path, body(), owner.appKey), field);
    expect(await accountSnapshot(t, owner)).toEqual(before);
  });
});

describe('error messages', () => {
  it('say what is wrong with the field', async () => {
    const long = await t.post('/team/upsert', { team_name: 't'.repeat(40) }, owner.appKey);
    expect(long.body.error?.message).toMatch(/team_name.*39/);
    const missing = await t.post('/member/role/update', { member_id: memberId }, owner.appKey);
    expect(missing.body.error?.message).toMatch(/role_ids.*required/);
    const orderby = await t.post('/team/list', { orderby: 'x' }, owner.appKey);
    expect(orderby.body.error?.message).toContain('must be one of "created_at", "updated_at", "team_name"');
    const locale = await t.post('/member/info/reset', { member_id: memberId, locale: 'fr-FR' }, owner.appKey);
    expect(locale.body.error?.message).toContain('must be one of "zh-CN", "en-US"');
  });

  it('still accepts the valid forms of the fields refused above', async () => {
    expectOk(
      await t.post(
        '/member/info/reset',
        { member_id: memberId, member_name: 'n'.repeat(39), locale: 'zh-CN', time_zone: 'z'.repeat(64) },
        owner.appKey,
      ),
    );
    expectOk(
      await t.post('/team/upsert', { team_name: 't'.repeat(39), description: 'd'.repeat(500) }, owner.appKey),
    );
    expectOk(await t.post('/person/app-key/create', { key_name: 'k'.repeat(39) }, owner.appKey));
    expectOk(await t.post('/person/infos', { person_ids: ids(1000) }, owner.appKey));
    expect(
      (await t.post('/team/info', { team_name: 't'.repeat(39) }, owner.appKey)).body.data.description,
    ).toBe('d'.repeat(500));
  });
});
