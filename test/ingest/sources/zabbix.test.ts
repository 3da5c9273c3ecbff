import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEventBody } from '../../../web/src/integrations.ts';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel, newIntegration, push, pushesOverTheIntegrationLimit } from '../helpers.ts';
import { readMediaType, resolveMacros, runMediaType, SCRIPT_PATH } from './zabbix-runtime.ts';

/*
 * Zabbix through Vigil's webhook media type (docs/sources.md "Zabbix"). The media type's script
 * (integrations/zabbix/vigil.js, embedded in vigil_media_type.yaml) runs as Zabbix runs webhooks,
 * with Zabbix's HttpRequest and Zabbix.log shimmed (./zabbix-runtime.ts) and real HTTP to this
 * Vigil. Macro values are those Zabbix documents
 * (https://www.zabbix.com/documentation/7.0/en/manual/appendix/macros/supported_by_location):
 * {EVENT.VALUE} 1/0, {EVENT.NSEVERITY} 0–5, {EVENT.TAGSJSON}, {EVENT.UPDATE.STATUS} and
 * {EVENT.UPDATE.ACTION} ("acknowledged", "commented", …); an unresolved macro stays as its text.
 */

let t: TestApp;
let owner: TestAccount;
let base: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

const PATH = '/event/push/alert/zabbix';

async function zabbix(account = owner) {
  return newIntegration(t, account, 'alert.zabbix', await newChannel(t, account));
}

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('alert_key')
    .execute();

const incidentOf = (incidentId: string) =>
  t.db.q.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();

/** A problem as the media type's script posts it. */
const PROBLEM = {
  event_id: '8271',
  event_value: '1',
  event_name: 'High CPU utilization (over 90% for 5m)',
  event_nseverity: '3',
  event_severity: 'Average',
  event_tags: [
    { tag: 'class', value: 'os' },
    { tag: 'component', value: 'cpu' },
    { tag: 'scope', value: 'performance' },
  ],
  event_opdata: 'Current utilization: 95.2 %',
  trigger_id: '22391',
  trigger_description: 'CPU utilization is too high. The system might be slow to respond.',
  host_name: 'db-1',
  host_host: 'db-1.example.com',
  host_ip: '10.0.0.21',
};

