import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATADOG_PAYLOAD_TEMPLATE } from '../../../src/ingest/sources/datadog-template.ts';
import { testEventBody } from '../../../web/src/integrations.ts';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel, newIntegration, push, pushesOverTheIntegrationLimit } from '../helpers.ts';

/*
 * Datadog's webhook (docs/sources.md "Datadog"). Datadog posts whatever payload the user pastes, so
 * the test payload is Vigil's template (the one docs/sources.md and the console show) with each
 * variable filled in by the example value of Datadog's variable list,
 * https://docs.datadoghq.com/integrations/webhooks/#usage ($AGGREG_KEY 9bd4ac313a4d1e8fae2482df7b77628,
 * $ALERT_ID 1234, $ALERT_METRIC system.load.1, $ALERT_PRIORITY P1, $ALERT_SCOPE
 * "availability-zone:us-east-1a, role:computing-node", $ALERT_STATUS, $DATE 1406662672000,
 * $EVENT_TITLE "[Triggered] [Memory Alert]", $ID 1234567, $LINK, $SNAPSHOT, $ORG_ID 11023,
 * $ORG_NAME Datadog, $TAGS "monitor, name:myService, role:computing-node"); the cycle key is made up
 * (Datadog's list gives no example). Variables Datadog leaves unfilled stay as `$NAME`.
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

const VALUES: Record<string, string> = {
  $ALERT_CYCLE_KEY: '7716548234055550000',
  $AGGREG_KEY: '9bd4ac313a4d1e8fae2482df7b77628',
  $ALERT_ID: '1234',
  $ALERT_TRANSITION: 'Triggered',
  $ALERT_TYPE: 'error',
  $ALERT_PRIORITY: 'P1',
  $ALERT_TITLE: 'Memory Alert',
  $EVENT_TITLE: '[Triggered] [Memory Alert]',
  $EVENT_MSG: '@webhook-url Sending to the webhook',
  $ALERT_STATUS: 'system.load.1 over host:my-host was > 0 at least once during the last 1m',
  $ALERT_METRIC: 'system.load.1',
  $ALERT_QUERY: 'avg(last_1m):avg:system.load.1{*} by {host} > 0',
  $ALERT_SCOPE: 'availability-zone:us-east-1a, role:computing-node',
  $ID: '1234567',
  $EVENT_TYPE: 'metric_alert_monitor',
  $DATE_POSIX: '1406662672',
  $HOSTNAME: 'my-host',
  $LINK: 'https://app.datadoghq.com/event/jump_to?event_id=123456',
  $SNAPSHOT: 'https://p.datadoghq.com/path-to-snapshot',
  $TAGS: 'monitor, name:myService, role:computing-node',
  '$TAGS[service]': 'myService',
  $ORG_ID: '11023',
  $ORG_NAME: 'Datadog',
};

/** The template as Datadog fills it: known variables replaced, the others ($TAGS[env], ...) left. */
function filled(overrides: Record<string, string> = {}): Record<string, unknown> {
  const values = { ...VALUES, ...overrides };
  const template = JSON.parse(DATADOG_PAYLOAD_TEMPLATE) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(template).map(([field, variable]) => [field, values[variable] ?? variable]),
  );
}

const alertsOf = (integrationId: number) =>
  t.db.q.selectFrom('alerts').selectAll().where('integration_id', '=', integrationId).execute();

async function datadog(account = owner) {
  return newIntegration(t, account, 'alert.datadog', await newChannel(t, account));
}

