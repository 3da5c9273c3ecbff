import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { enqueueNotification } from '../../src/notifications/notifications.enqueue.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newSource, push, type Source } from '../incidents/read-helpers.ts';
import { ok } from '../webhooks/helpers.ts';
import { MailServer, messageIdOf, notificationWorker } from './helpers.ts';

/*
 * A notification whose worker stops mid-send is sent again within the short lease, as the same
 * message (one Message-ID), and the delivery log shows both attempts; a worker that is alive but
 * slow keeps its rows by renewing the lease, so nothing is sent twice.
 */

let t: TestApp;
let owner: TestAccount;
let source: Source;
let smtp: MailServer;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Redelivery');
  source = await newSource(t, owner);
  smtp = await MailServer.start();
  env = { SMTP_URL: smtp.url, SMTP_FROM: 'Vigil <vigil@test.example>' };
});
afterAll(async () => {
  await smtp?.close();
  await t?.close();
});

let steps = 0;
async function mailTo(address: string, nowMs: number): Promise<{ id: number; incidentId: string }> {
  const { incidentId } = await push(t, source, {
    event_status: 'Critical',
    title_rule: `Disk full ${address}`,
  });
  steps += 1;
  const id = await enqueueNotification(t.db.q, {
    accountId: owner.accountId,
    incidentId,
    step: `rule:redelivery:layer:0:fire:${steps}`,
    recipient: `email:${address}`,
    channel: 'email',
    target: { address },
    templateId: DEFAULT_TEMPLATE_ID,
    nowMs,
  });
  return { id: id!, incidentId };
}
const logOf = async (incidentId: string) =>
  ok(await t.post('/incident/notification/list', { incident_id: incidentId }, owner.appKey)).items;
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(25);
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('a worker that stops mid-send', () => {
  it('leaves the notification to another worker within 30 s, which sends the same Message-ID; the log keeps both attempts', async () => {
    const { id, incidentId } = await mailTo('first@example.com', t.clock.nowMs());
    const { created_at } = await t.db.q
      .selectFrom('notification_deliveries')
      .select('created_at')
      .where('notification_id', '=', id)
      .executeTakeFirstOrThrow();
    const messageId = `<vigil-notification-${id}-${created_at}@test.example>`;
    const a = notificationWorker(t, env);
    const b = notificationWorker(t, env);
    try {
      // Worker A sends; the server has the mail but A never hears back (it hangs, as if dead).
      smtp.hold(1);
      const passA = a.runOnce();
      await until(() => smtp.mails.length === 1, 'the first mail');
      const [sending] = await logOf(incidentId);
      expect(sending).toMatchObject({ status: 'pending', attempt: 1 });
      expect(sending.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'sending' })]);

      // A no longer renews its lease: the row is A's for 30 s, then another worker's.
      t.clock.advance(29_999);
      expect(await b.runOnce()).toMatchObject({ claimed: 0 });
      t.clock.advance(1);
      expect(await b.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
      expect(smtp.mails).toHaveLength(2);
      expect(smtp.mails.map(messageIdOf)).toEqual([messageId, messageId]);

      const [item] = await logOf(incidentId);
      expect(item).toMatchObject({ status: 'success', attempt: 2, status_code: 250, error_message: '' });
      expect(item.attempts).toEqual([
        {
          attempt: 1,
          status: 'abandoned',
          lease_lost: true,
          started_at: t.clock.nowMs() - 30_000,
          finished_at: 0,
          duration: 0,
          status_code: 0,
          error_kind: '',
          error_message: '',
        },
        expect.objectContaining({
          attempt: 2,
          status: 'success',
          lease_lost: false,
          started_at: t.clock.nowMs(),
          finished_at: t.clock.nowMs(),
          status_code: 250,
        }),
      ]);

      // A wakes up and hears its answer: its claim is lost, so the notification stays as B left it,
      // but its own attempt shows what became of it (the receiver has the copy twice, one Message-ID).
      smtp.release();
      expect(await passA).toMatchObject({ claimed: 1, delivered: 0, lost: 1 });
      const [after] = await logOf(incidentId);
      expect(after).toMatchObject({ status: 'success', attempt: 2 });
      expect(after.attempts.map((x: any) => [x.attempt, x.status, x.lease_lost])).toEqual([
        [1, 'success', true],
        [2, 'success', false],
      ]);
      const feed = ok(await t.post('/incident/feed', { incident_id: incidentId, limit: 100 }, owner.appKey));
      expect(feed.items.filter((e: any) => e.type === 'i_notify')).toHaveLength(1);
      // Delivered is final: no worker sends it again.
      t.clock.advance(3_600_000);
      expect(await a.runOnce()).toMatchObject({ claimed: 0 });
      expect(smtp.mails).toHaveLength(2);
    } finally {
      smtp.release();
      a.closeProviders();
      b.closeProviders();
    }
  });
});

describe('a live worker whose send outlasts the lease', () => {
  it('keeps the row by renewing its lease: no other worker takes it, the mail goes once', async () => {
    const before = smtp.mails.length;
    // Real time and a 300 ms lease (renewed every 100 ms); the SMTP answer takes four leases.
    const { incidentId } = await mailTo('slow@example.com', Date.now());
    const a = notificationWorker(t, env, { clock: systemClock, leaseMs: 300 });
    const b = notificationWorker(t, env, { clock: systemClock, leaseMs: 300 });
    try {
      smtp.hold();
      const passA = a.runOnce();
      await until(() => smtp.mails.length === before + 1, 'the mail');
      const stopAt = Date.now() + 1_200;
      let claimedByB = 0;
      while (Date.now() < stopAt) {
        claimedByB += (await b.runOnce()).claimed;
        await sleep(50);
      }
      expect(claimedByB).toBe(0);
      smtp.release();
      expect(await passA).toMatchObject({ claimed: 1, delivered: 1, lost: 0 });
      expect(smtp.mails).toHaveLength(before + 1);
      const [item] = await logOf(incidentId);
      expect(item).toMatchObject({ status: 'success', attempt: 1 });
      expect(item.attempts.map((x: any) => [x.attempt, x.status, x.lease_lost])).toEqual([
        [1, 'success', false],
      ]);
      expect(item.attempts[0].duration).toBeGreaterThanOrEqual(1_000);
    } finally {
      smtp.release();
      a.closeProviders();
      b.closeProviders();
    }
  });
});
