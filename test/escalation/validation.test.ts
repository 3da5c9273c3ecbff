import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createTeam, expectInvalid, expectNotFound } from '../channels/helpers.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { createRule, ruleBody, rulesOf, TEMPLATE_ID } from './helpers.ts';

/*
 * Bad input to /channel/escalate/rule/create and /update: every field is refused with
 * InvalidParameter naming it (with its path), and nothing is stored or changed.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let teamId: number;
let otherTeamId: number;
let otherMemberId: number;
let deletedMemberId: number;
let deletedTeamId: number;
let channelId: number;
let ruleId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Escalation validation');
  other = await t.newAccount('Someone else');
  teamId = await createTeam(t, owner, 'Ops', [owner.memberId]);
  otherTeamId = await createTeam(t, other, 'Their ops', [other.memberId]);
  otherMemberId = other.memberId;
  const leaver = await t.newMember(owner, [3], 'Leaver');
  deletedMemberId = leaver.memberId;
  expect((await t.post('/member/delete', { member_id: deletedMemberId }, owner.appKey)).status).toBe(200);
  deletedTeamId = await createTeam(t, owner, 'Disbanded');
  expect((await t.post('/team/delete', { team_id: deletedTeamId }, owner.appKey)).status).toBe(200);
  channelId = await createChannel(t, owner, { team_id: teamId, channel_name: 'Validated' });
  ruleId = await createRule(
    t,
    owner,
    channelId,
    ruleBody([owner.memberId], { filters: [], time_filters: [] }),
  );
});
afterAll(() => t.close());

/** The owner's member id stands as -5 until the account exists (see resolve). */
const goodTarget = () => ({ person_ids: [-5], by: { follow_preference: true } });

/** A valid body whose second layer carries these fields, its target these target fields. */
function secondLayer(fields: Record<string, unknown>, target: Record<string, unknown> = {}) {
  return {
    layers: [{ target: goodTarget() }, { target: { ...goodTarget(), ...target }, ...fields }],
  };
}
const target = (fields: Record<string, unknown>) => secondLayer({}, fields);
const window = (fields: Record<string, unknown>) => ({
  time_filters: [{ start: '09:00', end: '18:00', ...fields }],
});
const condition = (fields: Record<string, unknown>) => ({
  filters: [
    [{ key: 'severity', oper: 'IN', vals: ['Critical'] }],
    [{ key: 'title', oper: 'IN', vals: ['x'], ...fields }],
  ],
});

