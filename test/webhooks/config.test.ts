import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';
import { refused, snapshot } from '../integrations/helpers.ts';
import { ok } from './helpers.ts';

/*
 * Webhook integrations (`webhook.alert`, `webhook.incident`) through /datasource/*: their settings,
 * how they are checked, and how desc and list show them.
 */

let t: TestApp;
let owner: TestAccount;
let channelId: number;
let alertIntegrationId: number;
let changeIntegrationId: number;
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Webhook config');
  channelId = await newChannel(t, owner);
  alertIntegrationId = (await newIntegration(t, owner, 'alert.standard')).integrationId;
  changeIntegrationId = (await newIntegration(t, owner, 'change.standard')).integrationId;
});
afterAll(() => t.close());

const upsert = (body: Record<string, unknown>, account = owner) =>
  t.post('/datasource/upsert', body, account.appKey);

describe('webhook integrations', () => {
  it('stores the settings and shows them in desc and list, without a push URL', async () => {
    const created = ok(
      await upsert({
        name: 'To the CMDB',
        plugin_type: 'webhook.alert',
        settings: {
          url: '  https://cmdb.example/hooks/vigil?x=1  ',
          headers: { Authorization: 'Bearer t', 'X-Team': 'sre' },
          channel_ids: [channelId, channelId],
          integration_ids: [alertIntegrationId],
          event_types: ['a_new', 'a_close'],
        },
      }),
    );
    const item = ok(
      await t.post('/datasource/desc', { integration_id: created.integration_id }, owner.appKey),
    );
    expect(item).toMatchObject({
      plugin_type: 'webhook.alert',
      plugin_type_name: 'Alert Webhook',
      status: 'enabled',
      channel_id: 0,
      push_url: '',
      settings: [
        {
          url: 'https://cmdb.example/hooks/vigil?x=1',
          endpoint: 'https://cmdb.example/hooks/vigil?x=1',
          headers: { Authorization: 'Bearer t', 'X-Team': 'sre' },
          channel_ids: [channelId],
          integration_ids: [alertIntegrationId],
          event_types: ['a_new', 'a_close'],
        },
      ],
    });

    const incident = ok(
      await upsert({
        name: 'Tickets',
        plugin_type: 'webhook.incident',
        settings: { endpoint: 'http://t.example' },
      }),
    );
    const listed = ok(await t.post('/datasource/list', { category: 'webhook', asc: true }, owner.appKey));
    expect(listed.items.map((i: any) => [i.integration_id, i.plugin_type_name])).toEqual([
      [created.integration_id, 'Alert Webhook'],
      [incident.integration_id, 'Incident Webhook'],
    ]);
    expect(listed.items[1].settings[0]).toEqual({
      url: 'http://t.example',
      endpoint: 'http://t.example',
      headers: {},
      channel_ids: [],
      integration_ids: [],
      event_types: [],
    });
    const alerts = ok(await t.post('/datasource/list', { category: 'event.alert' }, owner.appKey));
    expect(alerts.items.every((i: any) => i.plugin_type.startsWith('alert.'))).toBe(true);
    expect(alerts.items.every((i: any) => i.settings.length === 0)).toBe(true);
  });

  it('replaces the settings when an update sends them and keeps them otherwise', async () => {
    const { integration_id } = ok(
      await upsert({ name: 'v1', plugin_type: 'webhook.incident', settings: { url: 'https://a.example' } }),
    );
    ok(await upsert({ integration_id, name: 'v2', plugin_type: 'webhook.incident', description: 'renamed' }));
    let item = ok(await t.post('/datasource/desc', { integration_id }, owner.appKey));
    expect(item).toMatchObject({ name: 'v2', settings: [{ url: 'https://a.example' }] });
    ok(
      await upsert({
        integration_id,
        name: 'v3',
        plugin_type: 'webhook.incident',
        settings: { url: 'https://b.example', event_types: ['i_ack'] },
      }),
    );
    item = ok(await t.post('/datasource/desc', { integration_id }, owner.appKey));
    expect(item.settings).toEqual([
      {
        url: 'https://b.example',
        endpoint: 'https://b.example',
        headers: {},
        channel_ids: [],
        integration_ids: [],
        event_types: ['i_ack'],
      },
    ]);
  });

  it('still ignores settings sent for other integration types', async () => {
    const { integration_id } = ok(
      await upsert({ name: 'alerts', plugin_type: 'alert.standard', settings: { url: 'ftp://nope' } }),
    );
    const item = ok(await t.post('/datasource/desc', { integration_id }, owner.appKey));
    expect(item.settings).toEqual([]);
    expect(item.push_url).toContain('/event/push/alert/standard?integration_key=');
  });

  it('cannot be pushed to, nor routed', async () => {
    const created = ok(
      await upsert({ name: 'hook', plugin_type: 'webhook.alert', settings: { url: 'https://a.example' } }),
    );
    const pushed = await pushStandard(t, created.integration_key, {
      event_status: 'Critical',
      alert_key: 'k',
    });
    expect(pushed.status).toBe(400);
    const route = await t.post(
      '/route/upsert',
      { integration_id: created.integration_id, default: { channel_ids: [channelId] } },
      owner.appKey,
    );
    refused(route, 400, 'InvalidParameter', 'integration_id');
  });

  const longUrl = `https://a.example/${'x'.repeat(2048)}`;
  const manyHeaders = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v']));
  const alertHook = (settings: unknown, extra: Record<string, unknown> = {}) => ({
    name: 'bad',
    plugin_type: 'webhook.alert',
    settings,
    ...extra,
  });
  const cases: [string, () => Record<string, unknown>, string][] = [
    ['no settings', () => ({ name: 'bad', plugin_type: 'webhook.alert' }), 'settings'],
    ['settings that are not an object', () => alertHook('https://a.example'), 'settings'],
    ['no url', () => alertHook({ headers: {} }), 'settings.url'],
    ['a blank url', () => alertHook({ url: '  ' }), 'settings.url'],
    ['another scheme', () => alertHook({ url: 'ftp://a.example/x' }), 'settings.url'],
    ['not a URL', () => alertHook({ url: 'a.example/hook' }), 'settings.url'],
    ['credentials in the URL', () => alertHook({ url: 'https://u:p@a.example' }), 'settings.url'],
    ['a URL too long', () => alertHook({ url: longUrl }), 'settings.url'],
    [
      'url and endpoint that differ',
      () => alertHook({ url: 'https://a.example', endpoint: 'https://b.example' }),
      'settings.endpoint',
    ],
    ['an endpoint that is not a URL', () => alertHook({ endpoint: 'nope' }), 'settings.endpoint'],
    [
      'headers that are not an object',
      () => alertHook({ url: 'https://a.example', headers: ['a'] }),
      'settings.headers',
    ],
    [
      'more than 20 headers',
      () => alertHook({ url: 'https://a.example', headers: manyHeaders }),
      'settings.headers',
    ],
    [
      'a hop-by-hop header',
      () => alertHook({ url: 'https://a.example', headers: { Connection: 'close' } }),
      'settings.headers.Connection',
    ],
    [
      'a Content-Type header',
      () => alertHook({ url: 'https://a.example', headers: { 'content-type': 'text/plain' } }),
      'settings.headers.content-type',
    ],
    [
      'a header name with a space',
      () => alertHook({ url: 'https://a.example', headers: { 'X Bad': 'v' } }),
      'settings.headers.X Bad',
    ],
    [
      'a header value with a line break',
      () => alertHook({ url: 'https://a.example', headers: { 'X-A': 'a\r\nX-B: b' } }),
      'settings.headers.X-A',
    ],
    [
      'a header value that is not a string',
      () => alertHook({ url: 'https://a.example', headers: { 'X-A': 1 } }),
      'settings.headers.X-A',
    ],
    [
      'a header set twice',
      () => alertHook({ url: 'https://a.example', headers: { 'X-A': '1', 'x-a': '2' } }),
      'settings.headers.x-a',
    ],
    [
      'an unknown channel',
      () => alertHook({ url: 'https://a.example', channel_ids: [channelId, 42] }),
      'settings.channel_ids[1]',
    ],
    [
      'a channel id that is not an id',
      () => alertHook({ url: 'https://a.example', channel_ids: ['1'] }),
      'settings.channel_ids[0]',
    ],
    [
      'a change integration as a source',
      () => alertHook({ url: 'https://a.example', integration_ids: [changeIntegrationId] }),
      'settings.integration_ids[0]',
    ],
    [
      'an unknown integration',
      () => alertHook({ url: 'https://a.example', integration_ids: [alertIntegrationId, 7] }),
      'settings.integration_ids[1]',
    ],
    [
      'an incident event on an alert webhook',
      () => alertHook({ url: 'https://a.example', event_types: ['a_new', 'i_new'] }),
      'settings.event_types[1]',
    ],
    [
      'integrations on an incident webhook',
      () => ({
        name: 'bad',
        plugin_type: 'webhook.incident',
        settings: { url: 'https://a.example', integration_ids: [alertIntegrationId] },
      }),
      'settings.integration_ids',
    ],
    [
      'a channel binding',
      () => alertHook({ url: 'https://a.example' }, { channel_id: channelId }),
      'channel_id',
    ],
  ];
  for (const [what, body, field] of cases) {
    it(`refuses ${what}, naming ${field}, and stores nothing`, async () => {
      const before = await snapshot(t);
      refused(await upsert(body()), 400, 'InvalidParameter', field);
      expect(await snapshot(t)).toEqual(before);
    });
  }

  it('refuses settings that name another account’s channel or integration', async () => {
    const other = await t.newAccount('Other');
    for (const settings of [
      { url: 'https://a.example', channel_ids: [channelId] },
      { url: 'https://a.example', integration_ids: [alertIntegrationId] },
    ]) {
      const before = await snapshot(t);
      refused(await upsert(alertHook(settings), other), 400, 'InvalidParameter', 'settings.');
      expect(await snapshot(t)).toEqual(before);
    }
  });

  it('refuses bad settings on update and keeps the stored ones', async () => {
    const { integration_id } = ok(
      await upsert({ name: 'keep', plugin_type: 'webhook.alert', settings: { url: 'https://a.example' } }),
    );
    const before = await snapshot(t);
    refused(
      await upsert({
        integration_id,
        name: 'keep',
        plugin_type: 'webhook.alert',
        settings: { url: 'mailto:x' },
      }),
      400,
      'InvalidParameter',
      'settings.url',
    );
    expect(await snapshot(t)).toEqual(before);
  });
});
