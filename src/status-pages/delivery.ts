import { type Selectable, sql } from 'kysely';
import type { Dispatcher } from 'undici';
import type { Db } from '../db/db.ts';
import type { StatusPageNotificationsTable } from '../db/schema.ts';
import {
  type AttemptOutcome,
  type AttemptResult,
  type DeliveryPassReport,
  type Outbox,
  recordAttempt,
  runDeliveryPass,
} from '../notifications/outbox.ts';
import { guardedDispatcher } from '../notifications/providers/outbound-guard.ts';
import type { OutboundAllow } from '../notifications/providers/outbound-policy.ts';
import type { Provider } from '../notifications/providers/provider.ts';
import { postJson } from '../notifications/providers/webhook.ts';
import { OutboxWorker, type WorkerLogger } from '../notifications/worker.ts';
import type { Clock } from '../shared/clock.ts';
import { findChange, withUpdates } from './changes.store.ts';
import { type Mail, updateMail, updateWebhookBody } from './messages.ts';
import { onNotificationsEnqueued } from './notify.ts';
import { componentsOf } from './pages.store.ts';

/*
 * Delivering subscriber notifications: the same outbox mechanism as outbound webhooks
 * (src/notifications/outbox.ts — claims with SKIP LOCKED and a lease, attempts fenced by their
 * number, backoff, a log in the row), with e-mail over SMTP and webhook calls as the channels.
 * An update's content is built at its first attempt and stored, so every retry sends the same.
 * docs/status-pages.md.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/**
 * 30 s, 2 min, 10 min, 30 min, 1 h, 2 h between the 7 attempts: about 4 h in all. The lease is
 * short and renewed while the worker lives (runDeliveryPass).
 */
const STATUS_PAGE_OUTBOX: Outbox = {
  table: 'status_page_notifications',
  idColumn: 'notification_id',
  policy: {
    backoffMs: [30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, 60 * MINUTE, 120 * MINUTE],
    maxAttempts: 7,
    leaseMs: 30 * SECOND,
  },
};

const BATCH = 50;
const CONCURRENCY = 8;
const WEBHOOK_TIMEOUT_MS = 5_000;
export const STATUS_PAGE_POLL_MS = 1_000;

type Row = Selectable<StatusPageNotificationsTable>;

export type NotificationDeps = {
  db: Db;
  clock: Clock;
  publicUrl: string;
  /** The e-mail provider (src/notifications/providers/email.ts); without SMTP_URL it fails each mail at once, saying so. */
  email: Provider;
  logger: WorkerLogger;
  /** OUTBOUND_ALLOW: what beyond public addresses a webhook subscriber may be. */
  outboundAllow: OutboundAllow;
  webhookTimeoutMs?: number;
  /** The claim lease (default 30 s); tests shorten it. */
  leaseMs?: number;
};

function outboxOf(deps: NotificationDeps): Outbox {
  if (deps.leaseMs === undefined) return STATUS_PAGE_OUTBOX;
  return { ...STATUS_PAGE_OUTBOX, policy: { ...STATUS_PAGE_OUTBOX.policy, leaseMs: deps.leaseMs } };
}

/**
 * A subscriber notification's identity across attempts: its Message-ID's local part and its
 * webhook's Idempotency-Key (docs/notifications.md, "Repeats carry the same identity").
 */
function dedupeKey(row: Row): string {
  return `vigil-status-page-${row.notification_id}-${row.created_at}`;
}

/** The deps of a running worker: with the client that checks where each webhook call connects. */
type Sending = NotificationDeps & { dispatcher: Dispatcher };

export type NotificationPassReport = DeliveryPassReport;

/** The content of an update's notification, as the event stands now; undefined when it is gone. */
async function buildUpdatePayload(
  deps: NotificationDeps,
  row: Row,
  token: string,
): Promise<string | undefined> {
  const q = deps.db.q;
  const page = await q
    .selectFrom('status_pages')
    .selectAll()
    .where('page_id', '=', row.page_id)
    .executeTakeFirst();
  if (!page) return undefined;
  const change = await findChange(q, { accountId: row.account_id, pageId: row.page_id }, row.change_id);
  if (!change) return undefined;
  const [withTimeline] = await withUpdates(q, [change]);
  const update = withTimeline!.updates.find((u) => u.update_id === row.update_id);
  if (!update) return undefined;
  const components = new Map((await componentsOf(q, [row.page_id])).map((c) => [c.component_id, c]));
  const context = { page, change: withTimeline!, update, components, publicUrl: deps.publicUrl };
  return row.channel === 'webhook' ? updateWebhookBody(context) : JSON.stringify(updateMail(context, token));
}

