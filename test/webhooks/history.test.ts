import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { documentedErrors, expectInvalid, expectNotFound } from '../incidents/read-helpers.ts';
import { alertSource, deliveries, history, newWebhook, ok, push, Receiver } from './helpers.ts';

/*
 * The delivery log: /webhook/history/list and /webhook/history/detail (on-call.openapi.en.json).
 * One account gets deliveries of two webhooks, one of them retried, over an hour of manual clock.
 */

let t: TestApp;
let owner: TestAccount;
let receiver: Receiver;
let incidentReceiver: Receiver;
let alertHook: number;
let incidentHook: number;
let channelId: number;
/** The manual clock when the first event happened. */
let startMs: number;

beforeAll(async () => {
  t = await startTestApp({ env: ALLOW_LOOPBACK });
  owner = await t.newAccount('History');
  receiver = await Receiver.start();
  incidentReceiver = await Receiver.start();
  const source = await alertSource(t, owner);
  channelId = source.channelId;
  alertHook = await newWebhook(t, owner, 'webhook.alert', {
    url: receiver.url,
    headers: { 'X-Token': 'abc' },
    event_types: ['a_new'],
  });
  incidentHook = await newWebhook(t, owner, 'webhook.incident', {
    url: incidentReceiver.url,
    event_types: ['i_new'],
  });
  startMs = t.clock.nowMs();
  // Three alerts a minute apart: each is an a_new (alert webhook) and an i_new (incident webhook).
  for (const host of ['h-1', 'h-2', 'h-3']) {
    await push(t, source.key, host);
    t.clock.advance(60_000);
  }
  // One call of the alert webhook fails (whichever comes first), the others succeed.
  receiver.reply(500);
  await t.webhooks.runOnce();
  // A fourth alert whose deliveries are never attempted: they are not history yet.
  await push(t, source.key, 'h-4');
});
afterAll(async () => {
  await receiver.close();
  await incidentReceiver.close();
  await t.close();
});

const list = async (body: Record<string, unknown> = {}, account = owner) => {
  const res = await history(t, account, body);
  expect(documentedErrors('/webhook/history/list', res.body)).toEqual([]);
  return res;
};

describe('/webhook/history/list', () => {
  it('lists attempted deliveries, newest first, in the documented shape', async () => {
    const data = ok(await list());
    expect(data.total).toBe(6);
    expect(data.search_after_ctx).toBe('');
    expect(data.items.map((i: any) => i.event_time)).toEqual(
      [2, 2, 1, 1, 0, 0].map((m) => new Date(startMs + m * 60_000).toISOString()),
    );
    const failed = data.items.find((i: any) => i.status === 'failed');
    expect(failed).toEqual({
      integration_id: alertHook,
      event_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      webhook_type: 'alert',
      event_type: 'a_new',
      channel_id: channelId,
      ref_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      endpoint: receiver.url,
      attempt: 1,
      duration: expect.any(Number),
      status: 'failed',
      status_code: 500,
      error_message: expect.stringContaining('HTTP 500'),
      event_time: expect.any(String),
      next_attempt_at: t.clock.nowMs() + 10_000,
    });
    const delivered = data.items.filter((i: any) => i.status === 'success');
    expect(delivered).toHaveLength(5);
    expect(delivered.every((i: any) => i.status_code === 200 && i.next_attempt_at === 0)).toBe(true);
    expect(delivered[0]).not.toHaveProperty('error_message');
    // The fourth alert's two deliveries exist but were never attempted.
    expect(await deliveries(t)).toHaveLength(8);
  });

  it('filters by integration, reference, event types and status, and by the event time window', async () => {
    const byIntegration = ok(await list({ integration_id: incidentHook }));
    expect(byIntegration.items.map((i: any) => i.event_type)).toEqual(['i_new', 'i_new', 'i_new']);
    expect(ok(await list({ integration_id: 0 })).total).toBe(6);

    const failed = ok(await list({ status: 'failed' }));
    expect(failed.items).toHaveLength(1);
    expect(ok(await list({ status: 'success' })).total).toBe(5);

    const refId = failed.items[0].ref_id;
    const byRef = ok(await list({ ref_id: refId.toUpperCase() }));
    expect(byRef.items.map((i: any) => i.event_id)).toEqual([failed.items[0].event_id]);

    expect(ok(await list({ event_types: ['a_new', 'a_close'] })).total).toBe(3);
    expect(ok(await list({ event_types: [] })).total).toBe(6);

    const window = ok(await list({ start_time: startMs + 60_000, end_time: startMs + 120_000 }));
    expect(window.items.map((i: any) => i.event_time)).toEqual(
      [2, 2, 1, 1].map((m) => new Date(startMs + m * 60_000).toISOString()),
    );
    expect(ok(await list({ start_time: startMs + 1, end_time: startMs + 59_999 })).items).toEqual([]);
  });

  it('pages with search_after_ctx in either order', async () => {
    for (const asc of [false, true]) {
      const all = ok(await list({ asc })).items.map((i: any) => `${i.integration_id}/${i.event_id}`);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const data = ok(await list({ asc, limit: 4, ...(cursor ? { search_after_ctx: cursor } : {}) }));
        expect(data.total).toBe(6);
        seen.push(...data.items.map((i: any) => `${i.integration_id}/${i.event_id}`));
        cursor = data.search_after_ctx;
        if (!cursor) break;
      }
      expect(seen).toEqual(all);
      expect(seen).toHaveLength(6);
    }
    const times = ok(await list({ asc: true })).items.map((i: any) => i.event_time);
    expect(times).toEqual([...times].sort());
  });

  it('refuses bad input, naming the field', async () => {
    const now = t.clock.nowMs();
    const window = { start_time: now - 60_000, end_time: now };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...window }, 'limit'],
      [{ ...window, limit: 0 }, 'limit'],
      [{ ...window, limit: 101 }, 'limit'],
      [{ limit: 10, end_time: now }, 'start_time'],
      [{ limit: 10, start_time: Math.floor(now / 1000), end_time: now }, 'start_time'],
      [{ limit: 10, start_time: now, end_time: now }, 'end_time'],
      [{ limit: 10, start_time: now - 32 * 86_400_000, end_time: now }, 'end_time'],
      [{ ...window, limit: 10, status: 'pending' }, 'status'],
      [{ ...window, limit: 10, orderby: 'attempt' }, 'orderby'],
      [{ ...window, limit: 10, event_types: ['a_new', 'a_resolved'] }, 'event_types[1]'],
      [{ ...window, limit: 10, ref_id: 'x'.repeat(129) }, 'ref_id'],
      [{ ...window, limit: 10, search_after_ctx: 'not-a-cursor' }, 'search_after_ctx'],
    ];
    for (const [body, field] of cases) {
      expectInvalid(await t.post('/webhook/history/list', body, owner.appKey), field);
    }
    const next = ok(await list({ limit: 1 })).search_after_ctx;
    expectInvalid(
      await t.post(
        '/webhook/history/list',
        { ...window, limit: 1, asc: true, search_after_ctx: next },
        owner.appKey,
      ),
      'search_after_ctx',
    );
  });
});

