import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';

/*
 * Label enrichment end to end (docs/processing.md): rules validated and scoped to the account, then
 * run on pushed events before routing and grouping — extraction (RE2, JSON path), composition,
 * drop — with the alert's feed saying which rule added, changed or removed which label.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Enrichment');
  other = await t.newAccount('Elsewhere');
});
afterAll(() => t.close());

async function upsert(integrationId: number, rules: unknown[], account = owner) {
  return t.post('/enrichment/upsert', { integration_id: integrationId, rules }, account.appKey);
}

async function push(key: string, body: Record<string, unknown>) {
  const res = await pushStandard(t, key, { event_status: 'Warning', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.alert_key as string;
}

const alertOf = (integrationId: number, alertKey: string) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('alert_key', '=', alertKey)
    .orderBy('alert_id', 'desc')
    .executeTakeFirstOrThrow();

const processingOf = async (alertId: string) => {
  const res = await t.post('/alert/feed', { alert_id: alertId }, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.data.items as { type: string; detail: Record<string, any> }[]).find(
    (e) => e.type === 'a_new',
  )!.detail.processing;
};

const extractIp = {
  kind: 'extraction',
  settings: {
    source_field: 'description',
    pattern: 'host (?P<result>\\d+\\.\\d+\\.\\d+\\.\\d+)',
    result_label: 'ip',
  },
};
const extractService = {
  kind: 'extraction',
  settings: { source_field: 'title', pattern: '^\\[(?P<result>[a-z]+)\\]', result_label: 'service' },
};

describe('label enrichment', () => {
  it('extracts, composes and drops labels before grouping, and the feed explains it', async () => {
    const channelId = await newChannel(t, owner, { group: { method: 'p', equals: [['labels.service']] } });
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    const res = await upsert(integrationId, [
      extractIp,
      extractService,
      {
        kind: 'extraction',
        settings: { source_field: 'labels.payload', g_json: 'owner.team', result_label: 'team' },
      },
      {
        kind: 'composition',
        settings: { template: '{{.labels.service}}-{{.labels.ip}}', result_label: 'target' },
      },
      {
        kind: 'composition',
        if: [{ key: 'labels.env', oper: 'IN', vals: ['prod'] }],
        settings: { template: 'P1', result_label: 'env', override: true },
      },
      { kind: 'drop', settings: { drop_labels: ['payload', 'absent'] } },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const first = await push(key, {
      title_rule: '[api] slow',
      description: 'latency on host 10.0.0.7 over 2s',
      labels: { env: 'prod', payload: '{"owner":{"team":"sre"}}' },
    });
    const alert = await alertOf(integrationId, first);
    expect(alert.labels).toEqual({
      env: 'P1',
      ip: '10.0.0.7',
      service: 'api',
      target: 'api-10.0.0.7',
      team: 'sre',
    });
    expect(await processingOf(alert.alert_id)).toEqual([
      { stage: 'enrichment', rule: 0, kind: 'extraction', label: 'ip', action: 'added', to: '10.0.0.7' },
      { stage: 'enrichment', rule: 1, kind: 'extraction', label: 'service', action: 'added', to: 'api' },
      { stage: 'enrichment', rule: 2, kind: 'extraction', label: 'team', action: 'added', to: 'sre' },
      {
        stage: 'enrichment',
        rule: 3,
        kind: 'composition',
        label: 'target',
        action: 'added',
        to: 'api-10.0.0.7',
      },
      {
        stage: 'enrichment',
        rule: 4,
        kind: 'composition',
        label: 'env',
        action: 'changed',
        from: 'prod',
        to: 'P1',
      },
      {
        stage: 'enrichment',
        rule: 5,
        kind: 'drop',
        label: 'payload',
        action: 'removed',
        from: '{"owner":{"team":"sre"}}',
      },
    ]);

    // The extracted service groups: another [api] alert joins the incident, a [db] one does not.
    const second = await push(key, { title_rule: '[api] errors', description: 'on host 10.0.0.8' });
    const third = await push(key, { title_rule: '[db] slow' });
    expect((await alertOf(integrationId, second)).incident_id).toBe(alert.incident_id);
    expect((await alertOf(integrationId, third)).incident_id).not.toBe(alert.incident_id);
  });

  it('routes shared integrations by enriched labels, and keeps labels unless override', async () => {
    const [api, fallback] = [await newChannel(t, owner), await newChannel(t, owner)];
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard');
    const route = await t.post(
      '/route/upsert',
      {
        integration_id: integrationId,
        cases: [
          {
            if: [{ key: 'labels.service', oper: 'IN', vals: ['api'] }],
            channel_ids: [api],
            fallthrough: false,
          },
        ],
        default: { channel_ids: [fallback] },
      },
      owner.appKey,
    );
    expect(route.status, JSON.stringify(route.body)).toBe(200);
    await upsert(integrationId, [extractService]);
    const routed = await push(key, { title_rule: '[api] down' });
    expect((await alertOf(integrationId, routed)).channel_id).toBe(api);
    // An existing label wins over an extraction without override.
    const kept = await push(key, { title_rule: '[api] down again', labels: { service: 'web' } });
    expect((await alertOf(integrationId, kept)).channel_id).toBe(fallback);
  });
});

describe('bad input', () => {
  it('names the field and stores nothing when any rule is invalid', async () => {
    const channelId = await newChannel(t, owner);
    const { integrationId } = await newIntegration(t, owner, 'alert.standard', channelId);
    const cases: [unknown[], string][] = [
      [
        [
          extractIp,
          { kind: 'extraction', settings: { source_field: 'title', pattern: '(a', result_label: 'x' } },
        ],
        'rules[1].settings.pattern',
      ],
      [
        [
          {
            kind: 'extraction',
            settings: { source_field: 'title', pattern: 'a', g_json: 'b', result_label: 'x' },
          },
        ],
        'rules[0].settings.pattern',
      ],
      [
        [{ kind: 'extraction', settings: { source_field: 'severity', pattern: 'a', result_label: 'x' } }],
        'rules[0].settings.source_field',
      ],
      [
        [
          {
            kind: 'extraction',
            settings: { source_field: 'title', pattern: 'a', result_label: 'Bad-Label' },
          },
        ],
        'rules[0].settings.result_label',
      ],
      [
        [{ kind: 'composition', settings: { template: '', result_label: 'x' } }],
        'rules[0].settings.template',
      ],
      [[{ kind: 'drop', settings: { drop_labels: [] } }], 'rules[0].settings.drop_labels'],
      [
        [{ kind: 'mapping', settings: { schema_id: '0123456789abcdef01234567', result_labels: ['x'] } }],
        'rules[0].settings.schema_id',
      ],
      [
        [{ kind: 'mapping', settings: { mapping_type: 'api', api_id: 'nope', result_labels: ['x'] } }],
        'rules[0].settings.api_id',
      ],
      [
        [
          {
            kind: 'drop',
            if: [{ key: 'labels.a', oper: 'IN', vals: ['/(?<=x)/'] }],
            settings: { drop_labels: ['a'] },
          },
        ],
        'rules[0].if[0].vals[0]',
      ],
      [[{ kind: 'splice', settings: {} }], 'kind'],
    ];
    for (const [rules, field] of cases) {
      const res = await upsert(integrationId, rules);
      expect(res.status, JSON.stringify(rules)).toBe(400);
      expect(res.body.error!.code).toBe('InvalidParameter');
      expect(res.body.error!.message).toContain(field);
    }
    const info = await t.post('/enrichment/info', { integration_id: integrationId }, owner.appKey);
    expect(info.status).toBe(200);
    expect(info.body.data).toBeNull();
  });

  it("another account's key sees and changes none of it", async () => {
    const channelId = await newChannel(t, owner);
    const { integrationId } = await newIntegration(t, owner, 'alert.standard', channelId);
    expect((await upsert(integrationId, [extractIp])).status).toBe(200);
    const write = await upsert(integrationId, [], other);
    expect(write.body.error!.code).toBe('ResourceNotFound');
    const info = await t.post('/enrichment/info', { integration_id: integrationId }, other.appKey);
    expect(info.body.error!.code).toBe('ResourceNotFound');
    const list = await t.post('/enrichment/list', { integration_ids: [integrationId] }, other.appKey);
    expect(list.body.data.items).toEqual([]);
    const mine = await t.post('/enrichment/list', { integration_ids: [integrationId] }, owner.appKey);
    expect(mine.body.data.items[0].rules).toEqual([
      { kind: 'extraction', if: [], settings: { ...extractIp.settings, override: false } },
    ]);
  });
});
