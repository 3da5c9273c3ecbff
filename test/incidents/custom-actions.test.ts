import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../../src/incidents/custom-actions/signature.ts';
import { documentedOperation, schemaErrors } from '../conformance/schemas.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { expectInvalid, expectNotFound, feedErrors, newSource, push, type Source } from './read-helpers.ts';

/*
 * Custom actions (docs/custom-actions.md): a custom.action integration bound to channels; running it
 * on an incident POSTs the incident, signed with the integration's key, with a timeout and the
 * outbound URL guard; the timeline records who ran it and how it went. Bad input and other
 * accounts change nothing.
 */

type Received = { headers: Record<string, string | string[] | undefined>; body: string };

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let source: Source;
let server: Server;
let url: string;
const received: Received[] = [];
/** What the receiver does next: answer this status, after this delay. */
let answer = { status: 200, delayMs: 0 };

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      setTimeout(() => response.writeHead(answer.status).end('{"ok":true}'), answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  t = await startTestApp({ env: { ...ALLOW_LOOPBACK, CUSTOM_ACTION_TIMEOUT_MS: '300' } });
  owner = await t.newAccount('Actions');
  other = await t.newAccount('Others');
  source = await newSource(t, owner);
});
afterAll(async () => {
  await t?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const data = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
};

async function newAction(name: string, settings: Record<string, unknown>, account = owner) {
  return data(
    await t.post('/datasource/upsert', { name, plugin_type: 'custom.action', settings }, account.appKey),
  ) as { integration_id: number; integration_key: string };
}

const run = (incident_id: string, integration_id: number, key = owner.appKey) =>
  t.post('/incident/custom-action/do', { incident_id, integration_id }, key);

async function customEntries(incidentId: string) {
  const feed = await t.post('/incident/feed', { incident_id: incidentId, types: ['i_custom'] }, owner.appKey);
  expect(feedErrors('/incident/feed', feed.body)).toEqual([]);
  return data(feed).items as { creator_id: number; detail: Record<string, unknown> }[];
}

describe('/incident/custom-action/do', () => {
  let action: { integration_id: number; integration_key: string };
  let incidentId: string;

  beforeAll(async () => {
    action = await newAction('Restart pod', {
      url,
      headers: { 'X-Team': 'sre' },
      channel_ids: [source.channelId],
    });
    incidentId = (await push(t, source, { title_rule: 'Pod crashloop' })).incidentId;
  });

  it("is offered on the incident's channel and posts the incident, signed", async () => {
    const offered = data(
      await t.post('/incident/custom-action/list', { incident_id: incidentId }, owner.appKey),
    );
    expect(offered.items).toEqual([
      { integration_id: action.integration_id, integration_name: 'Restart pod' },
    ]);

    received.length = 0;
    const res = await run(incidentId, action.integration_id);
    expect(
      schemaErrors(documentedOperation('/incident/custom-action/do', 'post')!.response, res.body),
    ).toEqual([]);
    expect(data(res)).toEqual({});
    expect(received).toHaveLength(1);
    const [call] = received;
    const payload = JSON.parse(call!.body);
    expect(payload).toMatchObject({
      event_type: 'i_custom',
      action: { integration_id: action.integration_id, integration_name: 'Restart pod' },
      person: { person_id: owner.memberId },
      incident: { incident_id: incidentId, title: 'Pod crashloop', channel_id: source.channelId },
    });
    expect(call!.headers['x-team']).toBe('sre');
    expect(call!.headers['content-type']).toBe('application/json');
    const timestamp = Number(call!.headers['x-vigil-timestamp']);
    expect(timestamp).toBe(Math.floor(payload.event_time / 1000));
    expect(call!.headers['x-vigil-signature']).toBe(
      signatureOf(action.integration_key, timestamp, call!.body),
    );
    expect(call!.headers['x-vigil-signature']).not.toBe(signatureOf('another key', timestamp, call!.body));

    const [entry] = await customEntries(incidentId);
    expect(entry).toMatchObject({
      creator_id: owner.memberId,
      detail: {
        integration_id: action.integration_id,
        integration_name: 'Restart pod',
        ok: true,
        status_code: 200,
      },
    });
  });

  it('answers why when the endpoint fails or is too slow, and records it', async () => {
    answer = { status: 500, delayMs: 0 };
    expect(data(await run(incidentId, action.integration_id)).message).toContain('HTTP 500');
    answer = { status: 200, delayMs: 1000 };
    expect(data(await run(incidentId, action.integration_id)).message).toMatch(/300 ms|time/i);
    answer = { status: 200, delayMs: 0 };
    const entries = await customEntries(incidentId);
    expect(entries.slice(0, 2).map((e) => [e.detail.ok, e.detail.status_code])).toEqual([
      [false, 0],
      [false, 500],
    ]);
    expect(entries[0]!.detail.error).toBeTruthy();
  });

  it('refuses addresses Vigil may not call', async () => {
    const res = await t.post(
      '/datasource/upsert',
      {
        name: 'Metadata',
        plugin_type: 'custom.action',
        settings: { url: 'http://169.254.169.254/latest', channel_ids: [source.channelId] },
      },
      owner.appKey,
    );
    expectInvalid(res, 'settings.url');
  });

  it('refuses bad input, naming the field, and records nothing', async () => {
    const other = await newSource(t, owner);
    const elsewhere = await newAction('Elsewhere', { url, channel_ids: [other.channelId] });
    const before = (await customEntries(incidentId)).length;
    received.length = 0;
    expectInvalid(await run(incidentId, elsewhere.integration_id), 'integration_id');
    expectInvalid(await run(incidentId, 987654321), 'integration_id');
    expectInvalid(await run('nope', action.integration_id), 'incident_id');
    expectInvalid(
      await t.post('/incident/custom-action/do', { incident_id: incidentId }, owner.appKey),
      'integration_id',
    );
    expectInvalid(
      await t.post(
        '/incident/custom-action/do',
        { incident_id: incidentId, integration_id: '5' },
        owner.appKey,
      ),
      'integration_id',
    );
    expectNotFound(await run('0'.repeat(24), action.integration_id));
    expectInvalid(await newActionRes({ url, channel_ids: [] }), 'settings.channel_ids');
    expectInvalid(
      await newActionRes({ url, channel_ids: [source.channelId], event_types: ['i_new'] }),
      'settings.event_types',
    );
    expectInvalid(await newActionRes({ url: 'ftp://x', channel_ids: [source.channelId] }), 'settings.url');
    // A disabled action is no longer offered or run.
    data(await t.post('/datasource/disable', { integration_id: action.integration_id }, owner.appKey));
    expectInvalid(await run(incidentId, action.integration_id), 'integration_id');
    expect(
      data(await t.post('/incident/custom-action/list', { incident_id: incidentId }, owner.appKey)).items,
    ).toEqual([]);
    data(await t.post('/datasource/enable', { integration_id: action.integration_id }, owner.appKey));
    expect(received).toEqual([]);
    expect((await customEntries(incidentId)).length).toBe(before);
  });

  it('needs Incidents Manage to run', async () => {
    const reader = await t.newMember(owner, [4], 'Reader');
    expect(
      data(await t.post('/incident/custom-action/list', { incident_id: incidentId }, reader.appKey)).items,
    ).toHaveLength(1);
    expect((await run(incidentId, action.integration_id, reader.appKey)).status).toBe(403);
  });

  it("another account's key runs and sees nothing", async () => {
    received.length = 0;
    expectNotFound(await run(incidentId, action.integration_id, other.appKey));
    expectNotFound(await t.post('/incident/custom-action/list', { incident_id: incidentId }, other.appKey));
    const theirs = await newSource(t, other);
    const theirIncident = (await push(t, theirs, { title_rule: 'Theirs' })).incidentId;
    expectInvalid(await run(theirIncident, action.integration_id, other.appKey), 'integration_id');
    expect(received).toEqual([]);
  });
});

function newActionRes(settings: Record<string, unknown>) {
  return t.post('/datasource/upsert', { name: 'Bad', plugin_type: 'custom.action', settings }, owner.appKey);
}
