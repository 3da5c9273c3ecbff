import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEventBody } from '../../../web/src/integrations.ts';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel, newIntegration, push, pushesOverTheIntegrationLimit } from '../helpers.ts';

/*
 * Nightingale (n9e) alert events (docs/sources.md "Nightingale"). The event is the example request
 * body of Nightingale's documentation, "自定义通知媒介" (custom notification media, n9e.github.io,
 * zh docs, usage): one AlertCurEvent as n9e 8 serialises it; its fields are those of
 * ccfos/nightingale models/alert_cur_event.go. A global webhook posts it alone
 * (alert/sender/webhook.go), n9e's Flashduty channel as an array (alert/sender/provider/flashduty_provider.go).
 */

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

const PATH = '/event/push/alert/n9e';

const EVENT = {
  id: 1097655,
  cate: 'prometheus',
  cluster: 'prom',
  datasource_id: 1,
  group_id: 2,
  group_name: 'DBA-Postgres',
  hash: 'f75556af7cedbe250d3d8ab709634c96',
  rule_id: 56,
  rule_name: '测试自定义通知媒介2',
  rule_note: '',
  rule_prod: 'metric',
  rule_algo: '',
  severity: 2,
  prom_for_duration: 0,
  prom_ql: 'cpu_usage_active{ident="ulric-flashcat.local"} > 0',
  rule_config: {
    queries: [
      {
        from: 0,
        prom_ql: 'cpu_usage_active{ident="ulric-flashcat.local"} > 0',
        range: { display: 'now to now', end: 'now', start: 'now' },
        severity: 2,
        to: 0,
        unit: 'none',
      },
    ],
  },
  prom_eval_interval: 15,
  callbacks: [],
  runbook_url: '',
  notify_recovered: 1,
  target_ident: 'ulric-flashcat.local',
  target_note: '',
  trigger_time: 1749196393,
  trigger_value: '33.06867',
  trigger_values: '',
  trigger_values_json: {
    values_with_unit: { v: { value: 33.06867479671808, unit: '', text: '33.07', stat: 33.06867479671808 } },
  },
  tags: [
    '__name__=cpu_usage_active',
    'cpu=cpu-total',
    'ident=ulric-flashcat.local',
    'rulename=测试自定义通知媒介2',
  ],
  tags_map: {
    __name__: 'cpu_usage_active',
    cpu: 'cpu-total',
    ident: 'ulric-flashcat.local',
    rulename: '测试自定义通知媒介2',
  },
  original_tags: ['', '', '', ''],
  annotations: {},
  is_recovered: false,
  last_eval_time: 1749196393,
  last_sent_time: 1749196393,
  notify_cur_number: 1,
  first_trigger_time: 1749196393,
  extra_config: { enrich_queries: [] },
  status: 0,
  claimant: '',
  sub_rule_id: 0,
  extra_info: null,
  target: null,
  recover_config: { judge_type: 0, recover_exp: '' },
  rule_hash: '3c73b1b7f98f4c5a0178c85dedabf008',
  extra_info_map: null,
  notify_rule_ids: [4],
  notify_version: 0,
  notify_rules: null,
};

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('alert_key')
    .execute();

async function n9e(account = owner) {
  return newIntegration(t, account, 'alert.n9e', await newChannel(t, account));
}

