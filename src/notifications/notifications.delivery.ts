import { type Selectable, sql } from 'kysely';
import { type TopChange, topRelatedChanges } from '../changes/related-changes.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/db.ts';
import type { NotificationDeliveriesTable } from '../db/schema.ts';
import { addFeedEntries, type FeedEntry } from '../incidents/feed.store.ts';
import { loadIncidentContext, toIncidentInfo } from '../incidents/incidents.mapper.ts';
import type { IncidentInfo } from '../incidents/incidents.schemas.ts';
import type { Clock } from '../shared/clock.ts';
import { DEFAULT_TEMPLATE_ID, type TemplateChannel } from './default-template.ts';
import type { NotificationAttemptObserver } from './metrics.ts';
import { onNotificationsEnqueued } from './notifications.enqueue.ts';
import {
  type AttemptOutcome,
  type DeliveryPassReport,
  type Outbox,
  recordAttempts,
  runDeliveryPass,
} from './outbox.ts';
import { ChatProvider } from './providers/chat.ts';
import { EmailProvider } from './providers/email.ts';
import { PhoneProvider } from './providers/phone.ts';
import type { DeliveryChannel, Provider, SendResult } from './providers/provider.ts';
import { renderFor } from './render.ts';
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

/**
 * 10 s, 30 s, 1 min, 2 min, 5 min between the 6 attempts: a page that cannot wait hours. The lease
 * is short and renewed while the worker lives (runDeliveryPass): a crashed worker's pages go out
 * again within half a minute.
 */
const NOTIFICATION_OUTBOX: Outbox = {
  table: 'notification_deliveries',
  idColumn: 'notification_id',
  policy: {
    backoffMs: [10 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE],
    maxAttempts: 6,
    leaseMs: 30 * SECOND,
  },
};

/** Rows claimed per pass, and sends in flight at once (a provider answers within TIMEOUT_MS). */
const BATCH = 200;
const CONCURRENCY = 32;
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
  /** The claim lease (default 30 s); tests shorten it to see renewal at work. */
  leaseMs?: number;
  /** Told of each attempt once recorded (src/notifications/metrics.ts). */
  onAttempt?: NotificationAttemptObserver;
};

/** The outbox with this worker's lease. */
function outboxOf(deps: NotificationDeps): Outbox {
  if (deps.leaseMs === undefined) return NOTIFICATION_OUTBOX;
  return { ...NOTIFICATION_OUTBOX, policy: { ...NOTIFICATION_OUTBOX.policy, leaseMs: deps.leaseMs } };
}

/**
 * A notification's identity across attempts, for receivers to drop a repeat: the e-mail's
 * Message-ID (with the sender's domain) and the Idempotency-Key of HTTP calls. The row's id and
 * creation time: two deployments that both reach notification 42 do not collide.
 */
function notificationKey(row: { notification_id: number; created_at: number }): string {
  return `vigil-notification-${row.notification_id}-${row.created_at}`;
}

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
    outboundAllow: config.outboundAllow,
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

type Rendering = {
  incident: IncidentInfo | undefined;
  bodies: Partial<Record<string, string>>;
  relatedChange: TopChange | undefined;
};

/**
 * What the rows without stored content are rendered from: their incidents (one query and one
 * context load per account) and their templates (one lookup per account and template; a missing
 * one falls back to the default).
 */
async function loadRenderings(deps: NotificationDeps, rows: readonly Row[]): Promise<Map<number, Rendering>> {
  const q = deps.db.q;
  const byAccount = new Map<number, Row[]>();
  for (const row of rows) byAccount.set(row.account_id, [...(byAccount.get(row.account_id) ?? []), row]);
  const out = new Map<number, Rendering>();
  for (const [accountId, own] of byAccount) {
    const incidents = await q
      .selectFrom('incidents')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('incident_id', 'in', [...new Set(own.map((r) => r.incident_id.toLowerCase()))])
      .where('deleted_at', '=', 0)
      .execute();
    const templates = new Map<string, Partial<Record<string, string>>>();
    for (const templateId of new Set(own.map((r) => r.template_id))) {
      const template =
        (await findTemplate(q, accountId, templateId, true)) ??
        (await findTemplate(q, accountId, DEFAULT_TEMPLATE_ID));
      templates.set(templateId, template!.bodies);
    }
    // The frequency lookup is the costliest part of the context: only when something shows it
    // (a template naming .Frequency, or a custom webhook, which carries the whole incident).
    const frequencies =
      own.some((r) => r.channel === 'webhook') ||
      [...templates.values()].some((bodies) => Object.values(bodies).some((b) => b?.includes('Frequency')));
    const context = await loadIncidentContext(q, accountId, incidents, deps.publicUrl, { frequencies });
    // The default bodies name the top related change; an account without changes costs one probe.
    const changes = await topRelatedChanges(q, accountId, incidents);
    const infos = new Map(incidents.map((row) => [row.incident_id, toIncidentInfo(row, context)]));
    for (const row of own) {
      out.set(row.notification_id, {
        incident: infos.get(row.incident_id.toLowerCase()),
        bodies: templates.get(row.template_id)!,
        relatedChange: changes.get(row.incident_id.toLowerCase()),
      });
    }
  }
  return out;
}

