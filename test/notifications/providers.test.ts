import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatProvider } from '../../src/notifications/providers/chat.ts';
import { EmailProvider } from '../../src/notifications/providers/email.ts';
import { OutboundAllow } from '../../src/notifications/providers/outbound-policy.ts';
import { PhoneProvider } from '../../src/notifications/providers/phone.ts';
import type { DeliveryChannel, Message } from '../../src/notifications/providers/provider.ts';
import { ALLOW_LOOPBACK } from '../harness/app.ts';
import { Listener, MailServer } from './helpers.ts';

let http: Listener;
let smtp: MailServer;
const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const KEY = `vigil-notification-42-${NOW}`;

beforeAll(async () => {
  http = await Listener.start();
  smtp = await MailServer.start();
});
afterAll(async () => {
  await http?.close();
  await smtp?.close();
});
beforeEach(() => {
  http.hits.length = 0;
});

const chat = () =>
  new ChatProvider({
    timeoutMs: 2_000,
    telegramApiUrl: `${http.base}/tg`,
    nowMs: () => NOW,
    outboundAllow: OutboundAllow.parse(ALLOW_LOOPBACK.OUTBOUND_ALLOW).allow,
  });
const message = (channel: DeliveryChannel, target: Record<string, unknown>): Message => ({
  channel,
  target,
  title: '[Critical] Disk full',
  body: 'Disk full on db-1',
  notificationId: 42,
  dedupeKey: KEY,
});