/** [what is wrong, the fields, the field the error must name]; the fields override a valid body. */
const badFields = (): [string, Record<string, unknown>, string][] => [
  ['rule_name missing', { rule_name: undefined }, 'rule_name'],
  ['empty rule_name', { rule_name: '' }, 'rule_name'],
  ['blank rule_name', { rule_name: '   ' }, 'rule_name'],
  ['40-character rule_name', { rule_name: 'r'.repeat(40) }, 'rule_name'],
  ['rule_name of the wrong type', { rule_name: 5 }, 'rule_name'],
  ['501-character description', { description: 'd'.repeat(501) }, 'description'],
  ['negative priority', { priority: -1 }, 'priority'],
  ['priority over 200', { priority: 201 }, 'priority'],
  ['fractional priority', { priority: 1.5 }, 'priority'],
  ['priority as a string', { priority: '1' }, 'priority'],
  ['negative aggr_window', { aggr_window: -1 }, 'aggr_window'],
  ['aggr_window over 3600', { aggr_window: 3601 }, 'aggr_window'],
  ['template_id missing', { template_id: undefined }, 'template_id'],
  ['template_id not hex', { template_id: 'z'.repeat(24) }, 'template_id'],
  ['template_id of 23 characters', { template_id: TEMPLATE_ID.slice(1) }, 'template_id'],
  ['layers missing', { layers: undefined }, 'layers'],
  ['no layers', { layers: [] }, 'layers'],
  ['eleven layers', { layers: Array.from({ length: 11 }, () => ({ target: goodTarget() })) }, 'layers'],
  ['layers not an array', { layers: { target: {} } }, 'layers'],
  ['negative max_times', secondLayer({ max_times: -1 }), 'layers[1].max_times'],
  ['max_times over 6', secondLayer({ max_times: 7 }), 'layers[1].max_times'],
  ['notify_step below 0.5', secondLayer({ notify_step: 0.4 }), 'layers[1].notify_step'],
  ['notify_step over 120', secondLayer({ notify_step: 121 }), 'layers[1].notify_step'],
  ['notify_step not a multiple of 0.5', secondLayer({ notify_step: 1.2 }), 'layers[1].notify_step'],
  ['negative escalate_window', secondLayer({ escalate_window: -1 }), 'layers[1].escalate_window'],
  ['escalate_window over 720', secondLayer({ escalate_window: 721 }), 'layers[1].escalate_window'],
  ['fractional escalate_window', secondLayer({ escalate_window: 1.5 }), 'layers[1].escalate_window'],
  ['force_escalate of the wrong type', secondLayer({ force_escalate: 'yes' }), 'layers[1].force_escalate'],
  ['layer without target', { layers: [{ target: goodTarget() }, { max_times: 1 }] }, 'layers[1].target'],
  [
    'target naming nobody',
    { layers: [{ target: goodTarget() }, { target: { by: { follow_preference: true } } }] },
    'layers[1].target',
  ],
  [
    'target without by or webhooks',
    { layers: [{ target: goodTarget() }, { target: { person_ids: [1] } }] },
    'layers[1].target.by',
  ],
  ['person id of the wrong type', target({ person_ids: ['1'] }), 'layers[1].target.person_ids[0]'],
  [
    '101 person ids',
    target({ person_ids: Array.from({ length: 101 }, (_, i) => i + 1) }),
    'layers[1].target.person_ids',
  ],
  ['unknown person', target({ person_ids: [424242] }), 'layers[1].target.person_ids'],
  ['person of another account', target({ person_ids: [-1] }), 'layers[1].target.person_ids'],
  ['deleted person', target({ person_ids: [-2] }), 'layers[1].target.person_ids'],
  ['unknown team', target({ team_ids: [424242] }), 'layers[1].target.team_ids'],
  ['team of another account', target({ team_ids: [-3] }), 'layers[1].target.team_ids'],
  ['deleted team', target({ team_ids: [-4] }), 'layers[1].target.team_ids'],
  [
    'schedule key not an id',
    target({ schedule_to_role_ids: { abc: [1] } }),
    'layers[1].target.schedule_to_role_ids',
  ],
  [
    'role id of the wrong type',
    target({ schedule_to_role_ids: { '12': ['x'] } }),
    'layers[1].target.schedule_to_role_ids',
  ],
  [
    '21 schedules',
    target({
      schedule_to_role_ids: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`${i + 1}`, [1]])),
    }),
    'layers[1].target.schedule_to_role_ids',
  ],
  [
    'schedule_to_role_ids not an object',
    target({ schedule_to_role_ids: [1] }),
    'layers[1].target.schedule_to_role_ids',
  ],
  ['malformed email', target({ emails: ['not-an-email'] }), 'layers[1].target.emails[0]'],
  [
    'unknown personal channel',
    target({ by: { critical: ['email', 'pager'] } }),
    'layers[1].target.by.critical[1]',
  ],
  [
    'personal channel list of the wrong type',
    target({ by: { warning: 'sms' } }),
    'layers[1].target.by.warning',
  ],
  ['by naming no channel', target({ by: { follow_preference: false } }), 'layers[1].target.by'],
  [
    'follow_preference of the wrong type',
    target({ by: { follow_preference: 'yes' } }),
    'layers[1].target.by.follow_preference',
  ],
  [
    'unknown webhook type',
    target({ webhooks: [{ type: 'irc', settings: {} }] }),
    'layers[1].target.webhooks[0].type',
  ],
  [
    'webhook without settings',
    target({ webhooks: [{ type: 'slack' }] }),
    'layers[1].target.webhooks[0].settings',
  ],
  [
    'webhook settings over 4096 characters',
    target({ webhooks: [{ type: 'custom', settings: { url: `https://x.example/${'a'.repeat(4100)}` } }] }),
    'layers[1].target.webhooks[0].settings',
  ],
  [
    '21 webhooks',
    target({ webhooks: Array(21).fill({ type: 'slack', settings: {} }) }),
    'layers[1].target.webhooks',
  ],
  ['window start without a leading zero', window({ start: '9:00' }), 'time_filters[0].start'],
  ['window start at 24:00', window({ start: '24:00' }), 'time_filters[0].start'],
  ['window end at 24:01', window({ end: '24:01' }), 'time_filters[0].end'],
  ['window end minute 60', window({ end: '12:60' }), 'time_filters[0].end'],
  ['window without end', { time_filters: [{ start: '09:00' }] }, 'time_filters[0].end'],
  ['weekday 7', window({ repeat: [1, 7] }), 'time_filters[0].repeat[1]'],
  ['is_off without a calendar', window({ is_off: true }), 'time_filters[0].cal_id'],
  ['calendar id with blanks', window({ cal_id: ' cn ' }), 'time_filters[0].cal_id'],
  ['65-character calendar id', window({ cal_id: 'c'.repeat(65) }), 'time_filters[0].cal_id'],
  ['is_off of the wrong type', window({ is_off: 'true' }), 'time_filters[0].is_off'],
  ['21 windows', { time_filters: Array(21).fill({ start: '09:00', end: '10:00' }) }, 'time_filters'],
  ['unknown condition key', condition({ key: 'colour' }), 'filters[1][0].key'],
  ['unknown operator', condition({ oper: 'EQ' }), 'filters[1][0].oper'],
  ['condition without values', condition({ vals: [] }), 'filters[1][0].vals'],
  ['regex with a lookaround (not RE2)', condition({ vals: ['ok', '/a(?=b)/'] }), 'filters[1][0].vals[1]'],
  ['unknown severity', condition({ key: 'severity', vals: ['Fatal'] }), 'filters[1][0].vals[0]'],
  ['malformed cidr', condition({ key: 'labels.ip', vals: ['cidr:10.0.0.0/33'] }), 'filters[1][0].vals[0]'],
  ['malformed num', condition({ key: 'labels.cpu', vals: ['num:gt:abc'] }), 'filters[1][0].vals[0]'],
  ['an empty AND group', { filters: [[]] }, 'filters[0]'],
  ['filters not an array of groups', { filters: [{ key: 'title' }] }, 'filters[0]'],
];

