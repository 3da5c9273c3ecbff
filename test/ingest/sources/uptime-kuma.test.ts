import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel, newIntegration, push, pushesOverTheIntegrationLimit } from '../helpers.ts';

/*
 * Uptime Kuma (docs/sources.md "Uptime Kuma"). Payloads as Uptime Kuma's own code builds them
 * (louislam/uptime-kuma, snapshot of 2026-08-22):
 * - its Flashduty notification: server/notification-providers/flashduty.js postNotification's
 *   `data` — description `[${title}] [${monitor.name}] ${heartbeat.msg}`, title "Uptime Kuma Monitor
 *   🔴 Down" / "✅ Up", event_status the notification's severity ("Ok" when up), alert_key the
 *   monitor id, labels resource (genMonitorUrl), check (the monitor's name) and one per tag;
 * - its Webhook notification: server/notification-providers/webhook.js `{heartbeat, monitor, msg}`,
 *   with msg as server/model/monitor.js sendNotification writes it, heartbeat as
 *   server/model/heartbeat.js toJSONAsync plus timezone fields, monitor as Monitor.toJSON(…, false)
 *   (a subset of its fields here), and a test notification's `{heartbeat: null, monitor: null,
 *   msg: "<notification name> Testing"}` (server/server.js).
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

const TAGS = [
  { tag_id: 1, monitor_id: 29, value: 'web', name: 'service', color: '#059669' },
  { tag_id: 2, monitor_id: 29, value: '', name: 'public', color: '#2563EB' },
];

/** What flashduty.js posts for monitor 29 going down (severity Critical chosen) and coming up. */
const flashdutyDown = {
  description: '[Uptime Kuma Monitor 🔴 Down] [Shop] getaddrinfo ENOTFOUND shop.example.com',
  title: 'Uptime Kuma Monitor 🔴 Down',
  event_status: 'Critical',
  alert_key: '29',
  labels: { resource: 'https://shop.example.com/health', check: 'Shop', service: 'web', public: '' },
};
const flashdutyUp = {
  description: '[Uptime Kuma Monitor ✅ Up] [Shop] 200 - OK',
  title: 'Uptime Kuma Monitor ✅ Up',
  event_status: 'Ok',
  alert_key: '29',
  labels: flashdutyDown.labels,
};

const MONITOR = {
  id: 29,
  name: 'Shop',
  description: null,
  path: ['Shop'],
  pathName: 'Shop',
  parent: null,
  childrenIDs: [],
  url: 'https://shop.example.com/health',
  method: 'GET',
  hostname: null,
  port: null,
  maxretries: 0,
  weight: 2000,
  active: true,
  forceInactive: false,
  type: 'http',
  timeout: 48,
  interval: 60,
  retryInterval: 60,
  resendInterval: 0,
  keyword: null,
  invertKeyword: false,
  expiryNotification: false,
  ignoreTls: false,
  upsideDown: false,
  maxredirects: 10,
  accepted_statuscodes: ['200-299'],
  notificationIDList: { '2': true },
  tags: TAGS,
  maintenance: false,
};

const webhook = (status: number, msg: string, time: string) => ({
  heartbeat: {
    monitorID: 29,
    status,
    time,
    msg,
    ping: null,
    important: true,
    duration: 60,
    retries: 0,
    timezone: 'Europe/Berlin',
    timezoneOffset: '+01:00',
    localDateTime: '2026-01-05 10:00:00',
  },
  monitor: MONITOR,
  msg: `[Shop] [${status === 1 ? '✅ Up' : '🔴 Down'}] ${msg}`,
});

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('alert_key')
    .execute();

async function kuma(account = owner) {
  return newIntegration(t, account, 'alert.uptime-kuma', await newChannel(t, account));
}

const PATH = '/event/push/alert/uptime-kuma';

describe("Uptime Kuma's Flashduty notification", () => {
  it('maps its standard-format body; the up notification recovers the monitor', async () => {
    const { integrationId, key } = await kuma();
    const res = await push(t, PATH, key, flashdutyDown);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ alert_keys: ['29'] });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: '29',
      title: 'Uptime Kuma Monitor 🔴 Down',
      description: flashdutyDown.description,
      alert_severity: 'Critical',
    });
    expect(alert!.labels).toEqual({
      resource: 'https://shop.example.com/health',
      check: 'Shop',
      service: 'web',
    });
    await push(t, PATH, key, flashdutyUp);
    expect((await alertsOf(integrationId))[0]).toMatchObject({ alert_status: 'Ok' });
  });

  it('takes its test notification (Info, no monitor id) and an unknown severity as Warning', async () => {
    const { integrationId, key } = await kuma();
    const test = await push(t, PATH, key, {
      description: '[Uptime Kuma Alert] [https://flashcat.cloud] Vigil Testing',
      title: 'Uptime Kuma Alert',
      event_status: 'Info',
      alert_key: 'k3x9q',
      labels: { resource: 'Vigil Testing', check: 'https://flashcat.cloud' },
    });
    expect(test.status).toBe(200);
    await push(t, PATH, key, { ...flashdutyDown, alert_key: '30', event_status: 'Severe' });
    const alerts = await alertsOf(integrationId);
    expect(alerts.map((a) => [a.alert_key, a.alert_severity])).toEqual([
      ['30', 'Warning'],
      ['k3x9q', 'Info'],
    ]);
  });
});

