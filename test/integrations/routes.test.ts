import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAlert } from '../../src/integrations/route-match.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, newMember, newTeam, ok, refused, snapshot } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;
let ch1: number;
let ch2: number;
let ch3: number;

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Routes');
  const team = await newTeam(t, owner);
  ch1 = await newChannel(t, owner, team);
  ch2 = await newChannel(t, owner, team);
  ch3 = await newChannel(t, owner, team);
});
afterAll(() => t.close());

const info = async (integrationId: number, account: TestAccount = owner) =>
  ok(await t.post('/route/info', { integration_id: integrationId }, account.appKey));

const upsert = (body: Record<string, unknown>, account: TestAccount = owner) =>
  t.post('/route/upsert', body, account.appKey);

const sharedIntegration = async () => (await newIntegration(t, owner)).integration_id;

describe('route upsert and info', () => {
  it('answers an empty route (version 0) for an integration without one', async () => {
    const id = await sharedIntegration();
    expect(await info(id)).toEqual({
      integration_id: id,
      cases: [],
      sections: [],
      default: { channel_ids: [] },
      status: 'enabled',
      version: 0,
      updated_by: 0,
      creator_id: 0,
      deleted_at: 0,
      created_at: 0,
      updated_at: 0,
    });
  });

  it('stores a route, returns it normalised, and increments the version on each upsert', async () => {
    const id = await sharedIntegration();
    const cases = [
      {
        if: [
          { key: 'severity', oper: 'IN', vals: ['Critical'] },
          { key: 'labels.service', oper: 'NOTIN', vals: ['/^test-/', 'staging*'] },
        ],
        channel_ids: [ch1, ch2],
        fallthrough: true,
      },
      {
        if: [{ key: 'labels.host', oper: 'IN', vals: ['cidr:10.0.0.0/8'] }],
        channel_ids: [],
        fallthrough: false,
        routing_mode: 'name_mapping',
        name_mapping_label: 'team',
      },
    ];
    expect(
      ok(
        await upsert({
          integration_id: id,
          cases,
          sections: [{ name: 'Production', position: 0 }],
          default: { channel_ids: [ch3] },
        }),
      ),
    ).toEqual({});
    const first = await info(id);
    expect(first).toEqual({
      integration_id: id,
      cases: [{ ...cases[0], routing_mode: 'standard', name_mapping_label: '' }, { ...cases[1] }],
      sections: [{ name: 'Production', position: 0 }],
      default: { channel_ids: [ch3] },
      status: 'enabled',
      version: 1,
      updated_by: owner.memberId,
      creator_id: owner.memberId,
      deleted_at: 0,
      created_at: NOW,
      updated_at: NOW,
    });

    // What is stored is what the routing rule evaluates.
    const alert = {
      severity: 'Critical',
      title: 't',
      description: '',
      labels: { service: 'api', host: '10.2.3.4', team: 'x' },
    };
    expect(routeAlert(first, alert, new Map([['x', 777]]))).toEqual([ch1, ch2, 777]);

    const admin = await newMember(t, owner, [2]);
    t.clock.advance(30_000);
    ok(await upsert({ integration_id: id, version: 1, default: { channel_ids: [ch1] } }, admin));
    const second = await info(id);
    expect(second).toMatchObject({
      version: 2,
      cases: [],
      sections: [],
      default: { channel_ids: [ch1] },
      creator_id: owner.memberId,
      updated_by: admin.memberId,
      created_at: NOW,
      updated_at: NOW + 30,
    });

    // Without version the write is unconditional, and still counts.
    ok(await upsert({ integration_id: id, default: { channel_ids: [ch2] } }));
    expect(await info(id)).toMatchObject({ version: 3, default: { channel_ids: [ch2] } });
  });

  it('creates the first version with version 0', async () => {
    const id = await sharedIntegration();
    ok(await upsert({ integration_id: id, version: 0, default: { channel_ids: [ch1] } }));
    expect(await info(id)).toMatchObject({ version: 1 });
  });

  it('refuses a stale version and keeps the stored route', async () => {
    const id = await sharedIntegration();
    ok(await upsert({ integration_id: id, default: { channel_ids: [ch1] } }));
    ok(await upsert({ integration_id: id, version: 1, default: { channel_ids: [ch2] } }));
    const before = await snapshot(t);
    for (const version of [1, 0, 7]) {
      const res = await upsert({ integration_id: id, version, default: { channel_ids: [ch3] } });
      refused(res, 400, 'BadRequest');
      expect(res.body.error?.message).toMatch(/changed.*reload/);
    }
    expect(await snapshot(t)).toEqual(before);
    expect(await info(id)).toMatchObject({ version: 2, default: { channel_ids: [ch2] } });
  });

  it('refuses a version for a route that does not exist yet', async () => {
    const id = await sharedIntegration();
    refused(
      await upsert({ integration_id: id, version: 3, default: { channel_ids: [ch1] } }),
      400,
      'BadRequest',
    );
    expect(await info(id)).toMatchObject({ version: 0 });
  });

  it('lets exactly one of concurrent upserts with the same version win', async () => {
    const id = await sharedIntegration();
    const race = async (version: number) => {
      const results = await Promise.all(
        [ch1, ch2, ch3, ch1, ch2].map((ch) =>
          upsert({ integration_id: id, version, default: { channel_ids: [ch] } }),
        ),
      );
      const winners = results.filter((r) => r.status === 200);
      const losers = results.filter((r) => r.status !== 200);
      expect(winners).toHaveLength(1);
      for (const loser of losers) refused(loser, 400, 'BadRequest');
    };
    await race(0);
    expect(await info(id)).toMatchObject({ version: 1 });
    await race(1);
    expect(await info(id)).toMatchObject({ version: 2 });
  });

  it('accepts a route on a disabled shared integration', async () => {
    const id = await sharedIntegration();
    ok(await t.post('/datasource/disable', { integration_id: id }, owner.appKey));
    ok(await upsert({ integration_id: id, default: { channel_ids: [ch1] } }));
    expect(await info(id)).toMatchObject({ version: 1 });
  });
});

