import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimDue, recordAttempt } from '../../src/notifications/outbox.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createWebhookWorker, WEBHOOK_OUTBOX } from '../../src/webhooks/webhooks.delivery.ts';
import { enqueueWebhookEvents } from '../../src/webhooks/webhooks.enqueue.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { alertSource, deliveries, newWebhook, ok, push, Receiver } from './helpers.ts';

/*
 * Outbound webhooks end to end: events come from pushed alerts and incident actions, a delivery
 * pass is run with t.webhooks.runOnce() at the manual clock's time, and a real HTTP receiver on
 * 127.0.0.1 records what arrives.
 */

let t: TestApp;
let owner: TestAccount;
let receiver: Receiver;
beforeEach(async () => {
  t = await startTestApp({ env: ALLOW_LOOPBACK });
  owner = await t.newAccount('Webhooks');
  receiver = await Receiver.start();
});
afterEach(async () => {
  await receiver.close();
  await t.close();
});

const pass = () => t.webhooks.runOnce();
const OBJECT_ID = /^[0-9a-f]{24}$/;

async function incidentOf(alertKey: string): Promise<string> {
  const now = Math.floor(t.clock.nowMs() / 1000);
  const found = ok(
    await t.post(
      '/alert/list',
      { start_time: now - 86_400, end_time: now + 60, alert_keys: [alertKey] },
      owner.appKey,
    ),
  );
  return found.items[0].incident.incident_id;
}

describe('alert webhooks', () => {
  it('delivers a_new, a_update and a_close with the event id, the time in ms and the alert', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', {
      url: receiver.url,
      headers: { Authorization: 'Bearer s3cret' },
      event_types: ['a_new', 'a_update', 'a_close'],
    });

    const firedAt = t.clock.nowMs();
    await push(t, source.key, 'db-1', 'Critical');
    expect(await pass()).toMatchObject({ claimed: 1, delivered: 1 });
    const [created] = receiver.received;
    expect(created!.headers['content-type']).toBe('application/json');
    expect(created!.headers.authorization).toBe('Bearer s3cret');
    expect(created!.body).toMatchObject({
      event_type: 'a_new',
      event_time: firedAt,
      alert: {
        title: 'Disk full on db-1',
        alert_status: 'Critical',
        progress: 'Triggered',
        channel_id: source.channelId,
        data_source_id: source.integrationId,
        data_source_type: 'alert.standard',
        labels: { host: 'db-1' },
      },
    });
    expect(String(created!.body.event_time)).toHaveLength(13);
    expect(created!.body.event_id).toMatch(OBJECT_ID);
    expect(created!.body).not.toHaveProperty('person');
    const alertId = created!.body.alert.alert_id;
    // The event id is the id of the alert's feed entry.
    const feed = ok(await t.post('/alert/feed', { alert_id: alertId, types: ['a_new'] }, owner.appKey));
    expect(feed.items[0].ref_id).toBe(created!.body.event_id);

    t.clock.advance(60_000);
    await push(t, source.key, 'db-1', 'Warning');
    await pass();
    t.clock.advance(60_000);
    await push(t, source.key, 'db-1', 'Ok');
    await pass();

    expect(receiver.received.map((r) => r.body.event_type)).toEqual(['a_new', 'a_update', 'a_close']);
    const [updated, closed] = [receiver.ofType('a_update')[0], receiver.ofType('a_close')[0]];
    expect(updated).toMatchObject({
      event_time: firedAt + 60_000,
      alert: { alert_id: alertId, alert_status: 'Warning' },
    });
    expect(closed).toMatchObject({
      event_time: firedAt + 120_000,
      alert: { alert_id: alertId, alert_status: 'Ok', progress: 'Closed' },
    });
    expect(new Set(receiver.received.map((r) => r.body.event_id)).size).toBe(3);
  });

  it('delivers a_merge when an alert joins an incident, once though two feeds record it', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_merge'] });
    await push(t, source.key, 'a-1');
    await push(t, source.key, 'a-2');
    const [first, second] = [await incidentOf('a-1'), await incidentOf('a-2')];
    await pass();
    receiver.received.length = 0;

    // /alert/merge writes a_merge on the target incident's feed and on the alert's.
    ok(
      await t.post('/alert/merge', { alert_ids: [await alertIdOf('a-2')], incident_id: first }, owner.appKey),
    );
    expect(second).not.toBe(first);
    await pass();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.body).toMatchObject({
      event_type: 'a_merge',
      person: { person_id: owner.memberId },
      alert: { incident: { incident_id: first } },
    });
  });

  it('only sends the events of the channels, integrations and event types a webhook names', async () => {
    const [a, b] = [await alertSource(t, owner), await alertSource(t, owner)];
    const other = await Receiver.start();
    try {
      await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, channel_ids: [a.channelId] });
      await newWebhook(t, owner, 'webhook.alert', {
        url: other.url,
        integration_ids: [b.integrationId],
        event_types: ['a_close'],
      });
      await push(t, a.key, 'on-a');
      await push(t, b.key, 'on-b');
      await push(t, a.key, 'on-a', 'Ok');
      await push(t, b.key, 'on-b', 'Ok');
      await pass();
      // One pass sends several calls at once: their order of arrival is not fixed.
      const sorted = receiver.received.map((r) => [r.body.event_type, r.body.alert.title]).sort();
      expect(sorted).toEqual([
        ['a_close', 'Disk full on on-a'],
        ['a_new', 'Disk full on on-a'],
      ]);
      expect(other.received.map((r) => [r.body.event_type, r.body.alert.title])).toEqual([
        ['a_close', 'Disk full on on-b'],
      ]);
    } finally {
      await other.close();
    }
  });
});

