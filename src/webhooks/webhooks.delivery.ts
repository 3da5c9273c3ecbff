import { type Selectable, sql } from 'kysely';
import type { Dispatcher } from 'undici';
import type { Db } from '../db/db.ts';
import type { WebhookDeliveriesTable } from '../db/schema.ts';
import {
  type DeliveryPassReport,
  type Outbox,
  recordAttempt,
  runDeliveryPass,
} from '../notifications/outbox.ts';
import { guardedDispatcher } from '../notifications/providers/outbound-guard.ts';
import type { OutboundAllow } from '../notifications/providers/outbound-policy.ts';
import { postJson } from '../notifications/providers/webhook.ts';
import { OutboxWorker, type WorkerLogger } from '../notifications/worker.ts';
import type { Clock } from '../shared/clock.ts';
import { onWebhooksEnqueued, webhookKey, withIdempotencyKey } from './webhooks.enqueue.ts';
import { buildWebhookBody } from './webhooks.payload.ts';

/*
 * Delivering webhook calls: a pass claims a batch of due deliveries, sends them a few at a time and
 * records each attempt in its row. docs/webhooks.md.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h between the 8 attempts: about 4 h in all. */
export const WEBHOOK_OUTBOX: Outbox = {
  table: 'webhook_deliveries',
  idColumn: 'delivery_id',
  policy: {
    backoffMs: [10 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, 60 * MINUTE, 120 * MINUTE],
    maxAttempts: 8,
    // Renewed while the worker lives (runDeliveryPass), so only a dead worker loses its rows, and
    // another worker sends them again within this.
    leaseMs: 30 * SECOND,
  },
};

/** Deliveries claimed per pass, and sent at once within it. */
const BATCH = 50;
const CONCURRENCY = 8;
const DEFAULT_TIMEOUT_MS = 5_000;
/** How much of a receiver's answer the log keeps. */
const RESPONSE_MAX_BYTES = 4096;
/** Seconds between the passes that find other processes' deliveries and retries falling due. */
export const WEBHOOK_POLL_MS = 1_000;

type DeliveryRow = Selectable<WebhookDeliveriesTable>;

export type WebhookDeps = {
  db: Db;
  clock: Clock;
  publicUrl: string;
  logger: WorkerLogger;
  /** OUTBOUND_ALLOW: what beyond public addresses a webhook may call. */
  outboundAllow: OutboundAllow;
  timeoutMs?: number;
  /** The claim lease (default 30 s); tests shorten it. */
  leaseMs?: number;
};

function outboxOf(deps: WebhookDeps): Outbox {
  if (deps.leaseMs === undefined) return WEBHOOK_OUTBOX;
  return { ...WEBHOOK_OUTBOX, policy: { ...WEBHOOK_OUTBOX.policy, leaseMs: deps.leaseMs } };
}

/** The deps of a running worker: with the client that checks where each call connects. */
type Sending = WebhookDeps & { dispatcher: Dispatcher };

export type WebhookPassReport = DeliveryPassReport;

/** Which of these webhooks are still enabled: a disabled or deleted webhook sends nothing more. */
async function enabledWebhooks(q: Db['q'], integrationIds: readonly number[]): Promise<Set<number>> {
  const rows = await q
    .selectFrom('integrations')
    .select('integration_id')
    .where('integration_id', 'in', [...new Set(integrationIds)])
    .where('status', '=', 'enabled')
    .execute();
  return new Set(rows.map((r) => r.integration_id));
}

/**
 * The body of a delivery's first attempt, stored before it is sent, so every retry sends the same
 * bytes; should two workers build it (a lease ran out), the first stored wins.
 */
async function firstBody(deps: WebhookDeps, row: DeliveryRow): Promise<string | undefined> {
  const built = await buildWebhookBody(deps.db.q, row, deps.publicUrl);
  if (built === undefined) return undefined;
  const stored = await deps.db.q
    .updateTable('webhook_deliveries')
    .set({ request_body: sql<string>`coalesce(request_body, ${built})` })
    .where('delivery_id', '=', row.delivery_id)
    .returning('request_body')
    .executeTakeFirst();
  return stored?.request_body ?? built;
}

/** Gives up on a delivery without calling anyone. */
function giveUp(deps: WebhookDeps, row: DeliveryRow, reason: string) {
  return recordAttempt(
    deps.db.q,
    outboxOf(deps),
    { id: row.delivery_id, attempt: row.attempt },
    deps.clock.nowMs(),
    { ok: false, final: true, error: reason },
    { error_message: reason, status_code: 0, duration: 0 },
  );
}

async function deliver(deps: Sending, row: DeliveryRow, enabled: boolean) {
  if (!enabled)
    return giveUp(deps, row, 'the webhook was disabled or deleted before the event was delivered');
  const body = row.request_body ?? (await firstBody(deps, row));
  if (body === undefined) return giveUp(deps, row, `the ${row.webhook_type} ${row.ref_id} no longer exists`);
  // Deliveries enqueued before the key was stored with the headers get it here.
  const headers = withIdempotencyKey(
    JSON.parse(row.request_headers) as Record<string, string>,
    webhookKey(row.integration_id, row.event_id),
  );
  const result = await postJson(row.endpoint, headers, body, {
    timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxResponseBytes: RESPONSE_MAX_BYTES,
    dispatcher: deps.dispatcher,
  });
  return recordAttempt(
    deps.db.q,
    outboxOf(deps),
    { id: row.delivery_id, attempt: row.attempt },
    deps.clock.nowMs(),
    {
      ok: result.ok,
      // A refused address is a setting to change, not a passing fault: no retries.
      final: result.refused,
      error: result.error,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
    },
    {
      status_code: result.statusCode,
      duration: result.durationMs,
      error_message: result.error,
      response_headers: result.responseHeaders,
      response_body: result.responseBody,
    },
  );
}

/** One pass: claims up to BATCH due rows and attempts each, CONCURRENCY at a time. */
async function deliverDueWebhooks(deps: Sending, stopping?: AbortSignal): Promise<WebhookPassReport> {
  return runDeliveryPass<DeliveryRow>({
    stopping,
    q: deps.db.q,
    outbox: outboxOf(deps),
    clock: deps.clock,
    batch: BATCH,
    concurrency: CONCURRENCY,
    prepare: async (rows) => {
      const enabled = await enabledWebhooks(
        deps.db.q,
        rows.map((r) => r.integration_id),
      );
      return (row) => deliver(deps, row, enabled.has(row.integration_id));
    },
    onError: (row, error) =>
      deps.logger.error({ delivery_id: row.delivery_id, err: error }, 'webhook delivery failed'),
    onRenewalError: (error) => deps.logger.error({ err: error }, 'webhook lease renewal failed'),
  });
}

/** The webhook delivery loop of a process, woken by deliveries enqueued in it (not started). */
export function createWebhookWorker(deps: WebhookDeps): OutboxWorker<WebhookPassReport> {
  const sending = { ...deps, dispatcher: guardedDispatcher(deps.outboundAllow) };
  return new OutboxWorker({
    name: 'webhooks',
    pass: (stopping) => deliverDueWebhooks(sending, stopping),
    batchSize: BATCH,
    logger: deps.logger,
    wakeOn: onWebhooksEnqueued,
  });
}
