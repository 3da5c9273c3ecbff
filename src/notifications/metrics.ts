import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { AttemptOutcome } from './outbox.ts';

/*
 * The notification outbox on /metrics (docs/deploy.md, "Metrics"): what waits, database-wide (every
 * instance reports the same figures), and what this process's delivery worker did.
 */

/** The outbox is read at most this often, however often it is scraped (a count over the pending rows). */
const OUTBOX_READ_EVERY_MS = 5_000;

type OutboxReading = { pending: number; oldestCreatedAt: number | null };

async function readOutbox(db: Db): Promise<OutboxReading> {
  // The partial index on pending rows (migration 0012) holds only these rows.
  const row = await db.q
    .selectFrom('notification_deliveries')
    .select((eb) => [eb.fn.countAll<string>().as('pending'), eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), oldestCreatedAt: row.oldest === null ? null : Number(row.oldest) };
}

/** Gauges of the notifications waiting to be sent (due, retrying, or held by a worker). */
export function notificationOutboxMetrics(registry: Registry, deps: { db: Db; clock: Clock }): void {
  const registers = [registry];
  let cached: { at: number; reading: Promise<OutboxReading> } | undefined;
  const reading = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= OUTBOX_READ_EVERY_MS) {
      const promise = readOutbox(deps.db);
      cached = { at: now, reading: promise };
      // A failed read is not kept: the next scrape tries again.
      promise.catch(() => {
        if (cached?.reading === promise) cached = undefined;
      });
    }
    return cached.reading;
  };
  new Gauge({
    name: 'vigil_notifications_pending',
    help: 'Notifications not yet sent: due, waiting to be retried, or being sent (database-wide).',
    registers,
    async collect() {
      this.set((await reading()).pending);
    },
  });
  new Gauge({
    name: 'vigil_notifications_oldest_pending_age_seconds',
    help: 'Age of the oldest notification not yet sent (0 when none waits; database-wide).',
    registers,
    async collect() {
      const oldest = (await reading()).oldestCreatedAt;
      this.set(oldest === null ? 0 : Math.max(0, (deps.clock.nowMs() - oldest) / 1000));
    },
  });
}

/** What the delivery worker of this process reports after each attempt is recorded. */
export type NotificationAttemptObserver = (attempt: {
  channel: string;
  /** undefined: the claim was lost (another worker had taken the row), nothing recorded. */
  outcome: AttemptOutcome | undefined;
  enqueuedAtMs: number;
  nowMs: number;
}) => void;

export function notificationDeliveryMetrics(registry: Registry): NotificationAttemptObserver {
  const registers = [registry];
  const attempts = new Counter({
    name: 'vigil_notification_attempts_total',
    help: 'Notification attempts by this instance, by channel and outcome (success, retry, failed: given up, lost: lease lost).',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'vigil_notification_delivery_seconds',
    help: 'Time from a notification being queued to its being sent, by channel (successful deliveries by this instance).',
    labelNames: ['channel'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
    registers,
  });
  return ({ channel, outcome, enqueuedAtMs, nowMs }) => {
    attempts.inc({ channel, outcome: outcome ?? 'lost' });
    if (outcome === 'success') latency.observe({ channel }, Math.max(0, (nowMs - enqueuedAtMs) / 1000));
  };
}
