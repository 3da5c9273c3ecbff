import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotifyRuleEvents } from '../../src/channels/notify/notify-rules.fire.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { fire, newSource, ok, type Source } from '../incidents/actions-helpers.ts';
import { Listener, notificationWorker } from '../notifications/helpers.ts';
import { expectInvalid, expectNotFound, readOnlyMember } from './helpers.ts';

/*
 * Channel notification rules (/channel/notify/rule/*; docs/channels.md "Notification rules"):
 * CRUD, validation, permission and tenancy, and the rule at work — an incident event of the
 * channel that matches the rule's filters and event types reaches its chat bot through the outbox,
 * once; anything else, or a disabled rule, reaches nobody.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let chat: Listener;
let worker: ReturnType<typeof notificationWorker>;

beforeAll(async () => {
  chat = await Listener.start();
  t = await startTestApp({ env: { ...ALLOW_LOOPBACK } });
  worker = notificationWorker(t, { ...ALLOW_LOOPBACK });
  owner = await t.newAccount('Notify rules');
  other = await t.newAccount('Other notify rules');
});
afterAll(async () => {
  worker?.closeProviders();
  await chat?.close();
  await t?.close();
});

const P = '/channel/notify/rule';
const critical = [[{ key: 'severity', oper: 'IN', vals: ['Critical'] }]];
const bot = (path: string) => ({ webhooks: [{ type: 'custom', settings: { url: `${chat.base}${path}` } }] });

function body(source: Source, extra: Record<string, unknown> = {}) {
  return {
    channel_id: source.channelId,
    rule_name: 'Critical to the bot',
    event_types: ['i_new', 'i_ack'],
    filters: critical,
    target: bot('/hook/default'),
    ...extra,
  };
}

const list = async (source: Source, account = owner) =>
  (await ok(t, account, `${P}/list`, { channel_id: source.channelId })).items as any[];

/** Delivers everything due and returns the hits of a listener path. */
async function delivered(path: string) {
  await worker.runOnce();
  return chat.hits.filter((h) => h.path === path);
}

describe('managing notification rules', () => {
  it('creates, lists, updates, disables, enables and deletes', async () => {
    const source = await newSource(t, owner);
    const created = await ok(t, owner, `${P}/create`, body(source));
    expect(created.rule_id).toMatch(/^[0-9a-f]{24}$/);
    let [rule] = await list(source);
    expect(rule).toMatchObject({
      rule_id: created.rule_id,
      channel_id: source.channelId,
      rule_name: 'Critical to the bot',
      status: 'enabled',
      event_types: ['i_new', 'i_ack'],
      filters: critical,
    });
    expect(rule.target.webhooks).toEqual(bot('/hook/default').webhooks);

    await ok(t, owner, `${P}/update`, {
      ...body(source, { rule_name: 'Renamed', event_types: ['i_rslv'] }),
      rule_id: created.rule_id,
    });
    await ok(t, owner, `${P}/disable`, { channel_id: source.channelId, rule_id: created.rule_id });
    [rule] = await list(source);
    expect(rule).toMatchObject({ rule_name: 'Renamed', event_types: ['i_rslv'], status: 'disabled' });
    await ok(t, owner, `${P}/enable`, { channel_id: source.channelId, rule_id: created.rule_id });
    expect((await list(source))[0].status).toBe('enabled');

    await ok(t, owner, `${P}/delete`, { channel_id: source.channelId, rule_id: created.rule_id });
    expect(await list(source)).toEqual([]);
    expectNotFound(
      await t.post(`${P}/delete`, { channel_id: source.channelId, rule_id: created.rule_id }, owner.appKey),
    );
  });

  it('refuses bad fields by name and stores nothing', async () => {
    const source = await newSource(t, owner);
    const stranger = (await t.newMember(other, [])).memberId;
    const cases: [Record<string, unknown>, string][] = [
      [{ event_types: [] }, 'event_types'],
      [{ event_types: ['i_nope'] }, 'event_types'],
      [{ rule_name: '   ' }, 'rule_name'],
      [{ filters: [[{ key: 'nope.x', oper: 'IN', vals: ['a'] }]] }, 'filters[0][0].key'],
      [{ filters: [[{ key: 'title', oper: 'IN', vals: ['/(/'] }]] }, 'filters[0][0].vals[0]'],
      [{ target: { webhooks: [] } }, 'target'],
      [{ target: { person_ids: [stranger], by: { follow_preference: true } } }, 'target.person_ids'],
      [{ target: { person_ids: [owner.memberId] } }, 'target.by'],
      [{ target: { webhooks: [{ type: 'custom', settings: { url: 'ftp://x' } }] } }, 'target.webhooks'],
    ];
    for (const [extra, field] of cases) {
      expectInvalid(await t.post(`${P}/create`, body(source, extra), owner.appKey), field);
    }
    expect(await list(source)).toEqual([]);
  });

  it('another account sees and changes none of it; reading members cannot write', async () => {
    const source = await newSource(t, owner);
    const { rule_id } = await ok(t, owner, `${P}/create`, body(source));
    const before = await list(source);
    const ids = { channel_id: source.channelId, rule_id };
    expectNotFound(await t.post(`${P}/list`, { channel_id: source.channelId }, other.appKey));
    expectNotFound(await t.post(`${P}/create`, body(source), other.appKey));
    for (const verb of ['delete', 'enable', 'disable']) {
      expectNotFound(await t.post(`${P}/${verb}`, ids, other.appKey));
    }
    expectNotFound(await t.post(`${P}/update`, { ...body(source), ...ids }, other.appKey));

    const reader = await readOnlyMember(t, owner, 'notify-reader@example.com');
    expect((await t.post(`${P}/list`, { channel_id: source.channelId }, reader)).status).toBe(200);
    expect((await t.post(`${P}/disable`, ids, reader)).status).toBe(403);
    expect((await t.post(`${P}/create`, body(source), reader)).status).toBe(403);
    expect(await list(source)).toEqual(before);
  });
});

