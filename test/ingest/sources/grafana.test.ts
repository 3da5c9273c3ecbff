import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel, newIntegration, push } from '../helpers.ts';

/*
 * Grafana's alerting webhook (docs/sources.md "Grafana"). Payloads from Grafana's documentation:
 * - unified alerting: the example of
 *   https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 *   (its second alert, with dashboard and panel links, and an imageURL as image rendering adds);
 * - legacy: the example of https://grafana.com/docs/grafana/v7.5/alerting/old-alerting/notifications/#webhook
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  other = await t.newAccount('other');
});
afterAll(() => t.close());

const UNIFIED = {
  receiver: 'My Super Webhook',
  status: 'firing',
  orgId: 1,
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
      annotations: {
        description: 'The system has high memory usage',
        runbook_url: 'https://myrunbook.com/runbook/1234',
        summary: 'This alert was triggered for zone us-1',
      },
      startsAt: '2021-10-12T09:51:03.157076+02:00',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'https://play.grafana.org/alerting/1afz29v7z/edit',
      fingerprint: 'c6eadffa33fcdf37',
      silenceURL:
        'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
      dashboardURL: '',
      panelURL: '',
      values: { B: 44.23943737541908, C: 1 },
      valueString:
        "[ var='B' labels={__name__=go_memstats_heap_inuse_bytes, instance=localhost:3000} value=44.23943737541908 ], [ var='C' labels={} value=1 ]",
    },
    {
      status: 'firing',
      labels: { alertname: 'High CPU usage', team: 'blue', zone: 'eu-1', severity: 'critical' },
      annotations: {
        description: 'The system has high CPU usage',
        runbook_url: 'https://myrunbook.com/runbook/1234',
        summary: 'This alert was triggered for zone eu-1',
      },
      startsAt: '2021-10-12T09:56:03.157076+02:00',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'https://play.grafana.org/alerting/d1rdpdv7k/edit',
      fingerprint: 'bc97ff14869b13e3',
      silenceURL:
        'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1',
      dashboardURL: 'https://play.grafana.org/d/TxKARsmGz/cpu',
      panelURL: 'https://play.grafana.org/d/TxKARsmGz/cpu?viewPanel=2',
      imageURL: 'https://play.grafana.org/render/panel-2.png',
      values: { B: 44.23943737541908, C: 1 },
      valueString: "[ var='B' labels={} value=44.23943737541908 ], [ var='C' labels={} value=1 ]",
    },
  ],
  groupLabels: {},
  commonLabels: { team: 'blue' },
  commonAnnotations: {},
  externalURL: 'https://play.grafana.org/',
  version: '1',
  groupKey: '{}:{}',
  truncatedAlerts: 0,
  title: '[FIRING:2]  (blue)',
  state: 'alerting',
  message: '**Firing**\n\nLabels:\n - alertname = T2\n',
};

const LEGACY = {
  dashboardId: 1,
  evalMatches: [{ value: 1, metric: 'Count', tags: {} }],
  imageUrl: 'https://grafana.com/assets/img/blog/mixed_styles.png',
  message: 'Notification Message',
  orgId: 1,
  panelId: 2,
  ruleId: 1,
  ruleName: 'Panel Title alert',
  ruleUrl: 'http://localhost:3000/d/hZ7BuVbWz/test-dashboard?fullscreen&edit&tab=alert&panelId=2&orgId=1',
  state: 'alerting',
  tags: { 'tag name': 'tag value' },
  title: '[Alerting] Panel Title alert',
};

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('alert_key')
    .execute();

async function grafana(account = owner) {
  return newIntegration(t, account, 'alert.grafana', await newChannel(t, account));
}

describe('Grafana unified alerting', () => {
  it("maps Grafana's example: fingerprint as key, values, valueString and links as labels, image", async () => {
    const { integrationId, key } = await grafana();
    const res = await push(t, '/event/push/alert/grafana', key, UNIFIED);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ alert_keys: ['c6eadffa33fcdf37', 'bc97ff14869b13e3'] });
    const [cpu, memory] = await alertsOf(integrationId);
    expect(memory).toMatchObject({
      alert_key: 'c6eadffa33fcdf37',
      title: 'High memory usage: This alert was triggered for zone us-1',
      description: 'The system has high memory usage',
      alert_severity: 'Warning',
      start_time: Date.UTC(2021, 9, 12, 7, 51, 3) / 1000,
      images: [],
    });
    expect(memory!.labels).toEqual({
      alertname: 'High memory usage',
      team: 'blue',
      zone: 'us-1',
      'annotations.runbook_url': 'https://myrunbook.com/runbook/1234',
      generator_url: 'https://play.grafana.org/alerting/1afz29v7z/edit',
      silence_url: UNIFIED.alerts[0]!.silenceURL,
      value_string: UNIFIED.alerts[0]!.valueString,
      'values.B': '44.23943737541908',
      'values.C': '1',
    });
    expect(cpu).toMatchObject({
      alert_key: 'bc97ff14869b13e3',
      alert_severity: 'Critical',
      images: [
        {
          src: 'https://play.grafana.org/render/panel-2.png',
          alt: 'panel',
          href: 'https://play.grafana.org/d/TxKARsmGz/cpu?viewPanel=2',
        },
      ],
    });
    expect(cpu!.labels).toMatchObject({
      dashboard_url: 'https://play.grafana.org/d/TxKARsmGz/cpu',
      panel_url: 'https://play.grafana.org/d/TxKARsmGz/cpu?viewPanel=2',
    });

    // Resolved: the same fingerprint recovers the alert.
    const resolved = structuredClone(UNIFIED);
    resolved.status = 'resolved';
    resolved.alerts = [{ ...resolved.alerts[0]!, status: 'resolved', endsAt: '2021-10-12T10:01:03+02:00' }];
    expect((await push(t, '/event/push/alert/grafana', key, resolved)).status).toBe(200);
    const after = await alertsOf(integrationId);
    expect(after.find((a) => a.alert_key === 'c6eadffa33fcdf37')).toMatchObject({ alert_status: 'Ok' });
    expect(after.find((a) => a.alert_key === 'bc97ff14869b13e3')).toMatchObject({ alert_status: 'Critical' });
  });
});

describe('Grafana legacy alerting', () => {
  it("maps Grafana 7's example; ok recovers it, paused and pending change nothing", async () => {
    const { integrationId, key } = await grafana();
    const res = await push(t, '/event/push/alert/grafana', key, LEGACY);
    expect(res.status).toBe(200);
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      title: 'Panel Title alert',
      description: 'Notification Message',
      alert_severity: 'Warning',
      images: [{ src: LEGACY.imageUrl, alt: 'panel', href: LEGACY.ruleUrl }],
    });
    expect(alert!.labels).toEqual({
      'tag name': 'tag value',
      rule_id: '1',
      rule_url: LEGACY.ruleUrl,
      dashboard_id: '1',
      panel_id: '2',
      'metric.Count': '1',
    });
    expect(res.body.data.alert_keys).toEqual([alert!.alert_key]);
    expect(
      (await push(t, '/event/push/alert/grafana', key, { ...LEGACY, state: 'paused' })).body.data,
    ).toEqual({
      alert_keys: [],
    });
    expect((await alertsOf(integrationId))[0]!.alert_status).toBe('Warning');
    await push(t, '/event/push/alert/grafana', key, {
      ...LEGACY,
      state: 'ok',
      title: '[OK] Panel Title alert',
    });
    expect((await alertsOf(integrationId))[0]!.alert_status).toBe('Ok');
  });
});

describe('Grafana bad input and tenancy', () => {
  it('refuses a wrong-shape payload with InvalidParameter naming what is missing, storing nothing', async () => {
    const { integrationId, key } = await grafana();
    const cases: [unknown, string][] = [
      [{ receiver: 'x' }, 'alerts'],
      [{ alerts: [{ labels: {} }] }, 'alerts[0].status'],
      [{ alerts: [{ status: 'firing' }] }, 'alerts[0].labels'],
      [{ ...LEGACY, state: 'exploded' }, 'state'],
      [{ alerts: [{ ...UNIFIED.alerts[0], values: { B: 'high' } }] }, 'alerts[0].values'],
    ];
    for (const [body, field] of cases) {
      const res = await push(t, '/event/push/alert/grafana', key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('InvalidParameter');
      expect(res.body.error.message).toContain(field);
    }
    expect(await alertsOf(integrationId)).toEqual([]);
  });

  it("another account's key cannot touch this account's alerts", async () => {
    const mine = await grafana(owner);
    const theirs = await grafana(other);
    await push(t, '/event/push/alert/grafana', mine.key, UNIFIED);
    const resolved = { ...UNIFIED, alerts: UNIFIED.alerts.map((a) => ({ ...a, status: 'resolved' })) };
    expect((await push(t, '/event/push/alert/grafana', theirs.key, resolved)).status).toBe(200);
    expect((await alertsOf(mine.integrationId)).map((a) => a.alert_status)).toEqual(['Critical', 'Warning']);
    expect(await alertsOf(theirs.integrationId)).toEqual([]);
    // A PagerDuty key is not a Grafana key.
    const pd = await newIntegration(t, owner, 'alert.pagerduty');
    const wrong = await push(t, '/event/push/alert/grafana', pd.key, UNIFIED);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('/event/push/alert/pagerduty');
  });
});
