import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A mail the sink accepted: its envelope recipients, headers (lower-case names) and decoded text. */
export type ReceivedMail = { to: string[]; headers: Record<string, string>; raw: string; text: string };

/** Undoes quoted-printable soft breaks and escapes (nodemailer's encoding of long or non-ASCII lines). */
function decodeQuotedPrintable(value: string): string {
  return value
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * A real SMTP server on 127.0.0.1 that keeps every mail it accepts. `refuse(code)` makes it refuse
 * the next RCPT TO with that reply code (4xx: try later; 5xx: never); `refuseData(code)` answers
 * the next mail's data with that code though the mail arrived (kept in `mails`), as a server
 * that fails after receiving, which makes the sender send it again.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  readonly #refusals: number[] = [];
  readonly #dataRefusals: number[] = [];
  readonly #server: SMTPServer;
  url = '';

  private constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        const code = this.#refusals.shift();
        if (code === undefined) return callback();
        const error = new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later') as Error & {
          responseCode: number;
        };
        error.responseCode = code;
        return callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
          const headers: Record<string, string> = {};
          for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
            const colon = line.indexOf(':');
            if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
          }
          this.mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            headers,
            raw,
            text: decodeQuotedPrintable(rest.join('\n\n')),
          });
          const code = this.#dataRefusals.shift();
          if (code === undefined) return callback();
          const error = new Error('Local error in processing') as Error & { responseCode: number };
          error.responseCode = code;
          callback(error);
        });
      },
    });
  }

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await new Promise<void>((resolve) => sink.#server.listen(0, '127.0.0.1', resolve));
    sink.url = `smtp://127.0.0.1:${(sink.#server.server.address() as AddressInfo).port}`;
    return sink;
  }

  refuse(...codes: number[]): void {
    this.#refusals.push(...codes);
  }

  refuseData(...codes: number[]): void {
    this.#dataRefusals.push(...codes);
  }

  /** The mails sent to this address. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** The first URL in a mail's text that contains `part`. */
export function linkIn(mail: ReceivedMail, part: string): string {
  const match = mail.text.match(new RegExp(`https?://[^\\s"<>]*${part.replace(/[/.?]/g, '\\$&')}[^\\s"<>]*`));
  if (!match) throw new Error(`no link with ${part} in: ${mail.text}`);
  return match[0].replace(/&amp;/g, '&');
}