describe('IM bots, each in its own incoming-webhook format', () => {
  it('Slack: {text}', async () => {
    const result = await chat().send(message('slack', { url: `${http.base}/slack` }));
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(http.hits[0]).toMatchObject({
      method: 'POST',
      path: '/slack',
      body: { text: 'Disk full on db-1' },
    });
    expect(http.hits[0]!.headers['content-type']).toBe('application/json');
    expect(http.hits[0]!.headers['idempotency-key']).toBe(KEY);
  });

  it('Feishu/Lark: a text message, signed when the bot has a secret', async () => {
    http.answer({ status: 200, body: { code: 0, msg: 'success' } });
    expect((await chat().send(message('feishu', { url: `${http.base}/feishu`, secret: 's3cret' }))).ok).toBe(
      true,
    );
    const body = http.hits[0]!.body;
    expect(body).toMatchObject({
      msg_type: 'text',
      content: { text: 'Disk full on db-1' },
      timestamp: String(NOW / 1000),
    });
    expect(body.sign).toBe(
      createHmac('sha256', `${NOW / 1000}\ns3cret`)
        .update('')
        .digest('base64'),
    );
  });

  it('DingTalk: markdown, signed in the query string', async () => {
    http.answer({ status: 200, body: { errcode: 0, errmsg: 'ok' } });
    const url = `${http.base}/robot/send?access_token=T`;
    expect((await chat().send(message('dingtalk', { url, secret: 'SEC' }))).ok).toBe(true);
    const hit = http.hits[0]!;
    expect(hit.body).toEqual({
      msgtype: 'markdown',
      markdown: { title: '[Critical] Disk full', text: 'Disk full on db-1' },
    });
    const query = new URL(hit.path, http.base).searchParams;
    expect(query.get('access_token')).toBe('T');
    expect(query.get('timestamp')).toBe(String(NOW));
    expect(query.get('sign')).toBe(createHmac('sha256', 'SEC').update(`${NOW}\nSEC`).digest('base64'));
  });

  it('WeCom: markdown', async () => {
    http.answer({ status: 200, body: { errcode: 0, errmsg: 'ok' } });
    expect((await chat().send(message('wecom', { url: `${http.base}/wecom` }))).ok).toBe(true);
    expect(http.hits[0]!.body).toEqual({ msgtype: 'markdown', markdown: { content: 'Disk full on db-1' } });
  });

  it('Microsoft Teams: an Adaptive Card message', async () => {
    http.answer({ status: 202, body: {} });
    expect((await chat().send(message('teams', { url: `${http.base}/teams` }))).ok).toBe(true);
    const body = http.hits[0]!.body;
    expect(body.type).toBe('message');
    expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(body.attachments[0].content.body.map((b: any) => b.text)).toEqual([
      '[Critical] Disk full',
      'Disk full on db-1',
    ]);
  });

  it('Telegram: Bot API sendMessage', async () => {
    http.answer({ status: 200, body: { ok: true, result: { message_id: 1 } } });
    expect((await chat().send(message('telegram', { token: '123:ABC', chat_id: '-100200' }))).ok).toBe(true);
    expect(http.hits[0]).toMatchObject({
      path: '/tg/bot123:ABC/sendMessage',
      body: { chat_id: '-100200', text: 'Disk full on db-1' },
    });
  });

  it('custom webhook: Vigil JSON with its headers', async () => {
    const m = {
      ...message('webhook', { url: `${http.base}/custom`, headers: { 'x-token': 'abc' } }),
      extra: { incident: { incident_id: 'i' } },
    };
    expect((await chat().send(m)).ok).toBe(true);
    expect(http.hits[0]!.body).toEqual({
      event_type: 'notification',
      notification_id: 42,
      title: '[Critical] Disk full',
      content: 'Disk full on db-1',
      incident: { incident_id: 'i' },
    });
    expect(http.hits[0]!.headers['x-token']).toBe('abc');
    expect(http.hits[0]!.headers['idempotency-key']).toBe(KEY);
  });

  it('sends the notification key as Idempotency-Key to every bot, unless the target sets its own', async () => {
    const targets: Array<[DeliveryChannel, Record<string, unknown>]> = [
      ['slack', { url: `${http.base}/slack` }],
      ['feishu', { url: `${http.base}/feishu` }],
      ['dingtalk', { url: `${http.base}/dingtalk` }],
      ['wecom', { url: `${http.base}/wecom` }],
      ['teams', { url: `${http.base}/teams` }],
      ['telegram', { token: '1:A', chat_id: '2' }],
    ];
    http.answer(
      ...targets.map(([channel]) => ({ status: 200, body: channel === 'telegram' ? { ok: true } : {} })),
    );
    for (const [channel, target] of targets)
      expect((await chat().send(message(channel, target))).ok).toBe(true);
    expect(http.hits.map((h) => h.headers['idempotency-key'])).toEqual(targets.map(() => KEY));
    const own = message('webhook', {
      url: `${http.base}/custom`,
      headers: { 'Idempotency-Key': 'mine', 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect((await chat().send(own)).ok).toBe(true);
    expect(http.hits.at(-1)!.headers['idempotency-key']).toBe('mine');
    expect(http.hits.at(-1)!.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it.each([
    ['HTTP 500', 'slack', { status: 500, body: {} }, false],
    ['HTTP 429', 'slack', { status: 429, body: {} }, false],
    ['HTTP 404 (a deleted hook)', 'slack', { status: 404, body: 'no_service' }, true],
    ['HTTP 403', 'teams', { status: 403, body: {} }, true],
    [
      'DingTalk errcode 310000 (bad signature)',
      'dingtalk',
      { status: 200, body: { errcode: 310000, errmsg: 'sign not match' } },
      true,
    ],
    [
      'DingTalk errcode 130101 (too fast)',
      'dingtalk',
      { status: 200, body: { errcode: 130101, errmsg: 'send too fast' } },
      false,
    ],
    [
      'Feishu code 19021 (bad signature)',
      'feishu',
      { status: 200, body: { code: 19021, msg: 'sign match fail' } },
      true,
    ],
    [
      'Feishu code 11232 (rate limited)',
      'feishu',
      { status: 200, body: { code: 11232, msg: 'frequency limited' } },
      false,
    ],
    [
      'WeCom errcode 93000 (invalid key)',
      'wecom',
      { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } },
      true,
    ],
    [
      'WeCom errcode 45009 (frequency)',
      'wecom',
      { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } },
      false,
    ],
  ] as const)('classifies %s', async (_name, channel, answer, permanent) => {
    http.answer(answer);
    const result = await chat().send(message(channel, { url: `${http.base}/x` }));
    expect(result.ok).toBe(false);
    expect(result.permanent).toBe(permanent);
    expect(result.error).not.toBe('');
  });

  it('classifies Telegram refusals and unreachable hosts', async () => {
    http.answer({
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
    });
    const refused = await chat().send(message('telegram', { token: 't', chat_id: '1' }));
    expect(refused).toMatchObject({ ok: false, permanent: true, statusCode: 400 });
    const down = await chat().send(message('slack', { url: 'http://127.0.0.1:1/hook' }));
    expect(down).toMatchObject({ ok: false, permanent: false, statusCode: 0 });
    const bad = await chat().send(message('slack', { url: 'ftp://x' }));
    expect(bad).toMatchObject({ ok: false, permanent: true });
    expect(http.hits).toHaveLength(1);
  });
});

describe('SMS and voice through the HTTP gateway', () => {
  it('posts to {base}/sms and {base}/voice with the token and an idempotency key', async () => {
    const phone = new PhoneProvider({ baseUrl: `${http.base}/gw`, token: 'tok', timeoutMs: 2_000 });
    expect((await phone.send(message('sms', { phone: '5550100', country_code: '1' }))).ok).toBe(true);
    expect((await phone.send(message('voice', { phone: '5550100', country_code: '1' }))).ok).toBe(true);
    expect(http.hits.map((h) => h.path)).toEqual(['/gw/sms', '/gw/voice']);
    expect(http.hits[0]!.body).toEqual({
      to: '5550100',
      country_code: '1',
      text: 'Disk full on db-1',
      notification_id: 42,
    });
    expect(http.hits[0]!.headers.authorization).toBe('Bearer tok');
    expect(http.hits[0]!.headers['idempotency-key']).toBe(KEY);
    expect(http.hits[1]!.headers['idempotency-key']).toBe(KEY);
  });

  it('classifies the gateway answers, and refuses without a URL or a number', async () => {
    const phone = new PhoneProvider({ baseUrl: http.base, token: undefined, timeoutMs: 2_000 });
    http.answer({ status: 503 }, { status: 400, body: { error: 'invalid number' } });
    expect(await phone.send(message('sms', { phone: '1' }))).toMatchObject({
      ok: false,
      permanent: false,
      statusCode: 503,
    });
    expect(await phone.send(message('sms', { phone: '1' }))).toMatchObject({
      ok: false,
      permanent: true,
      statusCode: 400,
    });
    expect(await phone.send(message('sms', {}))).toMatchObject({ ok: false, permanent: true });
    const off = new PhoneProvider({ baseUrl: undefined, token: undefined, timeoutMs: 1 });
    expect((await off.send(message('voice', { phone: '1' }))).error).toContain('PHONE_PROVIDER_URL');
  });
});

describe('e-mail over SMTP', () => {
  it('delivers to a real SMTP server, and classifies 5xx as permanent and 4xx as transient', async () => {
    const email = new EmailProvider({
      smtpUrl: smtp.url,
      from: 'Vigil <vigil@test.example>',
      timeoutMs: 5_000,
    });
    try {
      const sent = await email.send({
        ...message('email', { address: 'alice@example.com' }),
        extra: { html: '<b>Disk</b>' },
      });
      expect(sent.ok, sent.error).toBe(true);
      const mail = smtp.mails.at(-1)!;
      expect(mail.to).toEqual(['alice@example.com']);
      expect(mail.from).toBe('vigil@test.example');
      expect(mail.data).toContain('Subject: [Critical] Disk full');
      expect(mail.data).toContain('Disk full on db-1');
      expect(mail.data).toContain('<b>Disk</b>');
      // The Message-ID is the notification's key at the sender's domain: the same at every attempt.
      expect(mail.data).toMatch(new RegExp(`^Message-ID: <${KEY}@test\\.example>\r?$`, 'm'));
      const again = await email.send(message('email', { address: 'alice@example.com' }));
      expect(again.ok).toBe(true);
      expect(smtp.mails.at(-1)!.data).toMatch(new RegExp(`^Message-ID: <${KEY}@test\\.example>\r?$`, 'm'));
      // A one-off mail (no key) gets a fresh Message-ID.
      const { dedupeKey: _, ...oneOff } = message('email', { address: 'alice@example.com' });
      expect((await email.send(oneOff)).ok).toBe(true);
      const fresh = /^Message-ID: (.*?)\r?$/m.exec(smtp.mails.at(-1)!.data)?.[1];
      expect(fresh).toMatch(/^<.+@test\.example>$/);
      expect(fresh).not.toContain(KEY);

      smtp.refuse.set('gone@example.com', 550);
      smtp.refuse.set('busy@example.com', 450);
      const gone = await email.send(message('email', { address: 'gone@example.com' }));
      expect(gone).toMatchObject({ ok: false, permanent: true, statusCode: 550 });
      const busy = await email.send(message('email', { address: 'busy@example.com' }));
      expect(busy).toMatchObject({ ok: false, permanent: false, statusCode: 450 });
    } finally {
      email.close();
    }
    const down = new EmailProvider({ smtpUrl: 'smtp://127.0.0.1:1', from: 'v@x', timeoutMs: 2_000 });
    expect(await down.send(message('email', { address: 'a@b.c' }))).toMatchObject({
      ok: false,
      permanent: false,
    });
    down.close();
  });
});
