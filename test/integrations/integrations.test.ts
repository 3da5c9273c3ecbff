import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../../src/accounts/permissions.ts';
import { createIntegration, findIntegrationByKey } from '../../src/integrations/integrations.service.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, newMember, newTeam, ok, refused, snapshot } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;
let teamId: number;
let channelId: number;
let otherChannelId: number;

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Integrations');
  teamId = await newTeam(t, owner, [owner.memberId]);
  channelId = await newChannel(t, owner, teamId);
  otherChannelId = await newChannel(t, owner, teamId);
});
afterAll(() => t.close());

const desc = (id: number, account: TestAccount = owner) =>
  t.post('/datasource/desc', { integration_id: id }, account.appKey);

describe('creating integrations', () => {
  it.each([
    ['alert.standard', 'Standard Alert', '/event/push/alert/standard'],
    ['alert.prometheus', 'Prometheus Alertmanager', '/event/push/alert/prometheus'],
    ['change.standard', 'Standard Change', '/event/push/change/standard'],
  ])('creates a shared %s integration with a push key and URL', async (pluginType, typeName, path) => {
    const created = ok(
      await t.post(
        '/datasource/upsert',
        { name: `Shared ${pluginType}`, plugin_type: pluginType, description: 'from CI' },
        owner.appKey,
      ),
    );
    expect(created.integration_key).toMatch(/^[0-9a-f]{32}$/);
    const item = ok(await desc(created.integration_id));
    expect(item).toEqual({
      integration_id: created.integration_id,
      team_id: 0,
      name: `Shared ${pluginType}`,
      status: 'enabled',
      plugin_id: 0,
      plugin_type: pluginType,
      plugin_type_name: typeName,
      description: 'from CI',
      integration_key: created.integration_key,
      settings: [],
      creator_id: owner.memberId,
      created_at: NOW,
      updated_at: NOW,
      channel_id: 0,
      is_private: false,
      push_url: `${t.config.publicUrl}${path}?integration_key=${created.integration_key}`,
    });
  });

  it.each(['alert.standard', 'alert.prometheus'])(
    'creates a private %s integration bound to a channel',
    async (pluginType) => {
      const created = await newIntegration(t, owner, {
        plugin_type: pluginType,
        channel_id: channelId,
        team_id: teamId,
      });
      expect(ok(await desc(created.integration_id))).toMatchObject({
        plugin_type: pluginType,
        channel_id: channelId,
        team_id: teamId,
        is_private: true,
      });
    },
  );

  it('refuses a change integration bound to a channel, and stores nothing', async () => {
    const before = await snapshot(t);
    const res = await t.post(
      '/datasource/upsert',
      { name: 'Deploys', plugin_type: 'change.standard', channel_id: channelId },
      owner.appKey,
    );
    refused(res, 400, 'InvalidParameter', 'channel_id');
    expect(await snapshot(t)).toEqual(before);
  });

  it('gives every integration its own key', async () => {
    const a = await newIntegration(t, owner);
    const b = await newIntegration(t, owner);
    expect(a.integration_key).not.toBe(b.integration_key);
    expect(a.integration_id).not.toBe(b.integration_id);
  });
});

