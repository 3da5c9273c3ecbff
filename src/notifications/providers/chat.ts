import { createHmac } from 'node:crypto';
import { type Dispatcher, getGlobalDispatcher } from 'undici';
import { guardedDispatcher } from './outbound-guard.ts';
import { type OutboundAllow, outboundUrlProblem } from './outbound-policy.ts';
import {
  type DeliveryChannel,
  delivered,
  failed,
  type Message,
  type Provider,
  type SendResult,
  targetString,
  transientHttpStatus,
} from './provider.ts';
import { postJson } from './webhook.ts';

/*
 * IM bots through their own incoming-webhook formats: Slack, Feishu/Lark, DingTalk, WeCom,
 * Microsoft Teams (Workflows, Adaptive Card), Telegram (Bot API sendMessage), and a custom webhook
 * (Vigil's JSON). Some services answer HTTP 200 with an error code in the body; those codes are
 * read, and the throttling ones are transient. Every call carries the notification's
 * `Idempotency-Key` (the same at every attempt) for the receivers that drop repeats on it; the
 * custom webhook also has `notification_id` in its body. docs/notifications.md.
 */

export type ChatSettings = {
  timeoutMs: number;
  telegramApiUrl: string;
  nowMs: () => number;
  /** OUTBOUND_ALLOW: what beyond public addresses a bot URL may be. */
  outboundAllow: OutboundAllow;
};

/** Bot URLs are the members' (guarded); Telegram's base is the operator's TELEGRAM_API_URL (trusted). */
type Request = { url: string; body: unknown; trusted?: true };
type BodyCheck = (json: Record<string, unknown>) => { ok: boolean; transient: boolean; error: string };

const RESPONSE_MAX_BYTES = 4096;
/** What a Bot API token is made of (`123456:ABC-def_1`). */
const TELEGRAM_TOKEN = /^[A-Za-z0-9:_-]+$/;

/** Feishu/Lark: `code` (or `StatusCode`) 0 is success; 9499 and 11232 are rate limits. */
const feishuCheck: BodyCheck = (json) => {
  const code = Number(json.code ?? json.StatusCode ?? 0);
  return {
    ok: code === 0,
    transient: code === 9499 || code === 11232,
    error: `Feishu answered code ${code}: ${String(json.msg ?? json.StatusMessage ?? '')}`,
  };
};
/** DingTalk: `errcode` 0 is success; 130101 (too many messages) and -1 (busy) are transient. */
const dingtalkCheck: BodyCheck = (json) => {
  const code = Number(json.errcode ?? 0);
  return {
    ok: code === 0,
    transient: code === 130101 || code === -1,
    error: `DingTalk answered errcode ${code}: ${String(json.errmsg ?? '')}`,
  };
};
/** WeCom: `errcode` 0 is success; 45009 (API frequency) and -1 (busy) are transient. */
const wecomCheck: BodyCheck = (json) => {
  const code = Number(json.errcode ?? 0);
  return {
    ok: code === 0,
    transient: code === 45009 || code === -1,
    error: `WeCom answered errcode ${code}: ${String(json.errmsg ?? '')}`,
  };
};
/** Telegram: `ok` true is success. */
const telegramCheck: BodyCheck = (json) => ({
  ok: json.ok === true,
  transient: Number(json.error_code) === 429,
  error: `Telegram answered ${String(json.error_code ?? '')}: ${String(json.description ?? '')}`,
});

function feishu(message: Message, url: string, nowMs: number): Request {
  const body: Record<string, unknown> = { msg_type: 'text', content: { text: message.body } };
  const secret = targetString(message.target, 'secret');
  if (secret) {
    const timestamp = String(Math.floor(nowMs / 1000));
    body.timestamp = timestamp;
    body.sign = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  }
  return { url, body };
}