/** Renders the message of a delivery's first attempt; a string explains why it cannot be. */
function render(deps: NotificationDeps, row: Row, from: Rendering): Content | string {
  if (!from.incident) return `the incident ${row.incident_id} no longer exists`;
  const facts = row.facts as { fire_type?: 'fire' | 'refire'; layer_idx?: number };
  try {
    const rendered = renderFor(
      from.bodies,
      TEMPLATE_CHANNEL_OF[row.channel as DeliveryChannel],
      from.incident,
      {
        fireType: facts.fire_type ?? 'fire',
        layerIdx: facts.layer_idx ?? 0,
        now: Math.floor(deps.clock.nowMs() / 1000),
        ...(from.relatedChange ? { relatedChange: from.relatedChange } : {}),
      },
    );
    if (row.channel === 'webhook') return { ...rendered, extra: { incident: from.incident } };
    // E-mail: the template's body is HTML; a plain-text part goes with it.
    if (row.channel === 'email')
      return { title: rendered.title, body: htmlToText(rendered.body), extra: { html: rendered.body } };
    return rendered;
  } catch (error) {
    if (error instanceof TemplateError) return `the template ${row.template_id} failed: ${error.message}`;
    throw error;
  }
}

/**
 * The message of each claimed row: the stored one, or rendered now and stored before anything is
 * sent (one statement; a content another worker stored first wins), so every retry sends the same.
 */
async function contentsOf(
  deps: NotificationDeps,
  rows: readonly Row[],
): Promise<Map<number, Content | string>> {
  const out = new Map<number, Content | string>();
  const fresh = rows.filter((row) => row.content === null);
  for (const row of rows)
    if (row.content !== null) out.set(row.notification_id, JSON.parse(row.content) as Content);
  if (fresh.length === 0) return out;
  const renderings = await loadRenderings(deps, fresh);
  const built: Array<{ id: number; content: string }> = [];
  for (const row of fresh) {
    const content = render(deps, row, renderings.get(row.notification_id)!);
    out.set(row.notification_id, content);
    if (typeof content !== 'string')
      built.push({ id: row.notification_id, content: JSON.stringify(content) });
  }
  if (built.length > 0) {
    const { rows: stored } = await sql<{ notification_id: number | string; content: string }>`
      update notification_deliveries as n set content = coalesce(n.content, v.content)
        from (values ${sql.join(built.map((b) => sql`(${b.id}::bigint, ${b.content}::text)`))}) as v(id, content)
       where n.notification_id = v.id
      returning n.notification_id, n.content`.execute(deps.db.q);
    for (const row of stored) out.set(Number(row.notification_id), JSON.parse(row.content) as Content);
  }
  return out;
}

/** The `i_notify` entry of a delivery that ended (delivered, or failed for good). */
function notifyEntry(row: Row, result: SendResult, outcome: AttemptOutcome, nowMs: number): FeedEntry {
  return {
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
            persons: [{ person_id: row.person_id, ...(result.ok ? {} : { failed_reason: result.error }) }],
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
  };
}

type Attempted = { row: Row; result: SendResult };

/**
 * Records attempts and, for deliveries that ended, their timeline entries: one transaction for
 * the lot (each row still fenced by its claim).
 */