describe('Nightingale events', () => {
  it("maps n9e's documented event: hash as key, severity, tags, trigger value, first trigger time", async () => {
    const { integrationId, key } = await n9e();
    const res = await push(t, PATH, key, EVENT);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ alert_keys: ['f75556af7cedbe250d3d8ab709634c96'] });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: 'f75556af7cedbe250d3d8ab709634c96',
      title: '测试自定义通知媒介2',
      description: '',
      alert_severity: 'Warning',
      alert_status: 'Warning',
      start_time: 1749196393,
    });
    expect(alert!.labels).toEqual({
      __name__: 'cpu_usage_active',
      cpu: 'cpu-total',
      ident: 'ulric-flashcat.local',
      rulename: '测试自定义通知媒介2',
      rule_id: '56',
      rule_prod: 'metric',
      cate: 'prometheus',
      cluster: 'prom',
      group_name: 'DBA-Postgres',
      target_ident: 'ulric-flashcat.local',
      trigger_value: '33.06867',
      prom_ql: 'cpu_usage_active{ident="ulric-flashcat.local"} > 0',
    });

    const recovered = await push(t, PATH, key, { ...EVENT, is_recovered: true, last_eval_time: 1749196693 });
    expect(recovered.status).toBe(200);
    expect((await alertsOf(integrationId))[0]).toMatchObject({ alert_status: 'Ok', end_time: 1749196693 });
  });

  it('takes an array (n9e 8 Flashduty channel); severities 1/2/3, others Warning; tags without tags_map', async () => {
    const { integrationId, key } = await n9e();
    const events = [1, 2, 3, 0, 7].map((severity) => ({
      hash: `h-${severity}`,
      rule_name: `rule ${severity}`,
      rule_note: 'Disk almost full',
      severity,
      is_recovered: false,
      tags: ['ident=db-1', 'mount=/', 'broken'],
      annotations: { summary: 'see runbook' },
      runbook_url: 'https://runbooks.example/disk',
    }));
    const res = await push(t, PATH, key, events);
    expect(res.status).toBe(200);
    expect(res.body.data.alert_keys).toEqual(['h-1', 'h-2', 'h-3', 'h-0', 'h-7']);
    const alerts = await alertsOf(integrationId);
    expect(Object.fromEntries(alerts.map((a) => [a.alert_key, a.alert_severity]))).toEqual({
      'h-0': 'Warning',
      'h-1': 'Critical',
      'h-2': 'Warning',
      'h-3': 'Info',
      'h-7': 'Warning',
    });
    expect(alerts[0]!.description).toBe('Disk almost full');
    expect(alerts[0]!.labels).toEqual({
      ident: 'db-1',
      mount: '/',
      'annotations.summary': 'see runbook',
      runbook_url: 'https://runbooks.example/disk',
    });
    // n9e 8's Flashduty channel adds channel_id to the URL: ignored.
    const withChannel = await t.app.inject({
      method: 'POST',
      url: `${PATH}?integration_key=${key}&channel_id=3`,
      payload: [events[0]],
    });
    expect(withChannel.statusCode).toBe(200);
    // A hash longer than an alert key keeps working, hashed.
    const long = await push(t, PATH, key, { ...events[0], hash: 'x'.repeat(300) });
    expect(long.status).toBe(200);
    expect(long.body.data.alert_keys[0]).toHaveLength(22);
  });

  it("accepts the console's curl test event", async () => {
    const { integrationId, key } = await n9e();
    expect((await push(t, PATH, key, testEventBody('alert.n9e'))).status).toBe(200);
    expect((await alertsOf(integrationId))[0]).toMatchObject({
      alert_key: 'vigil-test-alert',
      alert_status: 'Warning',
    });
  });

  it('refuses a wrong-shape payload with InvalidParameter naming what is missing, storing nothing', async () => {
    const { integrationId, key } = await n9e();
    const { hash: _h, ...noHash } = EVENT;
    const { rule_name: _r, ...noRule } = EVENT;
    const { is_recovered: _i, ...noRecovered } = EVENT;
    const { severity: _s, ...noSeverity } = EVENT;
    const cases: [unknown, string][] = [
      [noHash, 'hash'],
      [{ ...EVENT, hash: 42 }, 'hash'],
      [noRule, 'rule_name'],
      [noRecovered, 'is_recovered'],
      [{ ...EVENT, is_recovered: 'false' }, 'is_recovered'],
      [noSeverity, 'severity'],
      [{ ...EVENT, severity: '2' }, 'severity'],
      [[EVENT, noHash], '[1].hash'],
      [[EVENT, 'event'], '[1]'],
      ['"an event"', 'body'],
      [Array.from({ length: 1001 }, () => EVENT), 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await push(t, PATH, key, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('InvalidParameter');
      expect(res.body.error.message).toContain(field);
    }
    expect(await alertsOf(integrationId)).toEqual([]);
  });

  it("another account's key cannot touch this account's alerts", async () => {
    const mine = await n9e();
    const theirs = await n9e(await t.newAccount('other'));
    await push(t, PATH, mine.key, EVENT);
    expect((await push(t, PATH, theirs.key, { ...EVENT, is_recovered: true })).status).toBe(200);
    expect((await alertsOf(mine.integrationId))[0]!.alert_status).toBe('Warning');
    expect(await alertsOf(theirs.integrationId)).toEqual([]);
    const zabbix = await newIntegration(t, owner, 'alert.zabbix');
    const wrong = await push(t, PATH, zabbix.key, EVENT);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('/event/push/alert/zabbix');
  });

  it('applies the per-integration rate limit', async () => {
    const { key } = await n9e();
    const answers = await pushesOverTheIntegrationLimit(t, PATH, key, EVENT);
    expect(answers).toEqual({ statuses: [200, 429, 429], refusedCode: 'RequestTooFrequently' });
  });
});
