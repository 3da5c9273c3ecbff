/*
 * The one interface every notification provider implements (e-mail, IM bots, SMS and voice), and
 * how a failed attempt is classified: transient failures are retried by the outbox with backoff,
 * permanent ones are not (the row is failed at once and the reason shown in the delivery log).
 */

/** The delivery channels Vigil can send on. */
export const DELIVERY_CHANNELS = [
  'email',
  'sms',
  'voice',
  'slack',
  'feishu',
  'dingtalk',
  'wecom',
  'teams',
  'telegram',
  'webhook',
] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

export type Message = {
  channel: DeliveryChannel;
  /** Where to: {address} for e-mail, {phone, country_code} for SMS/voice, {url, secret?} for bots, {token, chat_id} for Telegram. */
  target: Record<string, unknown>;
  /** A one-line summary (e-mail subject, card title). */
  title: string;
  body: string;
  /** The notification's own id (in the custom webhook's and the SMS/voice gateway's body). */
  notificationId: number;
  /**
   * The notification's identity, the same at every attempt, so a receiver can drop a repeat: the
   * local part of the e-mail's Message-ID, the `Idempotency-Key` header of HTTP calls. Without one
   * (a one-off mail), the e-mail gets a fresh Message-ID and HTTP calls no key.
   */
  dedupeKey?: string;
  /** Extra JSON for the custom webhook (the incident). */
  extra?: Record<string, unknown>;
};

export type SendResult = {
  ok: boolean;
  /** A failure that a retry cannot fix (a rejected address, a bad token, a channel not configured). */
  permanent: boolean;
  /** The HTTP status or SMTP reply code; 0 when there was none. */
  statusCode: number;
  durationMs: number;
  /** '' on success. */
  error: string;
  /** The start of the service's answer. */
  response: string;
};

export interface Provider {
  send(message: Message): Promise<SendResult>;
}

export function delivered(statusCode: number, durationMs: number, response: string): SendResult {
  return { ok: true, permanent: false, statusCode, durationMs, error: '', response };
}

export function failed(
  permanent: boolean,
  error: string,
  details: { statusCode?: number; durationMs?: number; response?: string } = {},
): SendResult {
  return {
    ok: false,
    permanent,
    statusCode: details.statusCode ?? 0,
    durationMs: details.durationMs ?? 0,
    error: error.slice(0, 1024),
    response: details.response ?? '',
  };
}

/** HTTP statuses worth retrying: timeouts, throttling, and server errors. Other 4xx are permanent. */
export function transientHttpStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A required string of the target, or undefined. */
export function targetString(target: Record<string, unknown>, key: string): string | undefined {
  const value = target[key];
  return typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;
}