async function recordAll(
  deps: NotificationDeps,
  attempts: readonly Attempted[],
): Promise<Array<AttemptOutcome | undefined>> {
  const nowMs = deps.clock.nowMs();
  return deps.db.q.transaction().execute(async (trx) => {
    const outcomes = await recordAttempts(
      trx,
      outboxOf(deps),
      attempts.map(({ row, result }) => ({
        claim: { id: row.notification_id, attempt: row.attempt },
        result: {
          ok: result.ok,
          final: result.permanent,
          error: result.error,
          statusCode: result.statusCode,
          durationMs: result.durationMs,
        },
        log: {
          error_kind: result.ok ? '' : result.permanent ? 'permanent' : 'transient',
          error_message: result.error,
          status_code: result.statusCode,
          duration: result.durationMs,
          response_body: result.response.slice(0, 4096),
        },
      })),
      nowMs,
    );
    const entries: FeedEntry[] = [];
    attempts.forEach(({ row, result }, i) => {
      const outcome = outcomes[i];
      if (outcome === 'success' || outcome === 'failed')
        entries.push(notifyEntry(row, result, outcome, nowMs));
    });
    if (entries.length > 0) await addFeedEntries(trx, entries);
    return outcomes;
  });
}

/**
 * Group commit of a pass's outcomes: the first one is recorded at once, and those that finish
 * meanwhile wait and are recorded together by the next transaction, so recording costs a few
 * transactions per pass rather than one per notification, without holding a finished one back.
 */
function recorder(deps: NotificationDeps): (attempt: Attempted) => Promise<AttemptOutcome | undefined> {
  type Waiting = Attempted & {
    resolve: (outcome: AttemptOutcome | undefined) => void;
    reject: (error: unknown) => void;
  };
  let queue: Waiting[] = [];
  let flushing = false;
  const flush = async () => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        const outcomes = await recordAll(deps, batch);
        for (const [i, w] of batch.entries()) w.resolve(outcomes[i]);
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    flushing = false;
  };
  return (attempt) =>
    new Promise((resolve, reject) => {
      queue.push({ ...attempt, resolve, reject });
      if (!flushing) void flush();
    });
}

const NOT_RENDERED = (error: string): SendResult => ({
  ok: false,
  permanent: true,
  statusCode: 0,
  durationMs: 0,
  error,
  response: '',
});

async function send(deps: NotificationDeps, row: Row, content: Content): Promise<SendResult> {
  const provider = deps.providers[row.channel as DeliveryChannel];
  if (!provider) return NOT_RENDERED(`no provider for channel ${row.channel}`);
  return provider.send({
    channel: row.channel as DeliveryChannel,
    target: row.target,
    title: content.title,
    body: content.body,
    notificationId: row.notification_id,
    dedupeKey: notificationKey(row),
    ...(content.extra ? { extra: content.extra } : {}),
  });
}

/**
 * One pass: claims up to BATCH due rows, renders the new ones together, sends CONCURRENCY at a
 * time and records the outcomes in group commits.
 */
async function deliverDueNotifications(
  deps: NotificationDeps,
  stopping?: AbortSignal,
): Promise<NotificationPassReport> {
  return runDeliveryPass<Row>({
    stopping,
    q: deps.db.q,
    outbox: outboxOf(deps),
    clock: deps.clock,
    batch: BATCH,
    concurrency: CONCURRENCY,
    prepare: async (rows) => {
      const contents = await contentsOf(deps, rows);
      const record = recorder(deps);
      return async (row) => {
        const content = contents.get(row.notification_id)!;
        const result = typeof content === 'string' ? NOT_RENDERED(content) : await send(deps, row, content);
        // The next send does not wait for this one's record (group commit; see recorder).
        const recorded = record({ row, result });
        const observe = deps.onAttempt;
        if (observe)
          recorded.then(
            (outcome) =>
              observe({
                channel: row.channel,
                outcome,
                enqueuedAtMs: row.created_at,
                nowMs: deps.clock.nowMs(),
              }),
            () => {},
          );
        return { recorded };
      };
    },
    onError: (row, error) =>
      deps.logger.error({ notification_id: row.notification_id, err: error }, 'notification delivery failed'),
    onRenewalError: (error) => deps.logger.error({ err: error }, 'notification lease renewal failed'),
  });
}

/** The notification delivery loop of a process, woken by notifications enqueued in it (not started). */
export function createNotificationWorker(deps: NotificationDeps): OutboxWorker<NotificationPassReport> {
  return new OutboxWorker({
    name: 'notifications',
    pass: (stopping) => deliverDueNotifications(deps, stopping),
    batchSize: BATCH,
    logger: deps.logger,
    wakeOn: onNotificationsEnqueued,
    // A page should not wait for the previous pass's slowest send and its recording.
    maxPasses: 2,
  });
}
