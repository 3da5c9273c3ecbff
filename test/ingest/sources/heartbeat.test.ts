import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel } from '../helpers.ts';

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  other = await t.newAccount();
});
afterAll(() => t.close());

const MINUTE = 60_000;

async function newHeartbeat(settings: Record<string, unknown>, account = owner) {
  const channelId = await newChannel(t, account);
  const res = await t.post(
    '/datasource/upsert',
    { name: 'nightly backup', plugin_type: 'alert.heartbeat', channel_id: channelId, settings },
    account.appKey,
  );
  expect(res.status).toBe(200);
  return {
    id: res.body.data.integration_id as number,
    key: res.body.data.integration_key as string,
    channelId,
  };
}

async function ping(key: string, app: TestApp = t, method: 'GET' | 'POST' = 'GET', body?: string) {
  const raw = await app.app.inject({
    method,
    url: `/event/push/heartbeat?integration_key=${encodeURIComponent(key)}`,
    ...(body === undefined
      ? {}
      : { payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  });
  return { status: raw.statusCode, body: raw.json() as any };
}

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('created_at')
    .execute();

async function cycle(app: TestApp = t) {
  const report = await app.engine.runOnce(app.clock.nowMs());
  await t.waitForApplied();
  return report;
}

describe('heartbeat integrations', () => {
  it('opens one alert on its channel when a ping is late and recovers it with the next ping', async () => {
    const hb = await newHeartbeat({ interval_minutes: 5, grace_minutes: 1 });
    // No ping yet: not armed, nothing is late.
    t.clock.advance(60 * MINUTE);
    expect((await cycle()).changed.heartbeat).toBe(0);

    const first = await ping(hb.key);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({
      next_due_at: Math.floor(t.clock.nowMs() / 1000) + 6 * 60,
      recovered: false,
    });

    t.clock.advance(6 * MINUTE - 1000);
    expect((await cycle()).changed.heartbeat).toBe(0);
    expect(await alertsOf(hb.id)).toEqual([]);

    t.clock.advance(1000);
    expect((await cycle()).changed.heartbeat).toBe(1);
    const [alert] = await alertsOf(hb.id);
    expect(alert).toMatchObject({
      alert_key: 'heartbeat',
      title: 'Heartbeat missed: nightly backup',
      alert_status: 'Critical',
      channel_id: hb.channelId,
      end_time: 0,
    });
    expect(alert!.incident_id).toBeTruthy();

    // Still late: no second alert, no second event.
    t.clock.advance(30 * MINUTE);
    expect((await cycle()).changed.heartbeat).toBe(0);
    expect((await alertsOf(hb.id))[0]!.event_cnt).toBe(1);

    // POST with a form body (curl -d) works as a GET does.
    const back = await ping(hb.key, t, 'POST', 'status=ok');
    expect(back.status).toBe(200);
    expect(back.body.data.recovered).toBe(true);
    await t.waitForApplied();
    const [recovered] = await alertsOf(hb.id);
    expect(recovered!.alert_status).toBe('Ok');
    expect(recovered!.end_time).toBeGreaterThan(0);

    // The next late ping opens a new alert.
    t.clock.advance(7 * MINUTE);
    expect((await cycle()).changed.heartbeat).toBe(1);
    expect((await alertsOf(hb.id)).filter((a) => a.end_time === 0)).toHaveLength(1);
  });

  it('raises one alert with two instances on one database, and a second instance sees the first one’s timers', async () => {
    const hb = await newHeartbeat({ interval_minutes: 1, grace_minutes: 0, severity: 'Warning' });
    expect((await ping(hb.key)).status).toBe(200);
    const second = await startTestApp({ database: t.database });
    try {
      second.clock.advance(t.clock.nowMs() - second.clock.nowMs());
      t.clock.advance(2 * MINUTE);
      second.clock.advance(2 * MINUTE);
      const reports = await Promise.all([
        t.engine.runOnce(t.clock.nowMs()),
        second.engine.runOnce(second.clock.nowMs()),
        t.engine.runOnce(t.clock.nowMs()),
        second.engine.runOnce(second.clock.nowMs()),
      ]);
      await t.waitForApplied();
      expect(reports.reduce((n, r) => n + (r.changed.heartbeat ?? 0), 0)).toBe(1);
      const alerts = await alertsOf(hb.id);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ alert_status: 'Warning', event_cnt: 1 });
      // The ping reaches the other instance: it recovers the alert the first one raised.
      expect((await ping(hb.key, second)).body.data.recovered).toBe(true);
      await t.waitForApplied();
      expect((await alertsOf(hb.id))[0]!.end_time).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });

  it('does not alert for a disabled integration, and re-arms when the period changes', async () => {
    const hb = await newHeartbeat({ interval_minutes: 10 });
    await ping(hb.key);
    await t.post('/datasource/disable', { integration_id: hb.id }, owner.appKey);
    t.clock.advance(20 * MINUTE);
    await cycle();
    expect(await alertsOf(hb.id)).toEqual([]);
    await t.post('/datasource/enable', { integration_id: hb.id }, owner.appKey);
    await ping(hb.key);
    const updated = await t.post(
      '/datasource/upsert',
      {
        integration_id: hb.id,
        name: 'nightly backup',
        plugin_type: 'alert.heartbeat',
        settings: { interval_minutes: 60 },
      },
      owner.appKey,
    );
    expect(updated.status).toBe(200);
    t.clock.advance(20 * MINUTE);
    await cycle();
    expect(await alertsOf(hb.id)).toEqual([]);
    t.clock.advance(42 * MINUTE);
    await cycle();
    expect(await alertsOf(hb.id)).toHaveLength(1);
  });

  it('shows its settings and ping URL, and refuses bad settings naming the field', async () => {
    const hb = await newHeartbeat({ interval_minutes: 15, unknown_field: 'x' });
    const info = await t.post('/datasource/desc', { integration_id: hb.id }, owner.appKey);
    expect(info.body.data).toMatchObject({
      plugin_type: 'alert.heartbeat',
      plugin_type_name: 'Heartbeat',
      settings: [{ interval_minutes: 15, grace_minutes: 1, severity: 'Critical' }],
    });
    expect(info.body.data.push_url).toMatch(/\/event\/push\/heartbeat\?integration_key=/);
    for (const [settings, field] of [
      [{ interval_minutes: 0 }, 'settings.interval_minutes'],
      [{ interval_minutes: 1.5 }, 'settings.interval_minutes'],
      [{ grace_minutes: -1 }, 'settings.grace_minutes'],
      [{ severity: 'Ok' }, 'settings.severity'],
    ] as const) {
      const res = await t.post(
        '/datasource/upsert',
        { name: 'bad', plugin_type: 'alert.heartbeat', settings },
        owner.appKey,
      );
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('InvalidParameter');
      expect(res.body.error?.message).toContain(field);
    }
  });

  it('refuses unknown keys and keys of other types; another account changes nothing', async () => {
    const hb = await newHeartbeat({});
    expect((await ping('nope')).body.error.code).toBe('InvalidParameter');
    const std = await t.post(
      '/datasource/upsert',
      { name: 'std', plugin_type: 'alert.standard' },
      owner.appKey,
    );
    const wrong = await ping(std.body.data.integration_key);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('alert.standard');
    const foreign = await t.post(
      '/datasource/upsert',
      {
        integration_id: hb.id,
        name: 'stolen',
        plugin_type: 'alert.heartbeat',
        settings: { interval_minutes: 1 },
      },
      other.appKey,
    );
    expect(foreign.body.error?.code).toBe('ResourceNotFound');
    const info = await t.post('/datasource/desc', { integration_id: hb.id }, owner.appKey);
    expect(info.body.data).toMatchObject({ name: 'nightly backup', settings: [{ interval_minutes: 5 }] });
  });
});
