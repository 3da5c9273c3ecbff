import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEscalationRules } from '../../src/escalation/escalation.store.ts';
import { pickEscalationRule } from '../../src/escalation/match.ts';
import { createChannel, createTeam, expectInvalid, expectNotFound } from '../channels/helpers.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { createRule, ruleBody, rulesOf, TEMPLATE_ID } from './helpers.ts';

/*
 * /channel/escalate/rule/*: create, info, list, update, enable, disable, delete; the stored shape
 * with its defaults; the inline default rule of /channel/create; and the matcher over stored rules.
 * Decisions: docs/escalation.md.
 */

let t: TestApp;
let owner: TestAccount;
let teamId: number;
let responder: TestAccount;

// The harness clock starts at 2026-01-05T09:00:00Z, a Monday.
const NOW = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;
const now = () => Math.floor(t.clock.nowMs() / 1000);

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Escalation');
  responder = await t.newMember(owner, [3], 'Responder One');
  teamId = await createTeam(t, owner, 'On call', [owner.memberId, responder.memberId]);
});
afterAll(() => t.close());

let channelCounter = 0;
async function channel(body: Record<string, unknown> = {}): Promise<number> {
  channelCounter += 1;
  return createChannel(t, owner, { team_id: teamId, channel_name: `esc-${channelCounter}`, ...body });
}