describe('route list', () => {
  it('returns the stored routes of the named integrations, in the order asked', async () => {
    const a = await sharedIntegration();
    const b = await sharedIntegration();
    const none = await sharedIntegration();
    ok(await upsert({ integration_id: a, default: { channel_ids: [ch1] } }));
    ok(await upsert({ integration_id: b, default: { channel_ids: [ch2] } }));
    const data = ok(await t.post('/route/list', { integration_ids: [b, none, 999, a, b] }, owner.appKey));
    expect(
      data.items.map((r: { integration_id: number; default: unknown }) => [r.integration_id, r.default]),
    ).toEqual([
      [b, { channel_ids: [ch2] }],
      [a, { channel_ids: [ch1] }],
    ]);
  });

  it.each([
    [{}, 'integration_ids'],
    [{ integration_ids: [] }, 'integration_ids'],
    [{ integration_ids: ['1'] }, 'integration_ids[0]'],
    [{ integration_ids: Array.from({ length: 101 }, (_, i) => i + 1) }, 'integration_ids'],
  ])('refuses %j naming %s', async (body, field) => {
    refused(await t.post('/route/list', body, owner.appKey), 400, 'InvalidParameter', field);
  });

  it('refuses a bad /route/info request', async () => {
    refused(await t.post('/route/info', {}, owner.appKey), 400, 'InvalidParameter', 'integration_id');
    refused(await t.post('/route/info', { integration_id: 424242 }, owner.appKey), 400, 'ResourceNotFound');
  });
});