describe('Zabbix raw payloads', () => {
  it('a problem opens the alert of its event id; a recovery closes it', async () => {
    const { integrationId, key } = await zabbix();
    const res = await push(t, PATH, key, PROBLEM);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ alert_key: '8271' });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: '8271',
      title: 'High CPU utilization (over 90% for 5m)',
      description: 'CPU utilization is too high. The system might be slow to respond.',
      alert_severity: 'Warning',
      alert_status: 'Warning',
    });
    expect(alert!.labels).toEqual({
      class: 'os',
      component: 'cpu',
      scope: 'performance',
      host: 'db-1',
      host_host: 'db-1.example.com',
      host_ip: '10.0.0.21',
      trigger_id: '22391',
      event_id: '8271',
      opdata: 'Current utilization: 95.2 %',
      zabbix_severity: 'Average',
    });
    const recovery = await push(t, PATH, key, { ...PROBLEM, event_value: '0' });
    expect(recovery.status).toBe(200);
    expect((await alertsOf(integrationId))[0]).toMatchObject({ alert_status: 'Ok' });
  });

  it('maps Not classified…Disaster by number, else by name; anything else is Warning', async () => {
    const { integrationId, key } = await zabbix();
    const cases: [Record<string, unknown>, string][] = [
      [{ event_nseverity: '0' }, 'Info'],
      [{ event_nseverity: 1 }, 'Info'],
      [{ event_nseverity: '2' }, 'Warning'],
      [{ event_nseverity: '3' }, 'Warning'],
      [{ event_nseverity: '4' }, 'Critical'],
      [{ event_nseverity: '5', event_severity: 'Renamed' }, 'Critical'],
      [{ event_nseverity: '{EVENT.NSEVERITY}', event_severity: 'Disaster' }, 'Critical'],
      [{ event_severity: 'not classified' }, 'Info'],
      [{ event_severity: 'High' }, 'Critical'],
      [{ event_nseverity: '9' }, 'Warning'],
      [{ event_severity: 'Apocalyptic' }, 'Warning'],
      [{}, 'Warning'],
    ];
    for (const [i, [fields, severity]] of cases.entries()) {
      const body = { event_id: `sev-${i}`, event_value: '1', event_name: `case ${i}`, ...fields };
      expect((await push(t, PATH, key, body)).status, JSON.stringify(fields)).toBe(200);
      const alert = (await alertsOf(integrationId)).find((a) => a.alert_key === `sev-${i}`);
      expect(alert?.alert_severity, JSON.stringify(fields)).toBe(severity);
    }
  });

  it('an update that acknowledged acknowledges the incident; other updates refresh; closed recovers', async () => {
    const { integrationId, key } = await zabbix();
    await push(t, PATH, key, PROBLEM);
    const [alert] = await alertsOf(integrationId);
    expect((await incidentOf(alert!.incident_id!)).progress).toBe('Triggered');

    const severity = await push(t, PATH, key, {
      ...PROBLEM,
      event_nseverity: '5',
      event_update_status: '1',
      event_update_action: 'changed severity',
      event_update_user: 'Zabbix Administrator',
    });
    expect(severity.status).toBe(200);
    const [raised] = await alertsOf(integrationId);
    expect(raised).toMatchObject({ alert_severity: 'Critical' });
    expect(raised!.labels).toMatchObject({
      update_action: 'changed severity',
      update_user: 'Zabbix Administrator',
    });
    expect((await incidentOf(alert!.incident_id!)).progress).toBe('Triggered');

    const ack = await push(t, PATH, key, {
      event_id: '8271',
      event_value: '1',
      event_update_status: '1',
      event_update_action: 'acknowledged, commented',
      event_update_message: 'Looking into it',
      event_ack_status: 'Yes',
    });
    expect(ack.status).toBe(200);
    expect((await incidentOf(alert!.incident_id!)).progress).toBe('Processing');
    expect((await alertsOf(integrationId))[0]!.alert_status).toBe('Critical');

    await push(t, PATH, key, { ...PROBLEM, event_update_status: '1', event_update_action: 'closed' });
    expect((await alertsOf(integrationId))[0]!.alert_status).toBe('Ok');
  });

  it("accepts the console's curl test event", async () => {
    const { integrationId, key } = await zabbix();
    expect((await push(t, PATH, key, testEventBody('alert.zabbix'))).status).toBe(200);
    expect((await alertsOf(integrationId))[0]).toMatchObject({
      alert_key: 'vigil-test-alert',
      alert_status: 'Warning',
    });
  });

  it('refuses a wrong-shape payload with InvalidParameter naming the field, storing nothing', async () => {
    const { integrationId, key } = await zabbix();
    const cases: [unknown, string][] = [
      [{ event_value: '1', event_name: 'x' }, 'event_id'],
      [{ event_id: '1', event_name: 'x' }, 'event_value'],
      [{ ...PROBLEM, event_id: '  ' }, 'event_id'],
      [{ ...PROBLEM, event_value: '{EVENT.VALUE}' }, 'event_value'],
      [{ ...PROBLEM, event_value: 2 }, 'event_value'],
      [{ ...PROBLEM, event_name: '' }, 'event_name'],
      [{ ...PROBLEM, event_tags: 'class:os' }, 'event_tags'],
      [{ ...PROBLEM, event_tags: [{ value: 'os' }] }, 'event_tags'],
      [{ ...PROBLEM, event_id: { $ne: 1 } }, 'event_id'],
      [[PROBLEM], 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await push(t, PATH, key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('InvalidParameter');
      expect(res.body.error.message, JSON.stringify(body)).toContain(field);
    }
    expect(await alertsOf(integrationId)).toEqual([]);
  });

  it("another integration's key is refused or touches only its own alerts", async () => {
    const mine = await zabbix();
    const theirs = await zabbix(await t.newAccount('other'));
    await push(t, PATH, mine.key, PROBLEM);
    expect((await push(t, PATH, theirs.key, { ...PROBLEM, event_value: '0' })).status).toBe(200);
    expect((await alertsOf(mine.integrationId))[0]!.alert_status).toBe('Warning');
    expect(await alertsOf(theirs.integrationId)).toEqual([]);
    const grafana = await newIntegration(t, owner, 'alert.grafana');
    const wrong = await push(t, PATH, grafana.key, PROBLEM);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain('/event/push/alert/grafana');
  });

  it('applies the per-integration rate limit', async () => {
    const { key } = await zabbix();
    const answers = await pushesOverTheIntegrationLimit(t, PATH, key, PROBLEM);
    expect(answers).toEqual({ statuses: [200, 429, 429], refusedCode: 'RequestTooFrequently' });
  });
});