describe('notification rules at work', () => {
  it('notifies on matching incidents and event types only, once each, with the delivery log', async () => {
    const source = await newSource(t, owner);
    const elsewhere = await newSource(t, owner);
    const { rule_id } = await ok(t, owner, `${P}/create`, body(source, { target: bot('/hook/fire') }));

    const hot = await fire(t, source, { event_status: 'Critical', title_rule: 'Checkout down' });
    expect(await delivered('/hook/fire')).toHaveLength(1);

    // Not matching: a Warning incident of the channel, a Critical incident of another channel.
    await fire(t, source, { event_status: 'Warning', title_rule: 'Disk filling' });
    await fire(t, elsewhere, { event_status: 'Critical', title_rule: 'Elsewhere' });
    expect(await delivered('/hook/fire')).toHaveLength(1);

    // A named event type of the matching incident notifies; one the rule does not name does not.
    await ok(t, owner, '/incident/ack', { incident_ids: [hot.incidentId] });
    expect(await delivered('/hook/fire')).toHaveLength(2);
    await ok(t, owner, '/incident/resolve', { incident_ids: [hot.incidentId] });
    expect(await delivered('/hook/fire')).toHaveLength(2);

    // The incident's delivery log shows both.
    const log = await ok(t, owner, '/incident/notification/list', { incident_id: hot.incidentId });
    expect(log.items.map((n: any) => [n.channel, n.status])).toEqual([
      ['webhook', 'success'],
      ['webhook', 'success'],
    ]);

    // Offering the same events again (a retry, another instance) enqueues nothing more.
    const entries = await t.db.q
      .selectFrom('feed_entries')
      .select(['ref_id', 'type', 'created_at'])
      .where('incident_id', '=', hot.incidentId)
      .where('type', 'in', ['i_new', 'i_ack'])
      .execute();
    expect(entries).toHaveLength(2);
    const count = async () =>
      (
        await t.db.q
          .selectFrom('notification_deliveries')
          .select('notification_id')
          .where('incident_id', '=', hot.incidentId)
          .execute()
      ).length;
    const rows = await count();
    await enqueueNotifyRuleEvents(
      t.db.q,
      entries.map((e) => ({
        accountId: owner.accountId,
        incidentId: hot.incidentId,
        type: e.type,
        refId: e.ref_id,
        atMs: Number(e.created_at),
      })),
    );
    expect(await count()).toBe(rows);
    expect(await delivered('/hook/fire')).toHaveLength(2);

    // A disabled rule notifies nobody.
    await ok(t, owner, `${P}/disable`, { channel_id: source.channelId, rule_id });
    await fire(t, source, { event_status: 'Critical', title_rule: 'Checkout down again' });
    expect(await delivered('/hook/fire')).toHaveLength(2);
  });
});
