import { type Selectable, sql } from 'kysely';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/db.ts';
import type { NotificationDeliveriesTable } from '../db/schema.ts';
import { addFeedEntries } from '../incidents/feed.store.ts';
import type { Clock } from '../shared/clock.ts';
import { DEFAULT_TEMPLATE_ID, type TemplateChannel } from './default-template.ts';
import { onNotificationsEnqueued } from './notifications.enqueue.ts';
import {
  type AttemptOutcome,
  type DeliveryPassReport,
  type Outbox,
  recordAttempt,
  runDeliveryPass,
} from './outbox.ts';
import { ChatProvider } from './providers/chat.ts';
import { EmailProvider } from './providers/email.ts';
import { PhoneProvider } from './providers/phone.ts';
import type { DeliveryChannel, Provider, SendResult } from './providers/provider.ts';
import { loadIncidentInfo, renderFor } from './render.ts';
import { TemplateError } from './template-engine.ts';
import { findTemplate } from './templates.service.ts';
import { OutboxWorker } from './worker.ts';

/*
 * Delivering notifications: the generic outbox (outbox.ts, worker.ts) over notification_deliveries.
 * A pass claims due rows, renders each at its first attempt (stored, so retries send the same
 * message), sends it through the channel's provider and records the attempt; a delivery that ends
 * (delivered, or failed for good) writes an `i_notify` entry on the incident's timeline.
 * docs/notifications.md.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** 10 s, 30 s, 1 min, 2 min, 5 min between the 6 attempts: a page that cannot wait hours. */
const NOTIFICATION_OUTBOX: Outbox = {
  table: 'notification_deliveries',
  idColumn: 'notification_id',
  policy: {
    backoffMs: [10 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE],
    maxAttempts: 6,
    leaseMs: 2 * MINUTE,
  },
};

const BATCH = 50;
const CONCURRENCY = 8;
export const NOTIFICATION_POLL_MS = 1_000;

/** Which template body each delivery channel uses. */
const TEMPLATE_CHANNEL_OF: Record<DeliveryChannel, TemplateChannel> = {
  email: 'email',
  sms: 'sms',
  voice: 'voice',
  slack: 'slack',
  feishu: 'feishu',
  dingtalk: 'dingtalk',
  wecom: 'wecom',
  teams: 'teams_app',
  telegram: 'telegram',
  webhook: 'sms',
};

type Row = Selectable<NotificationDeliveriesTable>;
type Content = { title: string; body: string; extra?: Record<string, unknown> };

export type Providers = Record<DeliveryChannel, Provider> & { close(): void };

export type NotificationDeps = {
  db: Db;
  clock: Clock;
  publicUrl: string;
  providers: Providers;
  logger: { error(details: object, message: string): void };
};

export type NotificationPassReport = DeliveryPassReport;

const TIMEOUT_MS = 10_000;

/** The providers of a process, from its configuration. */
export function createProviders(config: Config, clock: Clock, timeoutMs = TIMEOUT_MS): Providers {
  const email = new EmailProvider({ smtpUrl: config.smtpUrl, from: config.smtpFrom, timeoutMs });
  const phone = new PhoneProvider({
    baseUrl: config.phoneProviderUrl,
    token: config.phoneProviderToken,
    timeoutMs,
  });
  const chat = new ChatProvider({
    timeoutMs,
    telegramApiUrl: config.telegramApiUrl,
    nowMs: () => clock.nowMs(),
  });
  return {
    email,
    sms: phone,
    voice: phone,
    slack: chat,
    feishu: chat,
    dingtalk: chat,
    wecom: chat,
    teams: chat,
    telegram: chat,
    webhook: chat,
    close: () => email.close(),
  };
}