describe('Datadog webhook', () => {
  it("maps the template filled with Datadog's example values; Recovered recovers it", async () => {
    const { integrationId, key } = await datadog();
    const res = await push(t, '/event/push/alert/datadog', key, filled());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ alert_keys: ['7716548234055550000'] });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: '7716548234055550000',
      title: 'Memory Alert',
      description: '@webhook-url Sending to the webhook',
      alert_severity: 'Critical',
      alert_status: 'Critical',
      start_time: 1406662672,
      images: [
        {
          src: 'https://p.datadoghq.com/path-to-snapshot',
          alt: 'snapshot',
          href: 'https://app.datadoghq.com/event/jump_to?event_id=123456',
        },
      ],
    });
    expect(alert!.labels).toEqual({
      alert_id: '1234',
      transition: 'Triggered',
      alert_type: 'error',
      priority: 'P1',
      alert_status: VALUES.$ALERT_STATUS,
      metric: 'system.load.1',
      query: VALUES.$ALERT_QUERY,
      scope: VALUES.$ALERT_SCOPE,
      event_id: '1234567',
      event_type: 'metric_alert_monitor',
      host: 'my-host',
      link: VALUES.$LINK,
      service: 'myService',
      org_id: '11023',
      org_name: 'Datadog',
      name: 'myService',
      role: 'computing-node',
    });

    const recovered = await push(
      t,
      '/event/push/alert/datadog',
      key,
      filled({ $ALERT_TRANSITION: 'Recovered', $ALERT_TYPE: 'success' }),
    );
    expect(recovered.status).toBe(200);
    expect((await alertsOf(integrationId))[0]).toMatchObject({ alert_status: 'Ok', title: 'Memory Alert' });
  });

  it('falls back to $AGGREG_KEY, then to the monitor and scope; $EVENT_TITLE without its prefixes; type → severity', async () => {
    const { integrationId, key } = await datadog();
    const aggreg = filled({ $ALERT_CYCLE_KEY: '$ALERT_CYCLE_KEY', $ALERT_TYPE: 'warning' });
    const first = await push(t, '/event/push/alert/datadog', key, aggreg);
    expect(first.body.data.alert_keys).toEqual(['9bd4ac313a4d1e8fae2482df7b77628']);
    const scoped = (scope: string, type: string) => ({
      alert_id: '1234',
      alert_scope: scope,
      alert_transition: 'Warn',
      alert_type: type,
      event_title: '[P2] [Warn on {host:web-1}] Disk filling',
      custom_labels: { kube_cluster: 'prod-1', empty: '', service: 'not-this' },
      service: 'disk',
    });
    const a = await push(t, '/event/push/alert/datadog', key, scoped('host:web-1', 'info'));
    const b = await push(t, '/event/push/alert/datadog', key, scoped('host:web-2', 'something-new'));
    const again = await push(t, '/event/push/alert/datadog', key, scoped('host:web-1', 'info'));
    expect(a.body.data.alert_keys[0]).not.toBe(b.body.data.alert_keys[0]);
    expect(again.body.data.alert_keys).toEqual(a.body.data.alert_keys);
    const alerts = await alertsOf(integrationId);
    expect(alerts).toHaveLength(3);
    const byKey = new Map(alerts.map((x) => [x.alert_key, x]));
    expect(byKey.get('9bd4ac313a4d1e8fae2482df7b77628')!.alert_severity).toBe('Warning');
    const web1 = byKey.get(a.body.data.alert_keys[0])!;
    expect(web1).toMatchObject({ title: 'Disk filling', alert_severity: 'Info' });
    expect(web1.labels).toMatchObject({ kube_cluster: 'prod-1', service: 'disk', scope: 'host:web-1' });
    expect(web1.labels).not.toHaveProperty('empty');
    expect(byKey.get(b.body.data.alert_keys[0])!.alert_severity).toBe('Warning');
  });

  it('refuses a payload without transition or key, naming the field, storing nothing', async () => {
    const { integrationId, key } = await datadog();
    const cases: [unknown, string][] = [
      [{ alert_cycle_key: 'k' }, 'alert_transition'],
      [{ ...filled(), alert_transition: '$ALERT_TRANSITION' }, 'alert_transition'],
      [{ alert_transition: 'Triggered', title: 'x' }, 'alert_cycle_key'],
      [{ alert_transition: 'Triggered', alert_cycle_key: { a: 1 } }, 'alert_cycle_key'],
      [{ ...filled(), custom_labels: { a: { nested: true } } }, 'custom_labels.a'],
    ];
    for (const [body, field] of cases) {
      const res = await push(t, '/event/push/alert/datadog', key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('InvalidParameter');
      expect(res.body.error.message).toContain(field);
    }
    expect(await alertsOf(integrationId)).toEqual([]);
  });

  it("another account's key, or another type's, cannot touch this integration's alerts", async () => {
    const mine = await datadog(owner);
    const theirs = await datadog(other);
    await push(t, '/event/push/alert/datadog', mine.key, filled());
    await push(t, '/event/push/alert/datadog', theirs.key, filled({ $ALERT_TRANSITION: 'Recovered' }));
    expect((await alertsOf(mine.integrationId)).map((a) => a.alert_status)).toEqual(['Critical']);
    const grafana = await newIntegration(t, owner, 'alert.grafana');
    const wrong = await push(t, '/event/push/alert/datadog', grafana.key, filled());
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('/event/push/alert/grafana');
  });

  it('applies the per-integration rate limit', async () => {
    const { key } = await datadog();
    const answers = await pushesOverTheIntegrationLimit(t, '/event/push/alert/datadog', key, filled());
    expect(answers).toEqual({ statuses: [200, 429, 429], refusedCode: 'RequestTooFrequently' });
  });
});

describe("the console's test events", () => {
  it('are accepted by the Datadog, Sentry and Uptime Kuma paths and open an alert', async () => {
    for (const [type, path] of [
      ['alert.datadog', '/event/push/alert/datadog'],
      ['alert.sentry', '/event/push/alert/sentry'],
      ['alert.uptime-kuma', '/event/push/alert/uptime-kuma'],
    ] as const) {
      const { integrationId, key } = await newIntegration(t, owner, type, await newChannel(t, owner));
      const res = await push(t, path, key, testEventBody(type));
      expect(res.status, `${type} ${JSON.stringify(res.body)}`).toBe(200);
      const [alert] = await alertsOf(integrationId);
      expect(alert!.alert_key, type).toMatch(/^(metric_alert:)?vigil-test-alert$/);
    }
  });
});
