import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { channelSnapshot, createChannel, createTeam, expectInvalid } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;
let teamId: number;
let channelId: number;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Strict');
  teamId = await createTeam(t, owner, 'Ops', [owner.memberId]);
  channelId = await createChannel(t, owner, {
    team_id: teamId,
    channel_name: 'Existing',
    group: { method: 'p', equals: [['title']] },
  });
});
afterAll(() => t.close());

const aCase = { if: [{ key: 'severity', oper: 'IN', vals: ['Critical'] }], equals: ['title'] };
const escalateRule = { template_id: '0123456789abcdef01234567', target: { person_ids: [1] } };

/** Bad fields shared by create and update: [what is wrong, the fields, the field the error must name]. */
const badFields: [string, Record<string, unknown>, string][] = [
  ['name of the wrong type', { channel_name: 5 }, 'channel_name'],
  ['empty name', { channel_name: '' }, 'channel_name'],
  ['blank name', { channel_name: '   ' }, 'channel_name'],
  ['60-character name', { channel_name: 'n'.repeat(60) }, 'channel_name'],
  ['501-character description', { description: 'd'.repeat(501) }, 'description'],
  ['description of the wrong type', { description: ['x'] }, 'description'],
  ['four managing teams', { managing_team_ids: [1, 2, 3, 4] }, 'managing_team_ids'],
  ['managing team id of the wrong type', { managing_team_ids: ['1'] }, 'managing_team_ids[0]'],
  ['unknown managing team', { managing_team_ids: [424242] }, 'managing_team_ids'],
  ['negative auto_resolve_timeout', { auto_resolve_timeout: -1 }, 'auto_resolve_timeout'],
  ['auto_resolve_timeout over 30 days', { auto_resolve_timeout: 2_592_001 }, 'auto_resolve_timeout'],
  ['unknown auto_resolve_mode', { auto_resolve_mode: 'close' }, 'auto_resolve_mode'],
  ['is_private of the wrong type', { is_private: 'yes' }, 'is_private'],
  ['disable_auto_close of the wrong type', { disable_auto_close: 1 }, 'disable_auto_close'],
  ['plugin_ids of the wrong type', { plugin_ids: 'x' }, 'plugin_ids'],
  ['escalate_rule', { escalate_rule: escalateRule }, 'escalate_rule'],
  ['group without method', { group: { equals: [['title']] } }, 'group.method'],
  ['unknown group method', { group: { method: 'x' } }, 'group.method'],
  ['pattern grouping without dimensions', { group: { method: 'p' } }, 'group.equals'],
  ['six groups of equals', { group: { method: 'p', equals: Array(6).fill(['title']) } }, 'group.equals'],
  ['an empty group of equals', { group: { method: 'p', equals: [[]] } }, 'group.equals[0]'],
  ['101 cases', { group: { method: 'p', cases: Array(101).fill(aCase) } }, 'group.cases'],
  ['case without if', { group: { method: 'p', cases: [{ equals: ['title'] }] } }, 'group.cases[0].if'],
  ['case without equals', { group: { method: 'p', cases: [{ if: aCase.if }] } }, 'group.cases[0].equals'],
  [
    'case condition with an unknown operator',
    { group: { method: 'p', cases: [{ ...aCase, if: [{ key: 'severity', oper: 'EQ', vals: ['x'] }] }] } },
    'group.cases[0].if[0].oper',
  ],
  [
    'case condition without vals',
    { group: { method: 'p', cases: [{ ...aCase, if: [{ key: 'severity', oper: 'IN' }] }] } },
    'group.cases[0].if[0].vals',
  ],
  ['case that is not an object', { group: { method: 'p', cases: ['title'] } }, 'group.cases[0]'],
  [
    'case condition with an unknown key',
    { group: { method: 'p', cases: [{ ...aCase, if: [{ key: 'priority', oper: 'IN', vals: ['x'] }] }] } },
    'group.cases[0].if[0].key',
  ],
  [
    'case condition with a lookaround',
    {
      group: {
        method: 'p',
        cases: [
          aCase,
          { ...aCase, if: [aCase.if[0], { key: 'title', oper: 'IN', vals: ['x', '/a(?=b)/'] }] },
        ],
      },
    },
    'group.cases[1].if[1].vals[1]',
  ],
  [
    'all_equals_required of the wrong type',
    { group: { method: 'n', all_equals_required: 'no' } },
    'group.all_equals_required',
  ],
  ['negative time_window', { group: { method: 'n', time_window: -1 } }, 'group.time_window'],
  ['time_window over 30 days', { group: { method: 'n', time_window: 43_201 } }, 'group.time_window'],
  ['fractional time_window', { group: { method: 'n', time_window: 1.5 } }, 'group.time_window'],
  ['unknown window_type', { group: { method: 'n', window_type: 'hopping' } }, 'group.window_type'],
  [
    'storm_threshold over 10000',
    { group: { method: 'n', storm_threshold: 10_001 } },
    'group.storm_threshold',
  ],
  [
    'six storm_thresholds',
    { group: { method: 'n', storm_thresholds: [2, 3, 4, 5, 6, 7] } },
    'group.storm_thresholds',
  ],
  ['storm threshold below 2', { group: { method: 'n', storm_thresholds: [1] } }, 'group.storm_thresholds[0]'],
  [
    'storm threshold over 10000',
    { group: { method: 'n', storm_thresholds: [10_001] } },
    'group.storm_thresholds[0]',
  ],
  ['eleven i_keys', { group: { method: 'i', i_keys: Array(11).fill('title') } }, 'group.i_keys'],
  [
    'i_score_threshold below 0.5',
    { group: { method: 'i', i_score_threshold: 0.4 } },
    'group.i_score_threshold',
  ],
  ['i_score_threshold over 1', { group: { method: 'i', i_score_threshold: 1.1 } }, 'group.i_score_threshold'],
  ['group that is not an object', { group: 'n' }, 'group'],
  ['max_changes below 2', { flapping: { max_changes: 1 } }, 'flapping.max_changes'],
  ['max_changes over 100', { flapping: { max_changes: 101 } }, 'flapping.max_changes'],
  ['in_mins below 1', { flapping: { in_mins: 0 } }, 'flapping.in_mins'],
  ['in_mins over 1440', { flapping: { in_mins: 1441 } }, 'flapping.in_mins'],
  ['negative mute_mins', { flapping: { mute_mins: -1 } }, 'flapping.mute_mins'],
  ['mute_mins over 1440', { flapping: { mute_mins: 1441 } }, 'flapping.mute_mins'],
  ['is_disabled of the wrong type', { flapping: { is_disabled: 'true' } }, 'flapping.is_disabled'],
];