/** A plain-text rendering of an HTML body: tags dropped, block ends as line breaks, entities kept simple. */
function htmlToText(html: string): string {
  return html
    .replace(
      /<a\s[^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gis,
      (_m, href: string, text: string) => `${text} ${href}`,
    )
    .replace(/\s*<(br|\/p|\/h\d|\/tr|\/li|\/div|\/table)\s*\/?>\s*/gi, '\n')
    .replace(/<\/td>[ \t]*/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Renders the message of a delivery's first attempt; a string explains why it cannot be. */
async function render(deps: NotificationDeps, row: Row): Promise<Content | string> {
  const q = deps.db.q;
  const [incident, template] = await Promise.all([
    loadIncidentInfo(q, row.account_id, row.incident_id, deps.publicUrl),
    findTemplate(q, row.account_id, row.template_id, true),
  ]);
  if (!incident) return `the incident ${row.incident_id} no longer exists`;
  const bodies = (template ?? (await findTemplate(q, row.account_id, DEFAULT_TEMPLATE_ID)))!.bodies;
  const facts = row.facts as { fire_type?: 'fire' | 'refire'; layer_idx?: number };
  try {
    const rendered = renderFor(bodies, TEMPLATE_CHANNEL_OF[row.channel as DeliveryChannel], incident, {
      fireType: facts.fire_type ?? 'fire',
      layerIdx: facts.layer_idx ?? 0,
      now: Math.floor(deps.clock.nowMs() / 1000),
    });
    if (row.channel === 'webhook') return { ...rendered, extra: { incident } };
    // E-mail: the template's body is HTML; a plain-text part goes with it.
    if (row.channel === 'email')
      return { title: rendered.title, body: htmlToText(rendered.body), extra: { html: rendered.body } };
    return rendered;
  } catch (error) {
    if (error instanceof TemplateError) return `the template ${row.template_id} failed: ${error.message}`;
    throw error;
  }
}

async function contentOf(deps: NotificationDeps, row: Row): Promise<Content | string> {
  if (row.content !== null) return JSON.parse(row.content) as Content;
  const built = await render(deps, row);
  if (typeof built === 'string') return built;
  const stored = await deps.db.q
    .updateTable('notification_deliveries')
    .set({ content: sql<string>`coalesce(content, ${JSON.stringify(built)})` })
    .where('notification_id', '=', row.notification_id)
    .returning('content')
    .executeTakeFirst();
  return stored?.content ? (JSON.parse(stored.content) as Content) : built;
}

/** Records the attempt and, when the delivery ended, its timeline entry: one transaction. */
async function record(
  deps: NotificationDeps,
  row: Row,
  result: SendResult,
): Promise<AttemptOutcome | undefined> {
  const nowMs = deps.clock.nowMs();
  return deps.db.q.transaction().execute(async (trx) => {
    const outcome = await recordAttempt(
      trx,
      NOTIFICATION_OUTBOX,
      { id: row.notification_id, attempt: row.attempt },
      nowMs,
      { ok: result.ok, final: result.permanent },
      {
        error_kind: result.ok ? '' : result.permanent ? 'permanent' : 'transient',
        error_message: result.error,
        status_code: result.statusCode,
        duration: result.durationMs,
        response_body: result.response.slice(0, 4096),
      },
    );
    if (outcome === 'success' || outcome === 'failed') {
      await addFeedEntries(trx, [
        {
          accountId: row.account_id,
          incidentId: row.incident_id,
          type: 'i_notify',
          atMs: nowMs,
          detail: {
            // Flashduty's i_notify shape (layer_idx, fire_type, by, persons / robots with failed_reason)...
            layer_idx: Number((row.facts as { layer_idx?: number }).layer_idx ?? 0),
            fire_type: (row.facts as { fire_type?: string }).fire_type === 'refire' ? 'refire' : 'fire',
            by: row.channel,
            ...(row.person_id > 0
              ? {
                  persons: [
                    { person_id: row.person_id, ...(result.ok ? {} : { failed_reason: result.error }) },
                  ],
                }
              : {
                  robots: [{ alias: row.recipient, ...(result.ok ? {} : { failed_reason: result.error }) }],
                }),
            // ...and Vigil's record of this one delivery.
            delivery: {
              notification_id: row.notification_id,
              step: row.step,
              recipient: row.recipient,
              channel: row.channel,
              person_id: row.person_id,
              status: outcome,
              attempt: row.attempt,
              ...(result.ok
                ? {}
                : { error: result.error, error_kind: result.permanent ? 'permanent' : 'transient' }),
            },
          },
        },
      ]);
    }
    return outcome;
  });
}

async function deliver(deps: NotificationDeps, row: Row): Promise<AttemptOutcome | undefined> {
  const content = await contentOf(deps, row);
  if (typeof content === 'string') {
    return record(deps, row, {
      ok: false,
      permanent: true,
      statusCode: 0,
      durationMs: 0,
      error: content,
      response: '',
    });
  }
  const provider = deps.providers[row.channel as DeliveryChannel];
  const result: SendResult = provider
    ? await provider.send({
        channel: row.channel as DeliveryChannel,
        target: row.target,
        title: content.title,
        body: content.body,
        notificationId: row.notification_id,
        ...(content.extra ? { extra: content.extra } : {}),
      })
    : {
        ok: false,
        permanent: true,
        statusCode: 0,
        durationMs: 0,
        error: `no provider for channel ${row.channel}`,
        response: '',
      };
  return record(deps, row, result);
}

/** One pass: claims up to BATCH due rows and attempts each, CONCURRENCY at a time. */
async function deliverDueNotifications(deps: NotificationDeps): Promise<NotificationPassReport> {
  return runDeliveryPass<Row>({
    q: deps.db.q,
    outbox: NOTIFICATION_OUTBOX,
    nowMs: deps.clock.nowMs(),
    batch: BATCH,
    concurrency: CONCURRENCY,
    prepare: async () => (row) => deliver(deps, row),
    onError: (row, error) =>
      deps.logger.error({ notification_id: row.notification_id, err: error }, 'notification delivery failed'),
  });
}

/** The notification delivery loop of a process, woken by notifications enqueued in it (not started). */
export function createNotificationWorker(deps: NotificationDeps): OutboxWorker<NotificationPassReport> {
  return new OutboxWorker({
    name: 'notifications',
    pass: () => deliverDueNotifications(deps),
    batchSize: BATCH,
    logger: deps.logger,
    wakeOn: onNotificationsEnqueued,
  });
}