describe('create, info and list', () => {
  it('stores every field as sent and answers it through info and list', async () => {
    const channelId = await channel();
    const body = {
      rule_name: '  Business hours  ',
      description: 'Critical alerts of the web service',
      priority: 7,
      aggr_window: 120,
      template_id: TEMPLATE_ID.toUpperCase(),
      layers: [
        {
          max_times: 3,
          notify_step: 2.5,
          escalate_window: 15,
          force_escalate: true,
          target: {
            person_ids: [responder.memberId, responder.memberId],
            team_ids: [teamId],
            schedule_to_role_ids: { '123456': [1, 2, 2] },
            emails: ['ops@example.com', 'OPS@example.com'],
            by: {
              follow_preference: false,
              critical: ['voice', 'sms'],
              warning: ['email'],
              info: ['feishu_app:42'],
            },
          },
        },
        {
          target: {
            person_ids: [owner.memberId],
            webhooks: [{ type: 'slack', settings: { url: 'https://hooks.slack.example/T1' } }],
          },
        },
      ],
      time_filters: [
        { start: '22:00', end: '06:00', repeat: [5, 1, 5], cal_id: 'cn-holidays', is_off: false },
      ],
      filters: [
        [
          { key: 'severity', oper: 'IN', vals: ['Critical'] },
          { key: 'labels.service', oper: 'IN', vals: ['web*'] },
        ],
        [{ key: 'title', oper: 'NOTIN', vals: ['/test/'] }],
      ],
    };
    const res = await t.post(
      '/channel/escalate/rule/create',
      { channel_id: channelId, ...body },
      owner.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const ruleId = res.body.data.rule_id as string;
    expect(ruleId).toMatch(/^[0-9a-f]{24}$/);
    expect(res.body.data.rule_name).toBe('Business hours');

    const info = await t.post(
      '/channel/escalate/rule/info',
      { channel_id: channelId, rule_id: ruleId },
      owner.appKey,
    );
    expect(info.status).toBe(200);
    expect(info.body.data).toEqual({
      account_id: owner.accountId,
      channel_id: channelId,
      channel_name: `esc-${channelCounter}`,
      priority: 7,
      aggr_window: 120,
      rule_name: 'Business hours',
      description: 'Critical alerts of the web service',
      layers: [
        {
          max_times: 3,
          notify_step: 2.5,
          escalate_window: 15,
          force_escalate: true,
          target: {
            person_ids: [responder.memberId],
            team_ids: [teamId],
            schedule_to_role_ids: { '123456': [1, 2] },
            emails: ['ops@example.com'],
            by: {
              follow_preference: false,
              critical: ['voice', 'sms'],
              warning: ['email'],
              info: ['feishu_app:42'],
            },
          },
        },
        {
          // Omitted layer fields take the values of Flashduty's default rule.
          max_times: 1,
          notify_step: 10,
          escalate_window: 30,
          force_escalate: false,
          target: {
            person_ids: [owner.memberId],
            team_ids: [],
            schedule_to_role_ids: {},
            emails: [],
            webhooks: [{ type: 'slack', settings: { url: 'https://hooks.slack.example/T1' } }],
          },
        },
      ],
      time_filters: [{ start: '22:00', end: '06:00', repeat: [1, 5], cal_id: 'cn-holidays', is_off: false }],
      filters: body.filters,
      status: 'enabled',
      template_id: TEMPLATE_ID,
      rule_id: ruleId,
      updated_by: owner.memberId,
      created_at: now(),
      updated_at: now(),
    });
    expect(await rulesOf(t, owner, channelId)).toEqual([info.body.data]);
  });

  it('fills in the defaults of the optional fields', async () => {
    const channelId = await channel();
    const ruleId = await createRule(t, owner, channelId, ruleBody([owner.memberId]));
    const [item] = await rulesOf(t, owner, channelId);
    expect(item).toMatchObject({
      rule_id: ruleId,
      priority: 0,
      aggr_window: 0,
      description: '',
      time_filters: [],
      filters: [],
      layers: [
        {
          max_times: 1,
          notify_step: 10,
          escalate_window: 30,
          force_escalate: false,
          target: {
            person_ids: [owner.memberId],
            team_ids: [],
            schedule_to_role_ids: {},
            emails: [],
            by: { follow_preference: true, critical: [], warning: [], info: [] },
          },
        },
      ],
    });
  });

  it('lists in evaluation order: priority, then the older rule', async () => {
    const channelId = await channel();
    const b = await createRule(
      t,
      owner,
      channelId,
      ruleBody([owner.memberId], { rule_name: 'b', priority: 5 }),
    );
    t.clock.advance(1000);
    const c = await createRule(
      t,
      owner,
      channelId,
      ruleBody([owner.memberId], { rule_name: 'c', priority: 5 }),
    );
    const a = await createRule(
      t,
      owner,
      channelId,
      ruleBody([owner.memberId], { rule_name: 'a', priority: 0 }),
    );
    const d = await createRule(
      t,
      owner,
      channelId,
      ruleBody([owner.memberId], { rule_name: 'd', priority: 200 }),
    );
    expect((await rulesOf(t, owner, channelId)).map((r) => r.rule_id)).toEqual([a, b, c, d]);
  });

  it('finds a rule id in any letter case', async () => {
    const channelId = await channel();
    const ruleId = await createRule(t, owner, channelId, ruleBody([owner.memberId]));
    const info = await t.post(
      '/channel/escalate/rule/info',
      { channel_id: channelId, rule_id: ruleId.toUpperCase() },
      owner.appKey,
    );
    expect(info.body.data?.rule_id).toBe(ruleId);
  });

  it('refuses the 101st live rule of a channel (BadRequest) and counts deleted ones out', async () => {
    const channelId = await channel();
    let first = '';
    for (let i = 0; i < 100; i++) {
      const id = await createRule(t, owner, channelId, ruleBody([owner.memberId], { rule_name: `r${i}` }));
      if (i === 0) first = id;
    }
    const res = await t.post(
      '/channel/escalate/rule/create',
      { channel_id: channelId, ...ruleBody([owner.memberId]) },
      owner.appKey,
    );
    expect(res.body.error?.code).toBe('BadRequest');
    expect(await rulesOf(t, owner, channelId)).toHaveLength(100);
    await t.post('/channel/escalate/rule/delete', { channel_id: channelId, rule_id: first }, owner.appKey);
    await createRule(t, owner, channelId, ruleBody([owner.memberId]));
  });
});

describe('update', () => {
  it('replaces rule_name, template_id and layers, and the optional fields only when sent', async () => {
    const channelId = await channel();
    const ruleId = await createRule(
      t,
      owner,
      channelId,
      ruleBody([owner.memberId], {
        description: 'kept',
        priority: 3,
        aggr_window: 60,
        time_filters: [{ start: '09:00', end: '18:00' }],
        filters: [[{ key: 'severity', oper: 'IN', vals: ['Critical'] }]],
      }),
    );
    const before = (await rulesOf(t, owner, channelId))[0];
    t.clock.advance(60_000);
    const res = await t.post(
      '/channel/escalate/rule/update',
      {
        channel_id: channelId,
        rule_id: ruleId,
        rule_name: 'Renamed',
        template_id: '0123456789abcdef01234567',
        layers: [{ escalate_window: 5, target: { team_ids: [teamId], by: { critical: ['voice'] } } }],
        filters: [],
      },
      owner.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({});
    const after = (await rulesOf(t, owner, channelId))[0];
    expect(after).toEqual({
      ...before,
      rule_name: 'Renamed',
      template_id: '0123456789abcdef01234567',
      layers: [
        {
          max_times: 1,
          notify_step: 10,
          escalate_window: 5,
          force_escalate: false,
          target: {
            person_ids: [],
            team_ids: [teamId],
            schedule_to_role_ids: {},
            emails: [],
            by: { follow_preference: false, critical: ['voice'], warning: [], info: [] },
          },
        },
      ],
      filters: [],
      updated_at: before.updated_at + 60,
    });
    expect(after.description).toBe('kept');
    expect(after.time_filters).toEqual(before.time_filters);
  });

  it('sets updated_by to the member who changed the rule', async () => {
    const admin = await t.newMember(owner, [2], 'Admin Two');
    const channelId = await channel();
    const ruleId = await createRule(t, owner, channelId, ruleBody([owner.memberId]));
    const res = await t.post(
      '/channel/escalate/rule/update',
      { channel_id: channelId, rule_id: ruleId, ...ruleBody([admin.memberId]) },
      admin.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await rulesOf(t, owner, channelId))[0].updated_by).toBe(admin.memberId);
  });
});

describe('enable, disable and delete', () => {
  it('switches the status and deletes softly', async () => {
    const channelId = await channel();
    const ruleId = await createRule(t, owner, channelId, ruleBody([owner.memberId]));
    const ids = { channel_id: channelId, rule_id: ruleId };
    t.clock.advance(5_000);

    expect((await t.post('/channel/escalate/rule/disable', ids, owner.appKey)).status).toBe(200);
    const disabled = (await rulesOf(t, owner, channelId))[0];
    expect(disabled.status).toBe('disabled');
    expect(disabled.updated_at).toBe(disabled.created_at + 5);
    expect((await t.post('/channel/escalate/rule/disable', ids, owner.appKey)).status).toBe(200);

    expect((await t.post('/channel/escalate/rule/enable', ids, owner.appKey)).status).toBe(200);
    expect((await rulesOf(t, owner, channelId))[0].status).toBe('enabled');

    const deleted = await t.post('/channel/escalate/rule/delete', ids, owner.appKey);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({});
    expect(await rulesOf(t, owner, channelId)).toEqual([]);
    for (const verb of ['info', 'delete', 'enable', 'disable']) {
      expectNotFound(await t.post(`/channel/escalate/rule/${verb}`, ids, owner.appKey));
    }
    expectNotFound(
      await t.post('/channel/escalate/rule/update', { ...ids, ...ruleBody([owner.memberId]) }, owner.appKey),
    );
    const row = await t.db.q
      .selectFrom('escalation_rules')
      .select(['status', 'deleted_at'])
      .where('rule_id', '=', ruleId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'deleted', deleted_at: disabled.created_at + 5 });
  });
});