describe('createIntegration (the CLI path)', () => {
  const actor = (roleIds: number[]) => ({
    accountId: owner.accountId,
    memberId: owner.memberId,
    memberName: 'owner',
    roleIds,
    permissions: permissionsOf(roleIds),
  });
  const deps = () => ({ db: t.db, clock: t.clock, config: t.config });

  it('creates an integration the HTTP API then shows', async () => {
    const created = await createIntegration(deps(), actor([1]), {
      name: '  From CLI  ',
      plugin_type: 'alert.prometheus',
      channel_id: channelId,
    });
    expect(ok(await desc(created.integration_id))).toMatchObject({
      name: 'From CLI',
      plugin_type: 'alert.prometheus',
      channel_id: channelId,
      integration_key: created.integration_key,
    });
  });

  it('checks the permission itself', async () => {
    await expect(
      createIntegration(deps(), actor([4]), { name: 'x', plugin_type: 'alert.standard' }),
    ).rejects.toMatchObject({
      code: 'AccessDenied',
    });
  });

  it('validates like the HTTP path, naming the field', async () => {
    const before = await snapshot(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '   ', plugin_type: 'alert.standard' }, 'name'],
      [{ name: 'x'.repeat(40), plugin_type: 'alert.standard' }, 'name'],
      [{ name: 'x', plugin_type: 'alert.nagios' }, 'plugin_type'],
      [{ name: 'x', plugin_type: 'alert.standard', description: 'd'.repeat(501) }, 'description'],
      [{ name: 'x', plugin_type: 'alert.standard', team_id: -1 }, 'team_id'],
      [{ name: 'x', plugin_type: 'alert.standard', team_id: 12345 }, 'team_id'],
      [{ name: 'x', plugin_type: 'alert.standard', channel_id: 1.5 }, 'channel_id'],
      [{ name: 'x', plugin_type: 'alert.standard', channel_id: 12345 }, 'channel_id'],
      [{ name: 'x', plugin_type: 'change.standard', channel_id: channelId }, 'channel_id'],
    ];
    for (const [input, field] of cases) {
      const error = await createIntegration(deps(), actor([1]), input as never).catch((e: unknown) => e);
      expect(error, field).toMatchObject({ code: 'InvalidParameter' });
      expect((error as Error).message).toContain(field);
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('findIntegrationByKey finds enabled integrations only', async () => {
    const created = await newIntegration(t, owner);
    expect(await findIntegrationByKey(t.db, created.integration_key)).toMatchObject({
      integration_id: created.integration_id,
      account_id: owner.accountId,
      status: 'enabled',
    });
    ok(await t.post('/datasource/disable', { integration_id: created.integration_id }, owner.appKey));
    expect(await findIntegrationByKey(t.db, created.integration_key)).toBeUndefined();
    ok(await t.post('/datasource/enable', { integration_id: created.integration_id }, owner.appKey));
    expect(await findIntegrationByKey(t.db, created.integration_key)).toBeDefined();
    ok(await t.post('/datasource/delete', { integration_id: created.integration_id }, owner.appKey));
    expect(await findIntegrationByKey(t.db, created.integration_key)).toBeUndefined();
    expect(await findIntegrationByKey(t.db, 'no-such-key')).toBeUndefined();
    expect(await findIntegrationByKey(t.db, '')).toBeUndefined();
  });
});

describe('updating, disabling and deleting', () => {
  it('updates name, description, team and channel; plugin_type and the key stay', async () => {
    const created = await newIntegration(t, owner, { description: 'old' });
    t.clock.advance(60_000);
    const updated = ok(
      await t.post(
        '/datasource/upsert',
        {
          integration_id: created.integration_id,
          name: 'Renamed',
          plugin_type: 'alert.standard',
          team_id: teamId,
          channel_id: otherChannelId,
        },
        owner.appKey,
      ),
    );
    expect(updated).toEqual(created);
    expect(ok(await desc(created.integration_id))).toMatchObject({
      name: 'Renamed',
      description: 'old',
      team_id: teamId,
      channel_id: otherChannelId,
      is_private: true,
      created_at: NOW,
      updated_at: NOW + 60,
    });

    // Back to shared, without a team.
    ok(
      await t.post(
        '/datasource/upsert',
        {
          integration_id: created.integration_id,
          name: 'Renamed',
          plugin_type: 'alert.standard',
          team_id: 0,
          channel_id: 0,
        },
        owner.appKey,
      ),
    );
    expect(ok(await desc(created.integration_id))).toMatchObject({
      team_id: 0,
      channel_id: 0,
      is_private: false,
    });
  });

  it('refuses to change plugin_type, and changes nothing', async () => {
    const created = await newIntegration(t, owner);
    const before = await snapshot(t);
    const res = await t.post(
      '/datasource/upsert',
      { integration_id: created.integration_id, name: 'Other', plugin_type: 'alert.prometheus' },
      owner.appKey,
    );
    refused(res, 400, 'InvalidParameter', 'plugin_type');
    expect(await snapshot(t)).toEqual(before);
  });

  it('answers ResourceNotFound for an unknown integration_id', async () => {
    const res = await t.post(
      '/datasource/upsert',
      { integration_id: 424242, name: 'x', plugin_type: 'alert.standard' },
      owner.appKey,
    );
    refused(res, 400, 'ResourceNotFound');
  });

  it('drops the route when a shared integration becomes private', async () => {
    const created = await newIntegration(t, owner);
    ok(
      await t.post(
        '/route/upsert',
        { integration_id: created.integration_id, default: { channel_ids: [channelId] } },
        owner.appKey,
      ),
    );
    ok(
      await t.post(
        '/datasource/upsert',
        {
          integration_id: created.integration_id,
          name: 'Now private',
          plugin_type: 'alert.standard',
          channel_id: channelId,
        },
        owner.appKey,
      ),
    );
    expect(
      ok(await t.post('/route/info', { integration_id: created.integration_id }, owner.appKey)),
    ).toMatchObject({
      version: 0,
      default: { channel_ids: [] },
    });
  });

  it('disables and enables', async () => {
    const created = await newIntegration(t, owner);
    ok(await t.post('/datasource/disable', { integration_id: created.integration_id }, owner.appKey));
    expect(ok(await desc(created.integration_id)).status).toBe('disabled');
    ok(await t.post('/datasource/enable', { integration_id: created.integration_id }, owner.appKey));
    expect(ok(await desc(created.integration_id)).status).toBe('enabled');
  });

  it('deletes an integration with its route; afterwards it is not found anywhere', async () => {
    const created = await newIntegration(t, owner);
    const id = created.integration_id;
    ok(
      await t.post(
        '/route/upsert',
        { integration_id: id, default: { channel_ids: [channelId] } },
        owner.appKey,
      ),
    );
    expect(ok(await t.post('/datasource/delete', { integration_id: id }, owner.appKey))).toEqual({});

    refused(await desc(id), 400, 'ResourceNotFound');
    refused(await t.post('/route/info', { integration_id: id }, owner.appKey), 400, 'ResourceNotFound');
    expect(ok(await t.post('/route/list', { integration_ids: [id] }, owner.appKey)).items).toEqual([]);
    for (const verb of ['delete', 'enable', 'disable']) {
      refused(
        await t.post(`/datasource/${verb}`, { integration_id: id }, owner.appKey),
        400,
        'ResourceNotFound',
      );
    }
    refused(
      await t.post(
        '/datasource/upsert',
        { integration_id: id, name: 'x', plugin_type: 'alert.standard' },
        owner.appKey,
      ),
      400,
      'ResourceNotFound',
    );
    const list = ok(await t.post('/datasource/list', { limit: 100 }, owner.appKey));
    expect(list.items.map((i: { integration_id: number }) => i.integration_id)).not.toContain(id);

    const row = await t.db.q
      .selectFrom('integrations')
      .selectAll()
      .where('integration_id', '=', id)
      .executeTakeFirst();
    expect(row).toMatchObject({ status: 'deleted', deleted_at: NOW + 60 });
    expect(await t.db.q.selectFrom('routes').selectAll().where('integration_id', '=', id).execute()).toEqual(
      [],
    );
  });
});

describe('listing', () => {
  let lister: TestAccount;
  let listTeam: number;
  let listChannel: number;

  beforeAll(async () => {
    // A fresh account so the counts below are exact.
    lister = await t.newAccount('Lister');
    listTeam = await newTeam(t, lister, [lister.memberId]);
    const otherTeam = await newTeam(t, lister);
    listChannel = await newChannel(t, lister, listTeam);
    const make = async (name: string, plugin_type: string, extra: Record<string, unknown> = {}) => {
      t.clock.advance(1000);
      return newIntegration(t, lister, { name, plugin_type, ...extra });
    };
    await make('alpha web', 'alert.standard', { team_id: listTeam });
    await make('Bravo DB', 'alert.prometheus', { channel_id: listChannel });
    await make('charlie deploys', 'change.standard', { team_id: otherTeam });
    const delta = await make('delta web', 'alert.standard', { team_id: otherTeam });
    await make('echo', 'alert.prometheus');
    t.clock.advance(1000);
    ok(await t.post('/datasource/disable', { integration_id: delta.integration_id }, lister.appKey));
  });

  const names = async (body: Record<string, unknown>) => {
    const data = ok(await t.post('/datasource/list', body, lister.appKey));
    return data.items.map((i: { name: string }) => i.name);
  };

  it('lists newest first by default, with total and paging', async () => {
    const data = ok(await t.post('/datasource/list', {}, lister.appKey));
    expect(data).toMatchObject({ total: 5, p: 1, limit: 20, has_next_page: false });
    expect(data.items.map((i: { name: string }) => i.name)).toEqual([
      'echo',
      'delta web',
      'charlie deploys',
      'Bravo DB',
      'alpha web',
    ]);
    const page1 = ok(
      await t.post('/datasource/list', { p: 1, limit: 2, orderby: 'created_at', asc: true }, lister.appKey),
    );
    expect(page1).toMatchObject({ total: 5, p: 1, limit: 2, has_next_page: true });
    expect(page1.items.map((i: { name: string }) => i.name)).toEqual(['alpha web', 'Bravo DB']);
    const page3 = ok(
      await t.post('/datasource/list', { p: 3, limit: 2, orderby: 'created_at', asc: true }, lister.appKey),
    );
    expect(page3).toMatchObject({ total: 5, has_next_page: false });
    expect(page3.items.map((i: { name: string }) => i.name)).toEqual(['echo']);
  });

  it('orders by name and updated_at', async () => {
    expect(await names({ orderby: 'name', asc: true })).toEqual([
      'alpha web',
      'Bravo DB',
      'charlie deploys',
      'delta web',
      'echo',
    ]);
    expect((await names({ orderby: 'updated_at', asc: false }))[0]).toBe('delta web');
  });

  it('filters by category, plugin_type, status, name, teams, my teams and channel', async () => {
    expect(await names({ category: 'event.change' })).toEqual(['charlie deploys']);
    expect(await names({ category: 'event.alert' })).toHaveLength(4);
    expect(await names({ category: 'im' })).toEqual([]);
    expect(await names({ plugin_type: 'alert.prometheus' })).toEqual(['echo', 'Bravo DB']);
    expect(await names({ plugin_type: 'alert.prometheus', category: 'event.change' })).toEqual([]);
    expect(await names({ plugin_type: 'alert.zabbix' })).toEqual([]);
    expect(await names({ status: 'disabled' })).toEqual(['delta web']);
    expect(await names({ status: 'enabled' })).toHaveLength(4);
    expect(await names({ name: 'WEB' })).toEqual(['delta web', 'alpha web']);
    expect(await names({ name: '%' })).toEqual([]);
    expect(await names({ team_ids: [listTeam] })).toEqual(['alpha web']);
    expect(await names({ team_ids: [] })).toEqual([]);
    expect(await names({ is_my_team: true })).toEqual(['alpha web']);
    expect(await names({ channel_id: listChannel })).toEqual(['Bravo DB']);
    expect(await names({ channel_id: 0, category: 'event.alert' })).toEqual([
      'echo',
      'delta web',
      'alpha web',
    ]);
  });

  it('returns items in the documented shape', async () => {
    const data = ok(await t.post('/datasource/list', { channel_id: listChannel }, lister.appKey));
    const item = data.items[0];
    expect(Object.keys(item).sort()).toEqual(
      [
        'integration_id',
        'team_id',
        'name',
        'status',
        'plugin_id',
        'plugin_type',
        'plugin_type_name',
        'description',
        'integration_key',
        'settings',
        'creator_id',
        'created_at',
        'updated_at',
        'channel_id',
        'is_private',
        'push_url',
      ].sort(),
    );
    expect(item).toMatchObject({
      is_private: true,
      plugin_type_name: 'Prometheus Alertmanager',
      creator_id: lister.memberId,
    });
    expect(Number.isInteger(item.created_at)).toBe(true);
  });
});

describe('bad input', () => {
  it.each([
    ['/datasource/upsert', { plugin_type: 'alert.standard' }, 'name'],
    ['/datasource/upsert', { name: 'x' }, 'plugin_type'],
    ['/datasource/upsert', { name: '', plugin_type: 'alert.standard' }, 'name'],
    ['/datasource/upsert', { name: 'x'.repeat(40), plugin_type: 'alert.standard' }, 'name'],
    ['/datasource/upsert', { name: 123, plugin_type: 'alert.standard' }, 'name'],
    ['/datasource/upsert', { name: 'x', plugin_type: 'alert.nagios' }, 'plugin_type'],
    [
      '/datasource/upsert',
      { name: 'x', plugin_type: 'alert.standard', description: 'd'.repeat(501) },
      'description',
    ],
    ['/datasource/upsert', { name: 'x', plugin_type: 'alert.standard', team_id: '1' }, 'team_id'],
    ['/datasource/upsert', { name: 'x', plugin_type: 'alert.standard', team_id: 999 }, 'team_id'],
    ['/datasource/upsert', { name: 'x', plugin_type: 'alert.standard', channel_id: -1 }, 'channel_id'],
    ['/datasource/upsert', { name: 'x', plugin_type: 'alert.standard', channel_id: 999 }, 'channel_id'],
    [
      '/datasource/upsert',
      { name: 'x', plugin_type: 'alert.standard', integration_id: 'abc' },
      'integration_id',
    ],
    ['/datasource/list', { limit: 101 }, 'limit'],
    ['/datasource/list', { p: 0 }, 'p'],
    ['/datasource/list', { orderby: 'plugin_type' }, 'orderby'],
    ['/datasource/list', { category: 'event.other' }, 'category'],
    ['/datasource/list', { status: 'deleted' }, 'status'],
    ['/datasource/list', { team_ids: [1, 'x'] }, 'team_ids[1]'],
    ['/datasource/list', { asc: 'yes' }, 'asc'],
    ['/datasource/desc', {}, 'integration_id'],
    ['/datasource/desc', { integration_id: '1' }, 'integration_id'],
    ['/datasource/delete', {}, 'integration_id'],
    ['/datasource/enable', { integration_id: 1.5 }, 'integration_id'],
    ['/datasource/disable', { integration_id: null }, 'integration_id'],
  ])('%s %j → InvalidParameter naming %s, nothing changed', async (path, body, field) => {
    const before = await snapshot(t);
    refused(await t.post(path, body, owner.appKey), 400, 'InvalidParameter', field);
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses a deleted channel for a private integration', async () => {
    const doomed = await newChannel(t, owner, teamId);
    ok(await t.post('/channel/delete', { channel_id: doomed }, owner.appKey));
    const before = await snapshot(t);
    refused(
      await t.post(
        '/datasource/upsert',
        { name: 'x', plugin_type: 'alert.standard', channel_id: doomed },
        owner.appKey,
      ),
      400,
      'InvalidParameter',
      'channel_id',
    );
    expect(await snapshot(t)).toEqual(before);
  });
});

describe('permissions', () => {
  it('lets a Read-only member read but not change integrations', async () => {
    const reader = await newMember(t, owner, [4]);
    const created = await newIntegration(t, owner);
    const id = created.integration_id;
    ok(await t.post('/datasource/list', {}, reader.appKey));
    ok(await desc(id, reader));
    ok(await t.post('/route/info', { integration_id: id }, reader.appKey));
    ok(await t.post('/route/list', { integration_ids: [id] }, reader.appKey));

    const before = await snapshot(t);
    for (const [path, body] of [
      ['/datasource/upsert', { name: 'x', plugin_type: 'alert.standard' }],
      ['/datasource/upsert', { integration_id: id, name: 'x', plugin_type: 'alert.standard' }],
      ['/datasource/delete', { integration_id: id }],
      ['/datasource/disable', { integration_id: id }],
      ['/datasource/enable', { integration_id: id }],
      ['/route/upsert', { integration_id: id, default: { channel_ids: [channelId] } }],
    ] as const) {
      refused(await t.post(path, body, reader.appKey), 403, 'AccessDenied');
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('needs an app key', async () => {
    refused(await t.post('/datasource/list', {}, undefined), 401, 'Unauthorized');
  });
});

describe('tenancy', () => {
  let other: TestAccount;
  let otherChannel: number;

  beforeAll(async () => {
    other = await t.newAccount('Other tenant');
    otherChannel = await newChannel(t, other, await newTeam(t, other));
  });

  it("keeps another account's integrations and routes out of reach", async () => {
    const mine = await newIntegration(t, owner);
    const id = mine.integration_id;
    ok(
      await t.post(
        '/route/upsert',
        { integration_id: id, default: { channel_ids: [channelId] } },
        owner.appKey,
      ),
    );
    const before = await snapshot(t);

    refused(await desc(id, other), 400, 'ResourceNotFound');
    refused(await t.post('/route/info', { integration_id: id }, other.appKey), 400, 'ResourceNotFound');
    expect(ok(await t.post('/route/list', { integration_ids: [id] }, other.appKey)).items).toEqual([]);
    for (const [path, body] of [
      ['/datasource/upsert', { integration_id: id, name: 'stolen', plugin_type: 'alert.standard' }],
      ['/datasource/delete', { integration_id: id }],
      ['/datasource/disable', { integration_id: id }],
      ['/datasource/enable', { integration_id: id }],
      ['/route/upsert', { integration_id: id, default: { channel_ids: [otherChannel] } }],
      ['/route/upsert', { integration_id: id, default: { channel_ids: [otherChannel] }, version: 1 }],
    ] as const) {
      refused(await t.post(path, body, other.appKey), 400, 'ResourceNotFound');
    }
    const list = ok(await t.post('/datasource/list', { limit: 100 }, other.appKey));
    expect(list.items.map((i: { integration_id: number }) => i.integration_id)).not.toContain(id);
    expect(await snapshot(t)).toEqual(before);
  });

  it("refuses to bind an integration or a route to another account's channel", async () => {
    const theirs = await newIntegration(t, other);
    const before = await snapshot(t);
    refused(
      await t.post(
        '/datasource/upsert',
        { name: 'x', plugin_type: 'alert.standard', channel_id: channelId },
        other.appKey,
      ),
      400,
      'InvalidParameter',
      'channel_id',
    );
    refused(
      await t.post(
        '/datasource/upsert',
        {
          integration_id: theirs.integration_id,
          name: 'x',
          plugin_type: 'alert.standard',
          channel_id: channelId,
        },
        other.appKey,
      ),
      400,
      'InvalidParameter',
      'channel_id',
    );
    refused(
      await t.post(
        '/route/upsert',
        { integration_id: theirs.integration_id, default: { channel_ids: [channelId] } },
        other.appKey,
      ),
      400,
      'InvalidParameter',
      'default.channel_ids',
    );
    refused(
      await t.post(
        '/datasource/upsert',
        { name: 'x', plugin_type: 'alert.standard', team_id: teamId },
        other.appKey,
      ),
      400,
      'InvalidParameter',
      'team_id',
    );
    expect(await snapshot(t)).toEqual(before);
  });
});