async function alertIdOf(alertKey: string): Promise<string> {
  const now = Math.floor(t.clock.nowMs() / 1000);
  const found = ok(
    await t.post(
      '/alert/list',
      { start_time: now - 86_400, end_time: now + 60, alert_keys: [alertKey] },
      owner.appKey,
    ),
  );
  return found.items[0].alert_id;
}

describe('incident webhooks', () => {
  it('delivers i_new, i_ack and i_rslv with the incident as it is and who acted', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.incident', { url: receiver.url });
    await push(t, source.key, 'web-1');
    await pass();
    const incidentId = await incidentOf('web-1');

    t.clock.advance(30_000);
    ok(await t.post('/incident/ack', { incident_ids: [incidentId] }, owner.appKey));
    await pass();
    t.clock.advance(30_000);
    ok(await t.post('/incident/resolve', { incident_ids: [incidentId] }, owner.appKey));
    await pass();

    expect(receiver.received.map((r) => r.body.event_type)).toEqual(['i_new', 'i_ack', 'i_rslv']);
    const [created, acked, resolved] = receiver.received.map((r) => r.body);
    expect(created).toMatchObject({
      incident: {
        incident_id: incidentId,
        title: 'Disk full on web-1',
        progress: 'Triggered',
        channel_id: source.channelId,
        detail_url: `${t.config.publicUrl}/incident/detail/${incidentId}`,
      },
    });
    expect(created).not.toHaveProperty('person');
    const member = ok(await t.post('/member/info', {}, owner.appKey));
    const person = { person_id: owner.memberId, person_name: member.member_name, email: member.email };
    expect(acked).toMatchObject({ person, incident: { progress: 'Processing' } });
    expect(resolved).toMatchObject({ person, incident: { progress: 'Closed' } });
    expect(resolved.event_time - acked.event_time).toBe(30_000);
  });

  it('sends nothing for a disabled webhook, and stops sending what was enqueued once it is disabled', async () => {
    const source = await alertSource(t, owner);
    const webhookId = await newWebhook(t, owner, 'webhook.incident', { url: receiver.url });
    ok(await t.post('/datasource/disable', { integration_id: webhookId }, owner.appKey));
    await push(t, source.key, 'quiet-1');
    await pass();
    expect(await deliveries(t)).toEqual([]);

    ok(await t.post('/datasource/enable', { integration_id: webhookId }, owner.appKey));
    await push(t, source.key, 'loud-1');
    ok(await t.post('/datasource/disable', { integration_id: webhookId }, owner.appKey));
    expect(await pass()).toMatchObject({ claimed: 1, failed: 1 });
    expect(receiver.received).toEqual([]);
    const [row] = await deliveries(t);
    expect(row).toMatchObject({ status: 'failed', attempt: 1, status_code: 0 });
    expect(row!.error_message).toMatch(/disabled or deleted/);
  });
});