describe("Vigil's Zabbix media type, run as Zabbix runs it", () => {
  it('ships one script: the YAML embeds integrations/zabbix/vigil.js as it is', () => {
    const { script, parameters } = readMediaType();
    expect(script).toBe(readFileSync(SCRIPT_PATH, 'utf8'));
    expect(parameters).toMatchObject({
      URL: '',
      HTTPProxy: '',
      event_id: '{EVENT.ID}',
      event_value: '{EVENT.VALUE}',
      event_tags: '{EVENT.TAGSJSON}',
    });
  });

  /** The macros of trigger 22391's problem event 8271 as Zabbix resolves them. */
  const macros = (url: string, extra: Record<string, string> = {}) => ({
    '{$ZABBIX.URL}': 'https://zabbix.example.com/',
    '{ALERT.SUBJECT}': 'Problem: High CPU utilization',
    '{ALERT.MESSAGE}': 'Problem started at 09:12:01 on 2026.12.08',
    '{EVENT.ID}': '8271',
    '{EVENT.VALUE}': '1',
    '{EVENT.NAME}': 'High CPU utilization (over 90% for 5m)',
    '{EVENT.NSEVERITY}': '4',
    '{EVENT.SEVERITY}': 'High',
    '{EVENT.TAGSJSON}': '[{"tag":"class","value":"os"},{"tag":"component","value":"cpu"}]',
    '{EVENT.OPDATA}': 'Current utilization: 95.2 %',
    '{EVENT.ACK.STATUS}': 'No',
    '{EVENT.UPDATE.STATUS}': '0',
    '{TRIGGER.ID}': '22391',
    '{TRIGGER.DESCRIPTION}': 'CPU utilization is too high.',
    '{HOST.NAME}': 'db-1',
    '{HOST.HOST}': 'db-1.example.com',
    '{HOST.IP}': '10.0.0.21',
    ...extra,
    URL: url,
  });

  function params(url: string, extra: Record<string, string> = {}) {
    const { parameters } = readMediaType();
    const all = macros(url, extra);
    return { ...resolveMacros(parameters, all), URL: url };
  }

  it('a problem opens the alert, an acknowledgement acknowledges it, a recovery closes it', async () => {
    const { integrationId, key } = await zabbix();
    const { script } = readMediaType();
    const url = `${base}${PATH}?integration_key=${key}`;

    const problem = await runMediaType(script, params(url));
    expect(problem.error).toBeUndefined();
    expect(problem.result).toBe('OK');
    expect(problem.requests).toHaveLength(1);
    expect(problem.requests[0]).toMatchObject({
      method: 'POST',
      url,
      headers: ['Content-Type: application/json'],
    });
    // Unresolved update macros are sent empty, not as their text.
    expect(JSON.parse(problem.requests[0]!.data)).toMatchObject({
      event_update_action: '',
      event_id: '8271',
    });
    expect(problem.logs.some((l) => l.level === 4 && l.message.includes('HTTP 200'))).toBe(true);
    await t.waitForApplied();
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: '8271',
      title: 'High CPU utilization (over 90% for 5m)',
      description: 'CPU utilization is too high.',
      alert_severity: 'Critical',
      alert_status: 'Critical',
    });
    expect(alert!.labels).toMatchObject({
      class: 'os',
      component: 'cpu',
      host: 'db-1',
      event_url: 'https://zabbix.example.com/tr_events.php?triggerid=22391&eventid=8271',
      opdata: 'Current utilization: 95.2 %',
    });

    const ack = await runMediaType(
      script,
      params(url, {
        '{EVENT.UPDATE.STATUS}': '1',
        '{EVENT.UPDATE.ACTION}': 'acknowledged',
        '{EVENT.ACK.STATUS}': 'Yes',
        '{USER.FULLNAME}': 'Zabbix Administrator (Admin)',
      }),
    );
    expect(ack.result).toBe('OK');
    await t.waitForApplied();
    expect((await incidentOf(alert!.incident_id!)).progress).toBe('Processing');

    const recovery = await runMediaType(script, params(url, { '{EVENT.VALUE}': '0' }));
    expect(recovery.result).toBe('OK');
    await t.waitForApplied();
    expect((await alertsOf(integrationId))[0]).toMatchObject({ alert_status: 'Ok' });
    expect((await incidentOf(alert!.incident_id!)).progress).toBe('Closed');
  });

  it('fails the notification (Zabbix retries it) when Vigil refuses it, and logs why', async () => {
    const { script } = readMediaType();
    const run = await runMediaType(script, params(`${base}${PATH}?integration_key=not-a-key`));
    expect(run.result).toBeUndefined();
    expect(run.error).toContain('Vigil answered HTTP 400');
    expect(run.logs.some((l) => l.level === 3 && l.message.includes('notification failed'))).toBe(true);
    const empty = await runMediaType(script, params(''));
    expect(empty.error).toContain('URL parameter is empty');
    expect(empty.requests).toEqual([]);
  });
});
