import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { TEST_DATABASE_URL } from '../harness/database.ts';
import { newChannel, newIntegration, pushStandard } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('created_at')
    .execute();
const incidentOf = (incidentId: string) =>
  t.db.q.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();

describe('standard alert push', () => {
  it('opens an alert and an incident, renders the seed title rule, and answers the alert_key', async () => {
    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    const res = await pushStandard(t, key, {
      event_status: 'Warning',
      alert_key: '64f6b9df2007be4b0bfe56f6',
      description: 'cpu idle low than 20%',
      title_rule: '$cluster::$resource::$check',
      labels: {
        resource: 'es.nj.01',
        check: 'cpu.idle<20%',
        service: 'engine',
        cluster: 'nj',
        metric: 'node_cpu_seconds_total',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ alert_key: '64f6b9df2007be4b0bfe56f6' });
    expect(res.headers['flashcat-request-id']).toBe(res.body.request_id);

    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      title: 'nj::es.nj.01::cpu.idle<20%',
      alert_severity: 'Warning',
      alert_status: 'Warning',
      event_cnt: 1,
      end_time: 0,
      channel_id: channelId,
    });
    const incident = await incidentOf(alert!.incident_id!);
    expect(incident).toMatchObject({
      title: 'nj::es.nj.01::cpu.idle<20%',
      incident_severity: 'Warning',
      incident_status: 'Warning',
      progress: 'Triggered',
      alert_cnt: 1,
      active_alert_cnt: 1,
      alert_event_cnt: 1,
      dedup_key: '64f6b9df2007be4b0bfe56f6',
      channel_id: channelId,
      group_method: 'n',
    });
  });

  it('deduplicates by alert_key, keeps the highest severity, discards exact repeats, and closes on Ok', async () => {
    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    const base = { alert_key: 'disk-1', title_rule: 'Disk full on $host', labels: { host: 'db1' } };
    await pushStandard(t, key, { ...base, event_status: 'Warning' });
    await pushStandard(t, key, { ...base, event_status: 'Warning' }); // exact repeat: discarded
    await pushStandard(t, key, { ...base, event_status: 'Critical' });
    await pushStandard(t, key, { ...base, event_status: 'Warning', description: 'going down' });
    let [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_severity: 'Critical',
      alert_status: 'Warning',
      event_cnt: 3,
      end_time: 0,
    });
    expect(await alertsOf(integrationId)).toHaveLength(1);
    let incident = await incidentOf(alert!.incident_id!);
    expect(incident).toMatchObject({
      incident_severity: 'Critical',
      incident_status: 'Warning',
      alert_event_cnt: 3,
    });

    t.clock.advance(60_000);
    await pushStandard(t, key, { ...base, event_status: 'Ok', labels: { host: 'db1', extra: 'x' } });
    [alert] = await alertsOf(integrationId);
    expect(alert!.alert_status).toBe('Ok');
    expect(alert!.end_time).toBeGreaterThan(0);
    expect(alert!.labels).toEqual({ host: 'db1', extra: 'x' });
    incident = await incidentOf(alert!.incident_id!);
    expect(incident).toMatchObject({
      progress: 'Closed',
      incident_status: 'Ok',
      active_alert_cnt: 0,
      closer_id: 0,
    });
    expect(incident.close_time).toBeGreaterThan(0);

    // After recovery, the same key starts a new alert and a new incident.
    await pushStandard(t, key, { ...base, event_status: 'Info' });
    const alerts = await alertsOf(integrationId);
    expect(alerts).toHaveLength(2);
    expect(alerts[1]!.incident_id).not.toBe(alerts[0]!.incident_id);
  });

  it('refreshes the alert of a repeat (last seen, labels) and leaves the rest of it as it was', async () => {
    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    const body = {
      alert_key: 'steady',
      event_status: 'Warning',
      title_rule: 'steady on $host',
      description: 'still high',
      labels: { host: 'web1', zone: 'a' },
    };
    const start = Math.floor(t.clock.nowMs() / 1000);
    await pushStandard(t, key, { ...body, event_time: start });
    const [opened] = await alertsOf(integrationId);

    t.clock.advance(5_000);
    await pushStandard(t, key, { ...body, event_time: start + 5 });
    let [alert] = await alertsOf(integrationId);
    expect(alert).toEqual({ ...opened, last_time: start + 5, updated_at: opened!.updated_at + 5 });

    t.clock.advance(5_000);
    await pushStandard(t, key, { ...body, event_time: start + 10, labels: { host: 'web1', zone: 'b' } });
    [alert] = await alertsOf(integrationId);
    expect(alert).toEqual({
      ...opened,
      labels: { host: 'web1', zone: 'b' },
      last_time: start + 10,
      updated_at: opened!.updated_at + 10,
    });
  });

  it('keeps the incident last_time fresh from repeats, at most once a minute', async () => {
    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    const body = { alert_key: 'repeat', event_status: 'Warning', title_rule: 'repeating' };
    const start = Math.floor(t.clock.nowMs() / 1000);
    await pushStandard(t, key, { ...body, event_time: start });
    await pushStandard(t, key, { ...body, event_time: start + 30 });
    const [alert] = await alertsOf(integrationId);
    expect((await incidentOf(alert!.incident_id!)).last_time).toBe(start);
    await pushStandard(t, key, { ...body, event_time: start + 90 });
    expect((await incidentOf(alert!.incident_id!)).last_time).toBe(start + 90);
    expect((await alertsOf(integrationId))[0]!.event_cnt).toBe(1);
  });

  // Another transaction holding the incident takes real concurrent connections (PGlite runs one
  // transaction at a time).
  it.runIf(TEST_DATABASE_URL)(
    'answers a repeat without waiting for an incident another transaction holds',
    async () => {
      const channelId = await newChannel(t, owner);
      const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
      const body = { alert_key: 'held', event_status: 'Warning', title_rule: 'held' };
      const start = Math.floor(t.clock.nowMs() / 1000);
      await pushStandard(t, key, { ...body, event_time: start });
      const [alert] = await alertsOf(integrationId);
      const other = new pg.Client({ connectionString: t.database.url });
      await other.connect();
      try {
        await other.query('begin');
        await other.query('select 1 from incidents where incident_id = $1 for update', [alert!.incident_id]);
        // A touch that waited would hang here until the commit below: the lock is skipped instead.
        const res = await pushStandard(t, key, { ...body, event_time: start + 90 });
        expect(res.status).toBe(200);
        expect((await alertsOf(integrationId))[0]!.last_time).toBe(start + 90);
        await other.query('commit');
      } finally {
        await other.end();
      }
      expect((await incidentOf(alert!.incident_id!)).last_time).toBe(start);
      // The next repeat a minute after the alert's last one moves it.
      await pushStandard(t, key, { ...body, event_time: start + 150 });
      expect((await incidentOf(alert!.incident_id!)).last_time).toBe(start + 150);
    },
  );

  it('refuses an unknown or disabled integration_key with InvalidParameter, storing nothing', async () => {
    const bad = await pushStandard(t, 'nope', { event_status: 'Critical', title_rule: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('InvalidParameter');
    expect(bad.body.error.message).toContain('integration_key');
    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    await t.post('/datasource/disable', { integration_id: integrationId }, owner.appKey);
    const disabled = await pushStandard(t, key, { event_status: 'Critical', title_rule: 'x' });
    expect(disabled.body.error.code).toBe('InvalidParameter');
    expect(await alertsOf(integrationId)).toHaveLength(0);
  });

  it('yields exactly one alert and one incident for concurrent events of one key', async () => {
    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.standard', channelId);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pushStandard(t, key, {
          alert_key: 'same',
          event_status: i % 2 ? 'Warning' : 'Critical',
          title_rule: 'race',
          description: `n${i}`,
        }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const alerts = await alertsOf(integrationId);
    expect(alerts).toHaveLength(1);
    const incidents = await t.db.q
      .selectFrom('incidents')
      .select('incident_id')
      .where('channel_id', '=', channelId)
      .execute();
    expect(incidents).toHaveLength(1);
  });
});
