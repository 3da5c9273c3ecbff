import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { delivered, failed, type Message, type Provider, type SendResult, targetString } from './provider.ts';

/*
 * E-mail over SMTP (nodemailer; SMTP_URL, e.g. smtp://user:pass@host:587, smtps:// for TLS; add
 * `?pool=true` to reuse connections). `title` is the subject and `body` the text part; a sender that
 * has more gives `extra.html` (an HTML part) and `extra.headers` (e.g. List-Unsubscribe). The server
 * accepting the mail is delivered; a 5xx reply (a refused address) is permanent; 4xx replies, no
 * answer in time and connection failures are transient, retried by the outbox. A message with a
 * `dedupeKey` gets the Message-ID `<key@the sender's domain>`, the same at every attempt, so a
 * receiving server or mail client can drop the copy a crashed worker's retry sends again.
 */

export type EmailSettings = { smtpUrl: string | undefined; from: string; timeoutMs: number };

/** The domain of the sender's address (SMTP_FROM), as a Message-ID's right-hand side. */
function senderDomain(from: string): string {
  const [sender] = addressparser(from, { flatten: true });
  const domain = sender?.address.split('@')[1]?.toLowerCase();
  return domain && /^[a-z0-9.-]+$/.test(domain) ? domain : 'localhost';
}

export class EmailProvider implements Provider {
  readonly #settings: EmailSettings;
  readonly #domain: string;
  #transport: ReturnType<typeof nodemailer.createTransport> | undefined;

  constructor(settings: EmailSettings) {
    this.#settings = settings;
    this.#domain = senderDomain(settings.from);
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
        ...(message.dedupeKey ? { messageId: `<${message.dedupeKey}@${this.#domain}>` } : {}),
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