describe('the default rule of /channel/create', () => {
  it('stores an inline escalate_rule as the channel\'s first rule, "Default"', async () => {
    const channelId = await channel({
      escalate_rule: {
        template_id: TEMPLATE_ID,
        aggr_window: 300,
        target: { person_ids: [responder.memberId], by: { follow_preference: true } },
      },
    });
    const items = await rulesOf(t, owner, channelId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      rule_name: 'Default',
      priority: 0,
      aggr_window: 300,
      template_id: TEMPLATE_ID,
      status: 'enabled',
      time_filters: [],
      filters: [],
      layers: [
        {
          max_times: 1,
          notify_step: 10,
          escalate_window: 30,
          force_escalate: false,
          target: { person_ids: [responder.memberId], by: { follow_preference: true } },
        },
      ],
    });
  });

  it('creates no rule without escalate_rule', async () => {
    expect(await rulesOf(t, owner, await channel())).toEqual([]);
  });

  it.each([
    [
      'without template_id',
      { target: { person_ids: [1], by: { follow_preference: true } } },
      'escalate_rule.template_id',
    ],
    ['without target', { template_id: TEMPLATE_ID }, 'escalate_rule.target'],
    [
      'naming nobody',
      { template_id: TEMPLATE_ID, target: { by: { follow_preference: true } } },
      'escalate_rule.target',
    ],
    [
      'naming a member of another account',
      { template_id: TEMPLATE_ID, target: { person_ids: [424242], by: { follow_preference: true } } },
      'escalate_rule.target.person_ids',
    ],
    [
      'with aggr_window over 3600',
      {
        template_id: TEMPLATE_ID,
        aggr_window: 3601,
        target: { person_ids: [1], by: { follow_preference: true } },
      },
      'escalate_rule.aggr_window',
    ],
  ])('refuses an escalate_rule %s and creates no channel', async (_what, escalateRule, field) => {
    const list = async () => (await t.post('/channel/list', {}, owner.appKey)).body.data.total;
    const before = await list();
    const res = await t.post(
      '/channel/create',
      { team_id: teamId, channel_name: 'refused-default', escalate_rule: escalateRule },
      owner.appKey,
    );
    expectInvalid(res, field);
    expect(await list()).toBe(before);
    expect(
      await t.db.q
        .selectFrom('escalation_rules')
        .select('rule_id')
        .where('rule_name', '=', 'Default')
        .where('account_id', '=', owner.accountId)
        .execute(),
    ).toHaveLength(1);
  });
});