describe('/webhook/history/detail', () => {
  it('shows the request as sent and the answer as received', async () => {
    const [item] = ok(await list({ integration_id: alertHook, status: 'success', limit: 1 })).items;
    const res = await t.post(
      '/webhook/history/detail',
      { integration_id: alertHook, event_id: item.event_id },
      owner.appKey,
    );
    expect(documentedErrors('/webhook/history/detail', res.body)).toEqual([]);
    const detail = ok(res);
    expect(detail).toMatchObject({ ...item, ref_title: expect.stringMatching(/^Disk full on h-[123]$/) });
    const channel = ok(await t.post('/channel/info', { channel_id: channelId }, owner.appKey));
    expect(detail.channel_name).toBe(channel.channel_name);
    expect(JSON.parse(detail.request_headers)).toEqual({
      'Content-Type': 'application/json',
      'User-Agent': 'Vigil-Webhook/1.0',
      'X-Token': 'abc',
      'Idempotency-Key': `vigil-webhook-${alertHook}-${item.event_id}`,
    });
    const sent = receiver.received.find((r) => r.body.event_id === item.event_id);
    expect(JSON.parse(detail.request_body)).toEqual(sent!.body);
    expect(detail.ref_title).toBe(sent!.body.alert.title);
    expect(JSON.parse(detail.response_headers)).toMatchObject({ 'x-receiver': 'test' });
    expect(detail.response_body).toBe('{"status":200}');
  });

  it('answers ResourceNotFound for unknown, unattempted and other webhooks’ events', async () => {
    const [item] = ok(await list({ integration_id: alertHook, limit: 1 })).items;
    const unattempted = (await deliveries(t)).find((d) => d.attempt === 0)!;
    for (const body of [
      { integration_id: alertHook, event_id: '0123456789abcdef01234567' },
      { integration_id: incidentHook, event_id: item.event_id },
      { integration_id: unattempted.integration_id, event_id: unattempted.event_id },
    ]) {
      expectNotFound(await t.post('/webhook/history/detail', body, owner.appKey));
    }
    expectInvalid(
      await t.post('/webhook/history/detail', { integration_id: 0, event_id: item.event_id }, owner.appKey),
      'integration_id',
    );
    expectInvalid(
      await t.post('/webhook/history/detail', { integration_id: alertHook }, owner.appKey),
      'event_id',
    );
  });
});

describe('tenancy and access', () => {
  it('shows another account nothing', async () => {
    const other = await t.newAccount('Elsewhere');
    expect(ok(await list({}, other))).toEqual({ items: [], total: 0, search_after_ctx: '' });
    expect(ok(await list({ integration_id: alertHook }, other)).items).toEqual([]);
    const [item] = ok(await list({ integration_id: alertHook, limit: 1 })).items;
    expectNotFound(
      await t.post(
        '/webhook/history/detail',
        { integration_id: alertHook, event_id: item.event_id },
        other.appKey,
      ),
    );
  });

  it('is readable by a read-only member and refused without a key', async () => {
    const reader = await t.newMember(owner, [4]);
    expect(ok(await list({}, reader)).total).toBe(6);
    const res = await t.post(
      '/webhook/history/list',
      { limit: 1, start_time: startMs, end_time: startMs + 1 },
      undefined,
    );
    expect(res.status).toBe(401);
  });
});
