import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { ApiResponse, TestAccount, TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushStandard } from '../ingest/helpers.ts';

/** A request the receiver got. */
export type Received = { path: string; headers: IncomingHttpHeaders; body: any };

/** How the receiver answers one request: a status, optionally after a delay (ms). */
export type Reply = number | { status: number; delayMs: number };

/**
 * A real HTTP endpoint on 127.0.0.1 that records every request it gets and answers from a queue
 * of replies (200 once the queue is empty).
 */
export class Receiver {
  readonly received: Received[] = [];
  readonly #replies: Reply[] = [];
  readonly #server: Server;
  url = '';

  private constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        this.received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(text) });
        const reply = this.#replies.shift() ?? 200;
        const { status, delayMs } = typeof reply === 'number' ? { status: reply, delayMs: 0 } : reply;
        setTimeout(() => {
          if (response.destroyed) return;
          response.writeHead(status, { 'content-type': 'application/json', 'x-receiver': 'test' });
          response.end(JSON.stringify({ status }));
        }, delayMs);
      });
    });
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.#server.address() as AddressInfo).port}/hook`;
    return receiver;
  }

  /** Queues the answers to the next requests. */
  reply(...replies: Reply[]): void {
    this.#replies.push(...replies);
  }

  /** The bodies received with this event type. */
  ofType(eventType: string): any[] {
    return this.received.filter((r) => r.body.event_type === eventType).map((r) => r.body);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export function ok<T = any>(res: ApiResponse<T>): T {
  expect(res.body.error, JSON.stringify(res.body.error)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data as T;
}

/** Creates a webhook integration; returns its id. */
export async function newWebhook(
  t: TestApp,
  account: TestAccount,
  pluginType: 'webhook.alert' | 'webhook.incident',
  settings: Record<string, unknown>,
): Promise<number> {
  const data = ok(
    await t.post(
      '/datasource/upsert',
      { name: pluginType, plugin_type: pluginType, settings },
      account.appKey,
    ),
  );
  return data.integration_id;
}

/** A channel with an alert integration bound to it (each alert its own incident). */
export async function alertSource(
  t: TestApp,
  account: TestAccount,
): Promise<{ channelId: number; integrationId: number; key: string }> {
  const channelId = await newChannel(t, account);
  const { integrationId, key } = await newIntegration(t, account, 'alert.standard', channelId);
  return { channelId, integrationId, key };
}

/** Pushes a standard alert event and returns its alert key. */
export async function push(
  t: TestApp,
  key: string,
  alertKey: string,
  status: 'Critical' | 'Warning' | 'Info' | 'Ok' = 'Critical',
): Promise<void> {
  const res = await pushStandard(t, key, {
    event_status: status,
    alert_key: alertKey,
    title_rule: `Disk full on ${alertKey}`,
    labels: { host: alertKey },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Every delivery row of the database, oldest first. */
export function deliveries(t: TestApp) {
  return t.db.q.selectFrom('webhook_deliveries').selectAll().orderBy('delivery_id').execute();
}

/** /webhook/history/list over the hour around the manual clock. */
export async function history(t: TestApp, account: TestAccount, body: Record<string, unknown> = {}) {
  const now = t.clock.nowMs();
  return t.post(
    '/webhook/history/list',
    { limit: 100, start_time: now - 3_600_000, end_time: now + 3_600_000, ...body },
    account.appKey,
  );
}
