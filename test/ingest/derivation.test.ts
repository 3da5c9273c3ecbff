import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOfRank } from '../../src/alerts/severity.ts';
import { aggregateAlerts } from '../../src/incidents/incidents.store.ts';
import { IngestLog } from '../../src/ingest/log/ingest-log.ts';
import { normalizeAlertmanagerPayload } from '../../src/ingest/prometheus.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushPrometheus, pushStandard } from './helpers.ts';

/*
 * A batch re-derives an incident that only gained alerts from its stored counters plus the
 * newcomers', and any other from its alerts (src/ingest/apply/decide.ts). Whatever the mix of events
 * and however they fall into batches, the stored incident must equal a derivation from its alerts.
 */

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

describe('incident derivation in batches', () => {
  it('keeps every incident equal to a derivation from its alerts, through joins, changes and recoveries', async () => {
    const channelId = await newChannel(t, owner, { group: { method: 'p', equals: [['labels.service']] } });
    const { key } = await newIntegration(t, owner, 'alert.standard', channelId);
    const event = (host: number, status: string, text = 'disk') => ({
      alert_key: `host/${host}`,
      event_status: status,
      title_rule: `${text} on h${host}`,
      labels: { service: `s${host % 3}`, host: `h${host}` },
    });
    // Waves sent concurrently so they share batches: joins only, then joins with changes and
    // recoveries of earlier alerts, then repeats mixed with joins.
    const waves = [
      Array.from({ length: 30 }, (_, i) => event(i, i % 5 === 0 ? 'Critical' : 'Warning')),
      [
        ...Array.from({ length: 10 }, (_, i) => event(100 + i, 'Info')),
        ...Array.from({ length: 6 }, (_, i) => event(i, 'Ok')),
        ...Array.from({ length: 6 }, (_, i) => event(10 + i, 'Critical', 'cpu')),
      ],
      [
        ...Array.from({ length: 10 }, (_, i) => event(20 + i, i % 5 === 0 ? 'Critical' : 'Warning')),
        ...Array.from({ length: 10 }, (_, i) => event(200 + i, 'Critical')),
      ],
    ];
    for (const wave of waves) {
      const answers = await Promise.all(wave.map((body) => pushStandard(t, key, body)));
      expect(answers.map((a) => a.status)).toEqual(wave.map(() => 200));
    }

    const incidents = await t.db.q
      .selectFrom('incidents')
      .selectAll()
      .where('channel_id', '=', channelId)
      .execute();
    expect(incidents).toHaveLength(3);
    for (const incident of incidents) {
      const agg = await aggregateAlerts(t.db.q, incident.incident_id);
      expect(incident).toMatchObject({
        alert_cnt: agg.alert_cnt,
        active_alert_cnt: agg.active_alert_cnt,
        alert_event_cnt: agg.alert_event_cnt,
        last_time: Math.max(incident.start_time, agg.last_time),
        integration_ids: agg.integration_ids,
        incident_status: statusOfRank(agg.active_status_rank),
        incident_severity: statusOfRank(Math.max(1, agg.severity_rank)),
        labels: agg.first_labels,
      });
    }
    const total = incidents.reduce((sum, i) => sum + i.alert_cnt, 0);
    // 30 first alerts, 10 more in wave two, 10 more in wave three (its hosts 20–29 repeat).
    expect(total).toBe(30 + 10 + 10);
    expect(incidents.some((i) => i.incident_severity === 'Critical')).toBe(true);
  });

  it('closes and opens again one key within one batch', async () => {
    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.prometheus', channelId);
    const alert = (status: 'firing' | 'resolved') => ({
      status,
      labels: { alertname: 'Down', host: 'h1' },
      annotations: {},
      startsAt: new Date(t.clock.nowMs()).toISOString(),
      endsAt: status === 'resolved' ? new Date(t.clock.nowMs()).toISOString() : '0001-01-01T00:00:00Z',
      fingerprint: 'same-key',
    });
    const payload = (...alerts: ReturnType<typeof alert>[]) => ({ version: '4', status: 'firing', alerts });
    expect((await pushPrometheus(t, key, payload(alert('firing')))).status).toBe(200);
    t.clock.advance(60_000);
    // One Alertmanager push keeps only the last alert of a key (docs/ingest.md), so the two events
    // are appended to the log together, and applied in order in one batch.
    const integration = (await t.db.q
      .selectFrom('integrations')
      .selectAll()
      .where('integration_id', '=', integrationId)
      .executeTakeFirst())!;
    const eventOf = (a: ReturnType<typeof alert>) =>
      normalizeAlertmanagerPayload(payload(a) as Parameters<typeof normalizeAlertmanagerPayload>[0], {
        integrationId,
        integrationType: integration.plugin_type,
        integrationName: integration.name,
        nowSeconds: Math.floor(t.clock.nowMs() / 1000),
      }).events[0]!;
    await new IngestLog(t.db).append(
      [eventOf(alert('resolved')), eventOf(alert('firing'))].map((event) => ({
        accountId: owner.accountId,
        integrationId,
        acceptedAt: t.clock.nowMs(),
        event,
      })),
    );
    await t.waitForApplied();

    const alerts = await t.db.q
      .selectFrom('alerts')
      .select(['alert_id', 'end_time', 'incident_id'])
      .where('integration_id', '=', integrationId)
      .orderBy('alert_id')
      .execute();
    expect(alerts).toHaveLength(2);
    expect(alerts[0]!.end_time).toBeGreaterThan(0);
    expect(alerts[1]!.end_time).toBe(0);
    expect(alerts[1]!.incident_id).not.toBe(alerts[0]!.incident_id);
    const events = await t.db.q
      .selectFrom('alert_events')
      .select('event_status')
      .where('integration_id', '=', integrationId)
      .orderBy('event_id')
      .execute();
    expect(events.map((e) => e.event_status)).toEqual(['Warning', 'Ok', 'Warning']);
  });
});
