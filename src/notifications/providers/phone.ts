import { getGlobalDispatcher } from 'undici';
import {
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
 * SMS and voice calls through one HTTP gateway (PHONE_PROVIDER_URL): `POST {base}/sms` and
 * `POST {base}/voice` with `{to, country_code, text, notification_id}`, an `Idempotency-Key`
 * header (the notification's dedupe key, the same at every attempt) and, when PHONE_PROVIDER_TOKEN
 * is set, `Authorization: Bearer`.
 * 2xx is delivered; 408/425/429/5xx and no answer are transient; other answers permanent.
 * docs/notifications.md describes the contract a gateway (or an adapter to Twilio etc.) implements.
 */

export type PhoneSettings = { baseUrl: string | undefined; token: string | undefined; timeoutMs: number };

export class PhoneProvider implements Provider {
  readonly #settings: PhoneSettings;

  constructor(settings: PhoneSettings) {
    this.#settings = settings;
  }

  get configured(): boolean {
    return this.#settings.baseUrl !== undefined;
  }

  async send(message: Message): Promise<SendResult> {
    const base = this.#settings.baseUrl;
    if (!base) return failed(true, 'SMS and voice are not configured (set PHONE_PROVIDER_URL)');
    const phone = targetString(message.target, 'phone');
    if (!phone) return failed(true, 'the notification has no phone number');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Vigil-Notify/1.0',
      ...(message.dedupeKey ? { 'idempotency-key': message.dedupeKey } : {}),
    };
    if (this.#settings.token) headers.authorization = `Bearer ${this.#settings.token}`;
    const result = await postJson(
      `${base}/${message.channel === 'voice' ? 'voice' : 'sms'}`,
      headers,
      JSON.stringify({
        to: phone,
        country_code: targetString(message.target, 'country_code') ?? '',
        text: message.body,
        notification_id: message.notificationId,
      }),
      // PHONE_PROVIDER_URL is the operator's, often on the local network: not guarded.
      { timeoutMs: this.#settings.timeoutMs, maxResponseBytes: 4096, dispatcher: getGlobalDispatcher() },
    );
    const details = {
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      response: result.responseBody,
    };
    if (!result.ok) return failed(!transientHttpStatus(result.statusCode), result.error, details);
    return delivered(result.statusCode, result.durationMs, result.responseBody);
  }
}
