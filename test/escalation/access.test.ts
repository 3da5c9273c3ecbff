import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createTeam, expectNotFound } from '../channels/helpers.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { createRule, ruleBody, rulesOf } from './helpers.ts';

/*
 * Permissions (Channels Read for list and info, Channels Manage for the writes, as the spec says)
 * and tenancy (another account's channel or rule, a rule of another channel, a deleted channel).
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let teamId: number;
let channelId: number;
let ruleId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Escalation access');
  other = await t.newAccount('Escalation neighbour');
  teamId = await createTeam(t, owner, 'Ops', [owner.memberId]);
  channelId = await createChannel(t, owner, { team_id: teamId, channel_name: 'Guarded' });
  ruleId = await createRule(t, owner, channelId, ruleBody([owner.memberId]));
});
afterAll(() => t.close());

type Call = { path: string; body: () => Record<string, unknown> };

const ids = () => ({ channel_id: channelId, rule_id: ruleId });
const writes: Call[] = [
  {
    path: '/channel/escalate/rule/create',
    body: () => ({ channel_id: channelId, ...ruleBody([owner.memberId]) }),
  },
  {
    path: '/channel/escalate/rule/update',
    body: () => ({ ...ids(), ...ruleBody([owner.memberId], { rule_name: 'Changed' }) }),
  },
  { path: '/channel/escalate/rule/disable', body: ids },
  { path: '/channel/escalate/rule/enable', body: ids },
  { path: '/channel/escalate/rule/delete', body: ids },
];
const reads: Call[] = [
  { path: '/channel/escalate/rule/list', body: () => ({ channel_id: channelId }) },
  { path: '/channel/escalate/rule/info', body: ids },
];

describe('permissions', () => {
  it.each([
    ['Read-only', 4],
    ['Responder', 3],
  ])('a %s member reads rules but changes none (AccessDenied)', async (_role, roleId) => {
    const member = await t.newMember(owner, [roleId]);
    const before = await rulesOf(t, owner, channelId);
    for (const call of reads) {
      const res = await t.post(call.path, call.body(), member.appKey);
      expect(res.status, call.path).toBe(200);
    }
    for (const call of writes) {
      const res = await t.post(call.path, call.body(), member.appKey);
      expect(res.status, call.path).toBe(403);
      expect(res.body.error?.code, call.path).toBe('AccessDenied');
    }
    expect(await rulesOf(t, owner, channelId)).toEqual(before);
  });

  it('lets an Admin manage rules', async () => {
    const admin = await t.newMember(owner, [2]);
    const created = await createRule(
      t,
      admin,
      channelId,
      ruleBody([admin.memberId], { rule_name: 'By admin' }),
    );
    const res = await t.post(
      '/channel/escalate/rule/delete',
      { channel_id: channelId, rule_id: created },
      admin.appKey,
    );
    expect(res.status).toBe(200);
  });

  it('refuses calls without a valid app_key (Unauthorized)', async () => {
    for (const call of [...reads, ...writes]) {
      const res = await t.post(call.path, call.body(), undefined);
      expect(res.status, call.path).toBe(401);
      expect(res.body.error?.code).toBe('Unauthorized');
      expect((await t.post(call.path, call.body(), 'f'.repeat(32))).body.error?.code).toBe('Unauthorized');
    }
  });
});

describe('tenancy', () => {
  it("answers ResourceNotFound for another account's channel and rule, and changes nothing", async () => {
    const before = await rulesOf(t, owner, channelId);
    for (const call of [...reads, ...writes]) {
      const body = call.body();
      // The neighbour's own member in the layers, so only the channel can be what is refused.
      const sent = 'layers' in body ? { ...body, ...ruleBody([other.memberId], { rule_name: 'x' }) } : body;
      expectNotFound(await t.post(call.path, sent, other.appKey));
    }
    expect(await rulesOf(t, owner, channelId)).toEqual(before);
  });

  it('does not find a rule through another channel of the same account', async () => {
    const second = await createChannel(t, owner, { team_id: teamId, channel_name: 'Second' });
    for (const call of [...reads, ...writes].filter((c) => 'rule_id' in c.body())) {
      expectNotFound(await t.post(call.path, { ...call.body(), channel_id: second }, owner.appKey));
    }
    expect((await rulesOf(t, owner, channelId)).map((r) => r.rule_id)).toContain(ruleId);
  });

  it('keeps the rules of a disabled channel manageable, and hides those of a deleted one', async () => {
    const channel = await createChannel(t, owner, { team_id: teamId, channel_name: 'Short-lived' });
    const rule = await createRule(t, owner, channel, ruleBody([owner.memberId]));
    expect((await t.post('/channel/disable', { channel_id: channel }, owner.appKey)).status).toBe(200);
    expect(await rulesOf(t, owner, channel)).toHaveLength(1);
    expect(
      (await t.post('/channel/escalate/rule/disable', { channel_id: channel, rule_id: rule }, owner.appKey))
        .status,
    ).toBe(200);
    expect((await t.post('/channel/delete', { channel_id: channel }, owner.appKey)).status).toBe(200);
    expectNotFound(await t.post('/channel/escalate/rule/list', { channel_id: channel }, owner.appKey));
    expectNotFound(
      await t.post('/channel/escalate/rule/info', { channel_id: channel, rule_id: rule }, owner.appKey),
    );
    expectNotFound(
      await t.post(
        '/channel/escalate/rule/create',
        { channel_id: channel, ...ruleBody([owner.memberId]) },
        owner.appKey,
      ),
    );
  });

  it("refuses a neighbour's members and teams as targets of one's own rule", async () => {
    const theirTeam = await createTeam(t, other, 'Theirs', [other.memberId]);
    const before = await rulesOf(t, owner, channelId);
    const byPerson = await t.post(
      '/channel/escalate/rule/create',
      { channel_id: channelId, ...ruleBody([other.memberId]) },
      owner.appKey,
    );
    expect(byPerson.body.error?.message).toContain('layers[0].target.person_ids');
    const byTeam = await t.post(
      '/channel/escalate/rule/create',
      {
        channel_id: channelId,
        ...ruleBody([], { layers: [{ target: { team_ids: [theirTeam], by: { follow_preference: true } } }] }),
      },
      owner.appKey,
    );
    expect(byTeam.body.error?.message).toContain('layers[0].target.team_ids');
    expect(await rulesOf(t, owner, channelId)).toEqual(before);
  });
});
