import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedOperation, schemaErrors } from '../conformance/schemas.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { type FakeFeishu, GOOD_APP, startFakeFeishu } from '../harness/fake-feishu.ts';
import { type FakeSlack, GOOD_TOKEN, startFakeSlack } from '../harness/fake-slack.ts';
import { expectInvalid, expectNotFound, feedErrors, newSource, push, type Source } from './read-helpers.ts';

/*
 * Feishu/Lark war rooms (docs/war-rooms.md) against a local server answering as Feishu's Open
 * Platform: a tenant token from the app's id and secret, a private group chat with the responders
 * found by e-mail, the summary posted, the chat disbanded on delete; and
 * /datasource/im/war-room-enabled/list over Slack and Feishu integrations.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let source: Source;
let feishu: FakeFeishu;
let slack: FakeSlack;
let integrationId: number;

const data = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
};
const documented = (path: string, body: unknown) =>
  expect(schemaErrors(documentedOperation(path, 'post')!.response, body)).toEqual([]);

async function emailOf(memberId: number) {
  const row = await t.db.q
    .selectFrom('members')
    .select('email')
    .where('member_id', '=', memberId)
    .executeTakeFirstOrThrow();
  return row.email;
}

async function incident(title: string) {
  const { incidentId } = await push(t, source, { title_rule: title });
  data(
    await t.post(
      '/incident/assign',
      { incident_ids: [incidentId], assigned_to: { type: 'assign', person_ids: [owner.memberId] } },
      owner.appKey,
    ),
  );
  return incidentId;
}

async function wrEntries(incidentId: string) {
  const feed = await t.post(
    '/incident/feed',
    { incident_id: incidentId, types: ['i_wr_create', 'i_wr_delete'] },
    owner.appKey,
  );
  expect(feedErrors('/incident/feed', feed.body)).toEqual([]);
  return data(feed).items as { type: string; detail: Record<string, unknown> }[];
}

const rooms = async (incident_id: string) =>
  data(await t.post('/incident/war-room/list', { incident_id }, owner.appKey)).items as any[];
const create = (incident_id: string, integration_id = integrationId, key = owner.appKey) =>
  t.post('/incident/war-room/create', { incident_id, integration_id }, key);
const upsert = (settings: Record<string, unknown>, extra: Record<string, unknown> = {}, key = owner.appKey) =>
  t.post('/datasource/upsert', { name: 'Feishu', plugin_type: 'im.feishu', settings, ...extra }, key);
const calls = () => feishu.calls.map((c) => `${c.method} ${c.path}`);

beforeAll(async () => {
  feishu = await startFakeFeishu();
  slack = await startFakeSlack();
  t = await startTestApp({
    env: { ...ALLOW_LOOPBACK, FEISHU_API_URL: feishu.url, SLACK_API_URL: slack.url },
  });
  owner = await t.newAccount('Feishu rooms');
  other = await t.newAccount('Feishu others');
  source = await newSource(t, owner);
  feishu.users.set(await emailOf(owner.memberId), 'ou_owner');
  integrationId = data(await upsert(GOOD_APP)).integration_id;
});
afterAll(async () => {
  await t?.close();
  await feishu?.close();
  await slack?.close();
});

describe('the im.feishu integration', () => {
  it('masks the app secret on read and refuses bad settings, naming the field', async () => {
    const info = data(await t.post('/datasource/desc', { integration_id: integrationId }, owner.appKey));
    expect(JSON.stringify(info)).not.toContain(GOOD_APP.app_secret);
    expect(info.settings).toEqual([
      { app_id: GOOD_APP.app_id, app_secret: '****CDEF', war_room_enabled: true },
    ]);
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'settings.app_id'],
      [{ ...GOOD_APP, app_id: 'app_1' }, 'settings.app_id'],
      [{ app_id: GOOD_APP.app_id }, 'settings.app_secret'],
      [{ ...GOOD_APP, app_secret: 'has spaces in it' }, 'settings.app_secret'],
      [{ ...GOOD_APP, war_room_enabled: 'yes' }, 'settings.war_room_enabled'],
    ];
    for (const [settings, field] of cases) expectInvalid(await upsert(settings), field);
  });
});

describe('Feishu war rooms', () => {
  it('create opens a private group chat, invites the responders found by e-mail, posts the summary, and says so on the timeline', async () => {
    const incidentId = await incident('支付 timeout on checkout');
    const member = await t.newMember(owner, [], 'Extra');
    const stranger = await t.newMember(owner, [], 'Not on Feishu');
    feishu.users.set(await emailOf(member.memberId), 'ou_extra');
    feishu.calls.length = 0;
    const res = await t.post(
      '/incident/war-room/create',
      {
        incident_id: incidentId,
        integration_id: integrationId,
        member_ids: [member.memberId, stranger.memberId],
      },
      owner.appKey,
    );
    documented('/incident/war-room/create', res.body);
    const room = data(res);
    const chatId = room.chat_id as string;
    expect(room).toEqual({
      chat_id: expect.stringMatching(/^oc_/),
      chat_name: `[INC ${incidentId.slice(-6)}] 支付 timeout on checkout`,
      share_link: `https://applink.feishu.cn/client/chat/open?openChatId=${chatId}`,
    });
    expect(calls()).toEqual([
      'POST auth/v3/tenant_access_token/internal',
      'POST im/v1/chats',
      'POST contact/v3/users/batch_get_id',
      `POST im/v1/chats/${chatId}/members`,
      'POST im/v1/messages',
    ]);
    expect(feishu.calls[0]!.body).toEqual(GOOD_APP);
    expect(feishu.calls.slice(1).every((c) => c.token === 't-g1044good')).toBe(true);
    expect(feishu.calls[1]!.body).toMatchObject({ chat_mode: 'group', chat_type: 'private' });
    expect(new Set(feishu.calls[2]!.body.emails as string[])).toEqual(
      new Set([
        await emailOf(owner.memberId),
        await emailOf(member.memberId),
        await emailOf(stranger.memberId),
      ]),
    );
    // The member Feishu does not know is left out.
    expect((feishu.calls[3]!.body.id_list as string[]).sort()).toEqual(['ou_extra', 'ou_owner']);
    const chat = feishu.chats.get(chatId)!;
    expect([...chat.members].sort()).toEqual(['ou_extra', 'ou_owner']);
    expect(chat.messages[0]).toContain('支付 timeout on checkout');
    expect(chat.messages[0]).toContain(`/incident/detail/${incidentId}`);

    const list = await t.post('/incident/war-room/list', { incident_id: incidentId }, owner.appKey);
    documented('/incident/war-room/list', list.body);
    expect(data(list).items).toMatchObject([
      { integration_id: integrationId, chat_id: chatId, status: 'active', plugin_type: 'im.feishu' },
    ]);
    const detail = await t.post(
      '/incident/war-room/detail',
      { integration_id: integrationId, chat_id: chatId },
      owner.appKey,
    );
    documented('/incident/war-room/detail', detail.body);
    expect(data(detail)).toEqual(room);
    expect(await wrEntries(incidentId)).toMatchObject([
      {
        type: 'i_wr_create',
        detail: { plugin_type: 'im.feishu', chat_id: chatId, share_link: room.share_link },
      },
    ]);

    const late = await t.newMember(owner, [], 'Late');
    feishu.users.set(await emailOf(late.memberId), 'ou_late');
    data(
      await t.post(
        '/incident/war-room/add-member',
        { integration_id: integrationId, chat_id: chatId, member_ids: [late.memberId] },
        owner.appKey,
      ),
    );
    expect(chat.members.has('ou_late')).toBe(true);

    feishu.calls.length = 0;
    data(
      await t.post(
        '/incident/war-room/delete',
        { incident_id: incidentId, integration_id: integrationId },
        owner.appKey,
      ),
    );
    expect(calls()).toEqual(['POST auth/v3/tenant_access_token/internal', `DELETE im/v1/chats/${chatId}`]);
    expect(chat.disbanded).toBe(true);
    expect(await rooms(incidentId)).toEqual([]);
    expect((await wrEntries(incidentId)).map((e) => e.type).sort()).toEqual(['i_wr_create', 'i_wr_delete']);
  });

  it('detail answers {} once the chat was disbanded in Feishu, and delete still succeeds', async () => {
    const incidentId = await incident('Disbanded elsewhere');
    const room = data(await create(incidentId));
    feishu.chats.get(room.chat_id)!.disbanded = true;
    expect(
      data(
        await t.post(
          '/incident/war-room/detail',
          { integration_id: integrationId, chat_id: room.chat_id },
          owner.appKey,
        ),
      ),
    ).toEqual({});
    data(
      await t.post(
        '/incident/war-room/delete',
        { incident_id: incidentId, integration_id: integrationId },
        owner.appKey,
      ),
    );
    expect(await rooms(incidentId)).toEqual([]);
  });

  it("Feishu's refusals are clear errors and leave nothing stored", async () => {
    const incidentId = await incident('Refused');
    feishu.failNext('POST im/v1/chats', 232034, 'The app is unavailable or inactivated by the tenant.');
    let res = await create(incidentId);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('Feishu refused POST im/v1/chats: 232034'),
    });

    // A failure after the chat exists disbands it again.
    feishu.calls.length = 0;
    feishu.failNext('POST im/v1/messages', 230002, 'Bot/User can NOT be out of the chat.');
    res = await create(incidentId);
    expect(res.body.error?.message).toContain('POST im/v1/messages: 230002');
    const made = feishu.calls.find((c) => c.path === 'im/v1/chats' && c.method === 'POST');
    expect(made).toBeDefined();
    expect(feishu.calls.at(-1)).toMatchObject({ method: 'DELETE' });
    expect([...feishu.chats.values()].at(-1)!.disbanded).toBe(true);
    expect(await rooms(incidentId)).toEqual([]);
    expect(await wrEntries(incidentId)).toEqual([]);

    // A wrong secret: Feishu's 10014, and the secret is in no answer.
    const wrong = { ...GOOD_APP, app_secret: 'WrongSecret0123456789' };
    const bad = data(await upsert(wrong)).integration_id;
    res = await create(incidentId, bad);
    expect(res.body.error?.message).toContain('10014');
    expect(JSON.stringify(res.body)).not.toContain('WrongSecret');
    expect(await rooms(incidentId)).toEqual([]);
  });

  it('an integration with war rooms disabled opens none, and the enabled list leaves it out', async () => {
    const incidentId = await incident('Not here');
    const off = data(
      await upsert({ ...GOOD_APP, war_room_enabled: false }, { name: 'Feishu off' }),
    ).integration_id;
    const disabled = data(await upsert(GOOD_APP, { name: 'Feishu disabled' })).integration_id;
    data(await t.post('/datasource/disable', { integration_id: disabled }, owner.appKey));
    const slackId = data(
      await t.post(
        '/datasource/upsert',
        { name: 'Slack', plugin_type: 'im.slack', settings: { bot_token: GOOD_TOKEN } },
        owner.appKey,
      ),
    ).integration_id;
    data(await upsert(GOOD_APP, { name: 'Theirs' }, other.appKey));

    feishu.calls.length = 0;
    expectInvalid(await create(incidentId, off), 'integration_id');
    expectInvalid(await create(incidentId, disabled), 'integration_id');
    expect(feishu.calls).toEqual([]);

    const res = await t.post('/datasource/im/war-room-enabled/list', {}, owner.appKey);
    const items = data(res).items as any[];
    const ids = items.map((i) => i.data_source_id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(ids).toEqual(expect.arrayContaining([integrationId, slackId]));
    expect(items.map((i) => i.data_source_id)).not.toContain(off);
    expect(items.map((i) => i.data_source_id)).not.toContain(disabled);
    expect(items.find((i) => i.data_source_id === integrationId)).toEqual({
      data_source_id: integrationId,
      integration_id: integrationId,
      name: 'Feishu',
      plugin_type: 'im.feishu',
      category: 'im',
      settings: { war_room_enabled: true },
    });
    expect(items.find((i) => i.data_source_id === slackId)).toMatchObject({
      plugin_type: 'im.slack',
      name: 'Slack',
    });
    expect(JSON.stringify(items)).not.toContain(GOOD_APP.app_secret);
    expect(JSON.stringify(items)).not.toContain(GOOD_TOKEN);

    // Turning it back on (settings sent again) lists it and lets it host rooms.
    data(await upsert(GOOD_APP, { integration_id: off, name: 'Feishu off' }));
    const again = data(await t.post('/datasource/im/war-room-enabled/list', {}, owner.appKey)).items as any[];
    expect(again.map((i) => i.data_source_id)).toContain(off);

    const theirs = data(await t.post('/datasource/im/war-room-enabled/list', {}, other.appKey))
      .items as any[];
    expect(theirs.map((i) => i.name)).toEqual(['Theirs']);
  });

  it("another account's key reads and changes nothing", async () => {
    const incidentId = await incident('Mine');
    const room = data(await create(incidentId));
    feishu.calls.length = 0;
    expectNotFound(
      await t.post(
        '/incident/war-room/detail',
        { integration_id: integrationId, chat_id: room.chat_id },
        other.appKey,
      ),
    );
    expectNotFound(
      await t.post(
        '/incident/war-room/delete',
        { incident_id: incidentId, integration_id: integrationId },
        other.appKey,
      ),
    );
    expectNotFound(await create(incidentId, integrationId, other.appKey));
    expect(feishu.calls).toEqual([]);
    expect(await rooms(incidentId)).toHaveLength(1);
  });
});
