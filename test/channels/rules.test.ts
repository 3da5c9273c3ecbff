import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { createChannel, createTeam, expectInvalid, expectNotFound, readOnlyMember } from './helpers.ts';

/*
 * Silence, inhibit and drop (unsubscribe) rules of channels: CRUD, validation, enable/disable,
 * is_effective, permissions and tenancy. Decisions: docs/noise-control.md.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let teamId: number;

// The harness clock starts at 2026-01-05T09:00:00Z, a Monday.
const NOW = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;
const HOUR = 3600;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Rules');
  other = await t.newAccount('Other rules');
  teamId = await createTeam(t, owner, 'Rule keepers', [owner.memberId]);
});
afterAll(() => t.close());

let channelCounter = 0;
async function channel(account = owner): Promise<number> {
  channelCounter += 1;
  const team = account === owner ? teamId : await createTeam(t, account, `team-${channelCounter}`);
  return createChannel(t, account, { team_id: team, channel_name: `rules-${channelCounter}` });
}

const critical = [[{ key: 'severity', oper: 'IN', vals: ['Critical'] }]];
const dbHosts = [[{ key: 'labels.host', oper: 'IN', vals: ['/^db/'] }]];
const once = { start_time: NOW - HOUR, end_time: NOW + HOUR };

const paths = {
  silence: '/channel/silence/rule',
  inhibit: '/channel/inhibit/rule',
  drop: '/channel/unsubscribe/rule',
} as const;
type Kind = keyof typeof paths;

const validBody: Record<Kind, Record<string, unknown>> = {
  silence: { rule_name: 'maintenance', time_filter: once, filters: dbHosts },
  inhibit: { rule_name: 'host down', equals: ['host'], source_filters: critical, target_filters: dbHosts },
  drop: { rule_name: 'no test', filters: [[{ key: 'labels.env', oper: 'IN', vals: ['test'] }]] },
};

async function create(kind: Kind, channelId: number, body: Record<string, unknown> = {}, account = owner) {
  const res = await t.post(
    `${paths[kind]}/create`,
    { channel_id: channelId, ...validBody[kind], ...body },
    account.appKey,
  );
  expect(res.body.error, JSON.stringify(res.body)).toBeUndefined();
  return res.body.data as { rule_id: string; rule_name: string };
}

async function list(kind: Kind, channelId: number, account = owner): Promise<any[]> {
  const res = await t.post(`${paths[kind]}/list`, { channel_id: channelId }, account.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.items;
}

/** Everything the rules of a channel look like through the API, for "nothing changed" checks. */
async function snapshot(channelId: number, account = owner) {
  return {
    silence: await list('silence', channelId, account),
    inhibit: await list('inhibit', channelId, account),
    drop: await list('drop', channelId, account),
  };
}