describe('channel create validation', () => {
  it.each(badFields)('refuses %s and stores nothing', async (_what, fields, field) => {
    const before = await channelSnapshot(t, owner);
    const res = await t.post(
      '/channel/create',
      { team_id: teamId, channel_name: 'New channel', ...fields },
      owner.appKey,
    );
    expectInvalid(res, field);
    expect(await channelSnapshot(t, owner)).toEqual(before);
  });

  it.each([
    ['missing team_id', { channel_name: 'x' }, 'team_id'],
    ['missing channel_name', { team_id: 1 }, 'channel_name'],
    ['team_id of the wrong type', { team_id: '1', channel_name: 'x' }, 'team_id'],
    ['unknown team_id', { team_id: 424242, channel_name: 'x' }, 'team_id'],
    ['empty body', {}, 'team_id'],
  ])('refuses %s and stores nothing', async (_what, body, field) => {
    const before = await channelSnapshot(t, owner);
    expectInvalid(await t.post('/channel/create', body, owner.appKey), field);
    expect(await channelSnapshot(t, owner)).toEqual(before);
  });

  it('refuses an inline escalate_rule that names nobody to notify personally or in chats (test/escalation covers the rest)', async () => {
    const before = await channelSnapshot(t, owner);
    const res = await t.post(
      '/channel/create',
      { team_id: teamId, channel_name: 'With rule', escalate_rule: escalateRule },
      owner.appKey,
    );
    expectInvalid(res, 'escalate_rule.target.by');
    expect(await channelSnapshot(t, owner)).toEqual(before);
  });

  it('says where the escalation rules of an existing channel are changed', async () => {
    const res = await t.post(
      '/channel/update',
      { channel_id: channelId, escalate_rule: escalateRule },
      owner.appKey,
    );
    expectInvalid(res, 'escalate_rule');
    expect(res.body.error?.message).toContain('/channel/escalate/rule/update');
  });
});

describe('channel update validation', () => {
  it.each(badFields)('refuses %s and changes nothing', async (_what, fields, field) => {
    const before = await channelSnapshot(t, owner);
    expectInvalid(await t.post('/channel/update', { channel_id: channelId, ...fields }, owner.appKey), field);
    expect(await channelSnapshot(t, owner)).toEqual(before);
  });

  it.each([
    ['missing channel_id', () => ({ description: 'x' }), 'channel_id'],
    ['channel_id of the wrong type', () => ({ channel_id: 'abc' }), 'channel_id'],
    ['unknown team_id', () => ({ channel_id: channelId, team_id: 424242 }), 'team_id'],
    ['team_id of the wrong type', () => ({ channel_id: channelId, team_id: true }), 'team_id'],
  ])('refuses %s and changes nothing', async (_what, body, field) => {
    const before = await channelSnapshot(t, owner);
    expectInvalid(await t.post('/channel/update', body(), owner.appKey), field);
    expect(await channelSnapshot(t, owner)).toEqual(before);
  });

  it('answers ResourceNotFound for an unknown channel', async () => {
    const res = await t.post('/channel/update', { channel_id: 424242, description: 'x' }, owner.appKey);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('ResourceNotFound');
  });
});

describe('validation of the other channel endpoints', () => {
  it.each(['/channel/info', '/channel/delete', '/channel/enable', '/channel/disable'])(
    '%s needs a numeric channel_id and changes nothing',
    async (path) => {
      const before = await channelSnapshot(t, owner);
      expectInvalid(await t.post(path, {}, owner.appKey), 'channel_id');
      expectInvalid(await t.post(path, { channel_id: String(channelId) }, owner.appKey), 'channel_id');
      expectInvalid(await t.post(path, { channel_id: -1 }, owner.appKey), 'channel_id');
      expect(await channelSnapshot(t, owner)).toEqual(before);
    },
  );

  it('/channel/infos needs at most 1000 numeric channel_ids', async () => {
    expectInvalid(await t.post('/channel/infos', {}, owner.appKey), 'channel_ids');
    expectInvalid(await t.post('/channel/infos', { channel_ids: channelId }, owner.appKey), 'channel_ids');
    expectInvalid(await t.post('/channel/infos', { channel_ids: ['1'] }, owner.appKey), 'channel_ids[0]');
    const many = Array.from({ length: 1001 }, (_, i) => i + 1);
    expectInvalid(await t.post('/channel/infos', { channel_ids: many }, owner.appKey), 'channel_ids');
  });
});