describe('retries', () => {
  it('retries a failed call after the backoff with the same event id and body, then never again', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_new'] });
    receiver.reply(500);
    await push(t, source.key, 'flaky-1');
    expect(await pass()).toMatchObject({ claimed: 1, retrying: 1 });
    const [afterFirst] = await deliveries(t);
    expect(afterFirst).toMatchObject({ status: 'pending', attempt: 1, status_code: 500 });
    expect(afterFirst!.next_attempt_at).toBe(t.clock.nowMs() + 10_000);

    // The alert changes before the retry: the retry still sends what the first attempt sent.
    await push(t, source.key, 'flaky-1', 'Ok');
    t.clock.advance(9_999);
    expect(await pass()).toMatchObject({ claimed: 0 });
    t.clock.advance(1);
    expect(await pass()).toMatchObject({ claimed: 1, delivered: 1 });
    t.clock.advance(86_400_000);
    expect(await pass()).toMatchObject({ claimed: 0 });

    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toEqual(receiver.received[0]!.body);
    expect(receiver.received[1]!.body.alert.alert_status).toBe('Critical');
    const [row] = await deliveries(t);
    expect(row).toMatchObject({ status: 'success', attempt: 2, status_code: 200, error_message: '' });
    // One Idempotency-Key for the delivery, at every attempt: the (webhook, event) pair.
    const key = `vigil-webhook-${row!.integration_id}-${row!.event_id}`;
    expect(receiver.received.map((r) => r.headers['idempotency-key'])).toEqual([key, key]);
    // The history keeps both attempts, not only the last one's outcome.
    const detail = ok(
      await t.post(
        '/webhook/history/detail',
        { integration_id: row!.integration_id, event_id: row!.event_id },
        owner.appKey,
      ),
    );
    expect(detail).toMatchObject({ attempt: 2, status: 'success', status_code: 200 });
    expect(detail.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'failed',
        lease_lost: false,
        status_code: 500,
        error_kind: 'transient',
        error_message: expect.stringContaining('HTTP 500'),
        started_at: t.clock.nowMs() - 86_400_000 - 10_000,
      }),
      expect.objectContaining({
        attempt: 2,
        status: 'success',
        status_code: 200,
        error_kind: '',
        error_message: '',
        started_at: t.clock.nowMs() - 86_400_000,
      }),
    ]);
  });

  it('lets a webhook set its own Idempotency-Key header', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', {
      url: receiver.url,
      event_types: ['a_new'],
      headers: { 'idempotency-key': 'mine' },
    });
    await push(t, source.key, 'own-key-1');
    expect(await pass()).toMatchObject({ delivered: 1 });
    expect(receiver.received[0]!.headers['idempotency-key']).toBe('mine');
  });

  it('counts a receiver that does not answer in time as a failure', async () => {
    await t.close();
    t = await startTestApp({ env: ALLOW_LOOPBACK, webhookTimeoutMs: 200 });
    owner = await t.newAccount('Slow receiver');
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_new'] });
    receiver.reply({ status: 200, delayMs: 3_000 });
    await push(t, source.key, 'slow-1');
    expect(await pass()).toMatchObject({ retrying: 1 });
    const [row] = await deliveries(t);
    expect(row).toMatchObject({
      status: 'pending',
      status_code: 0,
      error_message: 'no answer within 200 ms',
    });
    expect(row!.duration).toBeGreaterThanOrEqual(190);
    expect(row!.duration).toBeLessThan(2_500);

    t.clock.advance(10_000);
    expect(await pass()).toMatchObject({ delivered: 1 });
    // The receiver saw the late first call too: receivers deduplicate on event_id.
    expect(receiver.received.map((r) => r.body.event_id)).toEqual([
      receiver.received[0]!.body.event_id,
      receiver.received[0]!.body.event_id,
    ]);
  });

  it('gives up after 8 attempts spaced by the backoff', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_new'] });
    receiver.reply(...Array.from({ length: 9 }, () => 503));
    await push(t, source.key, 'down-1');
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      expect(await pass()).toMatchObject({ claimed: 1 });
      const [row] = await deliveries(t);
      expect(row!.attempt).toBe(attempt);
      if (row!.status === 'pending') {
        waits.push(row!.next_attempt_at - t.clock.nowMs());
        t.clock.advance(row!.next_attempt_at - t.clock.nowMs());
      }
    }
    expect(waits).toEqual([10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000]);
    const [row] = await deliveries(t);
    expect(row).toMatchObject({ status: 'failed', attempt: 8, status_code: 503 });
    t.clock.advance(86_400_000);
    expect(await pass()).toMatchObject({ claimed: 0 });
    expect(receiver.received).toHaveLength(8);
  });

  it('reports an endpoint that refuses connections', async () => {
    const closed = await Receiver.start();
    await closed.close();
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: closed.url, event_types: ['a_new'] });
    await push(t, source.key, 'nowhere-1');
    await pass();
    const [row] = await deliveries(t);
    expect(row).toMatchObject({ status: 'pending', status_code: 0, attempt: 1 });
    expect(row!.error_message).toMatch(/ECONNREFUSED/);
  });
});

