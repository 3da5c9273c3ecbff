import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../src/config/config.ts';
import {
  createNotificationWorker,
  createProviders,
  type NotificationPassReport,
} from '../../src/notifications/notifications.delivery.ts';
import type { OutboxWorker } from '../../src/notifications/worker.ts';
import type { Clock } from '../../src/shared/clock.ts';
import type { TestApp } from '../harness/app.ts';

/** A request the listener got. */
export type Hit = { method: string; path: string; headers: IncomingHttpHeaders; text: string; body: any };
/** How the listener answers: a status and a JSON body (or text). */
export type Answer = { status: number; body?: unknown };

/** A real HTTP listener on 127.0.0.1 that records requests and answers from a queue (200 `{}` when empty). */
export class Listener {
  readonly hits: Hit[] = [];
  readonly #answers: Answer[] = [];
  readonly #server: Server;
  base = '';

  private constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        this.hits.push({
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          text,
          body,
        });
        const answer = this.#answers.shift() ?? { status: 200, body: {} };
        const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(payload);
      });
    });
  }

  static async start(): Promise<Listener> {
    const listener = new Listener();
    await new Promise<void>((resolve) => listener.#server.listen(0, '127.0.0.1', resolve));
    listener.base = `http://127.0.0.1:${(listener.#server.address() as AddressInfo).port}`;
    return listener;
  }

  answer(...answers: Answer[]): void {
    this.#answers.push(...answers);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export type Mail = { from: string; to: string[]; data: string };

/**
 * A real SMTP server on 127.0.0.1 (no TLS, no auth); `refuse` makes it refuse recipients with a
 * code; `hold()` keeps the final reply to each mail's data (the mail is kept at once) until
 * `release()`, as a slow server, or one whose answer a crashed sender never reads.
 */
export class MailServer {
  readonly mails: Mail[] = [];
  /** Recipient → SMTP reply code to refuse it with (e.g. 550, 450). */
  readonly refuse = new Map<string, number>();
  readonly #server: SMTPServer;
  /** How many more mails to hold the reply of. */
  #holding = 0;
  readonly #held: Array<() => void> = [];
  url = '';

  private constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const code = this.refuse.get(address.address);
        if (code) {
          const error = new Error(`mailbox ${address.address} refused`) as Error & { responseCode: number };
          error.responseCode = code;
          callback(error);
        } else callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString('utf8'),
          });
          if (this.#holding > 0) {
            this.#holding -= 1;
            this.#held.push(() => callback());
          } else callback();
        });
      },
    });
  }

  /** The reply to the data of the next `count` mails (default: all) waits for release(). */
  hold(count = Number.POSITIVE_INFINITY): void {
    this.#holding = count;
  }

  /** Answers the held mails (their senders may be gone) and stops holding. */
  release(): void {
    this.#holding = 0;
    for (const answer of this.#held.splice(0)) answer();
  }

  static async start(): Promise<MailServer> {
    const server = new MailServer();
    // A sender killed mid-conversation resets its connection: smtp-server reports that as an error
    // event, which would otherwise be thrown.
    server.#server.on('error', () => {});
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', () => resolve()));
    server.url = `smtp://127.0.0.1:${(server.#server.server.address() as AddressInfo).port}`;
    return server;
  }

  async close(): Promise<void> {
    this.release();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** The Message-ID header of a received mail. */
export function messageIdOf(mail: Mail): string | undefined {
  return /^Message-ID:\s*(.*?)\r?$/im.exec(mail.data)?.[1];
}

/** A notification worker of a test app (not started), its providers pointed at the test listeners. */
export function notificationWorker(
  t: TestApp,
  env: Record<string, string>,
  options: { clock?: Clock; leaseMs?: number } = {},
): OutboxWorker<NotificationPassReport> & { closeProviders(): void } {
  const config = loadConfig({ ...env });
  const clock = options.clock ?? t.clock;
  const providers = createProviders(config, clock, 15_000);
  const worker = createNotificationWorker({
    db: t.db,
    clock,
    publicUrl: t.config.publicUrl,
    providers,
    logger: t.app.log,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
  return Object.assign(worker, { closeProviders: () => providers.close() });
}