describe('silence rules', () => {
  it('creates, lists, updates, disables, enables and deletes a rule', async () => {
    const channelId = await channel();
    const created = await create('silence', channelId, { description: 'db patching', priority: 3 });
    expect(created.rule_id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.rule_name).toBe('maintenance');

    let [item] = await list('silence', channelId);
    expect(item).toEqual({
      account_id: owner.accountId,
      channel_id: channelId,
      rule_id: created.rule_id,
      rule_name: 'maintenance',
      description: 'db patching',
      priority: 3,
      status: 'enabled',
      time_filter: once,
      time_filters: [],
      filters: dbHosts,
      is_directly_discard: false,
      is_effective: true,
      updated_by: owner.memberId,
      created_at: NOW,
      updated_at: NOW,
      deleted_at: 0,
    });

    t.clock.advance(60_000);
    const weekly = [{ start: '22:00', end: '06:00', repeat: [5, 1, 1] }];
    let res = await t.post(
      '/channel/silence/rule/update',
      {
        channel_id: channelId,
        rule_id: created.rule_id,
        rule_name: '  nightly  ',
        time_filters: weekly,
        is_directly_discard: true,
      },
      owner.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({});
    [item] = await list('silence', channelId);
    expect(item).toMatchObject({
      rule_name: 'nightly',
      description: 'db patching',
      priority: 3,
      time_filters: [{ start: '22:00', end: '06:00', repeat: [1, 5] }],
      // A recurring rule reports the span its windows apply in: from its creation, without end.
      time_filter: { start_time: NOW, end_time: 253_402_300_799 },
      filters: dbHosts,
      is_directly_discard: true,
      // Monday 09:01 UTC is outside Monday 22:00–06:00.
      is_effective: false,
      updated_at: NOW + 60,
    });

    res = await t.post(
      '/channel/silence/rule/disable',
      { channel_id: channelId, rule_id: created.rule_id },
      owner.appKey,
    );
    expect(res.status).toBe(200);
    expect((await list('silence', channelId))[0].status).toBe('disabled');
    res = await t.post(
      '/channel/silence/rule/enable',
      { channel_id: channelId, rule_id: created.rule_id },
      owner.appKey,
    );
    expect(res.status).toBe(200);
    expect((await list('silence', channelId))[0].status).toBe('enabled');

    res = await t.post(
      '/channel/silence/rule/delete',
      { channel_id: channelId, rule_id: created.rule_id },
      owner.appKey,
    );
    expect(res.status).toBe(200);
    expect(await list('silence', channelId)).toEqual([]);
    expectNotFound(
      await t.post(
        '/channel/silence/rule/delete',
        { channel_id: channelId, rule_id: created.rule_id },
        owner.appKey,
      ),
    );
    expectNotFound(
      await t.post(
        '/channel/silence/rule/enable',
        { channel_id: channelId, rule_id: created.rule_id },
        owner.appKey,
      ),
    );
  });

  it('reports is_effective: enabled and inside its window now', async () => {
    const channelId = await channel();
    await create('silence', channelId, {
      rule_name: 'past',
      time_filter: { start_time: NOW - 2 * HOUR, end_time: NOW - HOUR },
    });
    await create('silence', channelId, {
      rule_name: 'future',
      time_filter: { start_time: NOW + HOUR, end_time: NOW + 2 * HOUR },
    });
    const { rule_id } = await create('silence', channelId, { rule_name: 'disabled' });
    await t.post('/channel/silence/rule/disable', { channel_id: channelId, rule_id }, owner.appKey);
    await create('silence', channelId, { rule_name: 'now' });
    await create('silence', channelId, {
      rule_name: 'weekday mornings',
      time_filter: undefined,
      time_filters: [{ start: '08:00', end: '10:00', repeat: [1, 2, 3, 4, 5] }],
    });
    await create('silence', channelId, {
      rule_name: 'sundays',
      time_filter: undefined,
      time_filters: [{ start: '00:00', end: '00:00', repeat: [0] }],
    });
    const effective = Object.fromEntries(
      (await list('silence', channelId)).map((r) => [r.rule_name, r.is_effective]),
    );
    expect(effective).toEqual({
      past: false,
      future: false,
      disabled: false,
      now: true,
      'weekday mornings': true,
      sundays: false,
    });
  });

  it('reads weekly windows in the account time zone', async () => {
    const account = await t.newAccount('Shanghai');
    const channelId = await channel(account);
    await t.db.q
      .updateTable('accounts')
      .set({ time_zone: 'Asia/Shanghai' })
      .where('account_id', '=', account.accountId)
      .execute();
    // 09:00 UTC on Monday is 17:00 on Monday in Shanghai.
    await create(
      'silence',
      channelId,
      {
        rule_name: 'evening',
        time_filter: undefined,
        time_filters: [{ start: '17:00', end: '18:00', repeat: [1] }],
      },
      account,
    );
    await create(
      'silence',
      channelId,
      {
        rule_name: 'morning',
        time_filter: undefined,
        time_filters: [{ start: '09:00', end: '10:00', repeat: [1] }],
      },
      account,
    );
    const effective = Object.fromEntries(
      (await list('silence', channelId, account)).map((r) => [r.rule_name, r.is_effective]),
    );
    expect(effective).toEqual({ evening: true, morning: false });
  });

  it('takes an all-zero time_filter next to time_filters as no one-off window', async () => {
    const channelId = await channel();
    const weekly = [{ start: '08:00', end: '10:00', repeat: [1], cal_id: '', is_off: false }];
    await create('silence', channelId, { time_filter: { start_time: 0, end_time: 0 }, time_filters: weekly });
    const [item] = await list('silence', channelId);
    expect(item).toMatchObject({
      time_filters: [{ start: '08:00', end: '10:00', repeat: [1] }],
      is_effective: true,
    });
  });

  it('lists by priority, then by age, and keeps from_incident_id when it names an incident', async () => {
    const channelId = await channel();
    await create('silence', channelId, { rule_name: 'b', priority: 5 });
    await create('silence', channelId, { rule_name: 'a', priority: 1 });
    await create('silence', channelId, { rule_name: 'c', priority: 5 });
    expect((await list('silence', channelId)).map((r) => r.rule_name)).toEqual(['a', 'b', 'c']);

    const incidentId = 'ab'.repeat(12);
    await t.db.q
      .insertInto('incidents')
      .values({
        incident_id: incidentId,
        account_id: owner.accountId,
        channel_id: channelId,
        title: 'disk full',
        incident_severity: 'Critical',
        incident_status: 'Critical',
        start_time: NOW,
        last_time: NOW,
        group_key: null,
        labels: '{}',
        fields: '{}',
        images: '[]',
        responders: '[]',
        assigned_to: null,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    await create('silence', channelId, {
      rule_name: 'from incident',
      priority: 9,
      from_incident_id: incidentId.toUpperCase(),
    });
    expect((await list('silence', channelId)).at(-1)).toMatchObject({
      rule_name: 'from incident',
      from_incident_id: incidentId,
    });
  });
});

describe('inhibit rules', () => {
  it('creates, lists, updates, disables, enables and deletes a rule', async () => {
    const channelId = await channel();
    const created = await create('inhibit', channelId, {
      is_directly_discard: true,
      equals: ['host', 'labels.service', 'host'],
    });
    let [item] = await list('inhibit', channelId);
    expect(item).toEqual({
      account_id: owner.accountId,
      channel_id: channelId,
      rule_id: created.rule_id,
      rule_name: 'host down',
      description: '',
      priority: 0,
      status: 'enabled',
      source_filters: critical,
      target_filters: dbHosts,
      equals: ['host', 'labels.service'],
      is_directly_discard: true,
      updated_by: owner.memberId,
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
      deleted_at: 0,
    });

    const res = await t.post(
      '/channel/inhibit/rule/update',
      {
        channel_id: channelId,
        rule_id: created.rule_id,
        rule_name: 'cluster down',
        equals: ['cluster'],
        target_filters: critical,
      },
      owner.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    [item] = await list('inhibit', channelId);
    expect(item).toMatchObject({
      rule_name: 'cluster down',
      equals: ['cluster'],
      source_filters: critical,
      target_filters: critical,
      is_directly_discard: true,
    });

    for (const verb of ['disable', 'enable', 'delete']) {
      const r = await t.post(
        `/channel/inhibit/rule/${verb}`,
        { channel_id: channelId, rule_id: created.rule_id },
        owner.appKey,
      );
      expect(r.status, verb).toBe(200);
    }
    expect(await list('inhibit', channelId)).toEqual([]);
  });
});

describe('drop rules', () => {
  it('creates, lists, updates, disables, enables and deletes a rule', async () => {
    const channelId = await channel();
    const created = await create('drop', channelId, { priority: 7, description: 'test systems' });
    let [item] = await list('drop', channelId);
    expect(item).toEqual({
      account_id: owner.accountId,
      channel_id: channelId,
      rule_id: created.rule_id,
      rule_name: 'no test',
      description: 'test systems',
      priority: 7,
      status: 'enabled',
      filters: validBody.drop.filters,
      updated_by: owner.memberId,
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
      deleted_at: 0,
    });
    const res = await t.post(
      '/channel/unsubscribe/rule/update',
      {
        channel_id: channelId,
        rule_id: created.rule_id,
        rule_name: 'no info',
        filters: [[{ key: 'severity', oper: 'IN', vals: ['Info'] }]],
      },
      owner.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    [item] = await list('drop', channelId);
    expect(item).toMatchObject({
      rule_name: 'no info',
      priority: 7,
      filters: [[{ key: 'severity', oper: 'IN', vals: ['Info'] }]],
    });
    await t.post(
      '/channel/unsubscribe/rule/disable',
      { channel_id: channelId, rule_id: created.rule_id },
      owner.appKey,
    );
    expect((await list('drop', channelId))[0].status).toBe('disabled');
    await t.post(
      '/channel/unsubscribe/rule/delete',
      { channel_id: channelId, rule_id: created.rule_id },
      owner.appKey,
    );
    expect(await list('drop', channelId)).toEqual([]);
  });

  it('keeps at most 100 rules of a kind per channel', async () => {
    const channelId = await channel();
    await t.db.q
      .insertInto('channel_rules')
      .values(
        Array.from({ length: 100 }, (_, i) => ({
          rule_id: (i + 1).toString(16).padStart(24, '0'),
          account_id: owner.accountId,
          channel_id: channelId,
          kind: 'drop' as const,
          rule_name: `r${i}`,
          filters: JSON.stringify(validBody.drop.filters),
          settings: '{}',
          creator_id: owner.memberId,
          updated_by: owner.memberId,
          created_at: NOW,
          updated_at: NOW,
        })),
      )
      .execute();
    const res = await t.post(
      '/channel/unsubscribe/rule/create',
      { channel_id: channelId, ...validBody.drop },
      owner.appKey,
    );
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain('100 drop rules');
    // Another kind still has room.
    await create('silence', channelId);
  });
});

describe('validation', () => {
  let channelId: number;
  let ids: Record<Kind, string>;
  beforeAll(async () => {
    channelId = await channel();
    ids = {
      silence: (await create('silence', channelId)).rule_id,
      inhibit: (await create('inhibit', channelId)).rule_id,
      drop: (await create('drop', channelId)).rule_id,
    };
  });

  const badFilters: [string, unknown, string][] = [
    ['an empty filter', [], 'filters'],
    ['an empty AND group', [[]], 'filters[0]'],
    ['an unknown key', [[{ key: 'colour', oper: 'IN', vals: ['x'] }]], 'filters[0][0].key'],
    ['an empty label key', [[{ key: 'labels.', oper: 'IN', vals: ['x'] }]], 'filters[0][0].key'],
    ['an unknown operator', [[{ key: 'title', oper: 'EQ', vals: ['x'] }]], 'filters[0][0].oper'],
    ['no values', [[{ key: 'title', oper: 'IN', vals: [] }]], 'filters[0][0].vals'],
    [
      'a regex that does not compile',
      [[{ key: 'title', oper: 'IN', vals: ['/(/'] }]],
      'filters[0][0].vals[0]',
    ],
    ['a lookahead (not RE2)', [[{ key: 'title', oper: 'IN', vals: ['/a(?=b)/'] }]], 'filters[0][0].vals[0]'],
    ['a bad cidr', [[{ key: 'labels.ip', oper: 'IN', vals: ['cidr:10.0.0.0/33'] }]], 'filters[0][0].vals[0]'],
    ['a bad num', [[{ key: 'labels.cpu', oper: 'IN', vals: ['num:gt:x'] }]], 'filters[0][0].vals[0]'],
    ['an unknown severity', [[{ key: 'severity', oper: 'IN', vals: ['Fatal'] }]], 'filters[0][0].vals[0]'],
  ];

  const common: [string, Record<string, unknown>, string][] = [
    ['a missing rule_name', { rule_name: undefined }, 'rule_name'],
    ['an empty rule_name', { rule_name: '' }, 'rule_name'],
    ['a blank rule_name', { rule_name: '   ' }, 'rule_name'],
    ['a 40-character rule_name', { rule_name: 'n'.repeat(40) }, 'rule_name'],
    ['a rule_name of the wrong type', { rule_name: 7 }, 'rule_name'],
    ['a 501-character description', { description: 'd'.repeat(501) }, 'description'],
    ['a negative priority', { priority: -1 }, 'priority'],
    ['a priority of the wrong type', { priority: '1' }, 'priority'],
  ];

  const perKind: Record<Kind, [string, Record<string, unknown>, string][]> = {
    silence: [
      ...badFilters.map(([what, filters, field]): [string, Record<string, unknown>, string] => [
        what,
        { filters },
        field,
      ]),
      ['both windows', { time_filters: [{ start: '09:00', end: '10:00' }] }, 'time_filters'],
      [
        'end_time before start_time',
        { time_filter: { start_time: NOW, end_time: NOW - 1 } },
        'time_filter.end_time',
      ],
      [
        'end_time equal to start_time',
        { time_filter: { start_time: NOW, end_time: NOW } },
        'time_filter.end_time',
      ],
      ['a zero start_time', { time_filter: { start_time: 0, end_time: NOW } }, 'time_filter.start_time'],
      [
        'milliseconds',
        { time_filter: { start_time: NOW * 1000, end_time: NOW * 1000 + 1 } },
        'time_filter.start_time',
      ],
      ['a window without end_time', { time_filter: { start_time: NOW } }, 'time_filter.end_time'],
      [
        'a start of 24:00',
        { time_filter: undefined, time_filters: [{ start: '24:00', end: '10:00' }] },
        'time_filters[0].start',
      ],
      [
        'a start of 9:00',
        { time_filter: undefined, time_filters: [{ start: '9:00', end: '10:00' }] },
        'time_filters[0].start',
      ],
      [
        'an end of 10:60',
        { time_filter: undefined, time_filters: [{ start: '09:00', end: '10:60' }] },
        'time_filters[0].end',
      ],
      [
        'a window without start',
        { time_filter: undefined, time_filters: [{ end: '10:00' }] },
        'time_filters[0].start',
      ],
      [
        'weekday 7',
        { time_filter: undefined, time_filters: [{ start: '09:00', end: '10:00', repeat: [7] }] },
        'time_filters[0].repeat[0]',
      ],
      [
        'a calendar',
        { time_filter: undefined, time_filters: [{ start: '09:00', end: '10:00', cal_id: 'holidays' }] },
        'time_filters[0].cal_id',
      ],
      [
        'days off',
        { time_filter: undefined, time_filters: [{ start: '09:00', end: '10:00', is_off: true }] },
        'time_filters[0].is_off',
      ],
      ['is_directly_discard of the wrong type', { is_directly_discard: 'yes' }, 'is_directly_discard'],
    ],
    inhibit: [
      ...badFilters.map(([what, filters, field]): [string, Record<string, unknown>, string] => [
        `source: ${what}`,
        { source_filters: filters },
        `source_${field}`,
      ]),
      ...badFilters.map(([what, filters, field]): [string, Record<string, unknown>, string] => [
        `target: ${what}`,
        { target_filters: filters },
        `target_${field}`,
      ]),
      ['a missing equals', { equals: undefined }, 'equals'],
      ['an empty equals key', { equals: [''] }, 'equals[0]'],
      ['an equals key of "labels."', { equals: ['labels.'] }, 'equals[0]'],
      ['a blank-padded equals key', { equals: [' host'] }, 'equals[0]'],
      ['a 129-character label in equals', { equals: ['k'.repeat(129)] }, 'equals[0]'],
      ['equals of the wrong type', { equals: 'host' }, 'equals'],
    ],
    drop: badFilters.map(([what, filters, field]): [string, Record<string, unknown>, string] => [
      what,
      { filters },
      field,
    ]),
  };

  for (const kind of ['silence', 'inhibit', 'drop'] as const) {
    for (const [what, fields, field] of [...common, ...perKind[kind]]) {
      it(`${kind}: refuses ${what} on create and update, changing nothing`, async () => {
        const before = await snapshot(channelId);
        const createBody = { channel_id: channelId, ...validBody[kind], ...fields };
        expectInvalid(await t.post(`${paths[kind]}/create`, createBody, owner.appKey), field);
        const updateBody = {
          channel_id: channelId,
          rule_id: ids[kind],
          rule_name: 'renamed',
          ...(kind === 'inhibit' ? { equals: ['host'] } : {}),
          ...fields,
        };
        if (!(kind === 'silence' && what === 'both windows')) {
          // On update the one-off window of the valid body is not sent, so only the field itself is wrong.
          expectInvalid(await t.post(`${paths[kind]}/update`, updateBody, owner.appKey), field);
        }
        expect(await snapshot(channelId)).toEqual(before);
      });
    }
  }

  it('silence: refuses a rule without a window, and both windows on update', async () => {
    const before = await snapshot(channelId);
    expectInvalid(
      await t.post(
        '/channel/silence/rule/create',
        { channel_id: channelId, rule_name: 'x', filters: dbHosts },
        owner.appKey,
      ),
      'time_filter',
    );
    expectInvalid(
      await t.post(
        '/channel/silence/rule/create',
        { channel_id: channelId, rule_name: 'x', filters: dbHosts, time_filters: [] },
        owner.appKey,
      ),
      'time_filter',
    );
    // The all-zero window some clients send for "none" is no window.
    expectInvalid(
      await t.post(
        '/channel/silence/rule/create',
        {
          channel_id: channelId,
          rule_name: 'x',
          filters: dbHosts,
          time_filter: { start_time: 0, end_time: 0 },
        },
        owner.appKey,
      ),
      'time_filter',
    );
    expectInvalid(
      await t.post(
        '/channel/silence/rule/update',
        {
          channel_id: channelId,
          rule_id: ids.silence,
          rule_name: 'x',
          time_filter: once,
          time_filters: [{ start: '09:00', end: '10:00' }],
        },
        owner.appKey,
      ),
      'time_filters',
    );
    expect(await snapshot(channelId)).toEqual(before);
  });

  it('refuses missing filters on create (silence, drop) and missing source or target filters (inhibit)', async () => {
    const before = await snapshot(channelId);
    expectInvalid(
      await t.post(
        '/channel/silence/rule/create',
        { channel_id: channelId, rule_name: 'x', time_filter: once },
        owner.appKey,
      ),
      'filters',
    );
    expectInvalid(
      await t.post(
        '/channel/unsubscribe/rule/create',
        { channel_id: channelId, rule_name: 'x' },
        owner.appKey,
      ),
      'filters',
    );
    expectInvalid(
      await t.post(
        '/channel/inhibit/rule/create',
        { channel_id: channelId, rule_name: 'x', equals: [], target_filters: dbHosts },
        owner.appKey,
      ),
      'source_filters',
    );
    expectInvalid(
      await t.post(
        '/channel/inhibit/rule/create',
        { channel_id: channelId, rule_name: 'x', equals: [], source_filters: dbHosts },
        owner.appKey,
      ),
      'target_filters',
    );
    expect(await snapshot(channelId)).toEqual(before);
  });

  it('refuses a from_incident_id that is not an incident of the account', async () => {
    const before = await snapshot(channelId);
    expectInvalid(
      await t.post(
        '/channel/silence/rule/create',
        { channel_id: channelId, ...validBody.silence, from_incident_id: 'nope' },
        owner.appKey,
      ),
      'from_incident_id',
    );
    expectInvalid(
      await t.post(
        '/channel/silence/rule/create',
        { channel_id: channelId, ...validBody.silence, from_incident_id: 'f'.repeat(24) },
        owner.appKey,
      ),
      'from_incident_id',
    );
    expect(await snapshot(channelId)).toEqual(before);
  });

  for (const kind of ['silence', 'inhibit', 'drop'] as const) {
    it(`${kind}: answers ResourceNotFound or InvalidParameter for unknown or malformed ids`, async () => {
      const before = await snapshot(channelId);
      for (const verb of ['delete', 'enable', 'disable', 'update']) {
        const body = {
          channel_id: channelId,
          ...validBody[kind],
          time_filter: kind === 'silence' ? once : undefined,
        };
        expectNotFound(
          await t.post(`${paths[kind]}/${verb}`, { ...body, rule_id: 'f'.repeat(24) }, owner.appKey),
        );
        expectInvalid(
          await t.post(`${paths[kind]}/${verb}`, { ...body, rule_id: 'xyz' }, owner.appKey),
          'rule_id',
        );
        expectInvalid(
          await t.post(`${paths[kind]}/${verb}`, { ...body, rule_id: undefined }, owner.appKey),
          'rule_id',
        );
        // A rule of another kind is not a rule of this kind.
        const otherKind = kind === 'silence' ? 'drop' : 'silence';
        expectNotFound(
          await t.post(`${paths[kind]}/${verb}`, { ...body, rule_id: ids[otherKind] }, owner.appKey),
        );
      }
      expectInvalid(await t.post(`${paths[kind]}/list`, {}, owner.appKey), 'channel_id');
      expectNotFound(await t.post(`${paths[kind]}/list`, { channel_id: 424242 }, owner.appKey));
      expectNotFound(
        await t.post(`${paths[kind]}/create`, { ...validBody[kind], channel_id: 424242 }, owner.appKey),
      );
      expect(await snapshot(channelId)).toEqual(before);
    });
  }
});

describe('tenancy and permissions', () => {
  it("answers ResourceNotFound for another account's channel and rules, changing nothing", async () => {
    const channelId = await channel();
    const ids = {
      silence: (await create('silence', channelId)).rule_id,
      inhibit: (await create('inhibit', channelId)).rule_id,
      drop: (await create('drop', channelId)).rule_id,
    };
    const before = await snapshot(channelId);
    const ownChannel = await channel(other);
    for (const kind of ['silence', 'inhibit', 'drop'] as const) {
      expectNotFound(await t.post(`${paths[kind]}/list`, { channel_id: channelId }, other.appKey));
      expectNotFound(
        await t.post(`${paths[kind]}/create`, { channel_id: channelId, ...validBody[kind] }, other.appKey),
      );
      for (const target of [channelId, ownChannel]) {
        const ruleBody = { channel_id: target, rule_id: ids[kind] };
        for (const verb of ['delete', 'enable', 'disable']) {
          expectNotFound(await t.post(`${paths[kind]}/${verb}`, ruleBody, other.appKey));
        }
        expectNotFound(
          await t.post(`${paths[kind]}/update`, { ...validBody[kind], ...ruleBody }, other.appKey),
        );
      }
      expect(await list(kind, ownChannel, other)).toEqual([]);
    }
    expect(await snapshot(channelId)).toEqual(before);
  });

  it('answers ResourceNotFound for a deleted channel', async () => {
    const channelId = await channel();
    await create('drop', channelId);
    expect((await t.post('/channel/delete', { channel_id: channelId }, owner.appKey)).status).toBe(200);
    for (const kind of ['silence', 'inhibit', 'drop'] as const) {
      expectNotFound(await t.post(`${paths[kind]}/list`, { channel_id: channelId }, owner.appKey));
      expectNotFound(
        await t.post(`${paths[kind]}/create`, { channel_id: channelId, ...validBody[kind] }, owner.appKey),
      );
    }
  });

  it('lets a read-only member list rules but not change them', async () => {
    const channelId = await channel();
    const { rule_id } = await create('silence', channelId);
    const before = await snapshot(channelId);
    const reader = await readOnlyMember(t, owner, 'rule-reader@example.com');
    for (const kind of ['silence', 'inhibit', 'drop'] as const) {
      expect((await t.post(`${paths[kind]}/list`, { channel_id: channelId }, reader)).status).toBe(200);
      const denied = await t.post(
        `${paths[kind]}/create`,
        { channel_id: channelId, ...validBody[kind] },
        reader,
      );
      expect(denied.status).toBe(403);
      expect(denied.body.error?.code).toBe('AccessDenied');
    }
    for (const verb of ['delete', 'enable', 'disable']) {
      expect(
        (await t.post(`/channel/silence/rule/${verb}`, { channel_id: channelId, rule_id }, reader)).status,
      ).toBe(403);
    }
    expect(await snapshot(channelId)).toEqual(before);
  });
});
