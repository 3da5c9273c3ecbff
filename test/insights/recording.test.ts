import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

/*
 * Insights over records made by the real incident lifecycle (push, ack, resolve, auto-close by
 * recovery, auto-resolve timeout, remove), read back after each step: the facts follow the timeline
 * incrementally after the first query built them.
 */

let t: TestApp;
let owner: TestAccount;
let channelId: number;
let integrationKey: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Recording');
  const team = await t.post('/team/upsert', { team_name: 'Ops' }, owner.appKey);
  const channel = await t.post(
    '/channel/create',
    { channel_name: 'Prod', team_id: team.body.data.team_id, auto_resolve_timeout: 3600 },
    owner.appKey,
  );
  expect(channel.status, JSON.stringify(channel.body)).toBe(200);
  channelId = channel.body.data.channel_id;
  const integration = await t.post(
    '/datasource/upsert',
    { name: 'Alerts', plugin_type: 'alert.standard', channel_id: channelId },
    owner.appKey,
  );
  integrationKey = integration.body.data.integration_key;
});
afterAll(() => t?.close());

const now = () => Math.floor(t.clock.nowMs() / 1000);

async function push(alertKey: string, status: 'Critical' | 'Ok') {
  const res = await t.app.inject({
    method: 'POST',
    url: `/event/push/alert/standard?integration_key=${integrationKey}`,
    headers: { 'content-type': 'application/json' },
    payload: {
      event_status: status,
      alert_key: alertKey,
      title_rule: `Check ${alertKey}`,
      labels: { check: alertKey },
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  await t.waitForApplied();
}

async function rows(): Promise<any[]> {
  const res = await t.post(
    '/insight/incident/list',
    { start_time: now() - 86_400, end_time: now() + 60, asc: true },
    owner.appKey,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.items;
}

async function post(path: string, body: unknown) {
  const res = await t.post(path, body, owner.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('insights follow the incident lifecycle', () => {
  it('acknowledgement, close by recovery, manual close, timeout close and removal', async () => {
    await push('cpu', 'Critical');
    const [opened] = await rows();
    expect(opened).toMatchObject({ progress: 'Triggered', seconds_to_ack: 0, acknowledgements: 0 });
    expect(opened.closed_by).toBeUndefined();
    const cpu = opened.incident_id as string;

    t.clock.advance(120_000);
    await post('/incident/ack', { incident_ids: [cpu] });
    expect((await rows())[0]).toMatchObject({ seconds_to_ack: 120, acknowledgements: 1 });

    t.clock.advance(60_000);
    await push('cpu', 'Ok');
    expect((await rows())[0]).toMatchObject({
      closed_by: 'auto',
      seconds_to_close: 180,
      engaged_seconds: 60,
      responders: [
        expect.objectContaining({ person_id: owner.memberId, acknowledged_at: expect.any(Number) }),
      ],
    });

    await push('disk', 'Critical');
    const disk = (await rows())[1].incident_id as string;
    t.clock.advance(30_000);
    await post('/incident/resolve', { incident_ids: [disk] });
    expect((await rows())[1]).toMatchObject({
      incident_id: disk,
      closed_by: 'manually',
      seconds_to_close: 30,
    });

    await push('mem', 'Critical');
    const mem = (await rows())[2].incident_id as string;
    t.clock.advance(3_601_000);
    await t.engine.runOnce(t.clock.nowMs());
    const afterTimeout = await rows();
    expect(afterTimeout.find((row) => row.incident_id === mem)).toMatchObject({
      progress: 'Closed',
      closed_by: 'timeout',
    });

    await post('/incident/remove', { incident_ids: [disk] });
    expect((await rows()).map((row) => row.incident_id)).toEqual([cpu, mem]);

    const responders = await t.post(
      '/insight/responder',
      { start_time: now() - 86_400, end_time: now() + 60 },
      owner.appKey,
    );
    expect(responders.body.data.items).toEqual([
      expect.objectContaining({
        responder_id: owner.memberId,
        total_incident_cnt: 1,
        total_incidents_acknowledged: 1,
        total_seconds_to_ack: 120,
        total_engaged_seconds: 60,
      }),
    ]);
    const account = await t.post(
      '/insight/account',
      { start_time: now() - 86_400, end_time: now() + 60 },
      owner.appKey,
    );
    expect(account.body.data.items[0]).toMatchObject({
      total_incident_cnt: 2,
      total_incidents_closed: 2,
      total_incidents_auto_closed: 1,
      total_incidents_timeout_closed: 1,
      total_alert_cnt: 2,
      total_alert_event_cnt: 3,
    });
  });
});
