import nodemailer from 'nodemailer';
import { delivered, failed, type Message, type Provider, type SendResult, targetString } from './provider.ts';

/*
 * E-mail over SMTP (nodemailer; SMTP_URL, e.g. smtp://user:pass@host:587, smtps:// for TLS; add
 * `?pool=true` to reuse connections). `title` is the subject and `body` the text part; a sender that
 * has more gives `extra.html` (an HTML part) and `extra.headers` (e.g. List-Unsubscribe). The server
 * accepting the mail is delivered; a 5xx reply (a refused address) is permanent; 4xx replies, no
 * answer in time and connection failures are transient, retried by the outbox.
 */

export type EmailSettings = { smtpUrl: string | undefined; from: string; timeoutMs: number };

export class EmailProvider implements Provider {
  readonly #settings: EmailSettings;
  #transport: ReturnType<typeof nodemailer.createTransport> | undefined;

  constructor(settings: EmailSettings) {
    this.#settings = settings;
  }

  get configured(): boolean {
    return this.#settings.smtpUrl !== undefined;
  }

  async send(message: Message): Promise<SendResult> {
    const url = this.#settings.smtpUrl;
    if (!url) return failed(true, 'e-mail is not configured (set SMTP_URL)');
    const address = targetString(message.target, 'address');
    if (!address) return failed(true, 'the notification has no e-mail address');
    const timeout = this.#settings.timeoutMs;
    this.#transport ??= nodemailer.createTransport(
      { url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout },
      { from: this.#settings.from },
    );
    const html = message.extra?.html;
    const headers = message.extra?.headers;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const info = await this.#transport.sendMail({
        to: address,
        subject: message.title,
        text: message.body,
        ...(typeof html === 'string' ? { html } : {}),
        ...(headers && typeof headers === 'object' ? { headers: headers as Record<string, string> } : {}),
      });
      if ((info.rejected ?? []).length > 0) {
        return failed(true, `the SMTP server refused ${address}`, {
          durationMs: elapsed(),
          response: info.response,
        });
      }
      return delivered(250, elapsed(), info.response ?? '');
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode ?? 0;
      const reason = error instanceof Error ? error.message : String(error);
      return failed(code >= 500, reason, { statusCode: code, durationMs: elapsed() });
    }
  }

  close(): void {
    this.#transport?.close();
    this.#transport = undefined;
  }
}