describe('route rules', () => {
  let id: number;
  let deletedChannel: number;

  beforeAll(async () => {
    id = await sharedIntegration();
    ok(
      await upsert({
        integration_id: id,
        cases: [{ if: [{ key: 'title', oper: 'IN', vals: ['*'] }], channel_ids: [ch1], fallthrough: false }],
        default: { channel_ids: [ch2] },
      }),
    );
    deletedChannel = await newChannel(t, owner, await newTeam(t, owner));
    ok(await t.post('/channel/delete', { channel_id: deletedChannel }, owner.appKey));
  });

  const cond = (key: string, vals: unknown, oper: unknown = 'IN') => ({ key, oper, vals });
  const kase = (over: Record<string, unknown> = {}) => ({
    if: [cond('severity', ['Critical'])],
    channel_ids: [ch1],
    fallthrough: false,
    ...over,
  });

  it.each([
    ['no integration_id', () => ({ default: { channel_ids: [ch1] } }), 'integration_id'],
    ['neither cases nor default', () => ({ integration_id: id }), 'cases'],
    ['cases not an array', () => ({ integration_id: id, cases: {} }), 'cases'],
    [
      'too many cases',
      () => ({ integration_id: id, cases: Array.from({ length: 101 }, () => kase()) }),
      'cases',
    ],
    [
      'a case without if',
      () => ({ integration_id: id, cases: [{ channel_ids: [ch1], fallthrough: false }] }),
      'cases[0].if',
    ],
    [
      'a case without fallthrough',
      () => ({ integration_id: id, cases: [{ if: [], channel_ids: [ch1] }] }),
      'cases[0].fallthrough',
    ],
    [
      'a case without channel_ids',
      () => ({ integration_id: id, cases: [{ if: [], fallthrough: true }] }),
      'cases[0].channel_ids',
    ],
    [
      'a standard case with no channel',
      () => ({ integration_id: id, cases: [kase(), kase({ channel_ids: [] })] }),
      'cases[1].channel_ids',
    ],
    [
      'too many channels',
      () => ({ integration_id: id, cases: [kase({ channel_ids: Array(21).fill(ch1) })] }),
      'cases[0].channel_ids',
    ],
    [
      'an unknown channel',
      () => ({ integration_id: id, cases: [kase(), kase({ channel_ids: [ch1, 999] })] }),
      'cases[1].channel_ids',
    ],
    [
      'a deleted channel',
      () => ({ integration_id: id, cases: [kase({ channel_ids: [deletedChannel] })] }),
      'cases[0].channel_ids',
    ],
    [
      'an unknown default channel',
      () => ({ integration_id: id, default: { channel_ids: [999] } }),
      'default.channel_ids',
    ],
    [
      'a channel id of the wrong type',
      () => ({ integration_id: id, default: { channel_ids: ['1'] } }),
      'default.channel_ids[0]',
    ],
    [
      'an unknown routing_mode',
      () => ({ integration_id: id, cases: [kase({ routing_mode: 'smart' })] }),
      'cases[0].routing_mode',
    ],
    [
      'name_mapping without a label',
      () => ({ integration_id: id, cases: [kase({ routing_mode: 'name_mapping', channel_ids: [] })] }),
      'cases[0].name_mapping_label',
    ],
    [
      'name_mapping with channels',
      () => ({
        integration_id: id,
        cases: [kase({ routing_mode: 'name_mapping', name_mapping_label: 'team' })],
      }),
      'cases[0].channel_ids',
    ],
    [
      'an unknown operator',
      () => ({ integration_id: id, cases: [kase({ if: [cond('title', ['x'], 'EQ')] })] }),
      'cases[0].if[0].oper',
    ],
    [
      'a condition without vals',
      () => ({ integration_id: id, cases: [kase({ if: [{ key: 'title', oper: 'IN' }] })] }),
      'cases[0].if[0].vals',
    ],
    [
      'empty vals',
      () => ({ integration_id: id, cases: [kase({ if: [cond('title', [])] })] }),
      'cases[0].if[0].vals',
    ],
    [
      'a value of the wrong type',
      () => ({ integration_id: id, cases: [kase({ if: [cond('title', [1])] })] }),
      'cases[0].if[0].vals[0]',
    ],
    [
      'an over-long value',
      () => ({ integration_id: id, cases: [kase({ if: [cond('title', ['v'.repeat(1025)])] })] }),
      'cases[0].if[0].vals[0]',
    ],
    [
      'too many conditions',
      () => ({ integration_id: id, cases: [kase({ if: Array(51).fill(cond('title', ['x'])) })] }),
      'cases[0].if',
    ],
    [
      'an unknown key',
      () => ({
        integration_id: id,
        cases: [kase(), kase({ if: [cond('title', ['x']), cond('priority', ['x'])] })],
      }),
      'cases[1].if[1].key',
    ],
    [
      'a regex that does not compile',
      () => ({ integration_id: id, cases: [kase({ if: [cond('title', ['ok', '/(/'])] })] }),
      'cases[0].if[0].vals[1]',
    ],
    [
      'a malformed cidr',
      () => ({ integration_id: id, cases: [kase({ if: [cond('labels.ip', ['cidr:10/8'])] })] }),
      'cases[0].if[0].vals[0]',
    ],
    [
      'a malformed num',
      () => ({ integration_id: id, cases: [kase({ if: [cond('labels.n', ['num:eq:1'])] })] }),
      'cases[0].if[0].vals[0]',
    ],
    [
      'an unknown severity',
      () => ({ integration_id: id, cases: [kase({ if: [cond('severity', ['High'])] })] }),
      'cases[0].if[0].vals[0]',
    ],
    [
      'a section past the cases',
      () => ({ integration_id: id, cases: [kase()], sections: [{ name: 's', position: 2 }] }),
      'sections[0].position',
    ],
    [
      'two sections with one name',
      () => ({
        integration_id: id,
        cases: [kase()],
        sections: [
          { name: 's', position: 0 },
          { name: 's', position: 1 },
        ],
      }),
      'sections[1].name',
    ],
    [
      'a section without a name',
      () => ({ integration_id: id, cases: [kase()], sections: [{ position: 0 }] }),
      'sections[0].name',
    ],
    [
      'a negative version',
      () => ({ integration_id: id, default: { channel_ids: [ch1] }, version: -1 }),
      'version',
    ],
    [
      'a version of the wrong type',
      () => ({ integration_id: id, default: { channel_ids: [ch1] }, version: '1' }),
      'version',
    ],
  ])('refuses %s, naming the field, and changes nothing', async (_what, body, field) => {
    const before = await snapshot(t);
    refused(await upsert(body()), 400, 'InvalidParameter', field);
    expect(await snapshot(t)).toEqual(before);
    expect(await info(id)).toMatchObject({ version: 1 });
  });

  it('refuses routes for private and change integrations', async () => {
    const priv = (await newIntegration(t, owner, { channel_id: ch1 })).integration_id;
    const change = (await newIntegration(t, owner, { plugin_type: 'change.standard' })).integration_id;
    const before = await snapshot(t);
    for (const target of [priv, change]) {
      refused(
        await upsert({ integration_id: target, default: { channel_ids: [ch1] } }),
        400,
        'InvalidParameter',
        'integration_id',
      );
    }
    refused(
      await upsert({ integration_id: 424242, default: { channel_ids: [ch1] } }),
      400,
      'ResourceNotFound',
    );
    expect(await snapshot(t)).toEqual(before);
  });
});
