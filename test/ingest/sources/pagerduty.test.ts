import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { event as pdEvent } from '@pagerduty/pdjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel, newIntegration, push } from '../helpers.ts';

/*
 * PagerDuty's Events API v2 and v1 (docs/sources.md "PagerDuty"). The bodies are the examples of
 * PagerDuty's own documentation:
 * - v2: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ (the trigger example)
 *   and .../acknowledge-events/, .../resolve-events/;
 * - v1: https://developer.pagerduty.com/docs/events-api-v1/trigger-events/ (the trigger example).
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

const V2_TRIGGER = {
  payload: {
    summary: 'DISK at 99% on machine prod-datapipe03.example.com',
    timestamp: '2015-07-17T08:42:58.315+0000',
    severity: 'critical',
    source: 'prod-datapipe03.example.com',
    component: 'mysql',
    group: 'prod-datapipe',
    class: 'disk',
    custom_details: { 'free space': '1%', 'ping time': '1500ms', 'load avg': 0.75 },
  },
  dedup_key: 'samplekeyhere',
  images: [
    {
      src: 'https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png',
      href: 'https://example.com/',
      alt: 'Example text',
    },
  ],
  links: [{ href: 'https://example.com/', text: 'Link text' }],
  event_action: 'trigger',
  client: 'Sample Monitoring Service',
  client_url: 'https://monitoring.example.com',
};

const V1_TRIGGER = {
  event_type: 'trigger',
  incident_key: 'srv01/HTTP',
  description: 'FAILURE for production/HTTP on machine srv01.acme.com',
  client: 'Sample Monitoring Service',
  client_url: 'https://monitoring.service.com',
  details: { 'ping time': '1500ms', 'load avg': 0.75 },
  contexts: [
    { type: 'link', href: 'http://acme.pagerduty.com' },
    { type: 'link', href: 'http://acme.pagerduty.com', text: 'View the incident on PagerDuty' },
    {
      type: 'image',
      src: 'https://chart.googleapis.com/chart?chs=600x400&chd=t:6,2,9,5,2,5,7,4,8,2,1&cht=lc&chds=a&chxt=y&chm=D,0033FF,0,0,5,1',
    },
  ],
};

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('created_at')
    .execute();
const incidentOf = (incidentId: string) =>
  t.db.q.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();

async function pagerDuty(account = owner) {
  const channelId = await newChannel(t, account);
  return newIntegration(t, account, 'alert.pagerduty', channelId);
}

describe('PagerDuty Events API v2', () => {
  it("maps PagerDuty's trigger example and answers in PagerDuty's shape with 202", async () => {
    const { integrationId, key } = await pagerDuty();
    const res = await push(t, '/v2/enqueue', undefined, { ...V2_TRIGGER, routing_key: key });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'samplekeyhere' });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: 'samplekeyhere',
      title: 'DISK at 99% on machine prod-datapipe03.example.com',
      alert_severity: 'Critical',
      alert_status: 'Critical',
      start_time: Date.UTC(2015, 6, 17, 8, 42, 58) / 1000,
      images: [V2_TRIGGER.images[0]],
    });
    expect(alert!.labels).toEqual({
      source: 'prod-datapipe03.example.com',
      component: 'mysql',
      group: 'prod-datapipe',
      class: 'disk',
      severity: 'critical',
      client: 'Sample Monitoring Service',
      client_url: 'https://monitoring.example.com',
      'link.Link text': 'https://example.com/',
      'details.free space': '1%',
      'details.ping time': '1500ms',
      'details.load avg': '0.75',
    });
    expect(JSON.parse(alert!.description)).toEqual(V2_TRIGGER.payload.custom_details);
  });

  it('generates and returns a dedup_key when the trigger has none; resolve with it closes the incident', async () => {
    const { integrationId, key } = await pagerDuty();
    const { dedup_key: _, ...body } = V2_TRIGGER;
    const res = await push(t, '/event/push/alert/pagerduty', key, body);
    expect(res.status).toBe(202);
    expect(res.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    const resolved = await push(t, '/event/push/alert/pagerduty', key, {
      routing_key: key,
      dedup_key: res.body.dedup_key,
      event_action: 'resolve',
    });
    expect(resolved).toMatchObject({ status: 202, body: { dedup_key: res.body.dedup_key } });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({ alert_key: res.body.dedup_key, alert_status: 'Ok' });
    expect(alert!.end_time).toBeGreaterThan(0);
    expect(await incidentOf(alert!.incident_id!)).toMatchObject({
      progress: 'Closed',
      incident_status: 'Ok',
    });
  });

  it("acknowledge acknowledges the alert's incident (through the ingest log) and stops there", async () => {
    const { integrationId, key } = await pagerDuty();
    await push(t, '/v2/enqueue', undefined, { ...V2_TRIGGER, routing_key: key, dedup_key: 'ack-me' });
    const ack = await push(t, '/v2/enqueue', undefined, {
      routing_key: key,
      dedup_key: 'ack-me',
      event_action: 'acknowledge',
    });
    expect(ack).toMatchObject({ status: 202, body: { status: 'success', dedup_key: 'ack-me' } });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({ alert_status: 'Critical', end_time: 0, event_cnt: 1 });
    const incident = await incidentOf(alert!.incident_id!);
    expect(incident.progress).toBe('Processing');
    expect(incident.ack_time).toBe(Math.floor(t.clock.nowMs() / 1000));
    const feed = await t.db.q
      .selectFrom('feed_entries')
      .select(['type', 'detail', 'creator_id'])
      .where('incident_id', '=', incident.incident_id)
      .where('type', '=', 'i_ack')
      .execute();
    expect(feed).toEqual([
      {
        type: 'i_ack',
        detail: { integration_id: integrationId, integration_name: 'int-alert.pagerduty' },
        creator_id: 0,
      },
    ]);
    // A second acknowledge, or one for a key without an alert, changes nothing.
    await push(t, '/v2/enqueue', undefined, {
      routing_key: key,
      dedup_key: 'ack-me',
      event_action: 'acknowledge',
    });
    await push(t, '/v2/enqueue', undefined, {
      routing_key: key,
      dedup_key: 'nothing',
      event_action: 'acknowledge',
    });
    expect(await alertsOf(integrationId)).toHaveLength(1);
    expect(await incidentOf(incident.incident_id)).toMatchObject({
      progress: 'Processing',
      ack_time: incident.ack_time,
    });
  });

  it('maps an unknown severity to Warning and error to Critical', async () => {
    const { integrationId, key } = await pagerDuty();
    const trigger = (dedup_key: string, severity: string) =>
      push(t, '/event/push/alert/pagerduty', key, {
        event_action: 'trigger',
        dedup_key,
        payload: { summary: dedup_key, source: 'host', severity },
      });
    await trigger('a', 'urgent');
    await trigger('b', 'error');
    await trigger('c', 'info');
    const bySeverity = Object.fromEntries(
      (await alertsOf(integrationId)).map((a) => [a.alert_key, a.alert_severity]),
    );
    expect(bySeverity).toEqual({ a: 'Warning', b: 'Critical', c: 'Info' });
  });
});

describe('PagerDuty Events API v1', () => {
  it("maps PagerDuty's v1 trigger example at PagerDuty's v1 path (200, incident_key)", async () => {
    const { integrationId, key } = await pagerDuty();
    const res = await push(t, '/generic/2010-04-15/create_event.json', undefined, {
      ...V1_TRIGGER,
      service_key: key,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', message: 'Event processed', incident_key: 'srv01/HTTP' });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: 'srv01/HTTP',
      title: 'FAILURE for production/HTTP on machine srv01.acme.com',
      alert_severity: 'Critical',
      images: [{ src: V1_TRIGGER.contexts[2]!.src, alt: '', href: '' }],
    });
    expect(alert!.labels).toMatchObject({
      client: 'Sample Monitoring Service',
      'link.0': 'http://acme.pagerduty.com',
      'link.View the incident on PagerDuty': 'http://acme.pagerduty.com',
      'details.ping time': '1500ms',
    });
    const resolved = await push(t, '/event/push/alert/pagerduty', key, {
      event_type: 'resolve',
      incident_key: 'srv01/HTTP',
    });
    expect(resolved).toMatchObject({ status: 200, body: { incident_key: 'srv01/HTTP' } });
    expect((await alertsOf(integrationId))[0]!.alert_status).toBe('Ok');
  });
});

describe('PagerDuty bad input', () => {
  it("refuses a wrong-shape event in PagerDuty's error shape, naming what is missing, and stores nothing", async () => {
    const { integrationId, key } = await pagerDuty();
    const cases: [unknown, string][] = [
      [{ routing_key: key }, 'event_action'],
      [{ routing_key: key, event_action: 'trigger' }, 'payload'],
      [
        { routing_key: key, event_action: 'trigger', payload: { source: 'h', severity: 'info' } },
        'payload.summary',
      ],
      [{ routing_key: key, event_action: 'resolve' }, 'dedup_key'],
      [{ routing_key: key, event_action: 'explode', payload: {} }, 'event_action'],
      [
        { routing_key: key, event_action: 'trigger', payload: { summary: 5, source: 'h', severity: 'info' } },
        'payload.summary',
      ],
      [{ service_key: key, event_type: 'trigger' }, 'description'],
      [{ service_key: key, event_type: 'acknowledge' }, 'incident_key'],
    ];
    for (const [body, field] of cases) {
      for (const url of ['/v2/enqueue', '/event/push/alert/pagerduty']) {
        const res = await push(t, url, undefined, body);
        expect(res.status, `${url} ${JSON.stringify(body)}`).toBe(400);
        expect(res.body).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
        expect(res.body.errors[0]).toContain(field);
      }
    }
    // A body that is not JSON at all is refused before any route: Flashduty's envelope, still a 400.
    const notJson = await push(t, '/v2/enqueue', key, '{"event_action":', 'application/json');
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'InvalidContentType' } } });
    expect(await alertsOf(integrationId)).toEqual([]);
  });

  it('refuses a missing or unknown key, and a key of another type', async () => {
    const standard = await newIntegration(t, owner, 'alert.standard');
    for (const routing_key of [undefined, 'nope', standard.key]) {
      const res = await push(t, '/v2/enqueue', undefined, { ...V2_TRIGGER, routing_key });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toContain('integration_key');
    }
  });

  it("another account's key neither reads nor changes this account's alerts", async () => {
    const mine = await pagerDuty(owner);
    const theirs = await pagerDuty(other);
    await push(t, '/v2/enqueue', undefined, {
      ...V2_TRIGGER,
      routing_key: mine.key,
      dedup_key: 'shared-key',
    });
    await push(t, '/v2/enqueue', undefined, {
      routing_key: theirs.key,
      dedup_key: 'shared-key',
      event_action: 'acknowledge',
    });
    await push(t, '/v2/enqueue', undefined, {
      routing_key: theirs.key,
      dedup_key: 'shared-key',
      event_action: 'resolve',
    });
    const [alert] = await alertsOf(mine.integrationId);
    expect(alert).toMatchObject({ alert_status: 'Critical', end_time: 0 });
    expect(await incidentOf(alert!.incident_id!)).toMatchObject({ progress: 'Triggered', ack_time: 0 });
    expect(await alertsOf(theirs.integrationId)).toEqual([]);
  });

  it('has the per-integration rate limit', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_INTEGRATION_PER_SECOND: '2' } });
    try {
      const account = await limited.newAccount();
      const { key } = await newIntegration(limited, account, 'alert.pagerduty');
      // At once, so a second's boundary cannot fall between them.
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          limited.app.inject({
            method: 'POST',
            url: '/v2/enqueue',
            payload: { ...V2_TRIGGER, routing_key: key },
          }),
        ),
      );
      const statuses = answers.map((a) => a.statusCode).sort();
      expect(answers.find((a) => a.statusCode === 429)?.headers['retry-after']).toBeDefined();
      expect(statuses).toEqual([202, 202, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe("PagerDuty's JavaScript client (@pagerduty/pdjs)", () => {
  // pdjs always calls https://<server>/v2/enqueue: Vigil is reached through a TLS front with a
  // certificate made here, which the client trusts through its fetch `agent` option.
  let dir: string;
  let front: Server;
  let agent: Agent;
  let server: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-pdjs-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(path.join(dir, 'cert.pem'));
    front = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const answer = await t.app.inject({
          method: req.method as 'POST',
          url: req.url!,
          headers: req.headers,
          payload: Buffer.concat(chunks),
        });
        res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] as string });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    server = `127.0.0.1:${(front.address() as AddressInfo).port}`;
    agent = new Agent({ ca: cert });
  });
  afterAll(async () => {
    agent?.destroy();
    await new Promise((resolve) => front?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('triggers, acknowledges and resolves through pdjs with only the server changed', async () => {
    const { integrationId, key } = await pagerDuty();
    const send = async (data: Record<string, unknown>) => {
      const res = await pdEvent({ server, agent, data: { routing_key: key, ...data } } as never);
      await t.waitForApplied();
      return res;
    };
    const triggered = await send({
      event_action: 'trigger',
      payload: { summary: 'Sent by pdjs', source: 'pdjs-test', severity: 'warning' },
    });
    expect(triggered.status).toBe(202);
    expect(triggered.data).toMatchObject({ status: 'success', message: 'Event processed' });
    const dedupKey = (triggered.data as { dedup_key: string }).dedup_key;
    let [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({ alert_key: dedupKey, title: 'Sent by pdjs', alert_severity: 'Warning' });

    const acked = await send({ event_action: 'acknowledge', dedup_key: dedupKey });
    expect(acked.status).toBe(202);
    expect((await incidentOf(alert!.incident_id!)).progress).toBe('Processing');

    const resolved = await send({ event_action: 'resolve', dedup_key: dedupKey });
    expect(resolved.status).toBe(202);
    [alert] = await alertsOf(integrationId);
    expect(alert!.alert_status).toBe('Ok');
    expect((await incidentOf(alert!.incident_id!)).progress).toBe('Closed');

    const refused = await send({ event_action: 'trigger', payload: { source: 'x', severity: 'info' } });
    expect(refused.status).toBe(400);
    expect(refused.data).toMatchObject({ status: 'invalid event' });
  });
});
