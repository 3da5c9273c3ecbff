import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';

/*
 * Alert pipelines end to end (docs/processing.md): /alert/pipeline/* validated and scoped to the
 * account, then applied to pushed events before routing — drop, severity and title rewrites,
 * inhibition — with the alert's feed saying which rule did what.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Pipelines');
  other = await t.newAccount('Elsewhere');
});
afterAll(() => t.close());

async function setup() {
  const channelId = await newChannel(t, owner);
  return newIntegration(t, owner, 'alert.standard', channelId);
}

async function upsert(integrationId: number, rules: unknown[], account = owner) {
  return t.post('/alert/pipeline/upsert', { integration_id: integrationId, rules }, account.appKey);
}

async function push(key: string, body: Record<string, unknown>) {
  const res = await pushStandard(t, key, { event_status: 'Warning', title_rule: 'disk full', ...body });
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
    .executeTakeFirst();

const feedOf = async (alertId: string) => {
  const res = await t.post('/alert/feed', { alert_id: alertId }, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.items as { type: string; detail: Record<string, any> }[];
};

const droppedReasons = async (integrationId: number) =>
  await t.db.q
    .selectFrom('integrations')
    .select(['dropped_event_cnt', 'dropped_event_reasons'])
    .where('integration_id', '=', integrationId)
    .executeTakeFirstOrThrow();

describe('alert pipelines', () => {
  it('drops matching events before they become alerts, and counts them', async () => {
    const { integrationId, key } = await setup();
    const res = await upsert(integrationId, [
      { kind: 'alert_drop', if: [[{ key: 'labels.env', oper: 'IN', vals: ['dev'] }]] },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const dropped = await push(key, { alert_key: 'dev-1', labels: { env: 'dev' } });
    const kept = await push(key, { alert_key: 'prod-1', labels: { env: 'prod' } });
    expect(await alertOf(integrationId, dropped)).toBeUndefined();
    expect(await alertOf(integrationId, kept)).toBeDefined();
    const counts = await droppedReasons(integrationId);
    expect(counts.dropped_event_cnt).toBe(1);
    expect(counts.dropped_event_reasons).toEqual({ pipeline_drop: 1 });
  });

  it('rewrites severity and title, in order, and the feed says which rule did it', async () => {
    const { integrationId, key } = await setup();
    const res = await upsert(integrationId, [
      {
        kind: 'severity_reset',
        if: [
          [
            { key: 'labels.service', oper: 'IN', vals: ['payment'] },
            { key: 'severity', oper: 'IN', vals: ['Warning'] },
          ],
        ],
        settings: { severity: 'Critical' },
      },
      { kind: 'title_reset', settings: { title: '[TPL]{{.EventSeverity}} {{.Labels.service}}: {{.Title}}' } },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);

    const alertKey = await push(key, { alert_key: 'pay-1', labels: { service: 'payment' } });
    const alert = (await alertOf(integrationId, alertKey))!;
    expect(alert.alert_severity).toBe('Critical');
    expect(alert.title).toBe('Critical payment: disk full');
    const created = (await feedOf(alert.alert_id)).find((e) => e.type === 'a_new')!;
    expect(created.detail.processing).toEqual([
      {
        stage: 'pipeline',
        rule: 0,
        kind: 'severity_reset',
        field: 'severity',
        action: 'changed',
        from: 'Warning',
        to: 'Critical',
      },
      {
        stage: 'pipeline',
        rule: 1,
        kind: 'title_reset',
        field: 'title',
        action: 'changed',
        from: 'disk full',
        to: 'Critical payment: disk full',
      },
    ]);

    // Not matching the first rule: only the title changes.
    const other = await push(key, { alert_key: 'web-1', labels: { service: 'web' } });
    const plain = (await alertOf(integrationId, other))!;
    expect(plain.alert_severity).toBe('Warning');
    expect(plain.title).toBe('Warning web: disk full');
  });

  it('lets recoveries through untouched, so a dropped-looking alert can still recover', async () => {
    const { integrationId, key } = await setup();
    const alertKey = await push(key, { alert_key: 'r-1', labels: { env: 'dev' } });
    await upsert(integrationId, [
      { kind: 'alert_drop', if: [[{ key: 'labels.env', oper: 'IN', vals: ['dev'] }]] },
    ]);
    await push(key, { alert_key: 'r-1', event_status: 'Ok', labels: { env: 'dev' } });
    const alert = (await alertOf(integrationId, alertKey))!;
    expect(alert.alert_status).toBe('Ok');
    expect(alert.end_time).toBeGreaterThan(0);
  });

  it('inhibits events that share labels with an active source alert of the integration', async () => {
    const { integrationId, key } = await setup();
    await upsert(integrationId, [
      {
        kind: 'alert_inhibit',
        if: [[{ key: 'labels.kind', oper: 'IN', vals: ['app'] }]],
        settings: {
          equals: ['dc'],
          source_filters: [[{ key: 'labels.kind', oper: 'IN', vals: ['network'] }]],
        },
      },
    ]);
    await push(key, { alert_key: 'net-1', event_status: 'Critical', labels: { kind: 'network', dc: 'nj' } });
    const inhibited = await push(key, { alert_key: 'app-1', labels: { kind: 'app', dc: 'nj' } });
    const elsewhere = await push(key, { alert_key: 'app-2', labels: { kind: 'app', dc: 'sf' } });
    expect(await alertOf(integrationId, inhibited)).toBeUndefined();
    expect(await alertOf(integrationId, elsewhere)).toBeDefined();
    expect((await droppedReasons(integrationId)).dropped_event_reasons).toEqual({ pipeline_inhibit: 1 });
  });

  it('returns what was stored; null before, and replaces the whole list', async () => {
    const { integrationId } = await setup();
    const before = await t.post('/alert/pipeline/info', { integration_id: integrationId }, owner.appKey);
    expect(before.status).toBe(200);
    expect(before.body.data).toBeNull();
    await upsert(integrationId, [{ kind: 'alert_drop', settings: { ignored: true } }]);
    const info = await t.post('/alert/pipeline/info', { integration_id: integrationId }, owner.appKey);
    expect(info.body.data).toMatchObject({
      integration_id: integrationId,
      status: 'enabled',
      rules: [{ kind: 'alert_drop', if: [], settings: {} }],
    });
    await upsert(integrationId, []);
    const list = await t.post('/alert/pipeline/list', { integration_ids: [integrationId] }, owner.appKey);
    expect(list.body.data.items).toEqual([
      expect.objectContaining({ integration_id: integrationId, rules: [] }),
    ]);
  });
});

describe('bad input', () => {
  it('names the field and stores nothing when any rule is invalid', async () => {
    const { integrationId } = await setup();
    const cases: [unknown[], string][] = [
      [
        [{ kind: 'alert_drop' }, { kind: 'severity_reset', settings: { severity: 'Ok' } }],
        'rules[1].settings.severity',
      ],
      [[{ kind: 'title_reset', settings: {} }], 'rules[0].settings.title'],
      [
        [{ kind: 'alert_drop', if: [[{ key: 'labels.env', oper: 'IN', vals: ['/(unclosed/'] }]] }],
        'rules[0].if[0][0].vals[0]',
      ],
      [
        [{ kind: 'alert_drop', if: [[{ key: 'nonsense', oper: 'IN', vals: ['x'] }]] }],
        'rules[0].if[0][0].key',
      ],
      [
        [{ kind: 'alert_inhibit', settings: { equals: ['dc'], source_filters: [] } }],
        'rules[0].settings.source_filters',
      ],
      [[{ kind: 'rewrite_everything' }], 'kind'],
    ];
    for (const [rules, field] of cases) {
      const res = await upsert(integrationId, rules);
      expect(res.status, JSON.stringify(rules)).toBe(400);
      expect(res.body.error!.code).toBe('InvalidParameter');
      expect(res.body.error!.message).toContain(field);
    }
    const info = await t.post('/alert/pipeline/info', { integration_id: integrationId }, owner.appKey);
    expect(info.body.data).toBeNull();
    const tooMany = await upsert(
      integrationId,
      Array.from({ length: 51 }, () => ({ kind: 'alert_drop' })),
    );
    expect(tooMany.status).toBe(400);
  });

  it("another account's key sees and changes none of it", async () => {
    const { integrationId } = await setup();
    await upsert(integrationId, [{ kind: 'alert_drop' }]);
    const write = await upsert(integrationId, [], other);
    expect(write.status).toBe(400);
    expect(write.body.error!.code).toBe('ResourceNotFound');
    const info = await t.post('/alert/pipeline/info', { integration_id: integrationId }, other.appKey);
    expect(info.body.error!.code).toBe('ResourceNotFound');
    const list = await t.post('/alert/pipeline/list', { integration_ids: [integrationId] }, other.appKey);
    expect(list.body.data.items).toEqual([]);
    const mine = await t.post('/alert/pipeline/info', { integration_id: integrationId }, owner.appKey);
    expect(mine.body.data.rules).toHaveLength(1);
  });
});
