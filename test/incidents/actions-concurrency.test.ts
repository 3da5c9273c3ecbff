import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { pushStandard } from '../ingest/helpers.ts';
import { alertsOf, fire, incident, newSource, type Source } from './actions-helpers.ts';

/*
 * Actions racing the ingest pipeline on the same incidents. On PostgreSQL these run truly in
 * parallel (on PGlite one after another): no request may fail, and the end state must be whole.
 */

let t: TestApp;
let owner: TestAccount;
let grouped: Source;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Races');
  grouped = await newSource(t, owner, { group: { method: 'p', equals: [['labels.service']] } });
});
afterAll(() => t.close());

/** One incident holding `n` open alerts of service `service`. */
async function groupedIncident(service: string, n: number) {
  const alerts = [];
  for (let i = 0; i < n; i += 1) alerts.push(await fire(t, grouped, { labels: { service } }));
  expect(new Set(alerts.map((a) => a.incidentId)).size).toBe(1);
  return { incidentId: alerts[0]!.incidentId, alerts };
}

const update = (alertKey: string, service: string, status: string) =>
  pushStandard(t, grouped.key, {
    event_status: status,
    alert_key: alertKey,
    title_rule: `Alert ${alertKey}`,
    labels: { service },
    description: `now ${status}`,
  });

describe('actions racing alert events', () => {
  it('resolve while events arrive for the incident: nothing fails, every alert ends closed', async () => {
    const { incidentId, alerts } = await groupedIncident('race-resolve', 8);
    const results = await Promise.all([
      ...alerts.map((a) => update(a.alertKey, 'race-resolve', 'Critical')),
      t.post('/incident/resolve', { incident_ids: [incidentId] }, owner.appKey),
      ...alerts.map((a) => update(a.alertKey, 'race-resolve', 'Info')),
    ]);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    expect((await incident(t, incidentId)).progress).toBe('Closed');
    // Events that came after the close opened new alerts, in a new incident; none stayed open here.
    expect((await alertsOf(t, incidentId)).filter((a) => a.end_time === 0)).toEqual([]);
  });

  it('merge and alert merge while events arrive: nothing fails, counters add up', async () => {
    const x = await groupedIncident('race-x', 5);
    const y = await groupedIncident('race-y', 5);
    const z = await groupedIncident('race-z', 3);
    const results = await Promise.all([
      ...x.alerts.map((a) => update(a.alertKey, 'race-x', 'Critical')),
      t.post(
        '/incident/merge',
        { source_incident_ids: [x.incidentId], target_incident_id: y.incidentId },
        owner.appKey,
      ),
      ...y.alerts.map((a) => update(a.alertKey, 'race-y', 'Critical')),
      t.post(
        '/alert/merge',
        { alert_ids: z.alerts.map((a) => a.alertId), incident_id: y.incidentId },
        owner.appKey,
      ),
      t.post('/incident/ack', { incident_ids: [y.incidentId, z.incidentId] }, owner.appKey),
      ...z.alerts.map((a) => update(a.alertKey, 'race-z', 'Warning')),
    ]);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));

    const target = await incident(t, y.incidentId);
    const alerts = await alertsOf(t, y.incidentId);
    expect(alerts).toHaveLength(13);
    expect(target.alert_cnt).toBe(13);
    expect(target.alert_event_cnt).toBe(alerts.reduce((sum, a) => sum + a.event_cnt, 0));
    expect(target.incident_severity).toBe('Critical');
    expect((await incident(t, x.incidentId)).progress).toBe('Closed');
    expect((await incident(t, z.incidentId)).progress).toBe('Closed');
  });
});

describe('lock order', () => {
  it('an action waits for an alert the pipeline holds before it takes the incident', async () => {
    const { incidentId, alerts } = await groupedIncident('lock-order', 2);
    const alertId = alerts[0]!.alertId;
    let resolved: Promise<{ status: number }> | undefined;
    // What the pipeline does for an event: lock the alert, change it, then lock its incident.
    await t.db.q.transaction().execute(async (trx) => {
      await trx.selectFrom('alerts').select('alert_id').where('alert_id', '=', alertId).forUpdate().execute();
      resolved = t.post('/incident/resolve', { incident_ids: [incidentId] }, owner.appKey);
      await sleep(300); // the resolve is now waiting (for the alert on PostgreSQL, the connection on PGlite)
      // Were the incident taken first, this would wait for the resolve, which waits for us.
      await sql`set local lock_timeout = '500ms'`.execute(trx);
      await trx
        .selectFrom('incidents')
        .select('incident_id')
        .where('incident_id', '=', incidentId)
        .forUpdate()
        .execute();
      await trx
        .updateTable('alerts')
        .set({ event_cnt: sql`event_cnt + 1` })
        .where('alert_id', '=', alertId)
        .execute();
    });
    expect((await resolved!).status).toBe(200);
    expect((await incident(t, incidentId)).progress).toBe('Closed');
    expect((await alertsOf(t, incidentId)).every((a) => a.end_time > 0)).toBe(true);
  });
});