/** Stores the first attempt's content; should two workers build it (a lease ran out), the first stored wins. */
async function firstPayload(deps: NotificationDeps, row: Row, token: string): Promise<string | undefined> {
  const built = await buildUpdatePayload(deps, row, token);
  if (built === undefined) return undefined;
  const stored = await deps.db.q
    .updateTable('status_page_notifications')
    .set({ payload: sql<string>`coalesce(payload, ${built})` })
    .where('notification_id', '=', row.notification_id)
    .returning('payload')
    .executeTakeFirst();
  return stored?.payload ?? built;
}

function record(deps: NotificationDeps, row: Row, result: AttemptResult) {
  return recordAttempt(
    deps.db.q,
    outboxOf(deps),
    { id: row.notification_id, attempt: row.attempt },
    deps.clock.nowMs(),
    result,
    { error_message: result.error ?? '' },
  );
}

async function deliver(deps: Sending, row: Row): Promise<AttemptOutcome | undefined> {
  const subscriber = await deps.db.q
    .selectFrom('status_page_subscribers')
    .select(['status', 'token'])
    .where('subscriber_id', '=', row.subscriber_id)
    .executeTakeFirst();
  if (!subscriber || (row.kind === 'update' && subscriber.status !== 'active')) {
    return record(deps, row, {
      ok: false,
      final: true,
      error: 'the subscriber unsubscribed before it was sent',
    });
  }
  const payload = row.payload ?? (await firstPayload(deps, row, subscriber.token));
  if (payload === undefined) {
    return record(deps, row, {
      ok: false,
      final: true,
      error: 'the event or its update was deleted before it was sent',
    });
  }
  if (row.channel === 'webhook') {
    const result = await postJson(
      row.recipient,
      {
        'content-type': 'application/json',
        'user-agent': 'Vigil-StatusPage/1.0',
        'idempotency-key': dedupeKey(row),
      },
      payload,
      {
        timeoutMs: deps.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS,
        maxResponseBytes: 1024,
        dispatcher: deps.dispatcher,
      },
    );
    return record(deps, row, {
      ok: result.ok,
      // A refused address is a setting to change, not a passing fault: no retries.
      final: result.refused,
      error: result.error,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
    });
  }
  const mail = JSON.parse(payload) as Mail;
  const result = await deps.email.send({
    channel: 'email',
    target: { address: row.recipient },
    title: mail.subject,
    body: mail.text,
    notificationId: row.notification_id,
    dedupeKey: dedupeKey(row),
    extra: { html: mail.html, headers: mail.headers },
  });
  return record(deps, row, {
    ok: result.ok,
    final: result.permanent,
    error: result.error,
    statusCode: result.statusCode,
    durationMs: result.durationMs,
  });
}

/** One pass: claims up to BATCH due rows and attempts each, CONCURRENCY at a time. */
async function deliverDue(deps: Sending, stopping?: AbortSignal): Promise<NotificationPassReport> {
  return runDeliveryPass<Row>({
    stopping,
    q: deps.db.q,
    outbox: outboxOf(deps),
    clock: deps.clock,
    batch: BATCH,
    concurrency: CONCURRENCY,
    prepare: async () => (row) => deliver(deps, row),
    onError: (row, error) =>
      deps.logger.error(
        { notification_id: row.notification_id, err: error },
        'status page notification failed',
      ),
    onRenewalError: (error) => deps.logger.error({ err: error }, 'status page lease renewal failed'),
  });
}

/** The subscriber-notification loop of a process, woken by notifications enqueued in it (not started). */
export function createStatusPageWorker(deps: NotificationDeps): OutboxWorker<NotificationPassReport> {
  const sending = { ...deps, dispatcher: guardedDispatcher(deps.outboundAllow) };
  return new OutboxWorker({
    name: 'status-page-notifications',
    pass: (stopping) => deliverDue(sending, stopping),
    batchSize: BATCH,
    logger: deps.logger,
    wakeOn: onNotificationsEnqueued,
  });
}
