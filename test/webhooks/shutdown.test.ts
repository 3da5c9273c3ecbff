import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { alertSource, deliveries, newWebhook, push, Receiver } from './helpers.ts';

/*
 * A delivery worker that stops (a graceful shutdown) finishes the sends it had begun and hands
 * back the rows it had claimed but not begun: due at once, their attempt uncounted, no trace in
 * delivery_attempts, so another instance sends them right away instead of after the lease.
 */

let t: TestApp;
let owner: TestAccount;
let receiver: Receiver;
beforeEach(async () => {
  t = await startTestApp({ env: ALLOW_LOOPBACK });
  owner = await t.newAccount('Shutdown');
  receiver = await Receiver.start();
});
afterEach(async () => {
  await receiver.close();
  await t.close();
});

/** The webhook pass's lanes (CONCURRENCY in webhooks.delivery.ts): more rows than this wait for one. */
const LANES = 8;
const ROWS = 11;

describe('stopping a delivery worker', () => {
  it('finishes the sends in flight and hands back the rows it had not begun', async () => {
    const source = await alertSource(t, owner);
    await newWebhook(t, owner, 'webhook.alert', { url: receiver.url, event_types: ['a_new'] });
    for (let i = 0; i < ROWS; i += 1) await push(t, source.key, `host-${i}`);
    receiver.reply(...Array.from({ length: ROWS }, () => ({ status: 200, delayMs: 1_500 })));

    t.webhooks.start(60_000);
    const deadline = Date.now() + 20_000;
    while (receiver.received.length < LANES && Date.now() < deadline) await sleep(20);
    expect(receiver.received).toHaveLength(LANES);
    await t.webhooks.stop();

    const rows = await deliveries(t);
    expect(rows.filter((r) => r.status === 'success')).toHaveLength(LANES);
    const handedBack = rows.filter((r) => r.status === 'pending');
    expect(handedBack).toHaveLength(ROWS - LANES);
    for (const row of handedBack) {
      expect(row.attempt).toBe(0);
      expect(Number(row.next_attempt_at)).toBeLessThanOrEqual(t.clock.nowMs());
    }
    const attempts = await t.db.q.selectFrom('delivery_attempts').selectAll().execute();
    expect(attempts).toHaveLength(LANES);
    expect(attempts.every((a) => a.status === 'success')).toBe(true);

    // Due at once: the next pass (another instance's) sends them, each exactly once overall.
    expect(await t.webhooks.runOnce()).toMatchObject({ claimed: ROWS - LANES, delivered: ROWS - LANES });
    const hosts = receiver.received.map((r) => r.body.alert.labels.host).sort();
    expect(hosts).toEqual(Array.from({ length: ROWS }, (_, i) => `host-${i}`).sort());
  });
});