/** Ids only known once the accounts exist stand in the table as negative placeholders. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  }
  const placeholders: Record<number, number> = {
    [-1]: otherMemberId,
    [-2]: deletedMemberId,
    [-3]: otherTeamId,
    [-4]: deletedTeamId,
    [-5]: owner.memberId,
  };
  return typeof value === 'number' && value in placeholders ? placeholders[value] : value;
}

function body(extra: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {
    ...ruleBody([owner.memberId]),
    ...extra,
    ...(resolve(fields) as object),
  };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return merged;
}

async function stored() {
  return {
    items: await rulesOf(t, owner, channelId),
    rows: await t.db.q
      .selectFrom('escalation_rules')
      .selectAll()
      .where('account_id', '=', owner.accountId)
      .execute(),
  };
}

describe('create refuses bad input and stores nothing', () => {
  it.each(badFields())('%s', async (_what, fields, field) => {
    const before = await stored();
    const res = await t.post(
      '/channel/escalate/rule/create',
      body({ channel_id: channelId }, fields),
      owner.appKey,
    );
    expectInvalid(res, field);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['channel_id missing', {}, 'channel_id'],
    ['channel_id of the wrong type', { channel_id: '1' }, 'channel_id'],
  ])('%s', async (_what, extra, field) => {
    const before = await stored();
    expectInvalid(await t.post('/channel/escalate/rule/create', body(extra, {}), owner.appKey), field);
    expect(await stored()).toEqual(before);
  });

  it('names the channel of a missing channel (ResourceNotFound)', async () => {
    const before = await stored();
    expectNotFound(
      await t.post('/channel/escalate/rule/create', body({ channel_id: 424242 }, {}), owner.appKey),
    );
    expect(await stored()).toEqual(before);
  });

  it('accepts each of the limits themselves', async () => {
    const res = await t.post(
      '/channel/escalate/rule/create',
      body(
        { channel_id: channelId },
        {
          rule_name: 'r'.repeat(39),
          description: 'd'.repeat(500),
          priority: 200,
          aggr_window: 3600,
          layers: Array.from({ length: 10 }, () => ({
            max_times: 6,
            notify_step: 120,
            escalate_window: 720,
            target: { ...goodTarget(), emails: ['a@example.com'] },
          })).map((layer, i) =>
            i === 0 ? { ...layer, max_times: 0, notify_step: 0.5, escalate_window: 0 } : layer,
          ),
          time_filters: [
            { start: '00:00', end: '24:00', repeat: [0, 6], cal_id: 'c'.repeat(64), is_off: true },
          ],
        },
      ),
      owner.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await t.post(
      '/channel/escalate/rule/delete',
      { channel_id: channelId, rule_id: res.body.data.rule_id },
      owner.appKey,
    );
  });
});

describe('update refuses bad input and changes nothing', () => {
  it.each(badFields())('%s', async (_what, fields, field) => {
    const before = await stored();
    const res = await t.post(
      '/channel/escalate/rule/update',
      body({ channel_id: channelId, rule_id: ruleId }, fields),
      owner.appKey,
    );
    expectInvalid(res, field);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['rule_id missing', { channel_id: 1 }, 'rule_id'],
    ['rule_id not an ObjectID', { channel_id: 1, rule_id: 'abc' }, 'rule_id'],
    ['channel_id missing', { rule_id: '0'.repeat(24) }, 'channel_id'],
  ])('%s', async (_what, extra, field) => {
    const before = await stored();
    expectInvalid(await t.post('/channel/escalate/rule/update', body(extra, {}), owner.appKey), field);
    expect(await stored()).toEqual(before);
  });

  it('answers ResourceNotFound for an unknown rule', async () => {
    expectNotFound(
      await t.post(
        '/channel/escalate/rule/update',
        body({ channel_id: channelId, rule_id: 'f'.repeat(24) }, {}),
        owner.appKey,
      ),
    );
  });
});

describe('rule id operations', () => {
  it.each(['info', 'delete', 'enable', 'disable'])(
    '%s refuses a malformed rule_id and a missing channel_id',
    async (verb) => {
      expectInvalid(
        await t.post(`/channel/escalate/rule/${verb}`, { channel_id: channelId, rule_id: 'x' }, owner.appKey),
        'rule_id',
      );
      expectInvalid(
        await t.post(`/channel/escalate/rule/${verb}`, { rule_id: ruleId }, owner.appKey),
        'channel_id',
      );
    },
  );

  it('list refuses a missing channel_id', async () => {
    expectInvalid(await t.post('/channel/escalate/rule/list', {}, owner.appKey), 'channel_id');
  });
});