describe('the matcher over stored rules', () => {
  it('picks the first enabled rule that matches, in the account time zone', async () => {
    const channelId = await channel();
    await t.db.q
      .updateTable('accounts')
      .set({ time_zone: 'Asia/Shanghai' })
      .where('account_id', '=', owner.accountId)
      .execute();
    try {
      const night = await createRule(
        t,
        owner,
        channelId,
        ruleBody([owner.memberId], {
          rule_name: 'night',
          priority: 1,
          time_filters: [{ start: '18:00', end: '09:00' }],
        }),
      );
      const web = await createRule(
        t,
        owner,
        channelId,
        ruleBody([owner.memberId], {
          rule_name: 'web',
          priority: 2,
          filters: [[{ key: 'labels.service', oper: 'IN', vals: ['web'] }]],
        }),
      );
      const fallback = await createRule(
        t,
        owner,
        channelId,
        ruleBody([owner.memberId], { rule_name: 'any', priority: 3 }),
      );
      const incident = { incident_severity: 'Critical', title: 'down', labels: { service: 'web' } };
      const pick = async (at: number) => {
        const { timeZone, rules } = await loadEscalationRules(t.db.q, owner.accountId, channelId);
        return pickEscalationRule(rules, incident, at, timeZone)?.rule_id;
      };
      // 2026-01-05 09:00 UTC is 17:00 in Shanghai: day time, so the web rule.
      expect(await pick(NOW)).toBe(web);
      // 10:00 UTC is 18:00 in Shanghai: the night rule.
      expect(await pick(NOW + 3600)).toBe(night);
      // The same instant read in UTC is 10:00: day time.
      expect(
        pickEscalationRule(
          (await loadEscalationRules(t.db.q, owner.accountId, channelId)).rules,
          incident,
          NOW + 3600,
          'UTC',
        )?.rule_id,
      ).toBe(web);
      await t.post('/channel/escalate/rule/disable', { channel_id: channelId, rule_id: night }, owner.appKey);
      expect(await pick(NOW + 3600)).toBe(web);
      expect(
        pickEscalationRule(
          (await loadEscalationRules(t.db.q, owner.accountId, channelId)).rules,
          { ...incident, labels: { service: 'db' } },
          NOW,
          'UTC',
        )?.rule_id,
      ).toBe(fallback);
    } finally {
      await t.db.q
        .updateTable('accounts')
        .set({ time_zone: 'UTC' })
        .where('account_id', '=', owner.accountId)
        .execute();
    }
  });
});