describe('each event once per endpoint', () => {
  it('enqueues an event once per webhook, however often it is offered', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_new'] });
    await push(t, source.key, 'once-1');
    const [row] = await deliveries(t);
    const event = {
      accountId: owner.accountId,
      alertId: row!.ref_id,
      type: 'a_new',
      atMs: row!.event_time,
      refId: row!.event_id,
    };
    expect(await enqueueWebhookEvents(t.db.q, [event])).toBe(1);
    expect(await deliveries(t)).toHaveLength(1);
  });

  it('retries an attempt whose worker died after its lease, with the same event id, and ignores the dead worker', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_new'] });
    await push(t, source.key, 'crash-1');
    // A worker claims the delivery and dies before recording anything.
    const [claimed] = await claimDue<{ delivery_id: number; attempt: number }>(
      t.db.q,
      WEBHOOK_OUTBOX,
      t.clock.nowMs(),
      10,
    );
    expect(claimed!.attempt).toBe(1);
    expect(await pass()).toMatchObject({ claimed: 0 });
    // The lease is short (the live worker renews it): the row is taken again 30 s later.
    expect(WEBHOOK_OUTBOX.policy.leaseMs).toBe(30_000);
    t.clock.advance(29_999);
    expect(await pass()).toMatchObject({ claimed: 0 });
    t.clock.advance(1);
    expect(await pass()).toMatchObject({ claimed: 1, delivered: 1 });
    const [row] = await deliveries(t);
    expect(row).toMatchObject({ status: 'success', attempt: 2 });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.body.event_id).toBe(row!.event_id);
    const detail = async () =>
      ok(
        await t.post(
          '/webhook/history/detail',
          { integration_id: row!.integration_id, event_id: row!.event_id },
          owner.appKey,
        ),
      ).attempts.map((a: any) => [a.attempt, a.status, a.lease_lost, a.status_code]);
    expect(await detail()).toEqual([
      [1, 'abandoned', true, 0],
      [2, 'success', false, 200],
    ]);
    // The dead worker's claim comes back to life: what it records is ignored.
    const stale = await recordAttempt(
      t.db.q,
      WEBHOOK_OUTBOX,
      { id: claimed!.delivery_id, attempt: claimed!.attempt },
      t.clock.nowMs(),
      { ok: false, statusCode: 500 },
      { status_code: 500 },
    );
    expect(stale).toBeUndefined();
    expect(await deliveries(t)).toEqual([row]);
    // Its own attempt in the history shows what it reported, late.
    expect(await detail()).toEqual([
      [1, 'failed', true, 500],
      [2, 'success', false, 200],
    ]);
  });

  it('keeps the delivery of a call slower than the lease by renewing it: no second worker takes it', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_new'] });
    await push(t, source.key, 'slow-1');
    // Real time and a 300 ms lease (renewed every 100 ms); the endpoint answers after four leases.
    receiver.reply({ status: 200, delayMs: 1_200 });
    const worker = () =>
      createWebhookWorker({
        db: t.db,
        clock: systemClock,
        publicUrl: t.config.publicUrl,
        logger: t.app.log,
        outboundAllow: t.config.outboundAllow,
        leaseMs: 300,
      });
    const [a, b] = [worker(), worker()];
    const passA = a.runOnce();
    for (let i = 0; i < 200 && receiver.received.length === 0; i++) await sleep(10);
    let claimedByB = 0;
    for (const stopAt = Date.now() + 1_000; Date.now() < stopAt; await sleep(50))
      claimedByB += (await b.runOnce()).claimed;
    expect(claimedByB).toBe(0);
    expect(await passA).toMatchObject({ claimed: 1, delivered: 1, lost: 0 });
    expect(receiver.received).toHaveLength(1);
    const [row] = await deliveries(t);
    expect(row).toMatchObject({ status: 'success', attempt: 1 });
  });

  it('never sends an event twice when passes run at once, in one instance or two', async () => {
    const second = await startTestApp({ env: ALLOW_LOOPBACK, database: t.database });
    try {
      const source = await alertSource(t, owner);
      await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_new'] });
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => push(i % 2 ? t : second, source.key, `many-${i}`)),
      );
      const reports = await Promise.all([
        pass(),
        pass(),
        second.webhooks.runOnce(),
        second.webhooks.runOnce(),
      ]);
      expect(reports.reduce((sum, r) => sum + r.delivered, 0)).toBe(60);
      expect(reports.reduce((sum, r) => sum + r.claimed, 0)).toBe(60);
      const ids = receiver.received.map((r) => r.body.event_id);
      expect(ids).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
      expect(new Set(receiver.received.map((r) => r.body.alert.title)).size).toBe(60);
    } finally {
      await second.close();
    }
  });
});