function dingtalk(message: Message, url: string, nowMs: number): Request {
  const secret = targetString(message.target, 'secret');
  let signed = url;
  if (secret) {
    const timestamp = String(nowMs);
    const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    signed += `${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
  }
  return {
    url: signed,
    body: { msgtype: 'markdown', markdown: { title: message.title, text: message.body } },
  };
}

function teams(message: Message, url: string): Request {
  return {
    url,
    body: {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: message.title, weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: message.body, wrap: true },
            ],
          },
        },
      ],
    },
  };
}

export class ChatProvider implements Provider {
  readonly #settings: ChatSettings;
  readonly #guarded: Dispatcher;

  constructor(settings: ChatSettings) {
    this.#settings = settings;
    this.#guarded = guardedDispatcher(settings.outboundAllow);
  }

  #request(message: Message): Request | string {
    const nowMs = this.#settings.nowMs();
    if (message.channel === 'telegram') {
      const token = targetString(message.target, 'token');
      const chatId = targetString(message.target, 'chat_id');
      if (!token || !chatId) return 'a Telegram target needs token and chat_id';
      // The token is a member's, inside the operator's URL: it may not reach another path there.
      if (!TELEGRAM_TOKEN.test(token)) return "a Telegram token is made of letters, digits, ':', '_' and '-'";
      return {
        url: `${this.#settings.telegramApiUrl}/bot${token}/sendMessage`,
        body: { chat_id: chatId, text: message.body, disable_web_page_preview: true },
        trusted: true,
      };
    }
    const url = targetString(message.target, 'url');
    if (!url) return `a ${message.channel} target needs an http(s) url`;
    // Targets stored before URLs were checked when saved are checked again here.
    const problem = outboundUrlProblem(url, this.#settings.outboundAllow);
    if (problem) return `the ${message.channel} url ${problem}`;
    switch (message.channel) {
      case 'slack':
        return { url, body: { text: message.body } };
      case 'feishu':
        return feishu(message, url, nowMs);
      case 'dingtalk':
        return dingtalk(message, url, nowMs);
      case 'wecom':
        return { url, body: { msgtype: 'markdown', markdown: { content: message.body } } };
      case 'teams':
        return teams(message, url);
      default:
        return {
          url,
          body: {
            event_type: 'notification',
            notification_id: message.notificationId,
            title: message.title,
            content: message.body,
            ...message.extra,
          },
        };
    }
  }

  async send(message: Message): Promise<SendResult> {
    const request = this.#request(message);
    if (typeof request === 'string') return failed(true, request);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Vigil-Notify/1.0',
      ...(message.dedupeKey ? { 'idempotency-key': message.dedupeKey } : {}),
    };
    const extraHeaders = message.target.headers;
    if (message.channel === 'webhook' && extraHeaders && typeof extraHeaders === 'object') {
      // Lower-cased: a target's own header replaces ours of that name rather than joining it.
      for (const [k, v] of Object.entries(extraHeaders))
        if (typeof v === 'string') headers[k.toLowerCase()] = v;
    }
    const result = await postJson(request.url, headers, JSON.stringify(request.body), {
      timeoutMs: this.#settings.timeoutMs,
      maxResponseBytes: RESPONSE_MAX_BYTES,
      dispatcher: request.trusted ? getGlobalDispatcher() : this.#guarded,
    });
    const details = {
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      response: result.responseBody,
    };
    if (!result.ok) {
      // Telegram explains its 4xx in the body; others are classified by status alone.
      return failed(result.refused || !transientHttpStatus(result.statusCode), result.error, details);
    }
    const check = CHECKS[message.channel];
    if (check) {
      let json: unknown;
      try {
        json = JSON.parse(result.responseBody);
      } catch {
        json = undefined;
      }
      if (json && typeof json === 'object') {
        const verdict = check(json as Record<string, unknown>);
        if (!verdict.ok) return failed(!verdict.transient, verdict.error, details);
      }
    }
    return delivered(result.statusCode, result.durationMs, result.responseBody);
  }
}

const CHECKS: Partial<Record<DeliveryChannel, BodyCheck>> = {
  feishu: feishuCheck,
  dingtalk: dingtalkCheck,
  wecom: wecomCheck,
  telegram: telegramCheck,
};
