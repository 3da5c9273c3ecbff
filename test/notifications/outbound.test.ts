import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { enqueueNotification } from '../../src/notifications/notifications.enqueue.ts';
import { ChatProvider } from '../../src/notifications/providers/chat.ts';
import { OutboundAllow } from '../../src/notifications/providers/outbound-policy.ts';
import type { DeliveryChannel, Message } from '../../src/notifications/providers/provider.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newSource, push } from '../incidents/read-helpers.ts';
import { ok } from '../webhooks/helpers.ts';
import { Listener, notificationWorker } from './helpers.ts';

/*
 * Chat bots (issue 17, item 4): a bot URL is a member's, so it reaches public addresses only unless
 * OUTBOUND_ALLOW says otherwise, and only over http(s); Telegram's base URL is the operator's
 * (TELEGRAM_API_URL) and is trusted. A refusal fails the notification for good, with the reason.
 */

let http: Listener;
beforeAll(async () => {
  http = await Listener.start();
});
afterAll(() => http.close());
beforeEach(() => {
  http.hits.length = 0;
});

const guarded = () =>
  new ChatProvider({
    timeoutMs: 2_000,
    telegramApiUrl: `${http.base}/tg`,
    nowMs: () => 0,
    outboundAllow: OutboundAllow.none,
  });
const message = (channel: DeliveryChannel, target: Record<string, unknown>): Message => ({
  channel,
  target,
  title: 'Disk full',
  body: 'Disk full on db-1',
  notificationId: 7,
});

describe('chat bots without OUTBOUND_ALLOW', () => {
  it.each([
    ['slack', 'http://localhost:PORT/slack', /host localhost is not allowed: loopback; set OUTBOUND_ALLOW/],
    ['webhook', 'http://2130706433:PORT/custom', /address 127\.0\.0\.1 is not allowed: loopback/],
    ['feishu', 'http://[::ffff:127.0.0.1]:PORT/f', /address 127\.0\.0\.1 is not allowed: loopback/],
    ['dingtalk', 'http://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['wecom', 'file:///etc/passwd', /must start with http:\/\/ or https:\/\//],
    ['teams', 'gopher://127.0.0.1:6379/_INFO', /must start with http:\/\/ or https:\/\//],
  ] as const)('%s to %s fails for good without a call', async (channel, url, reason) => {
    const port = new URL(http.base).port;
    const result = await guarded().send(message(channel, { url: url.replace('PORT', port) }));
    expect(result).toMatchObject({ ok: false, permanent: true, statusCode: 0, response: '' });
    expect(result.error).toMatch(reason);
    expect(http.hits).toHaveLength(0);
  });

  it("calls the operator's TELEGRAM_API_URL wherever it is, but keeps the member's token inside its path", async () => {
    http.answer({ status: 200, body: { ok: true } });
    const sent = await guarded().send(message('telegram', { token: '123:ABC-def_1', chat_id: '42' }));
    expect(sent).toMatchObject({ ok: true });
    expect(http.hits.map((h) => h.path)).toEqual(['/tg/bot123:ABC-def_1/sendMessage']);
    for (const token of ['1/../../admin', '1?x=', '1#', '1 2']) {
      const refused = await guarded().send(message('telegram', { token, chat_id: '42' }));
      expect(refused, token).toMatchObject({ ok: false, permanent: true });
      expect(refused.error).toMatch(/Telegram token/);
    }
    expect(http.hits).toHaveLength(1);
  });
});

describe('the notification worker without OUTBOUND_ALLOW', () => {
  let t: TestApp;
  let owner: TestAccount;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.newAccount('Chats');
  });
  afterAll(() => t.close());

  it('fails a bot notification to loopback at once, says why, and calls nothing', async () => {
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source, { event_status: 'Critical', title_rule: 'Disk full' });
    await enqueueNotification(t.db.q, {
      accountId: owner.accountId,
      incidentId,
      step: 'rule:x:layer:0:fire:1',
      recipient: 'chat:slack:ops',
      channel: 'slack',
      // A URL stored before bot URLs were checked when saved.
      target: { url: `${http.base.replace('127.0.0.1', 'localhost')}/slack` },
      templateId: DEFAULT_TEMPLATE_ID,
      nowMs: t.clock.nowMs(),
    });
    const worker = notificationWorker(t, {});
    try {
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0 });
    } finally {
      worker.closeProviders();
    }
    const items = ok(
      await t.post('/incident/notification/list', { incident_id: incidentId }, owner.appKey),
    ).items;
    expect(items.map((i: any) => [i.channel, i.status, i.attempt, i.error_kind])).toEqual([
      ['slack', 'failed', 1, 'permanent'],
    ]);
    expect(items[0].error_message).toMatch(/is not allowed: loopback; set OUTBOUND_ALLOW to permit it/);
    expect(http.hits).toHaveLength(0);
  });
});