describe("Uptime Kuma's Webhook notification", () => {
  it('down opens an alert keyed by the monitor id, up recovers it; same key as the Flashduty notification', async () => {
    const { integrationId, key } = await kuma();
    const down = await push(
      t,
      PATH,
      key,
      webhook(0, 'getaddrinfo ENOTFOUND shop.example.com', '2026-01-05 09:00:00.527'),
    );
    expect(down.status, JSON.stringify(down.body)).toBe(200);
    expect(down.body.data).toEqual({ alert_keys: ['29'] });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: '29',
      title: 'Shop is down',
      description: '[Shop] [🔴 Down] getaddrinfo ENOTFOUND shop.example.com',
      alert_severity: 'Critical',
      start_time: Date.UTC(2026, 0, 5, 9, 0, 0) / 1000,
    });
    expect(alert!.labels).toEqual({
      service: 'web',
      resource: 'https://shop.example.com/health',
      check: 'Shop',
      monitor_type: 'http',
      monitor_id: '29',
    });
    // The Flashduty notification of the same monitor coming up recovers the same alert.
    await push(t, PATH, key, flashdutyUp);
    expect((await alertsOf(integrationId))[0]).toMatchObject({ alert_status: 'Ok' });
    await push(t, PATH, key, webhook(0, 'timeout', '2026-01-05 09:10:00'));
    expect((await alertsOf(integrationId)).at(-1)).toMatchObject({ alert_status: 'Critical' });
    const up = await push(t, PATH, key, webhook(1, '200 - OK', '2026-01-05 09:12:00'));
    expect(up.body.data).toEqual({ alert_keys: ['29'] });
    expect((await alertsOf(integrationId)).every((a) => a.alert_status === 'Ok')).toBe(true);
  });

  it('a severity tag sets the severity; pending and maintenance make no event; a test is an Info alert', async () => {
    const { integrationId, key } = await kuma();
    const tagged = webhook(0, 'down', '2026-01-05 09:00:00');
    tagged.monitor = { ...MONITOR, id: 31, tags: [{ ...TAGS[0]!, name: 'severity', value: 'warning' }] };
    tagged.heartbeat.monitorID = 31;
    await push(t, PATH, key, tagged);
    for (const status of [2, 3]) {
      const res = await push(t, PATH, key, webhook(status, 'pending', '2026-01-05 09:00:00'));
      expect(res.body.data).toEqual({ alert_keys: [] });
    }
    const test = await push(t, PATH, key, { heartbeat: null, monitor: null, msg: 'Vigil Testing' });
    expect(test.status).toBe(200);
    const alerts = await alertsOf(integrationId);
    expect(alerts.map((a) => [a.title, a.alert_severity]).sort()).toEqual([
      ['Shop is down', 'Warning'],
      ['Vigil Testing', 'Info'],
    ]);
  });
});

describe('Uptime Kuma bad input and tenancy', () => {
  it('refuses a wrong-shape payload naming what is missing, storing nothing', async () => {
    const { integrationId, key } = await kuma();
    const cases: [unknown, string][] = [
      [{ something: 'else' }, 'event_status'],
      [{ event_status: 'Critical' }, 'title'],
      [{ heartbeat: null, monitor: null, msg: '' }, 'msg'],
      [{ heartbeat: { status: 0 }, msg: 'x' }, 'monitor'],
      [{ heartbeat: { status: 0 }, monitor: { name: 'x' }, msg: 'x' }, 'monitor.id'],
      [{ heartbeat: { msg: 'x' }, monitor: MONITOR, msg: 'x' }, 'heartbeat.status'],
      [{ heartbeat: { status: 'down' }, monitor: MONITOR, msg: 'x' }, 'heartbeat.status'],
    ];
    for (const [body, field] of cases) {
      const res = await push(t, PATH, key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('InvalidParameter');
      expect(res.body.error.message).toContain(field);
    }
    expect(await alertsOf(integrationId)).toEqual([]);
  });

  it("another account's key cannot recover this account's monitor", async () => {
    const mine = await kuma(owner);
    const theirs = await kuma(other);
    await push(t, PATH, mine.key, flashdutyDown);
    await push(t, PATH, theirs.key, flashdutyUp);
    expect((await alertsOf(mine.integrationId)).map((a) => a.alert_status)).toEqual(['Critical']);
    const std = await newIntegration(t, owner, 'alert.standard');
    const wrong = await push(t, PATH, std.key, flashdutyDown);
    expect(wrong.status).toBe(400);
  });

  it('applies the per-integration rate limit', async () => {
    const { key } = await kuma();
    const answers = await pushesOverTheIntegrationLimit(t, PATH, key, flashdutyDown);
    expect(answers).toEqual({ statuses: [200, 429, 429], refusedCode: 'RequestTooFrequently' });
  });
});
