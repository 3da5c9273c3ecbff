import type { Db } from '../db/db.ts';
import type { DeliveryChannel } from './providers/provider.ts';

/*
 * Enqueuing a notification: one row of notification_deliveries per (incident, escalation step,
 * recipient, channel), inserted by the caller inside its own transaction (the escalation engine),
 * so a notification exists exactly when the step that decided it committed. Offering the same key
 * again is a no-op: nothing is enqueued twice. docs/notifications.md.
 */

type Executor = Db['q'];

export type NotificationRequest = {
  accountId: number;
  incidentId: string;
  /** Identifies the escalation step, e.g. `rule:<rule_id>:layer:0:fire:1`; with recipient and channel, the key. */
  step: string;
  /** Who or what: `person:<id>`, `email:<address>`, `chat:<name or id>`. */
  recipient: string;
  channel: DeliveryChannel;
  /** Where to send (see Message.target in providers/provider.ts), taken now. */
  target: Record<string, unknown>;
  personId?: number;
  /** The template; DEFAULT_TEMPLATE_ID when the rule names none. */
  templateId: string;
  fireType?: 'fire' | 'refire';
  layerIdx?: number;
  /** Enqueue time, ms (the injected clock's). The row is due at once unless `dueAtMs` says later. */
  nowMs: number;
  dueAtMs?: number;
};

const listeners = new Set<() => void>();

/** Calls `listener` whenever notifications were enqueued in this process (the worker wakes on it). */
export function onNotificationsEnqueued(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Rows per insert statement (13 parameters each, well under PostgreSQL's 65,535 limit). */
const CHUNK = 1000;

/**
 * Wakes this process's delivery worker now. enqueueNotifications already does, from inside the
 * caller's transaction; a caller that enqueued many calls this again once it committed, so a worker
 * pass that looked too early is followed at once instead of at the next poll.
 */
export function wakeNotificationWorkers(): void {
  for (const listener of listeners) listener();
}

/**
 * Enqueues notifications; returns the ids of the rows this call created (a key already present is
 * skipped and not returned).
 */
export async function enqueueNotifications(
  q: Executor,
  requests: readonly NotificationRequest[],
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < requests.length; i += CHUNK) {
    const rows = await q
      .insertInto('notification_deliveries')
      .values(
        requests.slice(i, i + CHUNK).map((r) => ({
          account_id: r.accountId,
          incident_id: r.incidentId.toLowerCase(),
          step: r.step,
          recipient: r.recipient,
          channel: r.channel,
          person_id: r.personId ?? 0,
          target: JSON.stringify(r.target),
          template_id: r.templateId.toLowerCase(),
          facts: JSON.stringify({ fire_type: r.fireType ?? 'fire', layer_idx: r.layerIdx ?? 0 }),
          next_attempt_at: r.dueAtMs ?? r.nowMs,
          created_at: r.nowMs,
        })),
      )
      .onConflict((oc) => oc.columns(['incident_id', 'step', 'recipient', 'channel']).doNothing())
      .returning('notification_id')
      .execute();
    for (const row of rows) ids.push(row.notification_id);
  }
  if (ids.length > 0) wakeNotificationWorkers();
  return ids;
}

/** One notification; see enqueueNotifications. Returns its id, or undefined when it was already enqueued. */
export async function enqueueNotification(
  q: Executor,
  request: NotificationRequest,
): Promise<number | undefined> {
  return (await enqueueNotifications(q, [request]))[0];
}
